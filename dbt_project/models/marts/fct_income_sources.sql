-- INCOME_SOURCE_RATE: income sources at intake and at follow-up, among participants enrolled in the
-- year with income recorded at that moment. A person may have several sources, so shares do not add up.
with moments as (
    select
        reporting_year,
        'intake' as moment,
        {{ unnest_list('income_at_intake') }} as income_source,
        participant_id,
        return_id
    from {{ ref('int_participants') }}
    union all
    select
        reporting_year,
        'followup' as moment,
        {{ unnest_list('income_at_followup') }} as income_source,
        participant_id,
        return_id
    from {{ ref('int_participants') }}
    where income_at_followup is not null
),

recorded as (
    select
        reporting_year,
        'intake' as moment,
        count(*) as participants
    from {{ ref('int_participants') }}
    group by reporting_year
    union all
    select
        reporting_year,
        'followup' as moment,
        count(*) as participants
    from {{ ref('int_participants') }}
    where income_at_followup is not null
    group by reporting_year
),

counted as (
    select
        reporting_year,
        moment,
        income_source,
        -- a person once: intake refuses a code twice in one cell (codes_duplicate), and int_participants has a row each
        count(*) as persons
    from moments
    group by reporting_year, moment, income_source
)

select
    counted.reporting_year,
    counted.moment,
    counted.income_source,
    labels.label_sv as income_source_sv,
    labels.label_en as income_source_en,
    'INCOME_SOURCE_RATE' as indicator_code,
    counted.persons as numerator,
    recorded.participants as denominator,
    {{ round_ratio('counted.persons', 'recorded.participants', 100) }} as obs_value
from counted
inner join recorded using (reporting_year, moment)
inner join {{ ref('code_lists') }} as labels
    on counted.income_source = labels.code and labels.code_list = 'income_source'
