-- FID_BAND_SITES: reviewed sites per fidelity band (latest review in the year), nationally and per county.
{% call with_retained() %}
with bands as (
    select
        code as fidelity_band,
        label_sv as band_sv,
        label_en as band_en,
        sort_order
    from {{ ref('code_lists') }}
    where code_list = 'fidelity_band'
),

areas as (
    select distinct
        reporting_year,
        ref_area
    from {{ ref('int_fidelity_latest') }}
    union all
    select distinct
        reporting_year,
        'SE' as ref_area
    from {{ ref('int_fidelity_latest') }}
),

counted as (
    select
        reporting_year,
        {{ value_or_total('ref_area', "'SE'") }} as ref_area,
        fidelity_band,
        count(*) as sites
    from {{ ref('int_fidelity_latest') }}
    group by grouping sets ((reporting_year, fidelity_band), (reporting_year, ref_area, fidelity_band))  -- noqa: PRS
)

select
    areas.reporting_year,
    areas.ref_area,
    bands.fidelity_band,
    bands.band_sv,
    bands.band_en,
    bands.sort_order,
    'FID_BAND_SITES' as indicator_code,
    coalesce(counted.sites, 0) as obs_value
from areas
cross join bands
left join counted using (reporting_year, ref_area, fidelity_band)
{% endcall %}
