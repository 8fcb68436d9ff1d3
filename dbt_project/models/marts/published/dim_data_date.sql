-- How current the figures are: per reporting year, the returns they rest on and when the newest arrived.
{% call with_retained() %}
select
    reporting_year,
    count(*) as current_returns,
    max(received_at) as newest_received_at
from {{ ref('int_current_returns') }}
group by reporting_year
{% endcall %}
