{#- The primary rule of indicators-v1 for one observation: 'A' (withheld) or 'F' (free), by its unit. -#}
{% macro primary_suppression(unit, numerator, denominator, value) -%}
    {%- set small = 'between 1 and ' ~ (var('suppression_threshold') - 1) -%}
    case
        when {{ unit }} = 'PS' and {{ value }} {{ small }} then 'A'
        when {{ unit }} = 'PC' and (
            {{ numerator }} {{ small }}
            or {{ denominator }} - {{ numerator }} {{ small }}
            or {{ denominator }} < {{ var('min_rate_denominator') }}
        ) then 'A'
        when {{ unit }} = 'DAYS' and {{ denominator }} < {{ var('min_median_persons') }} then 'A'
        -- a model estimate in kronor: withheld when few participants contribute a non-zero term (the numerator)
        when {{ unit }} = 'SEK' and {{ numerator }} {{ small }} then 'A'
        else 'F'
    end
{%- endmacro %}
