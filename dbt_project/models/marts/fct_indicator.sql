-- Every indicator of the catalogue for every period and breakdown, unprotected, with the numerator
-- and denominator beside each value. Breakdown 'site' is each site's own figures (never published).
-- Which cells exist (quarterly or not, which breakdowns) is read from the indicator catalogue seed.
with cells as (
    select * from {{ ref('int_indicator_cells__participants') }}
    union all by name
    select * from {{ ref('int_indicator_cells__medians') }}
    union all by name
    select * from {{ ref('int_indicator_cells__sites') }}
    union all by name
    select * from {{ ref('int_indicator_cells__coverage') }}
    union all by name
    select * from {{ ref('int_indicator_cells__cohort') }}
    union all by name
    select * from {{ ref('int_indicator_cells__socioeconomic') }}
),

catalogue as (
    select
        indicator_code,
        unit as unit_measure,
        quarterly,
        string_split(breakdowns, ' ') as breakdowns
    from {{ ref('indicators') }}
    where mart = 'fct_indicator'
),

catalogued_cells as (
    select
        cells.*,
        catalogue.unit_measure,
        catalogue.quarterly,
        catalogue.breakdowns,
        case
            when cells.site_id is not null then 'site'
            when cells.ref_area <> 'SE' then 'area'
            when cells.sex <> '_T' then 'sex'
            when cells.age <> '_T' then 'age'
            when cells.diagnosis <> '_T' then 'diagnosis'
            else 'total'
        end as breakdown
    from cells
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
    obs_value,
    -- a figure that later returns may still change (JOB_12M_RATE before the next year's returns are all in)
    coalesce(provisional, false) as provisional
from catalogued_cells
-- a rate, mean, median or ratio over nothing (no one to count, no reviewed site, no FTE) is not an observation
where
    obs_value is not null
    -- the breakdowns the catalogue lists; quarters only where it says, and then by area or site
    and list_contains(breakdowns, breakdown)
    and (freq = 'A' or (quarterly and breakdown in ('total', 'area', 'site')))
