//! The multimedia facts in Info Mart columns: INTERACTION_FACT (§2.1, §4.2),
//! INTERACTION_RESOURCE_FACT (§2.2) and MEDIATION_SEGMENT_FACT (§2.3, §4.7), active
//! (`ACTIVE_FLAG` 1, `END_TS` NULL, the sentinel end key) while open.
//!
//! Ids are stable across chunks: an interaction the Info Mart already holds (same
//! `MEDIA_SERVER_IXN_GUID`) keeps its INTERACTION_ID, its IRFs keep their ids by ordinal and
//! its MSFs by queue and entry time; new ones are numbered after the greatest id in use.

use tidemark_schemas::version::SENTINEL_DATE_TIME_KEY;

use crate::transform::codes::*;
use crate::transform::inputs::{DESCRIPTORS, IDS, PLACES, RESOURCES, TENANTS};
use crate::transform::View;

use super::inputs::{MM_INTERACTIONS, MM_IRFS, MM_MSFS};
use super::irf::measure_columns;
use super::vq::MEDIATION;

/// Output view of INTERACTION_FACT rows.
pub const INTERACTION_FACT: &str = "mm_interaction_fact";
/// Output view of INTERACTION_RESOURCE_FACT rows.
pub const IRF: &str = "mm_interaction_resource_fact";
/// Output view of MEDIATION_SEGMENT_FACT rows.
pub const MSF: &str = "mm_mediation_segment_fact";

/// View of the chunk's group-combination segments (see the voice combination views).
pub const SEGMENT_COMBINATIONS: &str = "mx_segment_combination";

/// `END_DATE_TIME_KEY` of an end that may be open.
fn end_key(end: &str) -> String {
    format!("coalesce(date_time_key({end}), {SENTINEL_DATE_TIME_KEY})")
}

/// The new-id number of a row: `base` plus its rank among the rows without a known id.
fn allocated(known: &str, base: &str, order: &str) -> String {
    format!(
        "coalesce({known}, {base} + row_number() over (partition by case when {known} is null \
         then 0 else 1 end order by {order}) - 1)"
    )
}

/// The views of this module, in dependency order.
pub fn views() -> Vec<View> {
    let measures = measure_columns()
        .iter()
        .map(|c| format!("i.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        View::new(
            "mx_id_base",
            format!(
                "select greatest(ids.next_interaction_id, coalesce(i.max_id, 0) + 1) \
                      as next_interaction_id, \
                 greatest(ids.next_resource_id, coalesce(r.max_id, 0) + 1, \
                          coalesce(s.max_id, 0) + 1) as next_resource_id, ids.audit_key \
                 from {IDS} ids \
                 cross join (select max(interaction_id) as max_id from {MM_INTERACTIONS}) i \
                 cross join (select max(interaction_resource_id) as max_id from {MM_IRFS}) r \
                 cross join (select max(mediation_segment_id) as max_id from {MM_MSFS}) s"
            ),
        ),
        View::new(
            "mx_interaction_ids",
            format!(
                "select x.*, {id} as interaction_id, b.audit_key, \
                 date_time_key(x.start_ts) as start_date_time_key, \
                 ct.interaction_type_key, ct.media_type_key, ct.subject, ct.source_address, \
                 ct.target_address, coalesce(t.tenant_key, {UNKNOWN_KEY}) as tenant_key \
                 from (select c.if_guid, min(c.root_guid) as root_guid, \
                       min(c.created_ts) as start_ts, \
                       case when sum(case when c.end_ts is null then 1 else 0 end) > 0 then null \
                            else max(c.end_ts) end as end_ts \
                       from mx_call c group by c.if_guid) x \
                 join mx_call ic on ic.callid = x.if_guid \
                 join mx_call_type ct on ct.callid = x.if_guid \
                 cross join mx_id_base b \
                 left join {MM_INTERACTIONS} e on e.media_server_ixn_guid = x.if_guid \
                 left join {TENANTS} t on t.tenant_cfg_dbid = ic.tenantid \
                 where ct.ignore_type = 0",
                id = allocated(
                    "e.interaction_id",
                    "b.next_interaction_id",
                    "x.start_ts, x.if_guid"
                ),
            ),
        ),
        View::new(
            "mx_irf_ids",
            format!(
                "select i.*, x.interaction_id, x.start_date_time_key as interaction_sdt_key, \
                 x.tenant_key, ct.interaction_type_key, ct.media_type_key, x.audit_key, \
                 {id} as interaction_resource_id, \
                 case when e.interaction_resource_id is null then 1 else 0 end as is_new, \
                 case when i.ordinal = coalesce(\
                      min(case when i.customer_handle_count > 0 then i.ordinal end) \
                          over (partition by i.if_guid), \
                      min(case when i.end_rank = 1 then i.ordinal end) \
                          over (partition by i.if_guid)) then 1 else 0 end as irf_anchor \
                 from mx_irf_ranked i \
                 join mx_interaction_ids x on x.if_guid = i.if_guid \
                 join mx_call_type ct on ct.callid = case when i.calltype = {CALL_CONSULT} \
                      then i.if_guid else i.callid end \
                 cross join mx_id_base b \
                 left join {MM_IRFS} e on e.interaction_id = x.interaction_id \
                 and e.interaction_resource_ordinal = i.ordinal",
                id = allocated(
                    "e.interaction_resource_id",
                    "b.next_resource_id",
                    "x.interaction_id, i.ordinal"
                ),
            ),
        ),
        View::new(
            "mx_msf_ids",
            format!(
                "select s.*, x.interaction_id, x.start_date_time_key as interaction_sdt_key, \
                 x.tenant_key, x.interaction_type_key, x.media_type_key, x.audit_key, \
                 {id} as mediation_segment_id, \
                 case when {delivered} then r.interaction_resource_id end \
                      as target_id, \
                 case when {delivered} then r.start_ts end as target_start, \
                 case when {delivered} then r.answer_ts end as target_answer_ts, \
                 case when {delivered} then r.end_ts end as target_end, \
                 case when not ({delivered}) then r.interaction_resource_id end as own_id, \
                 case when not ({delivered}) then r.start_ts end as own_start \
                 from (select s.*, row_number() over (partition by s.if_guid, s.resource_key, \
                            s.start_ts order by s.stay_id) as dup_no from {MEDIATION} s) s \
                 join mx_interaction_ids x on x.if_guid = s.if_guid \
                 cross join mx_id_base b \
                 cross join (select coalesce(sum(is_new), 0) as new_irfs from mx_irf_ids) n \
                 left join (select e.*, row_number() over (partition by e.interaction_id, \
                            e.resource_key, e.start_ts order by e.mediation_segment_id) as dup_no \
                            from {MM_MSFS} e) e on e.interaction_id = x.interaction_id \
                 and e.resource_key = s.resource_key and e.start_ts = s.start_ts \
                 and e.dup_no = s.dup_no \
                 left join (select stay_id, first_value(partyid order by created_ts, partyid) \
                            as target_party from mx_delivery where stay_id is not null \
                            group by stay_id) t on t.stay_id = s.via_stay \
                 left join mx_irf_ids r on r.irf_guid = coalesce(t.target_party, s.via_stay)",
                delivered = "t.target_party is not null and s.distributed = 1",
                id = allocated(
                    "e.mediation_segment_id",
                    "b.next_resource_id + n.new_irfs",
                    "x.interaction_id, s.start_ts, s.stay_id"
                ),
            ),
        ),
        View::new(
            INTERACTION_FACT,
            format!(
                "select x.interaction_id, x.tenant_key, x.interaction_type_key, x.media_type_key, \
                 x.root_guid as media_server_root_ixn_guid, x.if_guid as media_server_ixn_guid, \
                 x.source_address, x.target_address, x.subject, 0 as status, \
                 x.start_ts, x.end_ts, x.start_date_time_key, {end_key} as end_date_time_key, \
                 x.audit_key as create_audit_key, x.audit_key as update_audit_key, \
                 case when x.end_ts is null then 1 else 0 end as active_flag, 0 as purge_flag, \
                 i.interaction_resource_id as anchor_id, \
                 date_time_key(i.start_ts) as anchor_sdt_key \
                 from mx_interaction_ids x left join mx_irf_ids i \
                 on i.interaction_id = x.interaction_id and i.irf_anchor = 1",
                end_key = end_key("x.end_ts"),
            ),
        ),
        View::new(
            IRF,
            format!(
                "select i.interaction_resource_id, i.tenant_key, i.interaction_id, \
                 i.interaction_sdt_key, i.interaction_type_key, i.media_type_key, \
                 coalesce(i.technical_descriptor_key, {UNKNOWN_KEY}) as technical_descriptor_key, \
                 coalesce(case when i.kind = 'agent' then ra.resource_key \
                      else ms.resource_key end, {UNKNOWN_KEY}) as resource_key, \
                 case when i.kind = 'agent' then {NO_VALUE_KEY} \
                      else coalesce(ms.resource_key, {UNKNOWN_KEY}) end as media_resource_key, \
                 case when i.placeid is null or i.placeid = 0 then {NO_VALUE_KEY} \
                      else coalesce(pl.place_key, {UNKNOWN_KEY}) end as place_key, \
                 coalesce(gc.group_combination_key, {UNKNOWN_KEY}) \
                      as resource_group_combination_key, \
                 case when i.kind = 'agent' then ms.resource_key end as mediation_resource_key, \
                 i.last_vq_resource_key as last_vqueue_resource_key, \
                 i.start_ts, i.end_ts, date_time_key(i.start_ts) as start_date_time_key, \
                 {end_key} as end_date_time_key, \
                 i.ordinal as interaction_resource_ordinal, \
                 f.interaction_resource_id as received_from_ixn_resource_id, \
                 case when i.kind = 'agent' then ms.mediation_segment_id end \
                      as mediation_segment_id, \
                 case when i.kind = 'agent' then date_time_key(ms.start_ts) end \
                      as mediation_segment_sdt_key, \
                 case when i.stay_start is not null then date_time_key(i.stay_start) end \
                      as mediation_start_date_time_key, \
                 i.mediation_count, i.mediation_duration, 0 as routing_point_duration, \
                 i.irf_anchor, case when i.irf_anchor = 1 \
                      then coalesce(i.customer_answer_ts, i.end_ts) end as irf_anchor_ts, \
                 case when i.end_rank = 1 then 1 else 0 end as last_interaction_resource, \
                 {measures}, i.customer_handle_count, i.conference_initiated_count, \
                 i.stop_action, \
                 case when i.resource_role = 'InitiatedConsult' then 1 else 0 end \
                      as agent_to_agent_cons_count, \
                 case when i.resource_role = 'InitiatedConsult' \
                      then i.cons_init_dial_duration + i.cons_init_talk_duration else 0 end \
                      as agent_to_agent_cons_duration, \
                 case when i.end_ts is null then 1 else 0 end as active_flag, 0 as purge_flag, \
                 i.audit_key as create_audit_key, i.audit_key as update_audit_key \
                 from mx_irf_ids i \
                 left join {RESOURCES} ra on ra.resource_cfg_type_id = {CFG_PERSON} \
                 and ra.resource_cfg_dbid = i.agentid \
                 left join {PLACES} pl on pl.place_cfg_dbid = i.placeid \
                 left join {SEGMENT_COMBINATIONS} gc on i.kind = 'agent' \
                 and gc.resource_key = ra.resource_key and gc.seg_from <= i.start_ts \
                 and (gc.seg_to is null or i.start_ts < gc.seg_to) \
                 left join mx_msf_ids ms on ms.stay_id = i.stay_id \
                 left join mx_irf_ids f on f.irf_guid = i.from_irf_guid",
                end_key = end_key("i.end_ts"),
            ),
        ),
        // Each MSF with its end (NULL while open) and outcome codes.
        View::new(
            "mx_msf_outcome",
            format!(
                "select v.*, \
                 case when v.target_id is null then v.left_ts \
                      else coalesce(v.target_answer_ts, v.target_end) end as msf_end, \
                 case when v.parentlinktype = {LINK_TRANSFER} then 'RECEIVEDTRANSFER' \
                      else 'RECEIVED' end as role_code, \
                 case when v.abandoned = 1 then 'ABANDONED' \
                      when v.target_id is not null and v.kind = 'workbin' then 'PULLED' \
                      when v.target_id is not null then 'DIVERTED' \
                      when v.left_ts is null then 'UNSPECIFIED' \
                      when v.routed = 1 then 'ROUTED' \
                      else 'CLEARED' end as result_code, \
                 case when v.abandoned = 1 then 'ABANDONEDWHILEQUEUED' \
                      when v.target_id is null or v.kind = 'workbin' then 'UNSPECIFIED' \
                      when v.target_answer_ts is not null then 'ANSWEREDBYAGENT' \
                      when v.target_end is not null and v.target_answer_ts is null \
                           then 'ROUTEONNOANSWER' \
                      else 'UNSPECIFIED' end as reason_code \
                 from mx_msf_ids v"
            ),
        ),
        View::new(
            MSF,
            format!(
                "select m.mediation_segment_id, m.tenant_key, m.interaction_id, \
                 m.interaction_sdt_key, m.interaction_type_key, m.media_type_key, \
                 m.resource_key, \
                 coalesce(td.technical_descriptor_key, {UNKNOWN_KEY}) as technical_descriptor_key, \
                 m.start_ts, m.msf_end as end_ts, date_time_key(m.start_ts) as start_date_time_key, \
                 {end_key} as end_date_time_key, \
                 coalesce(m.left_ts, m.horizon_ts) - m.start_ts as mediation_duration, \
                 m.callid as media_server_ixn_guid, \
                 coalesce(m.target_id, m.own_id) as ixn_resource_id, \
                 date_time_key(coalesce(m.target_start, m.own_start)) as ixn_resource_sdt_key, \
                 m.target_id as target_ixn_resource_id, \
                 date_time_key(m.target_start) as target_ixn_resource_sdt_key, \
                 case when m.msf_end is null then 1 else 0 end as active_flag, 0 as purge_flag, \
                 m.audit_key as create_audit_key, m.audit_key as update_audit_key \
                 from mx_msf_outcome m \
                 left join {DESCRIPTORS} td on td.resource_role_code = m.role_code \
                 and td.role_reason_code = 'UNSPECIFIED' \
                 and td.technical_result_code = m.result_code \
                 and td.result_reason_code = m.reason_code",
                end_key = end_key("m.msf_end"),
            ),
        ),
    ]
}
