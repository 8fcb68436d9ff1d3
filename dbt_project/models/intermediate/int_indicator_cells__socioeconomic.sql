-- The socio-economic estimate (SOCIO_*, indicators v1.1): the method of the Hudiksvall follow-up made repeatable, a
-- model estimate with the published assumptions of socioeconomic_parameters, not an accounting of real payments.
-- Over the participants of the year's returns who have income_at_followup; yearly kronor, nationally, by area and by
-- site. `numerator` is the number of participants who contribute a non-zero term to any of the five figures of the
-- cell (the figures are linked: NET = BENEFITS + TAX - SUBSIDY), which disclosure control counts.
with parameter as (
    select
        any_value(value) filter (where name = 'hourly_wage') as hourly_wage,
        any_value(value) filter (where name = 'default_hours_per_week') as default_hours_per_week,
        any_value(value) filter (where name = 'income_tax_rate') as income_tax_rate,
        any_value(value) filter (where name = 'benefit_tax_rate') as benefit_tax_rate,
        any_value(value) filter (where name = 'employer_cost_factor') as employer_cost_factor,
        any_value(value) filter (where name = 'wage_subsidy_share') as wage_subsidy_share
    from {{ ref('socioeconomic_parameters') }}
),

benefit as (
    -- the benefit sources of the method, each with its monthly amount; försörjningsstöd is not taxed
    select
        benefit_source.income_source,
        benefit_source.taxed,
        amount.value as monthly_amount
    from (
        values
        ('sjukpenning', true), ('sjukersattning', true), ('aktivitetsersattning', true),
        ('rehabiliteringsersattning', true), ('aktivitetsstod', true), ('forsorjningsstod', false), ('a_kassa', true)
    ) as benefit_source (income_source, taxed)
    inner join {{ ref('socioeconomic_parameters') }} as amount
        on amount.name = 'monthly_' || benefit_source.income_source
),

latest_paid_work as (
    -- the hours of the participant's latest paid-work episode in the return: latest start, on a tie the most hours
    select
        return_id,
        participant_id,
        -- keep_null_value: an episode without hours is the latest all the same (its hours are then the default)
        {{ value_at_max(
            'hours_per_week', ['start_date', 'coalesce(hours_per_week, -1)'], keep_null_value=true
        ) }} as hours_per_week
    from {{ ref('stg_returns__aktiviteter') }}
    where activity_type in ('konkurrensutsatt_arbete', 'subventionerat_arbete')
    group by return_id, participant_id
),

followed_up as (
    select
        participant.return_id,
        participant.participant_id,
        participant.reporting_year,
        participant.ref_area,
        participant.site_id,
        participant.income_at_intake as at_intake,
        participant.income_at_followup as at_followup,
        {{ list_holds_any('participant.income_at_followup', ['lon', 'lonebidrag']) }}
        and not {{ list_holds_any('participant.income_at_intake', ['lon', 'lonebidrag']) }} as new_job,
        {{ list_holds('participant.income_at_followup', "'lonebidrag'") }} as subsidised,
        coalesce(latest_paid_work.hours_per_week, parameter.default_hours_per_week) as hours_per_week
    from {{ ref('int_participants') }} as participant
    cross join parameter
    left join latest_paid_work using (return_id, participant_id)
    where participant.income_at_followup is not null
),

benefit_changes as (
    -- + 12 months of each benefit left between intake and follow-up, - 12 months of each taken up
    select
        followed_up.return_id,
        followed_up.participant_id,
        sum(12 * benefit.monthly_amount * (
            cast({{ list_holds('followed_up.at_intake', 'benefit.income_source') }} as integer)
            - cast({{ list_holds('followed_up.at_followup', 'benefit.income_source') }} as integer)
        )) as benefits,
        coalesce(sum(12 * benefit.monthly_amount * (
            cast({{ list_holds('followed_up.at_intake', 'benefit.income_source') }} as integer)
            - cast({{ list_holds('followed_up.at_followup', 'benefit.income_source') }} as integer)
        )) filter (where benefit.taxed), 0) as taxable_benefits
    from followed_up
    cross join benefit
    group by followed_up.return_id, followed_up.participant_id
),

participant_terms as (
    select
        followed_up.reporting_year,
        followed_up.ref_area,
        followed_up.site_id,
        benefit_changes.benefits,
        benefit_changes.taxable_benefits,
        case
            when followed_up.new_job then 52 * followed_up.hours_per_week * parameter.hourly_wage else 0
        end as yearly_wage,
        case
            when followed_up.new_job and followed_up.subsidised
                then 52 * followed_up.hours_per_week * parameter.hourly_wage
            else 0
        end as subsidised_wage
    from followed_up
    inner join benefit_changes using (return_id, participant_id)
    cross join parameter
),

cells as (
    select
        reporting_year,
        {{ area_or_site() }},
        sum(benefits) as benefits,
        sum(taxable_benefits) as taxable_benefits,
        sum(yearly_wage) as yearly_wage,
        sum(subsidised_wage) as subsidised_wage,
        count(*) filter (where benefits <> 0 or taxable_benefits <> 0 or yearly_wage <> 0) as contributors
    from (
        select
            reporting_year,
            ref_area,
            site_id,
            benefits,
            taxable_benefits,
            yearly_wage,
            subsidised_wage
        from participant_terms
        union all
        -- every site with a return for the year has its cells, 0 where nobody is followed up or contributes
        select
            reporting_year,
            ref_area,
            site_id,
            0 as benefits,
            0 as taxable_benefits,
            0 as yearly_wage,
            0 as subsidised_wage
        from {{ ref('int_sites') }}
    )
    group by grouping sets ((reporting_year), (reporting_year, ref_area), (reporting_year, site_id))  -- noqa: PRS
),

estimates as (
    -- whole kronor, half away from zero; the net from the rounded parts, so that the published figures add up
    select
        cells.reporting_year,
        cells.ref_area,
        cells.site_id,
        cells.contributors,
        {{ round_to('cells.benefits', 0) }} as benefits,
        {{ round_to(
            'parameter.income_tax_rate * cells.yearly_wage - parameter.benefit_tax_rate * cells.taxable_benefits', 0
        ) }} as tax,
        {{ round_to('parameter.employer_cost_factor * cells.yearly_wage', 0) }} as production,
        {{ round_to(
            'parameter.wage_subsidy_share * parameter.employer_cost_factor * cells.subsidised_wage', 0
        ) }} as subsidy
    from cells
    cross join parameter
)

select
    {{ annual_cell_key() }},
    measure.indicator_code,
    cast(estimates.contributors as decimal(18, 2)) as numerator,
    cast(null as decimal(18, 2)) as denominator,
    cast(measure.amount as decimal(18, 1)) as obs_value
from estimates
cross join lateral (
    values
    ('SOCIO_BENEFITS_SEK', estimates.benefits),
    ('SOCIO_TAX_SEK', estimates.tax),
    ('SOCIO_PRODUCTION_SEK', estimates.production),
    ('SOCIO_SUBSIDY_SEK', estimates.subsidy),
    ('SOCIO_NET_SEK', estimates.benefits + estimates.tax - estimates.subsidy)
) as measure (indicator_code, amount)
