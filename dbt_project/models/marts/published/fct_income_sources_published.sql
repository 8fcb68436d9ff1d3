-- INCOME_SOURCE_RATE as published: the percentage rule per cell. Sources overlap (a person may have
-- several), so no cell can be found by subtraction and no complementary suppression is needed.
{% call with_retained() %}
select
    reporting_year,
    moment,
    income_source,
    income_source_sv,
    income_source_en,
    indicator_code,
    case when conf_status = 'F' then obs_value end as obs_value,
    conf_status
from (
    select *, {{ primary_suppression("'PC'", 'numerator', 'denominator', 'obs_value') }} as conf_status
    from {{ ref('fct_income_sources') }}
)
{% endcall %}
