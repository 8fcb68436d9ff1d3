-- The median indicators (days to first employer contact, days to first competitive job) per year,
-- nationally, by area and by site. Numerator left empty, denominator the persons the median rests on.
with days_per_participant as (
    select
        reporting_year,
        ref_area,
        site_id,
        'DAYS_TO_CONTACT_MED' as indicator_code,
        days_to_contact as elapsed_days
    from {{ ref('int_participants') }}
    where extract(year from intake_date) = reporting_year and days_to_contact is not null
    union all
    select
        reporting_year,
        ref_area,
        site_id,
        'DAYS_TO_JOB_MED' as indicator_code,
        first_competitive_job_start - intake_date as elapsed_days
    from {{ ref('int_participants') }}
    where extract(year from first_competitive_job_start) = reporting_year
),

medians as (
    select
        indicator_code,
        reporting_year,
        {{ area_or_site() }},
        {{ median_of('elapsed_days') }} as median_days,
        count(*) as persons
    from days_per_participant
    group by grouping sets (  -- noqa: PRS
        (indicator_code, reporting_year),
        (indicator_code, reporting_year, ref_area),
        (indicator_code, reporting_year, site_id)
    )
)

select
    {{ annual_cell_key() }},
    indicator_code,
    cast(null as decimal(18, 2)) as numerator,
    cast(persons as decimal(18, 2)) as denominator,
    cast(median_days as decimal(18, 1)) as obs_value
from medians
