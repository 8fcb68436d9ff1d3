select
    diagnosis.return_id,
    diagnosis.site_id,
    cast(diagnosis.reporting_year as integer) as reporting_year,
    diagnosis.participant_id,
    diagnosis.diagnosis_group,
    diagnosis.icd10_code
from {{ source('returns', 'diagnoser') }} as diagnosis
inner join {{ ref('stg_returns__current_returns') }} using (return_id)
