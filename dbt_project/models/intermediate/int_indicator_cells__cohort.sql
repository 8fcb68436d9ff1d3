-- JOB_12M_RATE (indicators v1.1): of the participants whose intake is in year Y (the cohort, from the site's return
-- for Y), those whose first competitive-employment episode starts within 365 days of intake. The episode may lie in
-- any of the site's current returns, matched on participant_id (first_competitive_job_start of int_participants), so
-- a later year's return, or its resubmission, can change the outcome. Provisional while any site with members in the
-- cell has no current return for Y + 1.
with cohort as (
    select
        participant.reporting_year,
        participant.ref_area,
        participant.site_id,
        participant.first_competitive_job_start - participant.intake_date <= 365 as job_within_12_months,
        next_year.site_id is null as next_year_missing
    from {{ ref('int_participants') }} as participant
    left join {{ ref('int_current_returns') }} as next_year
        on participant.site_id = next_year.site_id and next_year.reporting_year = participant.reporting_year + 1
    where extract(year from participant.intake_date) = participant.reporting_year
)

select
    {{ annual_cell_key() }},
    'JOB_12M_RATE' as indicator_code,
    cast(numerator as decimal(18, 2)) as numerator,
    cast(denominator as decimal(18, 2)) as denominator,
    {{ round_ratio('numerator', 'denominator', 100) }} as obs_value,
    provisional
from (
    select
        reporting_year,
        {{ area_or_site() }},
        count(*) filter (where job_within_12_months) as numerator,
        count(*) as denominator,
        bool_or(next_year_missing) as provisional
    from cohort
    group by grouping sets ((reporting_year), (reporting_year, ref_area), (reporting_year, site_id))  -- noqa: PRS
)
