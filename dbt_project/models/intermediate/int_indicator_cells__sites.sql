-- The indicators about sites (how many, caseload, fidelity) per year, nationally, by area and by site.
with enrolled_at_year_end as (
    select
        return_id,
        count(*) as participants
    from {{ ref('int_participant_periods') }}
    where freq = 'A' and enrolled_on_last_day
    group by return_id
),

site_year as (
    select
        site.reporting_year,
        site.ref_area,
        site.site_id,
        site.specialist_fte,
        coalesce(enrolled_at_year_end.participants, 0) as participants_at_year_end,
        fidelity.total_score as latest_fidelity_score,
        fidelity.fidelity_band as latest_fidelity_band
    from {{ ref('int_sites') }} as site
    left join enrolled_at_year_end using (return_id)
    left join {{ ref('int_fidelity_latest') }} as fidelity using (return_id)
),

site_totals as (
    select
        reporting_year,
        {{ area_or_site() }},
        count(*) as sites,
        sum(participants_at_year_end) as participants_at_year_end,
        sum(specialist_fte) as specialist_fte,
        count(latest_fidelity_score) as reviewed_sites,
        sum(latest_fidelity_score) as fidelity_score_sum,
        -- good fidelity: the band god or better (a total of 100 or more)
        count(*) filter (where latest_fidelity_band in ('mycket_god', 'god')) as good_fidelity_sites
    from site_year
    group by grouping sets ((reporting_year), (reporting_year, ref_area), (reporting_year, site_id))  -- noqa: PRS
)

select
    {{ annual_cell_key() }},
    measure.indicator_code,
    cast(measure.numerator as decimal(18, 2)) as numerator,
    cast(measure.denominator as decimal(18, 2)) as denominator,
    measure.obs_value
from site_totals
cross join lateral (
    values
    ('SITES', site_totals.sites, null, cast(site_totals.sites as decimal(18, 1))),
    -- fte to a millionth, so the ratio is exact integer arithmetic
    (
        'CASELOAD', site_totals.participants_at_year_end, site_totals.specialist_fte,
        {{ round_ratio(
            'site_totals.participants_at_year_end * 1000000',
            'round(site_totals.specialist_fte * 1000000)'
        ) }}
    ),
    ('FID_REVIEWED', site_totals.reviewed_sites, null, cast(site_totals.reviewed_sites as decimal(18, 1))),
    (
        'FID_MEAN', site_totals.fidelity_score_sum, site_totals.reviewed_sites,
        {{ round_ratio('site_totals.fidelity_score_sum', 'site_totals.reviewed_sites') }}
    ),
    (
        'FID_GOOD_RATE', site_totals.good_fidelity_sites, site_totals.reviewed_sites,
        {{ round_ratio('site_totals.good_fidelity_sites', 'site_totals.reviewed_sites', 100) }}
    )
) as measure (indicator_code, numerator, denominator, obs_value)
