//! One IRF per resource attempt (infomart.md §4.3–§4.6, §4.8): mediation before the
//! attempt, who sent the interaction, the technical descriptor, ordinals and the anchor.

use crate::transform::codes::*;
use crate::transform::inputs::{DESCRIPTORS, VIRTUAL_QUEUES};
use crate::transform::View;

use super::metrics::measure_columns;

/// The role of an IRF from its first leg and the mediation before it (§4.6).
const ROLE: &str = "case when o.kind = 'mediation' then 'Received' \
     when o.origin_kind = 'cons_rcv' then 'ReceivedConsult' \
     when o.prole = 1 then 'Initiated' \
     when o.parentlinktype = 2 then 'ReceivedTransfer' \
     when o.parentlinktype = 3 then 'InConference' \
     when md.med_type = 3 then 'DivertedTo' \
     when md.med_partyid is not null then 'RoutedTo' \
     else 'Received' end";

/// The technical result and its reason (§4.6), as two `case` expressions.
fn result_cases() -> (String, String) {
    let arms: [(&str, &str, &str); 8] = [
        ("o.kind = 'mediation'", "Abandoned", "AbandonedWhileQueued"),
        (
            &format!("o.last_event = {EVENT_TRANSFERRED}"),
            "Transferred",
            "Unspecified",
        ),
        ("o.conf_ts is not null", "Conferenced", "Unspecified"),
        (
            &format!("m.answer_ts is null and o.last_event = {EVENT_DIVERTED}"),
            "Redirected",
            "RouteOnNoAnswer",
        ),
        (
            &format!(
                "m.answer_ts is null and (o.last_event = {EVENT_FAILED} or m.saw_failed = 1 \
                 or f.dest_failed = 1)"
            ),
            "DestinationBusy",
            "Unspecified",
        ),
        (
            &format!("m.answer_ts is null and m.last_state = {STATE_ALERTING}"),
            "Abandoned",
            "AbandonedWhileRinging",
        ),
        (
            &format!("m.last_state = {STATE_HELD}"),
            "Abandoned",
            "AbandonedFromHold",
        ),
        ("true", "Completed", "Unspecified"),
    ];
    let result = arms
        .iter()
        .map(|(when, result, _)| format!("when {when} then '{result}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let reason = arms
        .iter()
        .map(|(when, _, reason)| format!("when {when} then '{reason}'"))
        .collect::<Vec<_>>()
        .join(" ");
    (format!("case {result} end"), format!("case {reason} end"))
}

/// The views of this module, in dependency order.
pub fn views() -> Vec<View> {
    let (result, reason) = result_cases();
    let measures = measure_columns()
        .iter()
        .map(|c| format!("coalesce(m.{c}, 0) as {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        View::new(
            "vx_vq",
            format!(
                "select v.data_source_key, v.id as vq_id, v.callid, v.partyid, v.endpointid, \
                 v.cause, v.created_ts, v.terminated_ts, c.interaction_guid, \
                 c.root_data_source_key, c.calltype \
                 from {VIRTUAL_QUEUES} v join vx_call c \
                 on v.data_source_key = c.data_source_key and v.callid = c.callid"
            ),
        ),
        View::new(
            "vx_irf_mediation",
            format!(
                "select x.root_data_source_key, x.interaction_guid, x.irf_guid, \
                 med.partyid as med_partyid, med.data_source_key as med_dsk, \
                 med.endpointid as med_endpointid, med.endpointtype as med_type, \
                 med.created_ts as med_from, med.terminated_ts as med_to, \
                 coalesce(q.vq_count, 0) + case when med.endpointtype = {DN_ACD_QUEUE} \
                      then 1 else 0 end as mediation_count, \
                 q.last_vq_endpointid \
                 from (select root_data_source_key, interaction_guid, irf_guid, data_source_key, \
                       case when kind = 'mediation' then partyid else parentpartyid end as med_party \
                       from vx_irf_origin) x \
                 join vx_party med on med.data_source_key = x.data_source_key \
                 and med.partyid = x.med_party and med.kind = 'mediation' \
                 left join (select data_source_key, partyid, count(*) as vq_count, \
                       first_value(endpointid order by created_ts desc, vq_id desc) \
                       as last_vq_endpointid from vx_vq group by data_source_key, partyid) q \
                 on q.data_source_key = med.data_source_key and q.partyid = med.partyid"
            ),
        ),
        View::new(
            "vx_irf_sender",
            "select o.root_data_source_key, o.interaction_guid, o.irf_guid, \
             min(coalesce(l1.irf_guid, l2.irf_guid)) as from_irf_guid \
             from vx_irf_origin o \
             join vx_party p1 on p1.data_source_key = o.data_source_key \
             and p1.partyid = o.parentpartyid \
             left join vx_leg l1 on l1.data_source_key = p1.data_source_key \
             and l1.partyid = p1.partyid and l1.kind <> 'mediation' \
             left join vx_leg l2 on p1.kind = 'mediation' \
             and l2.data_source_key = p1.data_source_key and l2.partyid = p1.parentpartyid \
             where coalesce(l1.irf_guid, l2.irf_guid) <> o.irf_guid \
             group by o.root_data_source_key, o.interaction_guid, o.irf_guid",
        ),
        View::new(
            "vx_irf",
            format!(
                "select o.root_data_source_key, o.interaction_guid, o.irf_guid, o.kind, \
                 o.data_source_key, o.agentid, o.endpointid, o.endpointdn, o.placeid, \
                 o.tenantid, o.first_created, o.released_ts, o.consults_initiated, \
                 coalesce(md.med_from, o.first_created) as start_ts, \
                 coalesce(o.released_ts, o.first_created) as end_ts, \
                 md.med_partyid, md.med_dsk, md.med_type, md.med_endpointid, md.med_from, \
                 md.med_to, coalesce(md.mediation_count, 0) as mediation_count, \
                 md.last_vq_endpointid, s.from_irf_guid, {measures}, \
                 coalesce(a.acw_count, 0) as acw_count, \
                 coalesce(a.acw_duration, 0) as acw_duration, \
                 m.customer_answer_ts, m.answer_ts, \
                 case when m.customer_answer_ts is not null then 1 else 0 end \
                      as customer_handle_count, \
                 case when o.conf_ts is not null then 1 else 0 end as conference_initiated_count, \
                 {ROLE} as resource_role, \
                 case when o.origin_kind = 'cons_rcv' and o.conference_joined = 1 \
                      then 'ConferenceJoined' else 'Unspecified' end as role_reason, \
                 {result} as technical_result, {reason} as result_reason \
                 from vx_irf_origin o \
                 left join vx_irf_metrics m on m.root_data_source_key = o.root_data_source_key \
                 and m.interaction_guid = o.interaction_guid and m.irf_guid = o.irf_guid \
                 left join vx_irf_acw a on a.root_data_source_key = o.root_data_source_key \
                 and a.interaction_guid = o.interaction_guid and a.irf_guid = o.irf_guid \
                 left join vx_irf_mediation md on md.root_data_source_key = o.root_data_source_key \
                 and md.interaction_guid = o.interaction_guid and md.irf_guid = o.irf_guid \
                 left join vx_irf_sender s on s.root_data_source_key = o.root_data_source_key \
                 and s.interaction_guid = o.interaction_guid and s.irf_guid = o.irf_guid \
                 left join vx_call_flags f on f.data_source_key = o.data_source_key \
                 and f.callid = o.callid"
            ),
        ),
        View::new(
            "vx_irf_ranked",
            format!(
                "select i.*, td.technical_descriptor_key, \
                 row_number() over (partition by i.root_data_source_key, i.interaction_guid \
                      order by i.start_ts, i.first_created, i.irf_guid) as ordinal, \
                 row_number() over (partition by i.root_data_source_key, i.interaction_guid \
                      order by i.end_ts desc, i.start_ts desc, i.irf_guid desc) as end_rank \
                 from vx_irf i left join {DESCRIPTORS} td \
                 on td.resource_role_code = upper(i.resource_role) \
                 and td.role_reason_code = upper(i.role_reason) \
                 and td.technical_result_code = upper(i.technical_result) \
                 and td.result_reason_code = upper(i.result_reason)"
            ),
        ),
        View::new(
            "vx_anchor",
            "select root_data_source_key, interaction_guid, \
             coalesce(min(case when customer_handle_count > 0 then ordinal end), \
                      min(case when end_rank = 1 then ordinal end)) as anchor_ordinal \
             from vx_irf_ranked group by root_data_source_key, interaction_guid",
        ),
    ]
}
