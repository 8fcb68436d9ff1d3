-- Each site's own mix by primary diagnosis group, unprotected, beside the nation's published DIAG_SHARE:
-- the site's participants enrolled in the year in each group (the primary diagnosis by the hierarchy, as
-- int_participants gives it) and their share of all the site's participants enrolled in the year.
-- Every group of the code list, zero where the site has nobody in it. For the site and the national function.
with diagnosis_groups as (
    select sdmx_code as diagnosis
    from {{ ref('code_lists') }}
    where code_list = 'diagnosis_group'
),

participants_by_group as (
    select
        return_id,
        diagnosis,
        count(*) as participants
    from {{ ref('int_participant_periods') }}
    where freq = 'A'
    group by return_id, diagnosis
),

site_groups as (
    select
        site.reporting_year,
        site.site_id,
        diagnosis_groups.diagnosis,
        cast(coalesce(participants_by_group.participants, 0) as integer) as participants
    from {{ ref('int_sites') }} as site
    cross join diagnosis_groups
    left join participants_by_group
        on site.return_id = participants_by_group.return_id
        and diagnosis_groups.diagnosis = participants_by_group.diagnosis
),

site_totals as (
    select
        *,
        cast(sum(participants) over (partition by reporting_year, site_id) as integer) as site_participants
    from site_groups
)

select
    site_totals.reporting_year,
    site_totals.site_id,
    site_totals.diagnosis,
    'DIAG_SHARE' as indicator_code,
    site_totals.participants,
    site_totals.site_participants,
    {{ round_ratio('site_totals.participants', 'site_totals.site_participants', 100) }} as obs_value,
    national_total.obs_value as national_value,
    national_total.conf_status as national_conf_status
from site_totals
left join {{ ref('fct_indicator_published') }} as national_total
    on site_totals.reporting_year = national_total.reporting_year
    and site_totals.diagnosis = national_total.diagnosis
    and national_total.indicator_code = 'DIAG_SHARE'
    and national_total.freq = 'A'
    and national_total.breakdown = 'diagnosis'
