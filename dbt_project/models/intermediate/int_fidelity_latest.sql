-- Each reviewed site's latest fidelity review in the year, with its band.
with reviews as (
    select
        *,
        {% for i in range(1, 26) %}item_{{ '%02d' % i }}{{ ' + ' if not loop.last }}{% endfor %} as item_sum
    from {{ ref('stg_returns__programtrohet') }}
)

select
    reviews.* exclude (total_score, item_sum),
    -- a given total equals the items' sum (checked at intake); the items are always there
    reviews.item_sum as total_score,
    site.ref_area,
    case
        when item_sum >= 115 then 'mycket_god'
        when item_sum >= 100 then 'god'
        when item_sum >= 74 then 'delvis'
        else 'inte_ips'
    end as fidelity_band
from reviews
inner join {{ ref('int_sites') }} as site using (return_id)
qualify row_number() over (partition by reviews.return_id order by review_date desc, item_sum desc) = 1
