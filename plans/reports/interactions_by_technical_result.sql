-- Interactions by technical result.
--
-- How the resources' attempts (IRFs) that started in the range ended: per resource type,
-- role, technical result and result reason (TECHNICAL_DESCRIPTOR codes), the number of
-- attempts and their share of all attempts in the range, most frequent first.
--
-- @param from_ts BIGINT        first START_DATE_TIME_KEY, UTC epoch seconds (inclusive)
-- @param to_ts BIGINT          end of the range, UTC epoch seconds (exclusive)
-- @param media VARCHAR = NULL  only this media type (MEDIA_NAME_CODE: VOICE, CHAT, EMAIL, …);
--                              NULL for every media type

with attempt as (
    select
        r.resource_type_code as resource_type,
        t.resource_role_code as role,
        t.technical_result_code as technical_result,
        t.result_reason_code as result_reason
    from interaction_resource_fact f
    join resource_ r on r.resource_key = f.resource_key
    join technical_descriptor t on t.technical_descriptor_key = f.technical_descriptor_key
    join media_type m on m.media_type_key = f.media_type_key
    where f.start_date_time_key >= $from_ts
        and f.start_date_time_key < $to_ts
        and ($media is null or m.media_name_code = upper($media))
)
select
    resource_type,
    role,
    technical_result,
    result_reason,
    count(*) as attempts,
    round(100.0 * count(*) / sum(count(*)) over (), 1) as share_pct
from attempt
group by resource_type, role, technical_result, result_reason
order by attempts desc, resource_type, role, technical_result, result_reason
