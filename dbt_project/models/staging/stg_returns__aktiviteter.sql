select
    episode.return_id,
    episode.site_id,
    cast(episode.reporting_year as integer) as reporting_year,
    episode.participant_id,
    episode.activity_type,
    cast(episode.start_date as date) as start_date,
    cast(episode.end_date as date) as end_date,
    cast(episode.hours_per_week as decimal(5, 1)) as hours_per_week,
    episode.employer_sector
from {{ source('returns', 'aktiviteter') }} as episode
inner join {{ ref('stg_returns__current_returns') }} using (return_id)
