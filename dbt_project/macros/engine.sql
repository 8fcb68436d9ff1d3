{#- The SQL that is not written the same way on every engine, in one place (docs/scaling.md, "Past one machine").
    Each macro dispatches (adapter.dispatch) to duckdb__<name> on DuckDB and to default__<name> elsewhere; the
    defaults are PostgreSQL's dialect. Another engine (Spark, Trino) gains its own <engine>__<name> here and no model
    changes: tests/test_portability.py compiles the models for PostgreSQL and fails when DuckDB's own SQL appears in a
    model or a macro other than these. -#}


{#- A text of values separated by `separator` as a list of texts ('lon|a_kassa' -> [lon, a_kassa]); null stays null. -#}
{% macro split_list(text, separator) -%}
    {{ return(adapter.dispatch('split_list', 'ips_warehouse')(text, separator)) }}
{%- endmacro %}

{% macro duckdb__split_list(text, separator) -%}
    string_split({{ text }}, '{{ separator }}')
{%- endmacro %}

{% macro default__split_list(text, separator) -%}
    string_to_array({{ text }}, '{{ separator }}')
{%- endmacro %}


{#- Whether a list holds the value (an SQL expression). -#}
{% macro list_holds(list, value) -%}
    {{ return(adapter.dispatch('list_holds', 'ips_warehouse')(list, value)) }}
{%- endmacro %}

{% macro duckdb__list_holds(list, value) -%}
    list_contains({{ list }}, {{ value }})
{%- endmacro %}

{% macro default__list_holds(list, value) -%}
    ({{ value }} = any({{ list }}))
{%- endmacro %}


{#- Whether a list holds any of the given texts (written as they are: codes, never user input). -#}
{% macro list_holds_any(list, texts) -%}
    {{ return(adapter.dispatch('list_holds_any', 'ips_warehouse')(list, texts)) }}
{%- endmacro %}

{% macro duckdb__list_holds_any(list, texts) -%}
    list_has_any({{ list }}, [{% for text in texts %}'{{ text }}'{{ ', ' if not loop.last }}{% endfor %}])
{%- endmacro %}

{% macro default__list_holds_any(list, texts) -%}
    ({{ list }} && array[{% for text in texts %}'{{ text }}'{{ ', ' if not loop.last }}{% endfor %}])
{%- endmacro %}


{#- One row per element of a list, in a select list (Spark would say explode). -#}
{% macro unnest_list(list) -%}
    {{ return(adapter.dispatch('unnest_list', 'ips_warehouse')(list)) }}
{%- endmacro %}

{% macro default__unnest_list(list) -%}
    unnest({{ list }})
{%- endmacro %}


{#- An aggregate: `value` of the row where `key` is least; rows whose value or key is null are not considered. -#}
{% macro value_at_min(value, key) -%}
    {{ return(adapter.dispatch('value_at_min', 'ips_warehouse')(value, key)) }}
{%- endmacro %}

{% macro duckdb__value_at_min(value, key) -%}
    arg_min({{ value }}, {{ key }})
{%- endmacro %}

{% macro default__value_at_min(value, key) -%}
    (array_agg({{ value }} order by {{ key }}) filter (where {{ value }} is not null and {{ key }} is not null))[1]
{%- endmacro %}


{#- An aggregate: `value` of the row that is greatest by `keys` (SQL expressions, never null; the first decides, the
    next break ties); rows whose value is null are not considered unless `keep_null_value`. -#}
{% macro value_at_max(value, keys, keep_null_value=false) -%}
    {{ return(adapter.dispatch('value_at_max', 'ips_warehouse')(value, keys, keep_null_value)) }}
{%- endmacro %}

{% macro duckdb__value_at_max(value, keys, keep_null_value) -%}
    {{ 'arg_max_null' if keep_null_value else 'arg_max' }}({{ value }}, {% if keys | length == 1 -%}
        {{ keys[0] }}
    {%- else -%}
        {#- a struct orders by its fields in turn -#}
        row({{ keys | join(', ') }})
    {%- endif %})
{%- endmacro %}

{% macro default__value_at_max(value, keys, keep_null_value) -%}
    (array_agg({{ value }} order by {% for key in keys %}{{ key }} desc{{ ', ' if not loop.last }}{% endfor %})
    {%- if not keep_null_value %} filter (where {{ value }} is not null){% endif %})[1]
{%- endmacro %}


{#- The rows of a CSV file (header row, every column text): the replaceable reference tables, which the national
    function loads into the data home (`ips-monitor reference load`). -#}
{% macro csv_file_rows(path) -%}
    {{ return(adapter.dispatch('csv_file_rows', 'ips_warehouse')(path)) }}
{%- endmacro %}

{% macro duckdb__csv_file_rows(path) -%}
    read_csv('{{ path }}', header = true, all_varchar = true)
{%- endmacro %}

{#- An engine that cannot read a file in a query reads the table `ips-monitor reference load` would load it into. -#}
{% macro default__csv_file_rows(path) -%}
    reference_files.{{ path.split('/')[-1].split('.')[0] }}
{%- endmacro %}


{#- Between two queries: their rows, columns matched by name (DuckDB) or, where an engine cannot, by place; there
    the retained figures are loaded with the published model's columns in its order. -#}
{% macro union_all_by_name() -%}
    {{ return(adapter.dispatch('union_all_by_name', 'ips_warehouse')()) }}
{%- endmacro %}

{% macro duckdb__union_all_by_name() -%}
    union all by name
{%- endmacro %}

{% macro default__union_all_by_name() -%}
    union all
{%- endmacro %}


{#- The rows of a Parquet file: the retained published figures (macro with_retained). -#}
{% macro parquet_file_rows(path) -%}
    {{ return(adapter.dispatch('parquet_file_rows', 'ips_warehouse')(path)) }}
{%- endmacro %}

{% macro duckdb__parquet_file_rows(path) -%}
    read_parquet('{{ path }}')
{%- endmacro %}

{% macro default__parquet_file_rows(path) -%}
    retained_files.{{ path.split('/')[-1].split('.')[0] }}
{%- endmacro %}


{#- An aggregate: the median, halfway between the two middle values when their number is even. -#}
{% macro median_of(value) -%}
    {{ return(adapter.dispatch('median_of', 'ips_warehouse')(value)) }}
{%- endmacro %}

{% macro duckdb__median_of(value) -%}
    median({{ value }})
{%- endmacro %}

{% macro default__median_of(value) -%}
    percentile_cont(0.5) within group (order by {{ value }})
{%- endmacro %}


{#- Whether a floating-point value is NaN (a correlation over values that do not vary). -#}
{% macro is_nan(value) -%}
    {{ return(adapter.dispatch('is_nan', 'ips_warehouse')(value)) }}
{%- endmacro %}

{% macro duckdb__is_nan(value) -%}
    isnan({{ value }})
{%- endmacro %}

{% macro default__is_nan(value) -%}
    ({{ value }} = cast('NaN' as double precision))
{%- endmacro %}


{#- A floating-point value rounded to `digits` decimals, half away from zero (PostgreSQL rounds a double to even, and
    to digits only a numeric). -#}
{% macro round_to(value, digits) -%}
    {{ return(adapter.dispatch('round_to', 'ips_warehouse')(value, digits)) }}
{%- endmacro %}

{% macro duckdb__round_to(value, digits) -%}
    round({{ value }}, {{ digits }})
{%- endmacro %}

{% macro default__round_to(value, digits) -%}
    round(cast({{ value }} as numeric), {{ digits }})
{%- endmacro %}


{#- An integer wide enough for the exact arithmetic of round_ratio (counts scaled by 20 × 100,000), and the quotient
    of two such integers rounded toward zero (both are never negative there). -#}
{% macro wide_integer(value) -%}
    {{ return(adapter.dispatch('wide_integer', 'ips_warehouse')(value)) }}
{%- endmacro %}

{% macro duckdb__wide_integer(value) -%}
    cast({{ value }} as hugeint)
{%- endmacro %}

{% macro default__wide_integer(value) -%}
    cast({{ value }} as numeric(38, 0))
{%- endmacro %}

{% macro integer_quotient(dividend, divisor) -%}
    {{ return(adapter.dispatch('integer_quotient', 'ips_warehouse')(dividend, divisor)) }}
{%- endmacro %}

{% macro duckdb__integer_quotient(dividend, divisor) -%}
    (({{ dividend }}) // ({{ divisor }}))
{%- endmacro %}

{% macro default__integer_quotient(dividend, divisor) -%}
    div({{ dividend }}, {{ divisor }})
{%- endmacro %}
