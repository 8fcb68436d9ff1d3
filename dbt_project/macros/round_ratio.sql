{#- scale × numerator / denominator, rounded to one decimal half away from zero, in exact
    integer arithmetic (numerator ≥ 0, denominator > 0); null when the denominator is 0. -#}
{% macro round_ratio(numerator, denominator, scale=1) -%}
    case when ({{ denominator }}) > 0 then
        cast(
            {{ integer_quotient(
                '20 * ' ~ scale ~ ' * ' ~ wide_integer(numerator) ~ ' + ' ~ wide_integer(denominator),
                '2 * ' ~ wide_integer(denominator)
            ) }} / 10 as decimal(18, 1)
        )
    end
{%- endmacro %}
