select
    return_id,
    site_id,
    cast(reporting_year as integer) as reporting_year,
    participant_id,
    diagnosis_group,
    icd10_code
from {{ source('returns', 'diagnoser') }}
