-- Queue service level and abandon rate.
--
-- Per day (DATE_TIME, UTC) and queue, over the mediation segments (stays of an interaction in
-- an ACD queue, virtual queue or interaction queue) that started in the range:
--
--   offered            segments
--   answered           distributed and answered by an agent (DIVERTED, ANSWEREDBYAGENT)
--   answered_in_sl     answered after waiting threshold_sec or less in the queue
--   abandoned          the customer left while queued (ABANDONED)
--   service_level_pct  answered_in_sl / offered × 100
--   abandon_rate_pct   abandoned / offered × 100
--   avg_answer_sec     mean wait of the answered segments
--
-- @param from_ts BIGINT              first START_DATE_TIME_KEY, UTC epoch seconds (inclusive)
-- @param to_ts BIGINT                end of the range, UTC epoch seconds (exclusive)
-- @param threshold_sec INTEGER = 20  service-level threshold, seconds waited in the queue

with segment as (
    select
        d.label_yyyy_mm_dd as day,
        q.resource_name as queue,
        m.mediation_duration as wait_sec,
        case when t.technical_result_code = 'DIVERTED'
            and t.result_reason_code = 'ANSWEREDBYAGENT' then 1 else 0 end as answered,
        case when t.technical_result_code = 'DIVERTED'
            and t.result_reason_code = 'ANSWEREDBYAGENT'
            and m.mediation_duration <= $threshold_sec then 1 else 0 end as answered_in_sl,
        case when t.technical_result_code = 'ABANDONED' then 1 else 0 end as abandoned
    from mediation_segment_fact m
    join resource_ q on q.resource_key = m.resource_key
    join technical_descriptor t on t.technical_descriptor_key = m.technical_descriptor_key
    join date_time d on d.date_time_key = m.start_date_time_key
    where m.start_date_time_key >= $from_ts
        and m.start_date_time_key < $to_ts
)
select
    day,
    queue,
    count(*) as offered,
    sum(answered) as answered,
    sum(answered_in_sl) as answered_in_sl,
    sum(abandoned) as abandoned,
    round(100.0 * sum(answered_in_sl) / count(*), 1) as service_level_pct,
    round(100.0 * sum(abandoned) / count(*), 1) as abandon_rate_pct,
    round(avg(case when answered = 1 then wait_sec end), 1) as avg_answer_sec
from segment
group by day, queue
order by day, queue
