-- The primary rule, checked on what is published: no count of 1..threshold-1 persons is visible.
select published.*
from {{ ref('fct_indicator_published') }} as published
where
    published.unit_measure = 'PS'
    and published.obs_value between 1 and {{ var('suppression_threshold') - 1 }}
