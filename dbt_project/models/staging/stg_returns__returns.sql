select
    return_id,
    site_id,
    cast(reporting_year as integer) as reporting_year,
    cast(received_at as timestamp) as received_at,
    checksum,
    cast(is_current as boolean) as is_current
from {{ source('returns', 'returns') }}
