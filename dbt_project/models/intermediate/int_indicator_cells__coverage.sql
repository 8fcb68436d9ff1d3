-- PARTICIPANTS_PER_100K (indicators v1.1): participants enrolled in the year per 100,000 inhabitants, nationally and
-- per county. Each county's population is that of the year, else of the newest year before it, else of the oldest;
-- the nation's is the sum of its counties'. Numerator (participants) and denominator (population) beside the value.
with participants as (
    select
        freq,
        time_period,
        reporting_year,
        ref_area,
        numerator as participants
    from {{ ref('int_indicator_cells__participants') }}
    where
        indicator_code = 'PARTICIPANTS' and freq = 'A' and site_id is null
        and sex = '_T' and age = '_T' and diagnosis = '_T'
),

population_of_year as (
    select
        years.reporting_year,
        county.iso_code as ref_area,
        -- the year itself or the newest before it wins; failing those, the oldest after it
        {{ value_at_max('population.population', [
            'case when population.year <= years.reporting_year then population.year else -population.year end'
        ]) }} as population
    from (select distinct reporting_year from participants) as years
    cross join {{ ref('county_population') }} as population
    inner join {{ ref('counties') }} as county using (county_code)
    group by years.reporting_year, county.iso_code
),

population_of_area as (
    select
        reporting_year,
        ref_area,
        population
    from population_of_year
    union all
    select
        reporting_year,
        'SE' as ref_area,
        sum(population) as population
    from population_of_year
    group by reporting_year
)

select
    participants.freq,
    participants.time_period,
    participants.reporting_year,
    participants.ref_area,
    cast(null as varchar) as site_id,
    '_T' as sex,
    '_T' as age,
    '_T' as diagnosis,
    'PARTICIPANTS_PER_100K' as indicator_code,
    participants.participants as numerator,
    cast(population_of_area.population as decimal(18, 2)) as denominator,
    {{ round_ratio('participants.participants', 'population_of_area.population', 100000) }} as obs_value
from participants
inner join population_of_area using (reporting_year, ref_area)
