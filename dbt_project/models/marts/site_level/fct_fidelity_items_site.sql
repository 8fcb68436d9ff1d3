-- Each reviewed site's own fidelity item profile: the 25 item scores of its latest review in the year.
-- For the site and the national function; it lies beside the national profile (fct_fidelity_items).
with item_scores as (
    unpivot (
        select
            reporting_year,
            site_id,
            columns('^item_\d\d$')
        from {{ ref('int_fidelity_latest') }}
    )
    on columns(* exclude (reporting_year, site_id))
    into name item value score
)

select
    reporting_year,
    site_id,
    item,
    score
from item_scores
