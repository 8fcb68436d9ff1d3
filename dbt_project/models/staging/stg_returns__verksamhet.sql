select
    return_id,
    site_id,
    cast(reporting_year as integer) as reporting_year,
    site_name,
    municipality_code,
    organiser_type,
    financing,
    integrated_with_psychiatry,
    psychosis_target_group,
    cast(specialist_fte as decimal(9, 2)) as specialist_fte,
    cast(supervisor_fte as decimal(9, 2)) as supervisor_fte,
    cast(start_date as date) as start_date
from {{ source('returns', 'verksamhet') }}
