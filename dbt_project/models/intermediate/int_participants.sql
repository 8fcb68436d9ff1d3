-- One row per participant in a site's current return for a year, with what every indicator needs.
with diagnosis_rank as (
    select
        code as diagnosis_group,
        sdmx_code as diagnosis,
        sort_order as hierarchy_rank
    from {{ ref('code_lists') }}
    where code_list = 'diagnosis_group'
),

primary_diagnosis as (
    -- the hierarchy of the return format: first match wins
    select
        diagnosis.return_id,
        diagnosis.participant_id,
        {{ value_at_min('diagnosis_rank.diagnosis', 'diagnosis_rank.hierarchy_rank') }} as diagnosis
    from {{ ref('stg_returns__diagnoser') }} as diagnosis
    inner join diagnosis_rank using (diagnosis_group)
    where
        diagnosis.return_id in (select current_return.return_id from {{ ref('int_current_returns') }} as current_return)
    group by diagnosis.return_id, diagnosis.participant_id
),

first_competitive_job as (
    -- over all the site's current returns: the episode may lie in an earlier year's return
    select
        episode.site_id,
        episode.participant_id,
        min(episode.start_date) as first_competitive_job_start
    from {{ ref('stg_returns__aktiviteter') }} as episode
    where
        episode.activity_type = 'konkurrensutsatt_arbete'
        and episode.return_id in (
            select current_return.return_id from {{ ref('int_current_returns') }} as current_return
        )
    group by episode.site_id, episode.participant_id
),

attachment_rank as (
    -- the code list's order is the scale: mycket_svag < ganska_svag < ganska_stark < mycket_stark
    select
        code as attachment,
        sort_order as strength
    from {{ ref('code_lists') }}
    where code_list = 'attachment' and code <> 'okand'
),

sex_codes as (
    select
        code as sex,
        sdmx_code as sex_sdmx
    from {{ ref('code_lists') }}
    where code_list = 'sex'
)

select
    participant.return_id,
    participant.site_id,
    participant.reporting_year,
    participant.participant_id,
    site.ref_area,
    sex_codes.sex_sdmx as sex,
    participant.birth_year,
    coalesce(primary_diagnosis.diagnosis, 'UNK') as diagnosis,
    participant.intake_date,
    participant.first_employer_contact_date,
    participant.exit_date,
    participant.first_employer_contact_date - participant.intake_date as days_to_contact,
    {{ split_list('participant.income_at_intake', '|') }} as income_at_intake,
    {{ split_list('participant.income_at_followup', '|') }} as income_at_followup,
    {{ list_holds_any(split_list('participant.income_at_intake', '|'), ['lon', 'lonebidrag']) }}
        as in_paid_work_at_intake,
    case
        when followup_rank.strength > intake_rank.strength then 'improved'
        when followup_rank.strength = intake_rank.strength then 'same'
        when followup_rank.strength < intake_rank.strength then 'worse'
    end as attachment_change,
    first_competitive_job.first_competitive_job_start
-- int_sites holds the current returns only, so joining it keeps their participants only
from {{ ref('stg_returns__deltagare') }} as participant
inner join {{ ref('int_sites') }} as site on participant.return_id = site.return_id
inner join sex_codes on participant.sex = sex_codes.sex
left join primary_diagnosis
    on participant.return_id = primary_diagnosis.return_id
    and participant.participant_id = primary_diagnosis.participant_id
left join attachment_rank as intake_rank on participant.attachment_at_intake = intake_rank.attachment
left join attachment_rank as followup_rank on participant.attachment_at_followup = followup_rank.attachment
left join first_competitive_job
    on participant.site_id = first_competitive_job.site_id
    and participant.participant_id = first_competitive_job.participant_id
