-- COMPLETENESS: per site and year, the share of rows with each optional field filled in.
-- Required fields are complete by the intake rules. For the national function's follow-up, never published.
{% set optional_fields = {
    'stg_returns__deltagare': ['first_employer_contact_date', 'attachment_at_followup', 'income_at_followup', 'economic_situation'],
    'stg_returns__diagnoser': ['icd10_code'],
    'stg_returns__aktiviteter': ['end_date', 'hours_per_week'],
    'stg_returns__verksamhet': ['supervisor_fte'],
} %}
with filled as (
    {% for model, fields in optional_fields.items() %}
    {% for field in fields %}
    select
        site_id,
        reporting_year,
        '{{ model.split('__')[1] }}' as return_table,
        '{{ field }}' as field,
        count({{ field }}) as filled_rows,
        count(*) as all_rows
    from {{ ref(model) }}
    group by site_id, reporting_year
    {{ 'union all' if not loop.last }}
    {% endfor %}
    {{ 'union all' if not loop.last }}
    {% endfor %}
)

select
    site_id,
    reporting_year,
    return_table,
    field,
    'COMPLETENESS' as indicator_code,
    filled_rows,
    all_rows,
    {{ round_ratio('filled_rows', 'all_rows', 100) }} as obs_value
from filled
