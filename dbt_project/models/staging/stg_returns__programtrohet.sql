select
    review.return_id,
    review.site_id,
    cast(review.reporting_year as integer) as reporting_year,
    cast(review.review_date as date) as review_date,
    review.reviewer_type,
    {%- for i in range(1, 26) %}
    cast(review.item_{{ '%02d' % i }} as integer) as item_{{ '%02d' % i }},
    {%- endfor %}
    cast(review.total_score as integer) as total_score
from {{ source('returns', 'programtrohet') }} as review
inner join {{ ref('stg_returns__current_returns') }} using (return_id)
