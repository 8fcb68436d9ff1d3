-- The sites with an accepted return for the year: who they are is public, what they report about persons is not.
{% call with_retained() %}
select
    site.reporting_year,
    site.site_id,
    site.site_name,
    site.municipality_name,
    site.county_name,
    site.ref_area,
    labels.label_sv as organiser_sv,
    labels.label_en as organiser_en
from {{ ref('int_sites') }} as site
left join {{ ref('code_lists') }} as labels
    on site.organiser_type = labels.code and labels.code_list = 'organiser_type'
{% endcall %}
