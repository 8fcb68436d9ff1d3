-- The site points of FID_EMP_SITE as published, unnamed: a site's employment rate is about persons, so
-- no site's name or area stands beside it, and it is withheld under the percentage rule; its fidelity
-- describes the organisation and stays. Pearson's r is over the points shown (none under three points,
-- where it says nothing), with how many there are and how many were left out because their rate is withheld.
{% call with_retained() %}
with protected as (
    select
        *,
        {{ primary_suppression("'PC'", 'emp_comp', 'participants', 'emp_comp_rate') }} as conf_status
    from {{ ref('fct_fidelity_employment') }}
),

shown as (
    select
        *,
        case when conf_status = 'F' then emp_comp_rate end as shown_rate
    from protected
),

correlated as (
    select
        *,
        corr(fidelity_score, shown_rate) over (partition by reporting_year) as pearson_r,
        count(shown_rate) over (partition by reporting_year) as sites_in_correlation
    from shown
)

select
    reporting_year,
    fidelity_score,
    fidelity_band,
    indicator_code,
    shown_rate as emp_comp_rate,
    conf_status,
    case
        when sites_in_correlation >= 3 and not {{ is_nan('pearson_r') }} then {{ round_to('pearson_r', 2) }}
    end as correlation_in_year,
    sites_in_correlation,
    count(*) over (partition by reporting_year) - sites_in_correlation as sites_withheld
from correlated
{% endcall %}
