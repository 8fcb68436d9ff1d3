select
    return_id,
    site_id,
    cast(reporting_year as integer) as reporting_year,
    cast(review_date as date) as review_date,
    reviewer_type,
    {% for item in fidelity_items() -%}
        cast({{ item }} as integer) as {{ item }},
    {% endfor -%}
    cast(total_score as integer) as total_score
from {{ source('returns', 'programtrohet') }}
