-- FID_EMP_SITE: each reviewed site's latest fidelity total beside its competitive employment rate
-- for the year, unprotected; correlation_in_year is Pearson's r across the year's reviewed sites.
with site_rates as (
    select
        reporting_year,
        site_id,
        numerator as emp_comp,
        denominator as participants,
        obs_value as emp_comp_rate
    from {{ ref('fct_indicator') }}
    where indicator_code = 'EMP_COMP_RATE' and breakdown = 'site' and freq = 'A'
)

select
    fidelity.reporting_year,
    fidelity.site_id,
    site.site_name,
    fidelity.ref_area,
    fidelity.total_score as fidelity_score,
    fidelity.fidelity_band,
    'FID_EMP_SITE' as indicator_code,
    site_rates.emp_comp,
    site_rates.participants,
    site_rates.emp_comp_rate,
    {{ round_to(
        'corr(fidelity.total_score, site_rates.emp_comp_rate) over (partition by fidelity.reporting_year)', 2
    ) }} as correlation_in_year
from {{ ref('int_fidelity_latest') }} as fidelity
inner join {{ ref('int_sites') }} as site using (return_id)
left join site_rates on fidelity.reporting_year = site_rates.reporting_year and fidelity.site_id = site_rates.site_id
