-- TIP_PARTICIPANTS and TIP_EMP_COMP_RATE: participants enrolled in the year by their time in the
-- programme (full months from intake to exit, or to the year's end for those still enrolled), and
-- the competitive employment rate in each band. Unprotected.
with counted as (
    select
        reporting_year,
        {{ value_or_total('tenure_band') }} as tenure_band,
        count(*) as participants,
        count(*) filter (where in_competitive_work) as emp_comp
    from {{ ref('int_participant_periods') }}
    where freq = 'A'
    group by grouping sets ((reporting_year), (reporting_year, tenure_band))  -- noqa: PRS
)

select
    'A' as freq,
    cast(counted.reporting_year as varchar) as time_period,
    counted.reporting_year,
    counted.tenure_band,
    case when counted.tenure_band = '_T' then 'total' else 'tenure' end as breakdown,
    measure.indicator_code,
    measure.unit_measure,
    cast(measure.numerator as decimal(18, 2)) as numerator,
    cast(measure.denominator as decimal(18, 2)) as denominator,
    case
        when measure.denominator is null then cast(measure.numerator as decimal(18, 1))
        else {{ round_ratio('measure.numerator', 'measure.denominator', 100) }}
    end as obs_value
from counted
cross join lateral (
    values
    ('TIP_PARTICIPANTS', 'PS', counted.participants, null),
    ('TIP_EMP_COMP_RATE', 'PC', counted.emp_comp, counted.participants)
) as measure (indicator_code, unit_measure, numerator, denominator)
