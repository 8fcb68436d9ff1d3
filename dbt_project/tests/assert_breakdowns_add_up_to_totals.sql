-- Counts of persons and sites: the parts of every breakdown (counties, sexes, ages, diagnoses) add up to the total.
with parts as (
    select
        indicator_code,
        freq,
        time_period,
        breakdown,
        sum(obs_value) as sum_of_parts
    from {{ ref('fct_indicator') }}
    where breakdown <> 'total' and (unit_measure = 'PS' or indicator_code in ('SITES', 'FID_REVIEWED'))
    group by all
),

totals as (
    select
        indicator_code,
        freq,
        time_period,
        obs_value as total
    from {{ ref('fct_indicator') }}
    where breakdown = 'total'
)

select
    parts.*,
    totals.total
from parts
inner join totals using (indicator_code, freq, time_period)
where parts.sum_of_parts <> totals.total
