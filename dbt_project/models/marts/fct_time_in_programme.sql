-- TIP_PARTICIPANTS and TIP_EMP_COMP_RATE: participants enrolled in the year by their time in the
-- programme (full months from intake to exit, or to the year's end for those still enrolled), and
-- the competitive employment rate in each band. Unprotected.
with tenure as (
    select
        period.reporting_year,
        period.in_competitive_work,
        date_part('year', age(least(coalesce(participant.exit_date, period_end.last_day), period_end.last_day), participant.intake_date)) * 12
        + date_part('month', age(least(coalesce(participant.exit_date, period_end.last_day), period_end.last_day), participant.intake_date))
            as months_in_programme
    from {{ ref('int_participant_periods') }} as period
    inner join {{ ref('int_participants') }} as participant using (return_id, participant_id)
    inner join {{ ref('int_periods') }} as period_end using (freq, time_period)
    where period.freq = 'A'
),

banded as (
    select
        *,
        case
            when months_in_programme < 6 then 'M_LT6'
            when months_in_programme < 12 then 'M6T11'
            when months_in_programme < 24 then 'M12T23'
            else 'M_GE24'
        end as tenure_band
    from tenure
),

counted as (
    select
        reporting_year,
        case when grouping(tenure_band) = 0 then tenure_band else '_T' end as tenure_band,
        count(*) as participants,
        count(*) filter (where in_competitive_work) as emp_comp
    from banded
    group by grouping sets ((reporting_year), (reporting_year, tenure_band))
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
) as measure(indicator_code, unit_measure, numerator, denominator)
