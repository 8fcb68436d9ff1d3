-- Each site's own figures, unprotected, beside the published national value: what a site sees of itself.
select
    site.reporting_year,
    site.site_id,
    site.freq,
    site.time_period,
    site.indicator_code,
    site.unit_measure,
    site.numerator,
    site.denominator,
    site.obs_value,
    national_total.obs_value as national_value,
    national_total.conf_status as national_conf_status
from {{ ref('fct_indicator') }} as site
left join {{ ref('fct_indicator_published') }} as national_total
    on site.indicator_code = national_total.indicator_code
    and site.freq = national_total.freq
    and site.time_period = national_total.time_period
    and national_total.breakdown = 'total'
where site.breakdown = 'site'
