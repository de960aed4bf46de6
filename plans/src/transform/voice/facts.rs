//! The voice facts in Info Mart columns: INTERACTION_FACT (§4.2), INTERACTION_RESOURCE_FACT
//! (§4.3–§4.8) and MEDIATION_SEGMENT_FACT (§4.7), with ids drawn from `tx_ids`.

use crate::transform::codes::*;
use crate::transform::inputs::{
    DESCRIPTORS, IDS, INTERACTION_TYPES, MEDIA_TYPES, PLACES, RESOURCES, TENANTS,
};
use crate::transform::View;

use super::combination::SEGMENT_COMBINATIONS;
use super::metrics::{measure_columns, CONSULT_ONLY_ACW};

/// Output view of INTERACTION_FACT rows.
pub const INTERACTION_FACT: &str = "voice_interaction_fact";
/// Output view of INTERACTION_RESOURCE_FACT rows.
pub const IRF: &str = "voice_interaction_resource_fact";
/// Output view of MEDIATION_SEGMENT_FACT rows.
pub const MSF: &str = "voice_mediation_segment_fact";

/// `left join` of RESOURCE_ as `alias` on a configuration object type and DBID.
pub(crate) fn resource(alias: &str, cfg_type: i32, dbid: &str) -> String {
    format!(
        "left join {RESOURCES} {alias} on {alias}.resource_cfg_type_id = {cfg_type} \
         and {alias}.resource_cfg_dbid = {dbid}"
    )
}

/// Interaction type code and subtype code of a voice root call type (infomart.md §3.9).
const VOICE_TYPE: &str = "case calltype when 1 then 'INTERNAL' when 2 then 'INBOUND' \
     when 3 then 'OUTBOUND' else 'UNKNOWN' end";

/// The views of this module, in dependency order.
pub fn views() -> Vec<View> {
    let measures = measure_columns()
        .iter()
        .map(|c| format!("i.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        View::new(
            "vx_interaction",
            format!(
                "select c.root_data_source_key, c.interaction_guid, min(c.created_ts) as start_ts, \
                 max(c.terminated_ts) as end_ts, max(c.merge_state) as merge_state, \
                 first_value(c.calltype order by case when c.calltype = {CALL_CONSULT} \
                      then 1 else 0 end, c.created_ts) as calltype, \
                 first_value(c.tenantid order by c.created_ts) as tenantid \
                 from vx_call c group by c.root_data_source_key, c.interaction_guid"
            ),
        ),
        View::new(
            "vx_interaction_address",
            format!(
                "select root_data_source_key, interaction_guid, \
                 first_value(case when prole = {ROLE_ORIGINATOR} then endpointdn end \
                      order by case when prole = {ROLE_ORIGINATOR} then 0 else 1 end, created_ts) \
                      as source_address, \
                 first_value(case when prole <> {ROLE_ORIGINATOR} then endpointdn end \
                      order by case when prole <> {ROLE_ORIGINATOR} then 0 else 1 end, created_ts) \
                      as target_address \
                 from vx_party where calltype <> {CALL_CONSULT} \
                 group by root_data_source_key, interaction_guid"
            ),
        ),
        View::new(
            "vx_interaction_ids",
            format!(
                "select x.*, ids.next_interaction_id + row_number() over \
                      (order by x.start_ts, x.root_data_source_key, x.interaction_guid) - 1 \
                      as interaction_id, ids.audit_key, \
                 date_time_key(x.start_ts) as start_date_time_key, \
                 coalesce(it.interaction_type_key, {UNKNOWN_KEY}) as interaction_type_key, \
                 coalesce(mt.media_type_key, {UNKNOWN_KEY}) as media_type_key, \
                 coalesce(t.tenant_key, {UNKNOWN_KEY}) as tenant_key, \
                 a.source_address, a.target_address \
                 from vx_interaction x cross join {IDS} ids \
                 left join vx_interaction_address a \
                 on a.root_data_source_key = x.root_data_source_key \
                 and a.interaction_guid = x.interaction_guid \
                 left join {INTERACTION_TYPES} it on it.interaction_type_code = {VOICE_TYPE} \
                 and it.interaction_subtype_code = {VOICE_TYPE} || 'NEW' \
                 left join {MEDIA_TYPES} mt on mt.media_name_code = 'VOICE' \
                 left join {TENANTS} t on t.tenant_cfg_dbid = x.tenantid \
                 where coalesce(it.\"ignore\", 0) = 0"
            ),
        ),
        View::new(
            "vx_irf_ids",
            format!(
                "select i.*, x.interaction_id, x.start_date_time_key as interaction_sdt_key, \
                 x.interaction_type_key, x.media_type_key, x.tenant_key, x.audit_key, \
                 ids.next_resource_id + row_number() over (order by x.interaction_id, i.ordinal) - 1 \
                      as interaction_resource_id, \
                 case when i.ordinal = an.anchor_ordinal then 1 else 0 end as irf_anchor \
                 from vx_irf_ranked i cross join {IDS} ids \
                 join vx_interaction_ids x on x.root_data_source_key = i.root_data_source_key \
                 and x.interaction_guid = i.interaction_guid \
                 join vx_anchor an on an.root_data_source_key = i.root_data_source_key \
                 and an.interaction_guid = i.interaction_guid"
            ),
        ),
        View::new(
            "vx_msf_source",
            format!(
                "select root_data_source_key, interaction_guid, data_source_key, \
                 partyid as med_partyid, 0 as kind_order, vq_id as natural_id, endpointid, cause, \
                 created_ts as start_ts, terminated_ts as left_ts, calltype from vx_vq \
                 union all \
                 select root_data_source_key, interaction_guid, data_source_key, partyid, 1, 0, \
                 endpointid, case when ccevent = {EVENT_ABANDONED} then {VQ_ABANDONED} \
                      else {VQ_DIVERTED} end, created_ts, terminated_ts, calltype \
                 from vx_party where kind = 'mediation' and endpointtype = {DN_ACD_QUEUE}"
            ),
        ),
        View::new(
            "vx_msf",
            format!(
                "select m.*, x.interaction_id, x.start_date_time_key as interaction_sdt_key, \
                 x.interaction_type_key, x.media_type_key, x.tenant_key, x.audit_key, \
                 ids.next_resource_id + n.irf_total + row_number() over \
                      (order by x.interaction_id, m.start_ts, m.kind_order, m.natural_id, \
                       m.med_partyid) - 1 as mediation_segment_id, \
                 tgt.interaction_resource_id as target_id, tgt.start_ts as target_start, \
                 tgt.answer_ts as target_answer_ts, tgt.end_ts as target_end, \
                 tgt.technical_result as target_result, \
                 own.interaction_resource_id as own_id, own.start_ts as own_start \
                 from vx_msf_source m cross join {IDS} ids \
                 cross join (select count(*) as irf_total from vx_irf_ids) n \
                 join vx_interaction_ids x on x.root_data_source_key = m.root_data_source_key \
                 and x.interaction_guid = m.interaction_guid \
                 left join vx_irf_ids tgt on m.cause = {VQ_DIVERTED} \
                 and tgt.med_dsk = m.data_source_key and tgt.med_partyid = m.med_partyid \
                 and tgt.kind <> 'mediation' \
                 left join vx_irf_ids own on own.med_dsk = m.data_source_key \
                 and own.med_partyid = m.med_partyid and own.kind = 'mediation'"
            ),
        ),
        View::new(
            "vx_irf_msf",
            "select med_dsk, med_partyid, min(mediation_segment_id) as mediation_segment_id, \
             min(start_ts) as msf_start_ts, \
             first_value(endpointid order by kind_order desc, start_ts desc) as msf_endpointid \
             from (select data_source_key as med_dsk, med_partyid, mediation_segment_id, \
                   start_ts, endpointid, kind_order from vx_msf \
                   where target_id is not null) targets \
             group by med_dsk, med_partyid",
        ),
        View::new(
            "vx_irf_kept",
            "select i.* from vx_irf_ids i left join vx_discard d \
             on d.root_data_source_key = i.root_data_source_key \
             and d.interaction_guid = i.interaction_guid where d.interaction_guid is null",
        ),
        View::new(
            INTERACTION_FACT,
            format!(
                "select x.interaction_id, x.tenant_key, x.interaction_type_key, x.media_type_key, \
                 x.interaction_guid as media_server_root_ixn_guid, \
                 x.interaction_guid as media_server_ixn_guid, \
                 x.source_address, x.target_address, \
                 case when x.merge_state = 2 then {STATUS_PARTIALLY_MERGED} else 0 end as status, \
                 x.start_ts, x.end_ts, x.start_date_time_key, \
                 date_time_key(x.end_ts) as end_date_time_key, \
                 x.audit_key as create_audit_key, x.audit_key as update_audit_key, \
                 0 as active_flag, 0 as purge_flag, \
                 i.interaction_resource_id as anchor_id, i.start_date_time_key as anchor_sdt_key \
                 from vx_interaction_ids x left join \
                 (select interaction_id, interaction_resource_id, \
                  date_time_key(start_ts) as start_date_time_key from vx_irf_kept \
                  where irf_anchor = 1) i on i.interaction_id = x.interaction_id"
            ),
        ),
        View::new(
            IRF,
            format!(
                "select i.interaction_resource_id, i.tenant_key, i.interaction_id, \
                 i.interaction_sdt_key, i.interaction_type_key, i.media_type_key, \
                 coalesce(i.technical_descriptor_key, {UNKNOWN_KEY}) as technical_descriptor_key, \
                 coalesce(case when i.kind = 'agent' then ra.resource_key \
                      else rd.resource_key end, {UNKNOWN_KEY}) as resource_key, \
                 coalesce(rd.resource_key, {UNKNOWN_KEY}) as media_resource_key, \
                 case when i.placeid is null or i.placeid = 0 then {NO_VALUE_KEY} \
                      else coalesce(pl.place_key, {UNKNOWN_KEY}) end as place_key, \
                 coalesce(gc.group_combination_key, {UNKNOWN_KEY}) \
                      as resource_group_combination_key, \
                 rv.resource_key as last_vqueue_resource_key, \
                 case when i.med_type = {DN_ROUTING_POINT} then rm.resource_key end \
                      as last_rp_resource_key, \
                 case when i.med_type = {DN_ACD_QUEUE} then rm.resource_key end \
                      as last_queue_resource_key, \
                 rq.resource_key as mediation_resource_key, \
                 i.start_ts, i.end_ts, date_time_key(i.start_ts) as start_date_time_key, \
                 date_time_key(i.end_ts) as end_date_time_key, \
                 i.ordinal as interaction_resource_ordinal, \
                 f.interaction_resource_id as received_from_ixn_resource_id, \
                 ms.mediation_segment_id, date_time_key(ms.msf_start_ts) as mediation_segment_sdt_key, \
                 case when i.med_from is not null then date_time_key(i.med_from) end \
                      as mediation_start_date_time_key, \
                 i.mediation_count, i.first_created - i.start_ts as mediation_duration, \
                 case when i.med_type = {DN_ROUTING_POINT} then coalesce(i.med_to, i.first_created) \
                      - i.med_from else 0 end as routing_point_duration, \
                 i.irf_anchor, case when i.irf_anchor = 1 \
                      then coalesce(i.customer_answer_ts, i.end_ts) end as irf_anchor_ts, \
                 case when i.end_rank = 1 then 1 else 0 end as last_interaction_resource, \
                 {measures}, \
                 case when {CONSULT_ONLY_ACW} then 0 else i.acw_count end \
                      as after_call_work_count, \
                 case when {CONSULT_ONLY_ACW} then 0 else i.acw_duration end \
                      as after_call_work_duration, \
                 case when {CONSULT_ONLY_ACW} then i.acw_count else 0 end as cons_rcv_acw_count, \
                 case when {CONSULT_ONLY_ACW} then i.acw_duration else 0 end \
                      as cons_rcv_acw_duration, \
                 case when i.customer_handle_count > 0 then i.acw_count else 0 end \
                      as customer_acw_count, \
                 case when i.customer_handle_count > 0 then i.acw_duration else 0 end \
                      as customer_acw_duration, \
                 i.customer_handle_count, i.conference_initiated_count, \
                 case when i.kind = 'agent' then i.consults_initiated else 0 end \
                      as agent_to_agent_cons_count, \
                 case when i.kind = 'agent' and i.consults_initiated > 0 \
                      then i.cons_init_dial_duration + i.cons_init_talk_duration else 0 end \
                      as agent_to_agent_cons_duration, \
                 0 as active_flag, 0 as purge_flag, \
                 i.audit_key as create_audit_key, i.audit_key as update_audit_key \
                 from vx_irf_kept i \
                 {ra} {rd} {rv} {rm} \
                 left join {PLACES} pl on pl.place_cfg_dbid = i.placeid \
                 left join {SEGMENT_COMBINATIONS} gc on i.kind = 'agent' \
                 and gc.resource_key = ra.resource_key and gc.seg_from <= i.start_ts \
                 and (gc.seg_to is null or i.start_ts < gc.seg_to) \
                 left join vx_irf_msf ms on ms.med_dsk = i.med_dsk \
                 and ms.med_partyid = i.med_partyid and i.kind <> 'mediation' \
                 {rq} \
                 left join vx_irf_ids f on f.root_data_source_key = i.root_data_source_key \
                 and f.interaction_guid = i.interaction_guid and f.irf_guid = i.from_irf_guid",
                ra = resource("ra", CFG_PERSON, "i.agentid"),
                rd = resource("rd", CFG_DN, "i.endpointid"),
                rv = resource("rv", CFG_DN, "i.last_vq_endpointid"),
                rm = resource("rm", CFG_DN, "i.med_endpointid"),
                rq = resource("rq", CFG_DN, "ms.msf_endpointid"),
            ),
        ),
        // The kept interactions' MSFs with their end and outcome codes.
        View::new(
            "vx_msf_kept",
            format!(
                "select v.*, \
                 case when v.target_id is not null \
                      then coalesce(v.target_answer_ts, v.target_end, v.left_ts) \
                      else coalesce(v.left_ts, v.start_ts) end as msf_end, \
                 case when v.calltype = {CALL_CONSULT} then 'RECEIVEDCONSULT' \
                      else 'RECEIVED' end as role_code, \
                 case when v.cause = {VQ_ABANDONED} then 'ABANDONED' \
                      when v.target_id is null then 'CLEARED' \
                      else 'DIVERTED' end as result_code, \
                 case when v.cause = {VQ_ABANDONED} then 'ABANDONEDWHILEQUEUED' \
                      when v.target_id is null then 'UNSPECIFIED' \
                      when v.target_answer_ts is not null then 'ANSWEREDBYAGENT' \
                      when v.target_result = 'Abandoned' then 'ABANDONEDWHILERINGING' \
                      else 'ROUTEONNOANSWER' end as reason_code \
                 from vx_msf v left join vx_discard d \
                 on d.root_data_source_key = v.root_data_source_key \
                 and d.interaction_guid = v.interaction_guid \
                 where d.interaction_guid is null"
            ),
        ),
        View::new(
            MSF,
            format!(
                "select m.mediation_segment_id, m.tenant_key, m.interaction_id, \
                 m.interaction_sdt_key, m.interaction_type_key, m.media_type_key, \
                 coalesce(r.resource_key, {UNKNOWN_KEY}) as resource_key, \
                 coalesce(td.technical_descriptor_key, {UNKNOWN_KEY}) as technical_descriptor_key, \
                 m.start_ts, m.msf_end as end_ts, date_time_key(m.start_ts) as start_date_time_key, \
                 date_time_key(m.msf_end) as end_date_time_key, \
                 coalesce(m.left_ts, m.start_ts) - m.start_ts as mediation_duration, \
                 m.interaction_guid as media_server_ixn_guid, \
                 coalesce(m.target_id, m.own_id) as ixn_resource_id, \
                 date_time_key(coalesce(m.target_start, m.own_start)) as ixn_resource_sdt_key, \
                 m.target_id as target_ixn_resource_id, \
                 date_time_key(m.target_start) as target_ixn_resource_sdt_key, \
                 0 as active_flag, 0 as purge_flag, \
                 m.audit_key as create_audit_key, m.audit_key as update_audit_key \
                 from vx_msf_kept m \
                 {r} \
                 left join {DESCRIPTORS} td on td.resource_role_code = m.role_code \
                 and td.role_reason_code = 'UNSPECIFIED' \
                 and td.technical_result_code = m.result_code \
                 and td.result_reason_code = m.reason_code",
                r = resource("r", CFG_DN, "m.endpointid"),
            ),
        ),
    ]
}
