-- The indicators counted over participants enrolled in a period: every period, nationally and by
-- area, site, sex, age and diagnosis. Numerator and denominator beside each value; unprotected.
with participant_counts as (
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
