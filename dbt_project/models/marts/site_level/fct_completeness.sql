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
                return_id,
                '{{ model.split('__')[1] }}' as return_table,
                '{{ field }}' as field,
                count({{ field }}) as filled_rows,
                count(*) as all_rows
            from {{ ref(model) }}
            group by return_id
            {{ 'union all' if not loop.last }}
        {% endfor %}
        {{ 'union all' if not loop.last }}
    {% endfor %}
)

select
    current_return.site_id,
    current_return.reporting_year,
    filled.return_table,
    filled.field,
    'COMPLETENESS' as indicator_code,
    filled.filled_rows,
    filled.all_rows,
    {{ round_ratio('filled.filled_rows', 'filled.all_rows', 100) }} as obs_value
from filled
inner join {{ ref('int_current_returns') }} as current_return on filled.return_id = current_return.return_id
