-- The indicators counted over participants enrolled in a period: every period, nationally and by
-- area, site, sex, age and diagnosis. Numerator and denominator beside each value; unprotected.
-- The breakdowns by sex, age and diagnosis are complete (indicators v1.1): every code of the dimension in every
-- year, counted 0 where nobody falls in it, so that "nobody" is told apart from "not reported".
with counted as (
    select
        freq,
        time_period,
        any_value(reporting_year) as reporting_year,
        {{ area_or_site() }},
        {{ value_or_total('sex') }} as sex,
        {{ value_or_total('age') }} as age,
        {{ value_or_total('diagnosis') }} as diagnosis,
        count(*) as participants,
        count(*) filter (where intake_in_period) as intakes,
        count(*) filter (where exit_in_period) as exits,
        count(*) filter (where in_competitive_work) as emp_comp,
        count(*) filter (where not in_paid_work_at_intake) as participants_out_of_work,
        count(*) filter (where in_competitive_work and not in_paid_work_at_intake) as emp_comp_out_of_work,
        count(*) filter (where in_paid_work) as emp_paid,
        count(*) filter (where in_education) as edu,
        count(*) filter (where in_paid_work or in_education) as emp_or_edu,
        count(attachment_change) as attachment_known,
        count(*) filter (where attachment_change = 'improved') as attachment_improved,
        count(days_to_contact) filter (where intake_in_period) as contact_known,
        count(*) filter (where intake_in_period and days_to_contact <= 7) as contact_within_7,
        count(*) filter (where intake_in_period and days_to_contact between 8 and 30) as contact_8_to_30,
        count(*) filter (where intake_in_period and days_to_contact > 30) as contact_after_30
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
    select * from counted
    union all by name
    -- the cells nobody falls in: every count 0
    select
        cell.*,
        coalesce(
            columns(counted.* exclude (freq, time_period, reporting_year, ref_area, site_id, sex, age, diagnosis)), 0  -- noqa: RF02, LT05
        )
    from every_breakdown_cell as cell
    left join counted using (freq, time_period, ref_area, sex, age, diagnosis)  -- never a site's cell: those are _T
    where counted.participants is null
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
    measures.* exclude (numerator, denominator),
    cast(measures.numerator as decimal(18, 2)) as numerator,
    cast(measures.denominator as decimal(18, 2)) as denominator,
    -- a count is its own value; a rate is a percentage of its denominator
    case
        when measures.denominator is null then cast(measures.numerator as decimal(18, 1))
        else {{ round_ratio('measures.numerator', 'measures.denominator', 100) }}
    end as obs_value
from measures
