{#- The bands of the return format's breakdowns, each said once. The unit tests in
    models/intermediate/_intermediate__unit_tests.yml check their boundaries through the models that use them. -#}

{#- Age group (SDMX code) from age in whole years: reporting year minus birth year. -#}
{% macro age_group(years) -%}
    case
        when {{ years }} <= 29 then 'Y_LT30'
        when {{ years }} <= 39 then 'Y30T39'
        when {{ years }} <= 49 then 'Y40T49'
        when {{ years }} <= 59 then 'Y50T59'
        else 'Y_GE60'
    end
{%- endmacro %}


{#- Time in the programme (SDMX code) from full months in it. -#}
{% macro tenure_band(months) -%}
    case
        when {{ months }} < 6 then 'M_LT6'
        when {{ months }} < 12 then 'M6T11'
        when {{ months }} < 24 then 'M12T23'
        else 'M_GE24'
    end
{%- endmacro %}


{#- Fidelity band (code list fidelity_band) from a review's total score, 25..125. -#}
{% macro fidelity_band(score) -%}
    case
        when {{ score }} >= 115 then 'mycket_god'
        when {{ score }} >= 100 then 'god'
        when {{ score }} >= 74 then 'delvis'
        else 'inte_ips'
    end
{%- endmacro %}
