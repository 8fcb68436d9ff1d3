-- Every indicator of the catalogue for every period and breakdown, unprotected, with the numerator
-- and denominator beside each value. Breakdown 'site' is each site's own figures (never published).
-- Which cells exist (quarterly or not, which breakdowns) is read from the indicator catalogue seed.
{%- set cell_columns = [
    'freq', 'time_period', 'reporting_year', 'ref_area', 'site_id', 'sex', 'age', 'diagnosis', 'indicator_code',
    'numerator', 'denominator', 'obs_value',
] -%}
{#- each model of indicator cells (all with those columns) and whether its figures may be provisional -#}
{%- set cell_models = {
    'int_indicator_cells__participants': 'false',
    'int_indicator_cells__medians': 'false',
    'int_indicator_cells__sites': 'false',
    'int_indicator_cells__coverage': 'false',
    'int_indicator_cells__cohort': 'provisional',
    'int_indicator_cells__socioeconomic': 'false',
} %}

with cells as (
    {%- for model, provisional in cell_models.items() %}
        select
            {%- for column in cell_columns %}
                {{ column }},
            {%- endfor %}
            {{ provisional }} as provisional  -- noqa: AL09
        from {{ ref(model) }}
        {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

catalogue as (
    select
        indicator_code,
        unit as unit_measure,
        quarterly,
        {{ split_list('breakdowns', ' ') }} as breakdowns
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
    and {{ list_holds('breakdowns', 'breakdown') }}
    and (freq = 'A' or (quarterly and breakdown in ('total', 'area', 'site')))
