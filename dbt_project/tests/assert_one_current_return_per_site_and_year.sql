-- The loader marks exactly one accepted return current for every site and year that has any:
-- none would drop the site's year from every figure, two would count it twice.
select
    site_id,
    reporting_year,
    count(*) filter (where is_current) as current_returns
from {{ ref('stg_returns__returns') }}
group by site_id, reporting_year
having count(*) filter (where is_current) <> 1
