select
    site.return_id,
    site.site_id,
    cast(site.reporting_year as integer) as reporting_year,
    site.site_name,
    site.municipality_code,
    site.organiser_type,
    site.financing,
    site.integrated_with_psychiatry,
    site.psychosis_target_group,
    cast(site.specialist_fte as decimal(9, 2)) as specialist_fte,
    cast(site.supervisor_fte as decimal(9, 2)) as supervisor_fte,
    cast(site.start_date as date) as start_date
from {{ source('returns', 'verksamhet') }} as site
inner join {{ ref('stg_returns__current_returns') }} using (return_id)
