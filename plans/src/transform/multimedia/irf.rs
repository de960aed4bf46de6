//! Multimedia IRFs (infomart.md §4.3–§4.6, §4.8): one per agent party (an agent's place
//! receiving, pulling or originating the interaction) and one per stay where the customer
//! abandoned; the stay that delivered it, its state measures, role, result and ordinal.

use crate::transform::codes::*;
use crate::transform::inputs::DESCRIPTORS;
use crate::transform::{count_if, sum_if, View};

/// Party states an IRF measures: state code and column stem.
const STATES: [(i32, &str); 3] = [
    (STATE_ALERTING, "ring"),
    (STATE_CONNECTED, "talk"),
    (STATE_HELD, "hold"),
];

/// Column prefixes of the measure families and the segments each counts: the resource's
/// own time, and the customer overlay (the customer is on every inbound or outbound
/// multimedia interaction).
const FAMILIES: [(&str, &str); 2] = [("", "true"), ("customer_", "cust_present")];

/// The measure columns `mx_irf_metrics` produces and the IRF output carries.
pub fn measure_columns() -> Vec<String> {
    FAMILIES
        .iter()
        .flat_map(|(prefix, _)| {
            STATES.iter().flat_map(move |(_, stem)| {
                [
                    format!("{prefix}{stem}_count"),
                    format!("{prefix}{stem}_duration"),
                ]
            })
        })
        .collect()
}

/// Whether the `mx_segment` row `segment` is in a state the IRF measures.
pub fn measured_segment(segment: &str) -> String {
    let states: Vec<String> = STATES.iter().map(|(state, _)| state.to_string()).collect();
    format!("{segment}.state in ({})", states.join(", "))
}

/// The measures as `<expr> as <column>` items over `mx_segment`.
fn measures() -> Vec<String> {
    let mut items = Vec::new();
    for (prefix, filter) in FAMILIES {
        for (state, stem) in STATES {
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

/// The role of an IRF from its party and the stay that delivered it (§4.6).
const ROLE: &str = "case when l.kind = 'mediation' then 'Received' \
     when l.prole = 1 then 'Initiated' \
     when l.parent_kind = 'agent' and l.parentlinktype = 2 then 'ReceivedTransfer' \
     when st.kind = 'workbin' then 'Puller' \
     when st.stay_id is not null or l.parent_kind = 'strategy' then 'RoutedTo' \
     else 'Received' end";

/// The technical result and its reason (§4.6), as two `case` expressions.
fn result_cases() -> (String, String) {
    let arms: [(String, &str, &str); 7] = [
        (
            "l.kind = 'mediation'".into(),
            "Abandoned",
            "AbandonedWhileQueued",
        ),
        ("l.end_ts is null".into(), "Unspecified", "Unspecified"),
        (
            format!("l.ccevent = {EVENT_TRANSFERRED}"),
            "Transferred",
            "Unspecified",
        ),
        (
            "dw.parentpartyid is not null".into(),
            "Deferred",
            "Unspecified",
        ),
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
        View::new(
            "mx_leg",
            format!(
                "select if_guid, partyid as irf_guid, 'agent' as kind, callid, agentid, \
                 placeid, endpointdn, prole, parentlinktype, parent_kind, ccevent, \
                 created_ts as first_created, end_ts, stay_id, from_partyid from mx_delivery \
                 union all \
                 select s.if_guid, s.stay_id as irf_guid, 'mediation', s.callid, 0, \
                 cast(null as int), s.endpointdn, 0, s.parentlinktype, cast(null as varchar), \
                 {EVENT_ABANDONED}, s.start_ts, s.left_ts, s.stay_id, cast(null as varchar) \
                 from mx_stay s where s.abandoned = 1"
            ),
        ),
        View::new(
            "mx_irf",
            format!(
                "select l.*, coalesce(st.start_ts, l.first_created) as start_ts, \
                 st.start_ts as stay_start, \
                 case when st.stay_id is not null then 1 else 0 end as mediation_count, \
                 l.first_created - coalesce(st.start_ts, l.first_created) as mediation_duration, \
                 {measured}, m.answer_ts, m.customer_answer_ts, \
                 case when m.customer_answer_ts is not null then 1 else 0 end \
                      as customer_handle_count, \
                 {ROLE} as resource_role, 'Unspecified' as role_reason, \
                 {result} as technical_result, {reason} as result_reason \
                 from mx_leg l left join mx_stay st on st.stay_id = l.stay_id \
                 left join mx_irf_metrics m on m.irf_guid = l.irf_guid \
                 left join (select distinct parentpartyid from mx_party where kind = 'workbin') dw \
                 on dw.parentpartyid = l.irf_guid and l.kind = 'agent'"
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
