-- A suppressed observation carries no value, and every free one that can have a value has one.
select * from {{ ref('fct_indicator_published') }}
where
    (conf_status <> 'F' and obs_value is not null)
    or (conf_status <> 'F' and obs_status <> 'Q')
    or (conf_status = 'F' and obs_status not in ('A', 'P'))
    or (obs_status = 'P' and indicator_code <> 'JOB_12M_RATE')  -- only the cohort rate waits for later returns
