{#- The 25 item columns of a fidelity review, as the return format names them: item_01 … item_25. -#}
{% macro fidelity_items() -%}
    {%- set items = [] -%}
    {%- for i in range(1, 26) -%}
        {%- do items.append('item_%02d' % i) -%}
    {%- endfor -%}
    {{ return(items) }}
{%- endmacro %}
