//! IRF measures from the leg segments (infomart.md §4.5): each segment adds its seconds
//! (and one entry, when the state was entered) to the family of its context, and to the
//! customer overlay while the customer is on the call; after-call work follows the release
//! (`vx_irf_acw_interval`: the agent's after-call-work intervals credited to each IRF).

use crate::transform::codes::*;
use crate::transform::{count_if, sum_if, View};

/// Party states a family measures: (state code, column stem).
type States = &'static [(i32, &'static str)];

/// Context of a segment → IRF column prefix and the party states it measures.
const FAMILIES: &[(&str, &str, States)] = &[
    (
        "primary",
        "",
        &[
            (STATE_DIALING, "DIAL"),
            (STATE_ALERTING, "RING"),
            (STATE_CONNECTED, "TALK"),
            (STATE_HELD, "HOLD"),
        ],
    ),
    (
        "cons_init",
        "CONS_INIT_",
        &[
            (STATE_DIALING, "DIAL"),
            (STATE_CONNECTED, "TALK"),
            (STATE_HELD, "HOLD"),
        ],
    ),
    (
        "cons_rcv",
        "CONS_RCV_",
        &[
            (STATE_ALERTING, "RING"),
            (STATE_CONNECTED, "TALK"),
            (STATE_HELD, "HOLD"),
        ],
    ),
    (
        "post_xfer",
        "POST_CONS_XFER_",
        &[
            (STATE_ALERTING, "RING"),
            (STATE_CONNECTED, "TALK"),
            (STATE_HELD, "HOLD"),
        ],
    ),
    (
        "conf_init",
        "CONF_INIT_",
        &[(STATE_CONNECTED, "TALK"), (STATE_HELD, "HOLD")],
    ),
    (
        "conf_join",
        "CONF_JOIN_",
        &[
            (STATE_ALERTING, "RING"),
            (STATE_CONNECTED, "TALK"),
            (STATE_HELD, "HOLD"),
        ],
    ),
];

/// States of the customer overlay.
const CUSTOMER_STATES: [(i32, &str); 4] = [
    (STATE_DIALING, "DIAL"),
    (STATE_ALERTING, "RING"),
    (STATE_CONNECTED, "TALK"),
    (STATE_HELD, "HOLD"),
];

/// The per-IRF segment measures, as `<expr> as <column>` items (lower-case names).
fn segment_measures() -> Vec<String> {
    let mut items = Vec::new();
    for (ctx, prefix, states) in FAMILIES {
        for (state, name) in *states {
            let cond = format!("ctx = '{ctx}' and state = {state}");
            let column = format!("{prefix}{name}").to_ascii_lowercase();
            items.push(format!(
                "{} as {column}_count",
                count_if(&format!("{cond} and entered"))
            ));
            items.push(format!("{} as {column}_duration", sum_if(&cond, "dur")));
        }
    }
    for (state, name) in CUSTOMER_STATES {
        let column = format!("customer_{}", name.to_ascii_lowercase());
        items.push(format!(
            "{} as {column}_count",
            count_if(&format!("state = {state} and entered and cust_present"))
        ));
        items.push(format!(
            "{} as {column}_duration",
            sum_if(&format!("state = {state}"), "cust_dur")
        ));
    }
    items
}

/// Names of the measure columns [`views`] produce in `vx_irf_metrics` and `vx_irf_acw`.
pub fn measure_columns() -> Vec<String> {
    let mut columns = Vec::new();
    for (_, prefix, states) in FAMILIES {
        for (_, name) in *states {
            let column = format!("{prefix}{name}").to_ascii_lowercase();
            columns.push(format!("{column}_count"));
            columns.push(format!("{column}_duration"));
        }
    }
    for (_, name) in CUSTOMER_STATES {
        let column = format!("customer_{}", name.to_ascii_lowercase());
        columns.push(format!("{column}_count"));
        columns.push(format!("{column}_duration"));
    }
    columns
}

/// Whether the `vx_segment` row `segment` is one some family of [`FAMILIES`] measures: the
/// seconds an IRF's duration columns add up.
pub fn measured_segment(segment: &str) -> String {
    FAMILIES
        .iter()
        .map(|(ctx, _, states)| {
            let codes: Vec<String> = states.iter().map(|(state, _)| state.to_string()).collect();
            format!(
                "({segment}.ctx = '{ctx}' and {segment}.state in ({}))",
                codes.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Condition on an IRF row `i` (of `vx_irf`): its after-call work belongs to a consultation
/// that never reached the customer (`CONS_RCV_ACW_*`) rather than to `AFTER_CALL_WORK_*`.
pub const CONSULT_ONLY_ACW: &str =
    "(i.resource_role = 'ReceivedConsult' and i.customer_handle_count = 0)";

/// The views of this module, in dependency order.
pub fn views() -> Vec<View> {
    vec![
        View::new(
            "vx_irf_metrics",
            format!(
                "select root_data_source_key, interaction_guid, irf_guid, {measures}, \
                 min(case when state = {STATE_CONNECTED} and (cust_present or cust_dur > 0) \
                     then t0 end) as customer_answer_ts, \
                 min(case when state = {STATE_CONNECTED} then t0 end) as answer_ts, \
                 max(case when state = {STATE_FAILED} then 1 else 0 end) as saw_failed, \
                 first_value(state order by t1 desc, t0 desc) as last_state \
                 from vx_segment group by root_data_source_key, interaction_guid, irf_guid",
                measures = segment_measures().join(", ")
            ),
        ),
        View::new(
            "vx_irf_acw_interval",
            "select o.root_data_source_key, o.interaction_guid, o.irf_guid, a.acw_from, a.acw_to \
             from vx_irf_origin o join vx_acw a on o.agentid = a.agentid \
             and a.acw_from >= o.released_ts and a.acw_from <= o.released_ts + 1 \
             where o.kind = 'agent'",
        ),
        View::new(
            "vx_irf_acw",
            "select root_data_source_key, interaction_guid, irf_guid, \
             cast(count(acw_from) as bigint) as acw_count, \
             cast(coalesce(sum(acw_to - acw_from), 0) as bigint) as acw_duration \
             from vx_irf_acw_interval \
             group by root_data_source_key, interaction_guid, irf_guid",
        ),
    ]
}
