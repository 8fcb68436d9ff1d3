-- The 25 item scores of each reviewed site's latest review in the year, one row per item: what the
-- national and county item profile and each site's own profile are made of.
unpivot (
    select
        reporting_year,
        site_id,
        ref_area,
        columns('^item_\d\d$')
    from {{ ref('int_fidelity_latest') }}
)
on columns(* exclude (reporting_year, site_id, ref_area))
into name item value score
