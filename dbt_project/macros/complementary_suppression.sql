{#- One pass of complementary suppression over cells with a `conf_status` column: in each breakdown
    (same indicator, frequency and period) where exactly one part is suppressed and the total is
    published, the smallest published non-zero part is suppressed as well ('D'), so the suppressed value
    cannot be found by subtracting the other parts from the total. A zero is never the one: hidden beside
    the withheld part, their sum would still be the withheld value. `cell_key` orders ties; `columns` are the cells'
    columns besides conf_status. -#}
{% macro complementary_suppression(relation, cell_key, columns) %}
    select
        {{ columns | join(', ') }},
        case
            when candidate and suppressed_parts = 1 and total_status = 'F' and size_rank = 1
                and unit_measure in ('PS', 'PC', 'SEK') and breakdown <> 'total'
                then 'D'
            else conf_status
        end as conf_status
    from (
        select
            *,
            count(*) filter (where conf_status <> 'F')
                over (partition by indicator_code, freq, time_period, breakdown) as suppressed_parts,
            max(case when breakdown = 'total' then conf_status end)
                over (partition by indicator_code, freq, time_period) as total_status,
            row_number() over (
                partition by indicator_code, freq, time_period, breakdown, candidate
                order by coalesce(numerator, obs_value), {{ cell_key | join(', ') }}
            ) as size_rank
        from (select *, conf_status = 'F' and coalesce(numerator, obs_value) <> 0 as candidate from {{ relation }}) as cell
    ) as ranked
{% endmacro %}


{#- Disclosure control of indicators-v1 over a relation of cells (indicator_code, freq, time_period,
    breakdown, unit_measure, numerator, denominator, obs_value and the `cell_key` columns): primary
    suppression by unit, complementary suppression within each breakdown, rates withheld with the
    count they are built on (`rate_bases`: pairs of rate code and count code), and complementary
    suppression once more for those rates. Gives those columns, the `carried` ones and `conf_status` (F, A, D). -#}
{% macro protect_cells(relation, cell_key, rate_bases, carried=[]) %}
    {%- set columns = ['indicator_code', 'freq', 'time_period', 'breakdown', 'unit_measure', 'numerator', 'denominator',
                       'obs_value'] + cell_key + carried -%}
    with primary_suppression as (
        select *, {{ primary_suppression('unit_measure', 'numerator', 'denominator', 'obs_value') }} as conf_status
        from {{ relation }}
    ),

    counts_protected as (
        {{ complementary_suppression('primary_suppression', cell_key, columns) }}
    ),

    withheld_bases as (
        select distinct rate_bases.rate_code as indicator_code, cell.freq, cell.time_period,
            {% for column in cell_key %}cell.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
        from counts_protected as cell
        inner join (values {% for rate, count in rate_bases %}('{{ rate }}', '{{ count }}'){{ ', ' if not loop.last }}{% endfor %})
            as rate_bases (rate_code, count_code)
            on cell.indicator_code = rate_bases.count_code
        where cell.unit_measure = 'PS' and cell.conf_status <> 'F'
    ),

    rates_follow_counts as (
        select
            {% for column in columns %}cell.{{ column }}, {% endfor %}
            case
                when cell.conf_status = 'F' and withheld_bases.indicator_code is not null then 'D'
                else cell.conf_status
            end as conf_status
        from counts_protected as cell
        left join withheld_bases using (indicator_code, freq, time_period, {{ cell_key | join(', ') }})
    )

    {{ complementary_suppression('rates_follow_counts', cell_key, columns) }}
{% endmacro %}
