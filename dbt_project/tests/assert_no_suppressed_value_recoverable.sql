-- A suppressed count or rate must not be the only suppressed part of a breakdown whose total is published:
-- it could be recovered by subtracting the other parts from the total.
with published as (
    select * from {{ ref('fct_indicator_published') }}
    where unit_measure in ('PS', 'PC')
),

totals as (
    select
        indicator_code,
        freq,
        time_period,
        conf_status as total_status
    from published
    where breakdown = 'total'
)

select
    published.indicator_code,
    published.freq,
    published.time_period,
    published.breakdown,
    count(*) filter (where published.conf_status <> 'F') as suppressed_parts
from published
inner join totals using (indicator_code, freq, time_period)
where published.breakdown <> 'total' and totals.total_status = 'F'
group by all
having count(*) filter (where published.conf_status <> 'F') = 1
