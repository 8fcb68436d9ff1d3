-- Each reviewed site's latest fidelity review in the year, with its band.
select
    review.*,
    site.ref_area,
    {{ fidelity_band('review.total_score') }} as fidelity_band
from {{ ref('int_fidelity_reviews') }} as review
inner join {{ ref('int_sites') }} as site using (return_id)
qualify row_number() over (partition by review.return_id order by review.review_date desc, review.total_score desc) = 1
