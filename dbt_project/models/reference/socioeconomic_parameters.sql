-- The assumptions of the socio-economic estimate (SOCIO_*): amounts, rates and factors with their unit, year and
-- source, as the national function last loaded them (`ips-monitor reference load socioeconomic`), else the shipped
-- defaults. Published beside every SOCIO_* figure: the estimate is a model, and these are its assumptions.
-- `year` and `value` are the names of the file format's columns (indicators v1.1), keywords or not
select
    name,
    cast(value as double precision) as value,  -- noqa: RF04
    unit,
    cast(year as integer) as year,  -- noqa: RF04
    source
from {{ csv_file_rows(var("socioeconomic_parameters_csv")) }}
