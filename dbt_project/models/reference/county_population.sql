-- The population of each county by year (SCB), as the national function last loaded it (`ips-monitor reference load
-- population`, kept under the data home), else the table shipped in seeds/replaceable/. Public: coverage rests on it.
-- `year` is the name of the file format's column (indicators v1.1), keyword or not
select
    county_code,
    cast(year as integer) as year,  -- noqa: RF04
    cast(population as bigint) as population
from {{ csv_file_rows(var("county_population_csv")) }}
