-- Each reviewed site's latest fidelity review in the year, with its band.
select
    {%- for column in fidelity_review_columns() %}
        review.{{ column }},
    {%- endfor %}
    review.total_score,
    site.ref_area,
    {{ fidelity_band('review.total_score') }} as fidelity_band
from (
    select
        *,
        row_number() over (partition by return_id order by review_date desc, total_score desc) as newest_first
    from {{ ref('int_fidelity_reviews') }}
) as review
inner join {{ ref('int_sites') }} as site using (return_id)
where review.newest_first = 1
