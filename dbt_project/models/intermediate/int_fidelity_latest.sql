-- Each reviewed site's latest fidelity review in the year, with its band.
with reviews as (
    select
        return_id,
        site_id,
        reporting_year,
        review_date,
        reviewer_type,
        {% for i in range(1, 26) %}item_{{ '%02d' % i }}{{ ' + ' if not loop.last }}{% endfor %} as total_score
    from {{ ref('stg_returns__programtrohet') }}
)

select
    reviews.*,
    site.ref_area,
    case
        when total_score >= 115 then 'mycket_god'
        when total_score >= 100 then 'god'
        when total_score >= 74 then 'delvis'
        else 'inte_ips'
    end as fidelity_band
from reviews
inner join {{ ref('int_sites') }} as site using (return_id)
qualify row_number() over (partition by reviews.return_id order by review_date desc, total_score desc) = 1
