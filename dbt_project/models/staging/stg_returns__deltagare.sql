select
    participant.return_id,
    participant.site_id,
    cast(participant.reporting_year as integer) as reporting_year,
    participant.participant_id,
    participant.sex,
    cast(participant.birth_year as integer) as birth_year,
    participant.education,
    cast(participant.intake_date as date) as intake_date,
    cast(participant.first_employer_contact_date as date) as first_employer_contact_date,
    cast(participant.exit_date as date) as exit_date,
    participant.exit_reason,
    participant.referral_source,
    participant.last_employed,
    participant.registered_at_af,
    participant.attachment_at_intake,
    participant.income_at_intake,
    participant.attachment_at_followup,
    participant.income_at_followup,
    participant.economic_situation
from {{ source('returns', 'deltagare') }} as participant
inner join {{ ref('stg_returns__current_returns') }} using (return_id)
