select
    return_id,
    site_id,
    cast(reporting_year as integer) as reporting_year,
    participant_id,
    activity_type,
    cast(start_date as date) as start_date,
    cast(end_date as date) as end_date,
    cast(hours_per_week as decimal(5, 1)) as hours_per_week,
    employer_sector
from {{ source('returns', 'aktiviteter') }}
