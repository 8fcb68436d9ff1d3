-- The indicators counted over participants enrolled in a period: every period, nationally and by
-- area, site, sex, age and diagnosis. Numerator and denominator beside each value; unprotected.
-- The breakdowns by sex, age and diagnosis are complete (indicators v1.1): every code of the dimension in every
-- year, counted 0 where nobody falls in it, so that "nobody" is told apart from "not reported".
{%- set cell_key = ['freq', 'time_period', 'reporting_year', 'ref_area', 'site_id', 'sex', 'age', 'diagnosis'] -%}
{#- the counts of each cell, by name: every indicator below is made of them -#}
{%- set counts = {
    'participants': "count(*)",
    'intakes': "count(*) filter (where intake_in_period)",
    'exits': "count(*) filter (where exit_in_period)",
    'emp_comp': "count(*) filter (where in_competitive_work)",
    'participants_out_of_work': "count(*) filter (where not in_paid_work_at_intake)",
    'emp_comp_out_of_work': "count(*) filter (where in_competitive_work and not in_paid_work_at_intake)",
    'emp_paid': "count(*) filter (where in_paid_work)",
    'edu': "count(*) filter (where in_education)",
    'emp_or_edu': "count(*) filter (where in_paid_work or in_education)",
    'attachment_known': "count(attachment_change)",
    'attachment_improved': "count(*) filter (where attachment_change = 'improved')",
    'contact_known': "count(days_to_contact) filter (where intake_in_period)",
    'contact_within_7': "count(*) filter (where intake_in_period and days_to_contact <= 7)",
    'contact_8_to_30': "count(*) filter (where intake_in_period and days_to_contact between 8 and 30)",
    'contact_after_30': "count(*) filter (where intake_in_period and days_to_contact > 30)",
} %}

with counted as (
    select
        freq,
        time_period,
        any_value(reporting_year) as reporting_year,
        {{ area_or_site() }},
        {{ value_or_total('sex') }} as sex,
        {{ value_or_total('age') }} as age,
        {{ value_or_total('diagnosis') }} as diagnosis,
        -- noqa: disable=LT02
        {%- for name, expression in counts.items() %}
        {{ expression }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    -- noqa: enable=LT02
    from {{ ref('int_participant_periods') }}
    group by grouping sets (  -- noqa: PRS
        (freq, time_period),
        (freq, time_period, ref_area),
        (freq, time_period, site_id),
        (freq, time_period, sex),
        (freq, time_period, age),
        (freq, time_period, diagnosis)
    )
),

breakdown_codes as (
    select
        sdmx_code as breakdown_code,
        case code_list when 'sex' then 'sex' when 'age_group' then 'age' else 'diagnosis' end as dimension
    from {{ ref('code_lists') }}
    where code_list in ('sex', 'age_group', 'diagnosis_group')
),

every_breakdown_cell as (
    select
        total_cell.freq,
        total_cell.time_period,
        total_cell.reporting_year,
        'SE' as ref_area,
        cast(null as varchar) as site_id,
        case when codes.dimension = 'sex' then codes.breakdown_code else '_T' end as sex,
        case when codes.dimension = 'age' then codes.breakdown_code else '_T' end as age,
        case when codes.dimension = 'diagnosis' then codes.breakdown_code else '_T' end as diagnosis
    from counted as total_cell
    cross join breakdown_codes as codes
    where
        total_cell.freq = 'A' and total_cell.ref_area = 'SE' and total_cell.site_id is null
        and total_cell.sex = '_T' and total_cell.age = '_T' and total_cell.diagnosis = '_T'
),

participant_counts as (
    -- noqa: disable=LT02
    select
        {%- for column in cell_key %}
        {{ column }},
        {%- endfor %}
        {%- for name in counts %}
        {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from counted
    union all
    -- the cells nobody falls in: every count 0
    select
        {%- for column in cell_key %}
        cell.{{ column }},
        {%- endfor %}
        {%- for name in counts %}
        0 as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from every_breakdown_cell as cell
    left join counted using (freq, time_period, ref_area, sex, age, diagnosis)  -- never a site's cell: those are _T
    where counted.participants is null
    -- noqa: enable=LT02
),

national_participants as (
    select
        freq,
        time_period,
        participants as national_participants
    from participant_counts
    where ref_area = 'SE' and site_id is null and sex = '_T' and age = '_T' and diagnosis = '_T'
),

measures as (
    select
        counts.freq,
        counts.time_period,
        counts.reporting_year,
        counts.ref_area,
        counts.site_id,
        counts.sex,
        counts.age,
        counts.diagnosis,
        measure.indicator_code,
        measure.numerator,
        measure.denominator
    from participant_counts as counts
    inner join national_participants using (freq, time_period)
    cross join lateral (
        values
        ('PARTICIPANTS', counts.participants, null),
        ('INTAKES', counts.intakes, null),
        ('EXITS', counts.exits, null),
        ('EMP_COMP', counts.emp_comp, null),
        ('EMP_COMP_RATE', counts.emp_comp, counts.participants),
        ('EMP_COMP_RATE_OOW', counts.emp_comp_out_of_work, counts.participants_out_of_work),
        ('EMP_PAID', counts.emp_paid, null),
        ('EMP_PAID_RATE', counts.emp_paid, counts.participants),
        ('EDU', counts.edu, null),
        ('EDU_RATE', counts.edu, counts.participants),
        ('EMP_OR_EDU_RATE', counts.emp_or_edu, counts.participants),
        ('DIAG_SHARE', counts.participants, national_participants.national_participants),
        ('ATT_IMPROVED_RATE', counts.attachment_improved, counts.attachment_known),
        ('CONTACT_LE7_RATE', counts.contact_within_7, counts.contact_known),
        ('CONTACT_8T30_RATE', counts.contact_8_to_30, counts.contact_known),
        ('CONTACT_GT30_RATE', counts.contact_after_30, counts.contact_known)
    ) as measure (indicator_code, numerator, denominator)
)

select
    {%- for column in cell_key %}
        measures.{{ column }},
    {%- endfor %}
    measures.indicator_code,
    cast(measures.numerator as decimal(18, 2)) as numerator,
    cast(measures.denominator as decimal(18, 2)) as denominator,
    -- a count is its own value; a rate is a percentage of its denominator
    case
        when measures.denominator is null then cast(measures.numerator as decimal(18, 1))
        else {{ round_ratio('measures.numerator', 'measures.denominator', 100) }}
    end as obs_value
from measures
