-- The protected indicators: the only figures ministries, partners and exports see.
-- Disclosure control as indicators-v1 says: primary suppression by unit, then complementary
-- suppression within each breakdown, carried from counts to the rates built on them.
-- Each site's own figures (breakdown 'site') are never published.

with primary_suppression as (
    select
        * exclude (site_id),
        {{ primary_suppression('unit_measure', 'numerator', 'denominator', 'obs_value') }} as conf_status
    from {{ ref('fct_indicator') }}
    where breakdown <> 'site'
),

counts_protected as (
    {{ complementary_suppression('primary_suppression') }}
),

-- a rate is withheld when the count it is built on, or its base, is withheld
rate_bases (rate_code, count_code) as (
    values
        ('EMP_COMP_RATE', 'EMP_COMP'), ('EMP_PAID_RATE', 'EMP_PAID'), ('EDU_RATE', 'EDU'),
        ('EMP_COMP_RATE', 'PARTICIPANTS'), ('EMP_COMP_RATE_OOW', 'PARTICIPANTS'),
        ('EMP_PAID_RATE', 'PARTICIPANTS'), ('EDU_RATE', 'PARTICIPANTS'), ('EMP_OR_EDU_RATE', 'PARTICIPANTS'),
        ('DIAG_SHARE', 'PARTICIPANTS')
),

withheld_bases as (
    select distinct rate_bases.rate_code as indicator_code, cell.freq, cell.time_period, cell.ref_area,
        cell.sex, cell.age, cell.diagnosis
    from counts_protected as cell
    inner join rate_bases on cell.indicator_code = rate_bases.count_code
    where cell.unit_measure = 'PS' and cell.conf_status <> 'F'
),

rates_follow_counts as (
    select
        cell.* exclude (conf_status),
        case
            when cell.conf_status = 'F' and withheld_bases.indicator_code is not null then 'D'
            else cell.conf_status
        end as conf_status
    from counts_protected as cell
    left join withheld_bases using (indicator_code, freq, time_period, ref_area, sex, age, diagnosis)
),

protected as (
    {{ complementary_suppression('rates_follow_counts') }}
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
    case when conf_status = 'F' then 'A' else 'Q' end as obs_status,
    conf_status
from protected
