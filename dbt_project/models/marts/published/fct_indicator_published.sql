-- The protected indicators: the only figures ministries, partners and exports see.
-- Each site's own figures (breakdown 'site') are never published.
{% call with_retained() %}
with cells as (
    select *
    from {{ ref('fct_indicator') }}
    where breakdown <> 'site'
),

protected as (
    {{ protect_cells('cells', ['ref_area', 'sex', 'age', 'diagnosis'], [
        ('EMP_COMP_RATE', 'EMP_COMP'), ('EMP_PAID_RATE', 'EMP_PAID'), ('EDU_RATE', 'EDU'),
        ('EMP_COMP_RATE', 'PARTICIPANTS'), ('EMP_COMP_RATE_OOW', 'PARTICIPANTS'), ('EMP_PAID_RATE', 'PARTICIPANTS'),
        ('EDU_RATE', 'PARTICIPANTS'), ('EMP_OR_EDU_RATE', 'PARTICIPANTS'), ('DIAG_SHARE', 'PARTICIPANTS'),
        ('PARTICIPANTS_PER_100K', 'PARTICIPANTS'), ('JOB_12M_RATE', 'INTAKES'),
    ], carried=['reporting_year', 'provisional']) }}
)

select
    freq,
    time_period,
    reporting_year,
    ref_area,
    sex,
    age,
    diagnosis,
    indicator_code,
    unit_measure,
    breakdown,
    case when conf_status = 'F' then obs_value end as obs_value,
    case when conf_status <> 'F' then 'Q' when provisional then 'P' else 'A' end as obs_status,
    conf_status
from protected
{% endcall %}
