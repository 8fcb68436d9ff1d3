{#- A row of `group by grouping sets` stands for everything in each column left out of its set:
    the column's value where it is grouped on, else the code for all ('_T', or 'SE' for areas). -#}
{% macro value_or_total(column, total="'_T'") -%}
    case when grouping({{ column }}) = 0 then {{ column }} else {{ total }} end
{%- endmacro %}
