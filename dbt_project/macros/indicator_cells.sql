{#- ref_area and site_id of an indicator cell grouped by site, by area or nationally (by neither):
    a site's cell lies in the site's area, and only a site's cell has a site_id. -#}
{% macro area_or_site() -%}
    case
        when grouping(site_id) = 0 then any_value(ref_area)
        else {{ value_or_total('ref_area', "'SE'") }}
    end as ref_area,
    case when grouping(site_id) = 0 then site_id end as site_id
{%- endmacro %}


{#- The key of an annual indicator cell with no breakdown by person (sex, age, diagnosis),
    over a relation with reporting_year, ref_area and site_id. -#}
{% macro annual_cell_key() -%}
    'A' as freq,
    cast(reporting_year as varchar) as time_period,
    reporting_year,
    ref_area,
    site_id,
    '_T' as sex,
    '_T' as age,
    '_T' as diagnosis
{%- endmacro %}
