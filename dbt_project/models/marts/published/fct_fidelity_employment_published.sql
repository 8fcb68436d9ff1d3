-- The site points of FID_EMP_SITE as published: a site's employment rate is about persons, so it is
-- withheld under the percentage rule; its fidelity describes the organisation and stays.
select
    reporting_year,
    site_id,
    site_name,
    ref_area,
    fidelity_score,
    fidelity_band,
    indicator_code,
    case when conf_status = 'F' then emp_comp_rate end as emp_comp_rate,
    conf_status,
    correlation_in_year
from (
    select *, {{ primary_suppression("'PC'", 'emp_comp', 'participants', 'emp_comp_rate') }} as conf_status
    from {{ ref('fct_fidelity_employment') }}
)
