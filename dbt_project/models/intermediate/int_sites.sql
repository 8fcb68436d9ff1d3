-- Each site's current return for a year, placed in its county.
select
    site.return_id,
    site.site_id,
    site.reporting_year,
    site.site_name,
    site.municipality_code,
    municipality.municipality_name,
    municipality.county_code,
    county.county_name,
    county.iso_code as ref_area,
    site.organiser_type,
    site.specialist_fte
from {{ ref('stg_returns__verksamhet') }} as site
inner join {{ ref('municipalities') }} as municipality using (municipality_code)
inner join {{ ref('counties') }} as county using (county_code)
where site.return_id in (select current_return.return_id from {{ ref('int_current_returns') }} as current_return)
