-- A percentage outside 0–100 is a wrong numerator or denominator.
select * from {{ ref('fct_indicator') }}
where unit_measure = 'PC' and (obs_value < 0 or obs_value > 100 or numerator > denominator)
