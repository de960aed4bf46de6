-- Agent state summary.
--
-- Per agent and summarized state (RESOURCE_STATE: READY, NOT_READY, BUSY, ACW, DND), over the
-- agent's state periods (SM_RES_STATE_FACT, every media type) that started in the range:
-- the number of periods, their seconds (a period still open counts 0) and each state's share
-- of the agent's state time.
--
-- @param from_ts BIGINT        first START_DATE_TIME_KEY, UTC epoch seconds (inclusive)
-- @param to_ts BIGINT          end of the range, UTC epoch seconds (exclusive)
-- @param agent VARCHAR = NULL  only this agent (RESOURCE_NAME); NULL for every agent

with period as (
    select
        r.resource_name as agent,
        s.state_name_code as state,
        coalesce(f.total_duration, 0) as seconds
    from sm_res_state_fact f
    join resource_ r on r.resource_key = f.resource_key
    join resource_state s on s.resource_state_key = f.resource_state_key
    where f.start_date_time_key >= $from_ts
        and f.start_date_time_key < $to_ts
        and ($agent is null or r.resource_name = $agent)
)
select
    agent,
    state,
    count(*) as periods,
    sum(seconds) as total_sec,
    round(100.0 * sum(seconds) / nullif(sum(sum(seconds)) over (partition by agent), 0), 1)
        as share_pct
from period
group by agent, state
order by agent, state
