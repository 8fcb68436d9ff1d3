-- Participants enrolled in a period, with what they did in it. One row per participant and period.
with enrolled as (
    select
        participant.*,
        period.freq,
        period.time_period,
        period.first_day,
        period.last_day,
        -- time in the programme runs to the exit, or to the period's end for those still enrolled
        {{ full_months(
            'participant.intake_date',
            'least(coalesce(participant.exit_date, period.last_day), period.last_day)'
        ) }} as months_in_programme
    from {{ ref('int_participants') }} as participant
    inner join {{ ref('int_periods') }} as period using (reporting_year)
    where
        participant.intake_date <= period.last_day
        and (participant.exit_date is null or participant.exit_date >= period.first_day)
),

-- What each participant did in each period, from their episodes alone: far fewer rows than participants × periods,
-- and the enrolled rows are then read once (a CTE read twice is materialised whole)
activity_in_period as (
    select
        episode.return_id,
        episode.participant_id,
        period.time_period,
        bool_or(episode.activity_type = 'konkurrensutsatt_arbete') as in_competitive_work,
        bool_or(episode.activity_type in ('konkurrensutsatt_arbete', 'subventionerat_arbete')) as in_paid_work,
        bool_or(episode.activity_type = 'studier') as in_education
    from {{ ref('stg_returns__aktiviteter') }} as episode
    inner join {{ ref('int_periods') }} as period using (reporting_year)
    where
        episode.start_date <= period.last_day
        and (episode.end_date is null or episode.end_date >= period.first_day)
    group by episode.return_id, episode.participant_id, period.time_period
)

select
    enrolled.return_id,
    enrolled.site_id,
    enrolled.reporting_year,
    enrolled.participant_id,
    enrolled.freq,
    enrolled.time_period,
    enrolled.ref_area,
    enrolled.sex,
    {{ age_group('enrolled.reporting_year - enrolled.birth_year') }} as age,
    enrolled.diagnosis,
    enrolled.in_paid_work_at_intake,
    enrolled.attachment_change,
    enrolled.days_to_contact,
    enrolled.intake_date between enrolled.first_day and enrolled.last_day as intake_in_period,
    coalesce(enrolled.exit_date between enrolled.first_day and enrolled.last_day, false) as exit_in_period,
    coalesce(enrolled.exit_date is null or enrolled.exit_date >= enrolled.last_day, false) as enrolled_on_last_day,
    coalesce(activity.in_competitive_work, false) as in_competitive_work,
    coalesce(activity.in_paid_work, false) as in_paid_work,
    coalesce(activity.in_education, false) as in_education,
    enrolled.months_in_programme,
    {{ tenure_band('enrolled.months_in_programme') }} as tenure_band
from enrolled
left join activity_in_period as activity using (return_id, participant_id, time_period)
