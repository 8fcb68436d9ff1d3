{#- No row has a null in any of these columns: one query for a model's columns, where a not_null test per column would
    each be a node (and an asset check) of its own, ~30 ms of every build apiece. -#}
{% test not_null_columns(model, columns) %}
    select *
    from {{ model }}
    where {% for column in columns %}{{ column }} is null{{ ' or ' if not loop.last }}{% endfor %}
{% endtest %}
