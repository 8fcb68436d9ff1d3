{#- The 25 item columns of a fidelity review, as the return format names them: item_01 … item_25. -#}
{% macro fidelity_items() -%}
    {%- set items = [] -%}
    {%- for i in range(1, 26) -%}
        {%- do items.append('item_%02d' % i) -%}
    {%- endfor -%}
    {{ return(items) }}
{%- endmacro %}


{#- The columns of a fidelity review as staged, but its total: who, when, by whom and the 25 item scores. -#}
{% macro fidelity_review_columns() -%}
    {{ return(['return_id', 'site_id', 'reporting_year', 'review_date', 'reviewer_type'] + fidelity_items()) }}
{%- endmacro %}
