-- Agent handle time by interval.
--
-- Per 15-minute interval (DATE_TIME, UTC) and agent: the interactions the agent handled
-- (connected with the customer, CUSTOMER_HANDLE_COUNT) and the talk, hold and after-call-work
-- seconds of the agent's own legs, over the agent IRFs that started in the interval.
-- Handle time is talk + hold + after-call work; AHT is handle time per handled interaction
-- (NULL when none was handled).
--
-- @param from_ts BIGINT  first interval start, UTC epoch seconds (inclusive)
-- @param to_ts BIGINT    end of the range, UTC epoch seconds (exclusive)

select
    d.label_yyyy_mm_dd as day,
    d.label_hh24_mi as interval_start,
    r.resource_name as agent,
    sum(f.customer_handle_count) as handled,
    sum(f.talk_duration) as talk_sec,
    sum(f.hold_duration) as hold_sec,
    sum(f.after_call_work_duration) as acw_sec,
    sum(f.talk_duration + f.hold_duration + f.after_call_work_duration) as handle_sec,
    round(
        cast(sum(f.talk_duration + f.hold_duration + f.after_call_work_duration) as double)
            / nullif(sum(f.customer_handle_count), 0),
        1
    ) as aht_sec
from interaction_resource_fact f
join resource_ r on r.resource_key = f.resource_key
join date_time d on d.date_time_key = f.start_date_time_key
where r.resource_type_code = 'AGENT'
    and f.start_date_time_key >= $from_ts
    and f.start_date_time_key < $to_ts
group by d.date_time_key, d.label_yyyy_mm_dd, d.label_hh24_mi, r.resource_name
order by d.date_time_key, r.resource_name
