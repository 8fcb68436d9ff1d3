-- Every fidelity review in the sites' current returns, its total recomputed from the 25 items.
select
    {%- for column in fidelity_review_columns() %}
        review.{{ column }},
    {%- endfor %}
    -- a given total equals the items' sum (checked at intake); the items are always there
    {{ fidelity_items() | join(' + ') }} as total_score
from {{ ref('stg_returns__programtrohet') }} as review
where review.return_id in (select current_return.return_id from {{ ref('int_current_returns') }} as current_return)
