-- Transfers per agent.
--
-- Per agent, over the agent's IRFs that started in the range: the attempts, the interactions
-- handled, the transfers the agent made (the IRF ended TRANSFERRED), the transfers it
-- received (role RECEIVEDTRANSFER), the consultations it dialed, the conferences it set up,
-- and the share of its handled interactions it transferred.
--
-- @param from_ts BIGINT  first START_DATE_TIME_KEY, UTC epoch seconds (inclusive)
-- @param to_ts BIGINT    end of the range, UTC epoch seconds (exclusive)

with attempt as (
    select
        r.resource_name as agent,
        f.customer_handle_count as handled,
        case when t.technical_result_code = 'TRANSFERRED' then 1 else 0 end as transferred,
        case when t.resource_role_code = 'RECEIVEDTRANSFER' then 1 else 0 end as received,
        f.cons_init_dial_count as consults,
        f.conference_initiated_count as conferences
    from interaction_resource_fact f
    join resource_ r on r.resource_key = f.resource_key
    join technical_descriptor t on t.technical_descriptor_key = f.technical_descriptor_key
    where r.resource_type_code = 'AGENT'
        and f.start_date_time_key >= $from_ts
        and f.start_date_time_key < $to_ts
)
select
    agent,
    count(*) as attempts,
    sum(handled) as handled,
    sum(transferred) as transfers_made,
    sum(received) as transfers_received,
    sum(consults) as consults_dialed,
    sum(conferences) as conferences_started,
    round(100.0 * sum(transferred) / nullif(sum(handled), 0), 1) as transfer_rate_pct
from attempt
group by agent
order by agent
