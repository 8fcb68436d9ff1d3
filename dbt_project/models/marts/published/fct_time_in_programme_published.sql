-- Time in programme as published: the bands add up to the total, so the same disclosure control applies.
{% call with_retained() %}
with protected as (
    {{ protect_cells(ref('fct_time_in_programme'), ['tenure_band'], [('TIP_EMP_COMP_RATE', 'TIP_PARTICIPANTS')],
                  carried=['reporting_year']) }}
)

select
    reporting_year,
    time_period,
    tenure_band,
    breakdown,
    indicator_code,
    unit_measure,
    case when conf_status = 'F' then obs_value end as obs_value,
    conf_status
from protected
{% endcall %}
