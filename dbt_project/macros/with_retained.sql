{#- The published figures of the reporting years whose participant-level data retention has removed
    (`ips-monitor retention`, pipelines/retention.py), put back beside what the model computes now. They are kept in
    the data home, a Parquet file per published model, named to dbt by the var `retained_tables` (Settings.dbt_vars).
    They are final: a row computed now for such a year (a return sent late) does not replace them.
    Used around a published model's whole query: {% call with_retained() %} select ... {% endcall %} -#}
{% macro with_retained() %}
    {%- set path = var('retained_tables', {}).get(this.name) -%}
    {%- if path %}
with computed as (
    {{ caller() }}
),

retained as (
    select * from {{ parquet_file_rows(path) }}
)

select * from computed
where reporting_year not in (select retained.reporting_year from retained)
{{ union_all_by_name() }}
select * from retained
    {%- else %}
{{ caller() }}
    {%- endif %}
{% endmacro %}
