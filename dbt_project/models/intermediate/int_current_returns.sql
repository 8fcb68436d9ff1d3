-- The returns every figure uses: the newest accepted return of each site and year, as the loader marks it.
select
    return_id,
    site_id,
    reporting_year,
    received_at
from {{ ref('stg_returns__returns') }}
where is_current
