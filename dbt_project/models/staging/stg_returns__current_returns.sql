-- The newest accepted return per site and reporting year: the one every figure uses.
select
    return_id,
    site_id,
    cast(reporting_year as integer) as reporting_year,
    cast(received_at as timestamp) as received_at
from {{ source('returns', 'returns') }}
qualify row_number() over (partition by site_id, reporting_year order by received_at desc, return_id desc) = 1
