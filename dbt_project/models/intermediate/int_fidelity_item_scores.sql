-- The 25 item scores of each reviewed site's latest review in the year, one row per item: what the
-- national and county item profile and each site's own profile are made of.
-- One select per item, as UNPIVOT would give them (it is DuckDB's and Spark's, not PostgreSQL's): a missing score,
-- never there today, is left out.
{%- for item in fidelity_items() %}
    select
        reporting_year,
        site_id,
        ref_area,
        '{{ item }}' as item,
        {{ item }} as score
    from {{ ref('int_fidelity_latest') }}
    where {{ item }} is not null
    {{- '\nunion all' if not loop.last }}
{%- endfor %}
