{#- Full months from one date to a later one, as age() counts them (2025-01-15 to 2025-07-14: 5). -#}
{% macro full_months(start_date, end_date) -%}
    (date_part('year', age({{ end_date }}, {{ start_date }})) * 12 + date_part('month', age({{ end_date }}, {{ start_date }})))
{%- endmacro %}
