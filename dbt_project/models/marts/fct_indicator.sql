-- Every indicator of the catalogue for every period and breakdown, unprotected, with the numerator
-- and denominator beside each value. Breakdown 'site' is each site's own figures (never published).
-- Which cells exist (quarterly or not, which breakdowns) is read from the indicator catalogue seed.
{% set area_or_site -%}
    case
        when grouping(site_id) = 0 then any_value(ref_area)
        when grouping(ref_area) = 0 then ref_area
        else 'SE'
    end as ref_area,
    case when grouping(site_id) = 0 then site_id end as site_id
{%- endset %}

with participant_counts as (
    select
        freq,
        time_period,
        any_value(reporting_year) as reporting_year,
        {{ area_or_site }},
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
        count(*) filter (where in_paid_work or in_education) as emp_or_edu,
        count(attachment_change) as attachment_known,
        count(*) filter (where attachment_change = 'improved') as attachment_improved,
        count(days_to_contact) filter (where intake_in_period) as contact_known,
        count(*) filter (where intake_in_period and days_to_contact <= 7) as contact_within_7,
        count(*) filter (where intake_in_period and days_to_contact between 8 and 30) as contact_8_to_30,
        count(*) filter (where intake_in_period and days_to_contact > 30) as contact_after_30
    from {{ ref('int_participant_periods') }}
    group by grouping sets (
        (freq, time_period),
        (freq, time_period, ref_area),
        (freq, time_period, site_id),
        (freq, time_period, sex),
        (freq, time_period, age),
        (freq, time_period, diagnosis)
    )
),

national_participants as (
    select freq, time_period, participants as national_participants
    from participant_counts
    where ref_area = 'SE' and site_id is null and sex = '_T' and age = '_T' and diagnosis = '_T'
),

participant_indicators as (
    select
        counts.freq, counts.time_period, counts.reporting_year, counts.ref_area, counts.site_id,
        counts.sex, counts.age, counts.diagnosis,
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
    ) as measure(indicator_code, numerator, denominator)
),

participants_annual as (
    select * from {{ ref('int_participants') }}
),

median_days as (
    -- medians: numerator left empty, denominator = the persons the median rests on
    {% for code, days, condition in [
        ('DAYS_TO_CONTACT_MED', 'days_to_contact', 'year(intake_date) = reporting_year and days_to_contact is not null'),
        ('DAYS_TO_JOB_MED', 'first_competitive_job_start - intake_date', 'year(first_competitive_job_start) = reporting_year'),
    ] %}
    select
        reporting_year,
        {{ area_or_site }},
        '{{ code }}' as indicator_code,
        median({{ days }}) as median_value,
        count(*) as persons
    from participants_annual
    where {{ condition }}
    group by grouping sets ((reporting_year), (reporting_year, ref_area), (reporting_year, site_id))
    {{ 'union all' if not loop.last }}
    {% endfor %}
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
        site.site_id,
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
        {{ area_or_site }},
        count(*) as sites,
        sum(participants_at_year_end) as participants_at_year_end,
        sum(specialist_fte) as specialist_fte,
        count(latest_fidelity_score) as reviewed_sites,
        sum(latest_fidelity_score) as fidelity_score_sum,
        count(*) filter (where latest_fidelity_score >= 100) as good_fidelity_sites
    from site_year
    group by grouping sets ((reporting_year), (reporting_year, ref_area), (reporting_year, site_id))
),

site_indicators as (
    select
        reporting_year,
        ref_area,
        site_id,
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
        freq, time_period, reporting_year, ref_area, site_id, sex, age, diagnosis, indicator_code,
        cast(numerator as decimal(18, 2)) as numerator,
        cast(denominator as decimal(18, 2)) as denominator,
        case
            when denominator is null then cast(numerator as decimal(18, 1))
            else {{ round_ratio('numerator', 'denominator', 100) }}
        end as obs_value
    from participant_indicators
    union all by name
    select
        'A' as freq, cast(reporting_year as varchar) as time_period, reporting_year, ref_area, site_id,
        '_T' as sex, '_T' as age, '_T' as diagnosis, indicator_code,
        null as numerator, cast(persons as decimal(18, 2)) as denominator,
        cast(median_value as decimal(18, 1)) as obs_value
    from median_days
    union all by name
    select
        'A' as freq, cast(reporting_year as varchar) as time_period, reporting_year, ref_area, site_id,
        '_T' as sex, '_T' as age, '_T' as diagnosis, indicator_code,
        cast(numerator as decimal(18, 2)) as numerator, cast(denominator as decimal(18, 2)) as denominator, obs_value
    from site_indicators
),

catalogue as (
    select indicator_code, unit as unit_measure, quarterly, string_split(breakdowns, ' ') as breakdowns
    from {{ ref('indicators') }}
    where mart = 'fct_indicator'
),

cells as (
    select
        cell.*,
        catalogue.unit_measure,
        catalogue.quarterly,
        catalogue.breakdowns,
        case
            when cell.site_id is not null then 'site'
            when cell.ref_area <> 'SE' then 'area'
            when cell.sex <> '_T' then 'sex'
            when cell.age <> '_T' then 'age'
            when cell.diagnosis <> '_T' then 'diagnosis'
            else 'total'
        end as breakdown
    from all_cells as cell
    inner join catalogue using (indicator_code)
)

select
    freq,
    time_period,
    reporting_year,
    ref_area,
    site_id,
    sex,
    age,
    diagnosis,
    indicator_code,
    unit_measure,
    breakdown,
    numerator,
    denominator,
    obs_value
from cells
-- a mean or ratio over nothing (no reviewed site, no FTE) is not an observation
where (obs_value is not null or unit_measure = 'PC')
    -- the breakdowns the catalogue lists; quarters only where it says, and then by area or site
    and list_contains(breakdowns, breakdown)
    and (freq = 'A' or (quarterly and breakdown in ('total', 'area', 'site')))
