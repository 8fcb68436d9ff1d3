-- The periods of every reporting year that has returns: the year and its four quarters.
with years as (
    select distinct reporting_year from {{ ref('int_current_returns') }}
)

select
    'A' as freq,
    reporting_year,
    cast(reporting_year as varchar) as time_period,
    make_date(reporting_year, 1, 1) as first_day,
    make_date(reporting_year, 12, 31) as last_day
from years
union all
select
    'Q' as freq,
    years.reporting_year,
    years.reporting_year || '-Q' || quarters.quarter as time_period,
    make_date(years.reporting_year, 3 * quarters.quarter - 2, 1) as first_day,
    cast(make_date(years.reporting_year, 3 * quarters.quarter - 2, 1) + interval '3 months' - interval '1 day' as date)
        as last_day
from years
cross join (values (1), (2), (3), (4)) as quarters (quarter)
