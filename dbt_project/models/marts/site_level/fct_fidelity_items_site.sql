-- Each reviewed site's own fidelity item profile: the 25 item scores of its latest review in the year.
-- For the site and the national function; it lies beside the national profile (fct_fidelity_items).
select
    reporting_year,
    site_id,
    item,
    score
from {{ ref('int_fidelity_item_scores') }}
