{#- One pass of complementary suppression over a relation of cells with a `conf_status` column:
    in each breakdown (same indicator, frequency and period) where exactly one part is suppressed
    and the total is published, the smallest published part is suppressed as well ('D'), so the
    suppressed value cannot be found by subtracting the other parts from the total. -#}
{% macro complementary_suppression(relation) %}
    select
        * exclude (conf_status, suppressed_parts, total_status, size_rank),
        case
            when conf_status = 'F' and suppressed_parts = 1 and total_status = 'F' and size_rank = 1
                and unit_measure in ('PS', 'PC') and breakdown <> 'total'
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
                partition by indicator_code, freq, time_period, breakdown, conf_status = 'F'
                order by coalesce(numerator, obs_value), ref_area, sex, age, diagnosis
            ) as size_rank
        from {{ relation }}
    )
{% endmacro %}
