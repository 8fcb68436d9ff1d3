-- Every indicator of indicators-v1, unprotected, with numerator and denominator beside each value.
-- Which cells exist (quarterly or not, which breakdowns) is read from the indicator catalogue seed.
with participant_counts as (
    select
        freq,
        time_period,
        any_value(reporting_year) as reporting_year,
        case when grouping(ref_area) = 0 then ref_area else 'SE' end as ref_area,
        case when grouping(sex) = 0 then sex else '_T' end as sex,
        case when grouping(age) = 0 then age else '_T' end as age,
        case when grouping(diagnosis) = 0 then diagnosis else '_T' end as diagnosis,
        count(*) as participants,
        count(*) filter (where intake_in_period) as intakes,
        count(*) filter (where exit_in_period) as exits,
        count(*) filter (where in_competitive_work) as emp_comp,
        count(*) filter (where not in_paid_work_at_intake) as participants_out_of_work,
        count(*) filter (where in_competitive_work and not in_paid_work_at_intake) as emp_comp_out_of_work,
        count(*) filter (where in_paid_work) as emp_paid,
        count(*) filter (where in_education) as edu,
        count(*) filter (where in_paid_work or in_education) as emp_or_edu
    from {{ ref('int_participant_periods') }}
    group by grouping sets (
        (freq, time_period),
        (freq, time_period, ref_area),
        (freq, time_period, sex),
        (freq, time_period, age),
        (freq, time_period, diagnosis)
    )
),

participant_indicators as (
    select
        counts.* exclude (participants, intakes, exits, emp_comp, participants_out_of_work,
                          emp_comp_out_of_work, emp_paid, edu, emp_or_edu),
        measure.indicator_code,
        measure.numerator,
        measure.denominator
    from participant_counts as counts
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
            ('EMP_OR_EDU_RATE', counts.emp_or_edu, counts.participants)
    ) as measure(indicator_code, numerator, denominator)
),

participants_annual as (
    select * from {{ ref('int_participants') }}
),

median_days as (
    -- medians: numerator left empty, denominator = the persons the median rests on
    select
        reporting_year,
        case when grouping(ref_area) = 0 then ref_area else 'SE' end as ref_area,
        'DAYS_TO_CONTACT_MED' as indicator_code,
        median(first_employer_contact_date - intake_date) as median_value,
        count(*) as persons
    from participants_annual
    where year(intake_date) = reporting_year and first_employer_contact_date is not null
    group by grouping sets ((reporting_year), (reporting_year, ref_area))
    union all
    select
        reporting_year,
        case when grouping(ref_area) = 0 then ref_area else 'SE' end as ref_area,
        'DAYS_TO_JOB_MED' as indicator_code,
        median(first_competitive_job_start - intake_date) as median_value,
        count(*) as persons
    from participants_annual
    where year(first_competitive_job_start) = reporting_year
    group by grouping sets ((reporting_year), (reporting_year, ref_area))
),

enrolled_at_year_end as (
    select return_id, count(*) as participants
    from {{ ref('int_participant_periods') }}
    where freq = 'A' and enrolled_on_last_day
    group by return_id
),

site_year as (
    select
        site.reporting_year,
        site.ref_area,
        site.specialist_fte,
        coalesce(enrolled_at_year_end.participants, 0) as participants_at_year_end,
        fidelity.total_score as latest_fidelity_score
    from {{ ref('int_sites') }} as site
    left join enrolled_at_year_end using (return_id)
    left join {{ ref('int_fidelity_latest') }} as fidelity using (return_id)
),

site_totals as (
    select
        reporting_year,
        case when grouping(ref_area) = 0 then ref_area else 'SE' end as ref_area,
        count(*) as sites,
        sum(participants_at_year_end) as participants_at_year_end,
        sum(specialist_fte) as specialist_fte,
        count(latest_fidelity_score) as reviewed_sites,
        sum(latest_fidelity_score) as fidelity_score_sum,
        count(*) filter (where latest_fidelity_score >= 100) as good_fidelity_sites
    from site_year
    group by grouping sets ((reporting_year), (reporting_year, ref_area))
),

site_indicators as (
    select
        'A' as freq,
        cast(reporting_year as varchar) as time_period,
        reporting_year,
        ref_area,
        measure.indicator_code,
        measure.numerator,
        measure.denominator,
        measure.obs_value
    from site_totals
    cross join lateral (
        values
            ('SITES', sites, null, cast(sites as decimal(18, 1))),
            -- fte to a millionth, so the ratio is exact integer arithmetic
            ('CASELOAD', participants_at_year_end, specialist_fte,
             {{ round_ratio('participants_at_year_end * 1000000', 'round(specialist_fte * 1000000)') }}),
            ('FID_REVIEWED', reviewed_sites, null, cast(reviewed_sites as decimal(18, 1))),
            ('FID_MEAN', fidelity_score_sum, reviewed_sites, {{ round_ratio('fidelity_score_sum', 'reviewed_sites') }}),
            ('FID_GOOD_RATE', good_fidelity_sites, reviewed_sites,
             {{ round_ratio('good_fidelity_sites', 'reviewed_sites', 100) }})
    ) as measure(indicator_code, numerator, denominator, obs_value)
),

all_cells as (
    select
        freq, time_period, reporting_year, ref_area, sex, age, diagnosis, indicator_code,
        cast(numerator as decimal(18, 2)) as numerator,
        cast(denominator as decimal(18, 2)) as denominator,
        case
            when denominator is null then cast(numerator as decimal(18, 1))
            else {{ round_ratio('numerator', 'denominator', 100) }}
        end as obs_value
    from participant_indicators
    union all by name
    select
        'A' as freq, cast(reporting_year as varchar) as time_period, reporting_year, ref_area,
        '_T' as sex, '_T' as age, '_T' as diagnosis, indicator_code,
        null as numerator, cast(persons as decimal(18, 2)) as denominator,
        cast(median_value as decimal(18, 1)) as obs_value
    from median_days
    union all by name
    select
        freq, time_period, reporting_year, ref_area, '_T' as sex, '_T' as age, '_T' as diagnosis, indicator_code,
        cast(numerator as decimal(18, 2)) as numerator, cast(denominator as decimal(18, 2)) as denominator, obs_value
    from site_indicators
),

catalogue as (
    select indicator_code, unit as unit_measure, quarterly, string_split(breakdowns, ' ') as breakdowns
    from {{ ref('indicators') }}
)

select
    cell.freq,
    cell.time_period,
    cell.reporting_year,
    cell.ref_area,
    cell.sex,
    cell.age,
    cell.diagnosis,
    cell.indicator_code,
    catalogue.unit_measure,
    case
        when cell.ref_area <> 'SE' then 'area'
        when cell.sex <> '_T' then 'sex'
        when cell.age <> '_T' then 'age'
        when cell.diagnosis <> '_T' then 'diagnosis'
        else 'total'
    end as breakdown,
    cell.numerator,
    cell.denominator,
    cell.obs_value
from all_cells as cell
inner join catalogue using (indicator_code)
-- a mean or ratio over nothing (no reviewed site, no FTE) is not an observation
where (cell.obs_value is not null or catalogue.unit_measure = 'PC')
    and (cell.freq = 'A' or catalogue.quarterly)
    and (
        breakdown = 'total'
        or (list_contains(catalogue.breakdowns, breakdown) and (cell.freq = 'A' or breakdown = 'area'))
    )
