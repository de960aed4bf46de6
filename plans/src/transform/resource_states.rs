//! IXN_RESOURCE_STATE_FACT (infomart.md §2.4, §4.12): the interaction-related states of
//! every agent IRF — Initiate (dialing), Alert, Connect and Hold on each of its legs, plus
//! the complete rows a stream adds (voice Wrap) — keyed by state, role and descriptor
//! (§3.16). A state row covers exactly seconds that the IRF's duration columns count, so per
//! IRF the rows of a state add up to the IRF's durations of that state.
//!
//! Each stream describes its segments in a [`StateSource`]; the views cutting them into
//! state rows are the same for voice and multimedia.

use tidemark_schemas::version::SENTINEL_DATE_TIME_KEY;

use crate::transform::codes::*;
use crate::transform::inputs::{IDS, IXN_RESOURCE_STATES};
use crate::transform::View;

/// Party state → STATE_NAME_CODE. The role is implied by two of them: only the initiator of
/// a leg dials, only its receiver is alerted.
const STATE_NAMES: [(i32, &str, Option<&str>); 4] = [
    (STATE_DIALING, "INITIATE", Some("INITIATOR")),
    (STATE_ALERTING, "ALERT", Some("RECEIVER")),
    (STATE_CONNECTED, "CONNECT", None),
    (STATE_HELD, "HOLD", None),
];

/// Segment context (§4.5) → STATE_ROLE_CODE (`None`: the IRF's own role, [`irf_role`]) and
/// STATE_DESCRIPTOR_CODE.
const CONTEXTS: [(&str, Option<&str>, &str); 6] = [
    ("primary", None, "CUSTOMER"),
    ("cons_init", Some("INITIATOR"), "CONSULT"),
    ("cons_rcv", Some("RECEIVER"), "CONSULT"),
    ("post_xfer", Some("RECEIVER"), "CUSTOMER"),
    ("conf_init", Some("INITIATOR"), "CONFERENCE"),
    ("conf_join", Some("RECEIVER"), "CONFERENCE"),
];

/// The STATE_ROLE_CODE of an IRF in its own interaction, from the `resource_role` of row
/// `alias`: initiator of one it started.
pub fn irf_role(alias: &str) -> String {
    format!("case when {alias}.resource_role = 'Initiated' then 'INITIATOR' else 'RECEIVER' end")
}

/// What a stream gives the state views.
pub struct StateSource {
    /// Prefix of the intermediate views (`vx`, `mx`).
    pub prefix: &'static str,
    /// The agent IRFs' state segments, one per party-history row of each leg:
    /// `interaction_resource_id`, `resource_role` (of the IRF), `leg_source`, `leg_party`
    /// (the leg), `pseq`, `t0`, `t1`, `state`, `ctx` (§4.5 context), `measured` (whether the
    /// IRF's duration columns count the segment) and `open` (the leg is still in it; `t1`
    /// is then the chunk's horizon).
    pub segments: String,
    /// Further complete rows: `interaction_resource_id`, `state_code`, `role_code`,
    /// `descriptor_code`, `start_ts`, `end_ts`.
    pub extra: Option<String>,
    /// The stream's INTERACTION_RESOURCE_FACT output view.
    pub irf: &'static str,
    /// The Info Mart's state rows of the chunk's IRFs (`ixn_resource_state_fact_key`,
    /// `interaction_resource_id`, `interaction_resource_state_key`, `start_ts`), whose keys
    /// rows written again keep; `None` when every row is new.
    pub known: Option<&'static str>,
    /// Name of the IXN_RESOURCE_STATE_FACT output view.
    pub output: &'static str,
}

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

/// The state code, role code and descriptor code of a segment row `s`.
fn codes() -> (String, String, String) {
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
        &irf_role("s"),
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
    (state_code, role_code, descriptor_code)
}

/// The key of each state row: the known key of the same IRF, state and start (the n-th of
/// equal ones), else the next after the greatest in use.
fn key_sql(source: &StateSource, order: &str) -> (String, String) {
    match source.known {
        None => (
            format!("ids.next_state_fact_key + row_number() over (order by {order}) - 1"),
            String::new(),
        ),
        Some(known) => (
            format!(
                "coalesce(k.ixn_resource_state_fact_key, \
                 greatest(ids.next_state_fact_key, kb.max_key + 1) + row_number() over \
                 (partition by case when k.ixn_resource_state_fact_key is null then 0 else 1 \
                 end order by {order}) - 1)"
            ),
            format!(
                "cross join (select coalesce(max(ixn_resource_state_fact_key), 0) as max_key \
                 from {known}) kb \
                 left join (select k.*, row_number() over (partition by \
                      k.interaction_resource_id, k.interaction_resource_state_key, k.start_ts \
                      order by k.ixn_resource_state_fact_key) as dup_no from {known} k) k \
                 on k.interaction_resource_id = f.interaction_resource_id \
                 and k.interaction_resource_state_key = s.state_key \
                 and k.start_ts = s.start_ts and k.dup_no = s.dup_no"
            ),
        ),
    }
}

/// The views of a stream's states, in dependency order.
pub fn views(source: &StateSource) -> Vec<View> {
    let p = source.prefix;
    let (state_code, role_code, descriptor_code) = codes();
    // A leg's consecutive segments of one state, role and descriptor are one state row.
    let same = |column: &str| {
        format!(
            "(lag(x.{column}) over (partition by x.leg_source, x.leg_party \
             order by x.t0, x.pseq) is not distinct from x.{column})"
        )
    };
    let extra = source
        .extra
        .as_ref()
        .map(|sql| {
            format!(
                " union all select e.interaction_resource_id, e.state_code, e.role_code, \
                 e.descriptor_code, e.start_ts, e.end_ts, false, 0, '', 0 from ({sql}) e"
            )
        })
        .unwrap_or_default();
    let order = "f.interaction_resource_id, s.start_ts, s.end_ts, s.state_code, \
                 s.leg_source, s.leg_party, s.island";
    let (key, known_join) = key_sql(source, order);
    let end = "case when s.open then null else s.end_ts end";
    vec![
        View::new(
            format!("{p}_state_segment"),
            format!(
                "select s.interaction_resource_id, s.leg_source, s.leg_party, s.pseq, \
                 s.t0, s.t1, s.open, \
                 case when s.measured then {state_code} end as state_code, \
                 {role_code} as role_code, {descriptor_code} as descriptor_code \
                 from ({segments}) s",
                segments = source.segments,
            ),
        ),
        View::new(
            format!("{p}_state_island"),
            format!(
                "select g.*, sum(case when g.continues then 0 else 1 end) over \
                 (partition by g.leg_source, g.leg_party order by g.t0, g.pseq \
                  rows between unbounded preceding and current row) as island \
                 from (select x.*, ({} and {} and {}) as continues \
                       from {p}_state_segment x) g",
                same("state_code"),
                same("role_code"),
                same("descriptor_code"),
            ),
        ),
        View::new(
            format!("{p}_state"),
            format!(
                "select g.interaction_resource_id, g.state_code, g.role_code, \
                 g.descriptor_code, min(g.t0) as start_ts, max(g.t1) as end_ts, \
                 bool_or(g.open) as open, g.leg_source, g.leg_party, g.island \
                 from {p}_state_island g where g.state_code is not null \
                 group by g.interaction_resource_id, g.state_code, g.role_code, \
                 g.descriptor_code, g.leg_source, g.leg_party, g.island{extra}"
            ),
        ),
        View::new(
            format!("{p}_state_keyed"),
            format!(
                "select s.*, coalesce(st.interaction_resource_state_key, {UNKNOWN_KEY}) \
                      as state_key, \
                 row_number() over (partition by s.interaction_resource_id, \
                      st.interaction_resource_state_key, s.start_ts \
                      order by s.end_ts, s.leg_source, s.leg_party, s.island) as dup_no \
                 from {p}_state s \
                 left join {IXN_RESOURCE_STATES} st on st.state_name_code = s.state_code \
                 and st.state_role_code = s.role_code \
                 and st.state_descriptor_code = s.descriptor_code"
            ),
        ),
        View::new(
            source.output,
            format!(
                "select {key} as ixn_resource_state_fact_key, \
                 f.tenant_key, f.media_type_key, f.resource_key, f.media_resource_key, \
                 f.place_key, s.state_key as interaction_resource_state_key, \
                 f.interaction_type_key, f.interaction_resource_id, \
                 f.start_date_time_key as interaction_resource_sdt_key, \
                 s.start_ts, {end} as end_ts, date_time_key(s.start_ts) as start_date_time_key, \
                 coalesce(date_time_key({end}), {SENTINEL_DATE_TIME_KEY}) as end_date_time_key, \
                 s.end_ts - s.start_ts as total_duration, \
                 least(s.end_ts, date_time_key(s.start_ts) + 900) - s.start_ts \
                      as lead_clip_duration, \
                 case when date_time_key(s.end_ts) <> date_time_key(s.start_ts) \
                      then s.end_ts - date_time_key(s.end_ts) else s.end_ts - s.start_ts end \
                      as trail_clip_duration, \
                 case when s.open then 1 else 0 end as active_flag, 0 as purge_flag, \
                 ids.audit_key as create_audit_key, ids.audit_key as update_audit_key \
                 from {p}_state_keyed s \
                 join {irf} f on f.interaction_resource_id = s.interaction_resource_id \
                 cross join {IDS} ids {known_join}",
                irf = source.irf,
            ),
        ),
    ]
}
