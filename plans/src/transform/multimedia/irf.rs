//! Multimedia IRFs (infomart.md §4.3–§4.6, §4.8, §4.9): one per agent party (an agent's
//! place receiving, pulling or originating the interaction, or inviting another agent into a
//! chat consultation or invited into one) and one per stay where the customer abandoned; the
//! stay that delivered it, its state measures, role, result and ordinal.

use crate::transform::codes::*;
use crate::transform::inputs::DESCRIPTORS;
use crate::transform::{count_if, sum_if, View};

use super::stop::STOPPERS;
use super::threads::CONFERENCES;
use super::vq::IRF_VQ;

/// Party states a family measures: state code and column stem.
type States = &'static [(i32, &'static str)];

/// Ringing, talking and holding.
const RECEIVER_STATES: States = &[
    (STATE_ALERTING, "ring"),
    (STATE_CONNECTED, "talk"),
    (STATE_HELD, "hold"),
];

/// Dialing (waiting for the invited agent), talking and holding.
const INITIATOR_STATES: States = &[
    (STATE_DIALING, "dial"),
    (STATE_CONNECTED, "talk"),
    (STATE_HELD, "hold"),
];

/// Talking and holding.
const CONFERENCE_STATES: States = &[(STATE_CONNECTED, "talk"), (STATE_HELD, "hold")];

/// Column prefixes of the measure families, the segments each counts and their states: the
/// resource's own time by context (§4.5: primary, a chat consultation it initiated or
/// received, the chat after the consultation became a transfer or conference, its own chat
/// in a conference it set up), then the customer overlay (the customer is on every inbound
/// or outbound multimedia interaction, never on a consultation).
const FAMILIES: [(&str, &str, States); 7] = [
    ("", "leg_context = 'primary'", RECEIVER_STATES),
    ("cons_init_", "leg_context = 'cons_init'", INITIATOR_STATES),
    ("cons_rcv_", "leg_context = 'cons_rcv'", RECEIVER_STATES),
    (
        "post_cons_xfer_",
        "leg_context = 'post_xfer'",
        RECEIVER_STATES,
    ),
    ("conf_init_", "leg_context = 'conf_init'", CONFERENCE_STATES),
    ("conf_join_", "leg_context = 'conf_join'", RECEIVER_STATES),
    ("customer_", "cust_present", RECEIVER_STATES),
];

/// The families of the resource's own time: all but the customer overlay.
const OWN_TIME: usize = FAMILIES.len() - 1;

/// The measure columns `mx_irf_metrics` produces and the IRF output carries.
pub fn measure_columns() -> Vec<String> {
    FAMILIES
        .iter()
        .flat_map(|(prefix, _, states)| {
            states.iter().flat_map(move |(_, stem)| {
                [
                    format!("{prefix}{stem}_count"),
                    format!("{prefix}{stem}_duration"),
                ]
            })
        })
        .collect()
}

/// Whether the `mx_segment` row `segment` is in a state one of the IRF's families measures
/// in the segment's context.
pub fn measured_segment(segment: &str) -> String {
    let families: Vec<String> = FAMILIES[..OWN_TIME]
        .iter()
        .map(|(_, filter, states)| {
            let states: Vec<String> = states.iter().map(|(state, _)| state.to_string()).collect();
            format!(
                "({segment}.{filter} and {segment}.state in ({}))",
                states.join(", ")
            )
        })
        .collect();
    families.join(" or ")
}

/// The measures as `<expr> as <column>` items over `mx_segment`.
fn measures() -> Vec<String> {
    let mut items = Vec::new();
    for (prefix, filter, states) in FAMILIES {
        for &(state, stem) in states {
            let cond = format!("{filter} and state = {state}");
            items.push(format!(
                "{} as {prefix}{stem}_count",
                count_if(&format!("{cond} and entered"))
            ));
            items.push(format!(
                "{} as {prefix}{stem}_duration",
                sum_if(&cond, "dur")
            ));
        }
    }
    items
}

/// The role of an IRF from its party and the stay that delivered it (§4.6, §4.9): the
/// originator of a consultation call initiated the consultation, an agent invited into it
/// received it.
const ROLE: &str = "case when l.kind = 'mediation' then 'Received' \
     when l.prole = 1 and l.calltype = 4 then 'InitiatedConsult' \
     when l.prole = 1 then 'Initiated' \
     when l.parent_kind = 'agent' and l.parentlinktype = 1 then 'ReceivedConsult' \
     when l.parent_kind = 'agent' and l.parentlinktype = 2 then 'ReceivedTransfer' \
     when st.kind = 'workbin' then 'Puller' \
     when st.stay_id is not null or l.parent_kind = 'strategy' then 'RoutedTo' \
     else 'Received' end";

/// The technical result and its reason (§4.6), as two `case` expressions.
fn result_cases() -> (String, String) {
    let arms: [(String, &str, &str); 9] = [
        (
            "l.kind = 'mediation'".into(),
            "Abandoned",
            "AbandonedWhileQueued",
        ),
        ("l.end_ts is null".into(), "Unspecified", "Unspecified"),
        ("sp.into_stop_queue = 1".into(), "Completed", "Unspecified"),
        (
            format!("l.ccevent = {EVENT_TRANSFERRED}"),
            "Transferred",
            "Unspecified",
        ),
        (
            format!("l.ccevent = {EVENT_CONFERENCED}"),
            "Conferenced",
            "Unspecified",
        ),
        ("dw.irf_guid is not null".into(), "Deferred", "Unspecified"),
        (
            format!("m.answer_ts is null and l.ccevent = {EVENT_DIVERTED}"),
            "Redirected",
            "RouteOnNoAnswer",
        ),
        (
            format!("m.answer_ts is null and m.last_state = {STATE_ALERTING}"),
            "Abandoned",
            "AbandonedWhileRinging",
        ),
        ("true".into(), "Completed", "Unspecified"),
    ];
    let result: Vec<String> = arms
        .iter()
        .map(|(when, result, _)| format!("when {when} then '{result}'"))
        .collect();
    let reason: Vec<String> = arms
        .iter()
        .map(|(when, _, reason)| format!("when {when} then '{reason}'"))
        .collect();
    (
        format!("case {} end", result.join(" ")),
        format!("case {} end", reason.join(" ")),
    )
}

/// The views of this module, in dependency order.
pub fn views() -> Vec<View> {
    let (result, reason) = result_cases();
    let measured = measure_columns()
        .iter()
        .map(|c| format!("coalesce(m.{c}, 0) as {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        View::new(
            "mx_irf_metrics",
            format!(
                "select irf_guid, {measures}, \
                 min(case when state = {STATE_CONNECTED} then t0 end) as answer_ts, \
                 min(case when state = {STATE_CONNECTED} and cust_present then t0 end) \
                      as customer_answer_ts, \
                 first_value(state order by t0 desc) as last_state \
                 from mx_segment group by irf_guid",
                measures = measures().join(", ")
            ),
        ),
        // The end of each agent IRF (open while one of its parties is), the CCEvent of its
        // last party, and whether it joined a conference (a party moved in by one).
        View::new(
            "mx_irf_span",
            format!(
                "select irf_guid, \
                 case when count(end_ts) < count(*) then null else max(end_ts) end as end_ts, \
                 first_value(ccevent order by created_ts desc, partyid desc) as ccevent, \
                 max(case when partyid <> irf_guid and parentlinktype = {LINK_CONFERENCE} \
                     then 1 else 0 end) as conference_joined \
                 from mx_party where kind = 'agent' group by irf_guid"
            ),
        ),
        // Each IRF's first party, with the end and last CCEvent of all its parties.
        View::new(
            "mx_leg",
            format!(
                "select d.if_guid, d.irf_guid, 'agent' as kind, d.callid, d.agentid, \
                 d.placeid, d.endpointdn, d.prole, d.parentlinktype, d.parent_kind, sp.ccevent, \
                 d.created_ts as first_created, sp.end_ts, d.stay_id, d.from_irf_guid, \
                 d.calltype, sp.conference_joined \
                 from mx_delivery d join mx_irf_span sp on sp.irf_guid = d.irf_guid \
                 union all \
                 select s.if_guid, s.stay_id as irf_guid, 'mediation', s.callid, 0, \
                 cast(null as int), s.endpointdn, 0, s.parentlinktype, cast(null as varchar), \
                 {EVENT_ABANDONED}, s.start_ts, s.left_ts, s.stay_id, cast(null as varchar), \
                 cast(null as int), 0 from mx_stay s where s.abandoned = 1"
            ),
        ),
        View::new(
            "mx_irf",
            format!(
                "select l.*, coalesce(st.start_ts, l.first_created) as start_ts, \
                 st.start_ts as stay_start, \
                 case when st.stay_id is not null then 1 else 0 end \
                      + coalesce(vq.vq_count, 0) as mediation_count, \
                 vq.last_vq_resource_key, coalesce(sp.stop_action, 0) as stop_action, \
                 l.first_created - coalesce(st.start_ts, l.first_created) as mediation_duration, \
                 {measured}, m.answer_ts, m.customer_answer_ts, \
                 case when m.customer_answer_ts is not null then 1 else 0 end \
                      as customer_handle_count, \
                 {ROLE} as resource_role, \
                 case when l.conference_joined = 1 and l.calltype = {CALL_CONSULT} \
                      then 'ConferenceJoined' \
                      else 'Unspecified' end as role_reason, \
                 case when cf.conf_ts is not null then 1 else 0 end \
                      as conference_initiated_count, \
                 {result} as technical_result, {reason} as result_reason \
                 from mx_leg l left join mx_stay st on st.stay_id = l.stay_id \
                 left join mx_irf_metrics m on m.irf_guid = l.irf_guid \
                 left join {IRF_VQ} vq on vq.irf_guid = l.irf_guid \
                 left join {STOPPERS} sp on sp.irf_guid = l.irf_guid \
                 left join {CONFERENCES} cf on cf.irf_guid = l.irf_guid \
                 left join (select distinct a.irf_guid from mx_party w \
                            join mx_party a on a.partyid = w.parentpartyid \
                            where w.kind = 'workbin') dw \
                 on dw.irf_guid = l.irf_guid and l.kind = 'agent'"
            ),
        ),
        View::new(
            "mx_irf_ranked",
            format!(
                "select i.*, td.technical_descriptor_key, \
                 row_number() over (partition by i.if_guid \
                      order by i.start_ts, i.first_created, i.irf_guid) as ordinal, \
                 row_number() over (partition by i.if_guid \
                      order by coalesce(i.end_ts, 2147483647) desc, i.start_ts desc, \
                      i.irf_guid desc) as end_rank \
                 from mx_irf i left join {DESCRIPTORS} td \
                 on td.resource_role_code = upper(i.resource_role) \
                 and td.role_reason_code = upper(i.role_reason) \
                 and td.technical_result_code = upper(i.technical_result) \
                 and td.result_reason_code = upper(i.result_reason)"
            ),
        ),
    ]
}
