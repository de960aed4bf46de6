//! IXN_RESOURCE_STATE_FACT (infomart.md §2.4, §4.12): the interaction-related states of
//! every agent IRF — Initiate (dialing), Alert, Connect and Hold on each of its legs, and
//! Wrap for the after-call work credited to the IRF — keyed by state, role and descriptor
//! (§3.16). A state row covers exactly seconds that the IRF's duration columns count, so per
//! IRF the rows of a state add up to the IRF's durations of that state.

use crate::transform::codes::*;
use crate::transform::inputs::{IDS, IXN_RESOURCE_STATES};
use crate::transform::View;

use super::facts::IRF;
use super::metrics::{measured_segment, CONSULT_ONLY_ACW};

/// Output view of IXN_RESOURCE_STATE_FACT rows.
pub const IXN_RESOURCE_STATE_FACT: &str = "voice_ixn_resource_state_fact";

/// Party state → STATE_NAME_CODE. The role is implied by two of them: only the initiator of
/// a leg dials, only its receiver is alerted.
const STATE_NAMES: [(i32, &str, Option<&str>); 4] = [
    (STATE_DIALING, "INITIATE", Some("INITIATOR")),
    (STATE_ALERTING, "ALERT", Some("RECEIVER")),
    (STATE_CONNECTED, "CONNECT", None),
    (STATE_HELD, "HOLD", None),
];

/// Segment context (§4.5) → STATE_ROLE_CODE (`None`: the IRF's own role, [`IRF_ROLE`]) and
/// STATE_DESCRIPTOR_CODE.
const CONTEXTS: [(&str, Option<&str>, &str); 6] = [
    ("primary", None, "CUSTOMER"),
    ("cons_init", Some("INITIATOR"), "CONSULT"),
    ("cons_rcv", Some("RECEIVER"), "CONSULT"),
    ("post_xfer", Some("RECEIVER"), "CUSTOMER"),
    ("conf_init", Some("INITIATOR"), "CONFERENCE"),
    ("conf_join", Some("RECEIVER"), "CONFERENCE"),
];

/// The role of an IRF row `i` in its own interaction: initiator of one it started.
const IRF_ROLE: &str =
    "case when i.resource_role = 'Initiated' then 'INITIATOR' else 'RECEIVER' end";

/// `case` over `column` with one arm per `(value, result)`; `None` results fall to `other`.
fn case_of(
    column: &str,
    arms: impl Iterator<Item = (String, Option<&'static str>)>,
    other: &str,
) -> String {
    let arms: Vec<String> = arms
        .filter_map(|(value, result)| result.map(|r| format!("when {value} then '{r}'")))
        .collect();
    format!("case {column} {} else {other} end", arms.join(" "))
}

/// The views of this module, in dependency order.
pub fn views() -> Vec<View> {
    let state_code = case_of(
        "s.state",
        STATE_NAMES
            .iter()
            .map(|(s, name, _)| (s.to_string(), Some(*name))),
        "null",
    );
    let context_role = case_of(
        "s.ctx",
        CONTEXTS
            .iter()
            .map(|(c, role, _)| (format!("'{c}'"), *role)),
        IRF_ROLE,
    );
    let role_code = case_of(
        "s.state",
        STATE_NAMES
            .iter()
            .map(|(s, _, role)| (s.to_string(), *role)),
        &context_role,
    );
    let descriptor_code = case_of(
        "s.ctx",
        CONTEXTS
            .iter()
            .map(|(c, _, d)| (format!("'{c}'"), Some(*d))),
        "null",
    );
    let measured = measured_segment("s");
    // A leg's consecutive segments of one state, role and descriptor are one state row.
    let same = |column: &str| {
        format!(
            "(lag(x.{column}) over (partition by x.data_source_key, x.partyid \
             order by x.t0, x.pseq) is not distinct from x.{column})"
        )
    };
    vec![
        View::new(
            "vx_state_segment",
            format!(
                "select s.root_data_source_key, s.interaction_guid, s.irf_guid, \
                 s.data_source_key, s.partyid, s.pseq, s.t0, s.t1, \
                 case when {measured} then {state_code} end as state_code, \
                 {role_code} as role_code, {descriptor_code} as descriptor_code \
                 from vx_segment s join vx_irf_kept i \
                 on i.root_data_source_key = s.root_data_source_key \
                 and i.interaction_guid = s.interaction_guid and i.irf_guid = s.irf_guid \
                 where i.kind = 'agent'"
            ),
        ),
        View::new(
            "vx_state_island",
            format!(
                "select g.*, sum(case when g.continues then 0 else 1 end) over \
                 (partition by g.data_source_key, g.partyid order by g.t0, g.pseq \
                  rows between unbounded preceding and current row) as island \
                 from (select x.*, ({} and {} and {}) as continues \
                       from vx_state_segment x) g",
                same("state_code"),
                same("role_code"),
                same("descriptor_code"),
            ),
        ),
        View::new(
            "vx_state",
            format!(
                "select g.root_data_source_key, g.interaction_guid, g.irf_guid, g.state_code, \
                 g.role_code, g.descriptor_code, min(g.t0) as start_ts, max(g.t1) as end_ts, \
                 g.data_source_key as leg_source, g.partyid as leg_party, g.island \
                 from vx_state_island g where g.state_code is not null \
                 group by g.root_data_source_key, g.interaction_guid, g.irf_guid, g.state_code, \
                 g.role_code, g.descriptor_code, g.data_source_key, g.partyid, g.island \
                 union all \
                 select a.root_data_source_key, a.interaction_guid, a.irf_guid, 'WRAP', \
                 {IRF_ROLE}, case when {CONSULT_ONLY_ACW} then 'CONSULT' else 'CUSTOMER' end, \
                 a.acw_from, a.acw_to, 0, '', 0 \
                 from vx_irf_acw_interval a join vx_irf_kept i \
                 on i.root_data_source_key = a.root_data_source_key \
                 and i.interaction_guid = a.interaction_guid and i.irf_guid = a.irf_guid"
            ),
        ),
        View::new(
            IXN_RESOURCE_STATE_FACT,
            format!(
                "select ids.next_state_fact_key + row_number() over (order by \
                      f.interaction_resource_id, s.start_ts, s.end_ts, s.state_code, \
                      s.leg_source, s.leg_party, s.island) - 1 as ixn_resource_state_fact_key, \
                 f.tenant_key, f.media_type_key, f.resource_key, f.media_resource_key, \
                 f.place_key, \
                 coalesce(st.interaction_resource_state_key, {UNKNOWN_KEY}) \
                      as interaction_resource_state_key, \
                 f.interaction_type_key, f.interaction_resource_id, \
                 f.start_date_time_key as interaction_resource_sdt_key, \
                 s.start_ts, s.end_ts, date_time_key(s.start_ts) as start_date_time_key, \
                 date_time_key(s.end_ts) as end_date_time_key, \
                 s.end_ts - s.start_ts as total_duration, \
                 least(s.end_ts, date_time_key(s.start_ts) + 900) - s.start_ts \
                      as lead_clip_duration, \
                 case when date_time_key(s.end_ts) <> date_time_key(s.start_ts) \
                      then s.end_ts - date_time_key(s.end_ts) else s.end_ts - s.start_ts end \
                      as trail_clip_duration, \
                 0 as active_flag, 0 as purge_flag, \
                 ids.audit_key as create_audit_key, ids.audit_key as update_audit_key \
                 from vx_state s join vx_irf_kept i \
                 on i.root_data_source_key = s.root_data_source_key \
                 and i.interaction_guid = s.interaction_guid and i.irf_guid = s.irf_guid \
                 join {IRF} f on f.interaction_resource_id = i.interaction_resource_id \
                 cross join {IDS} ids \
                 left join {IXN_RESOURCE_STATES} st on st.state_name_code = s.state_code \
                 and st.state_role_code = s.role_code \
                 and st.state_descriptor_code = s.descriptor_code"
            ),
        ),
    ]
}
