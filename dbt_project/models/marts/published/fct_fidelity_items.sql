-- FID_ITEM_MEAN: the fidelity item profile. Mean score of each of the 25 items over every reviewed
-- site's latest review in the year, nationally and per county; weakest_rank 1 is the weakest item.
-- Fidelity describes sites, not persons, so it is published as it is.
{% call with_retained() %}
with means as (
    select
        reporting_year,
        {{ value_or_total('ref_area', "'SE'") }} as ref_area,
        item,
        count(*) as sites,
        sum(score) as score_sum,
        {{ round_ratio('sum(score)', 'count(*)') }} as obs_value
    from {{ ref('int_fidelity_item_scores') }}
    group by grouping sets ((reporting_year, item), (reporting_year, ref_area, item))  -- noqa: PRS
)

select
    means.reporting_year,
    means.ref_area,
    means.item,
    labels.label_sv as item_sv,
    labels.label_en as item_en,
    'FID_ITEM_MEAN' as indicator_code,
    means.sites,
    means.score_sum,
    means.obs_value,
    rank() over (partition by means.reporting_year, means.ref_area order by means.obs_value, means.item) as weakest_rank
from means
inner join {{ ref('code_lists') }} as labels on means.item = labels.code and labels.code_list = 'fidelity_item'
{% endcall %}
