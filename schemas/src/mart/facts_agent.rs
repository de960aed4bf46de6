//! Agent activity facts (infomart.md §2.5–§2.8): summarized login sessions, states, state
//! reasons and the media-neutral state, independent of interactions.

use crate::table::{SqlType, TableDef, TableFamily};

use super::columns::{EndKey, MartColumns};

/// The columns every summarized (SM) interval fact starts with: its id, time keys, tenant,
/// media, agent and group combination.
fn sm_fact(name: &str, id: &str, doc: &'static str) -> TableDef {
    TableDef::new(name, TableFamily::MartFact, doc)
        .req(id, SqlType::BigInt, "surrogate id of the fact")
        .date_time_keys(EndKey::Required)
        .tenant()
        .refs_req(&[
            "MEDIA_TYPE_KEY",
            "RESOURCE_KEY",
            "RESOURCE_GROUP_COMBINATION_KEY",
        ])
}

/// The columns every SM interval fact ends with, its key, partitioning and indexes.
fn sm_fact_tail(table: TableDef, id: &str) -> TableDef {
    table
        .audit_keys()
        .span_ts()
        .clip_durations()
        .active_purge_flags()
        .producer_batch()
        .pk(&[id])
        .partition_by("START_DATE_TIME_KEY")
        .index("resource", &["RESOURCE_KEY", "START_TS"])
        .audit_indexes()
}

/// A reference to an enclosing SM fact: its id and its START_DATE_TIME_KEY.
fn parent(table: TableDef, id: &str, sdt: &str, doc: &'static str) -> TableDef {
    table.col(id, SqlType::BigInt, doc).col(
        sdt,
        SqlType::Integer,
        "START_DATE_TIME_KEY of the fact beside it",
    )
}

/// SM_RES_SESSION_FACT (§2.5): one summarized login session of an agent for one media type.
pub fn sm_res_session_fact() -> TableDef {
    let id = "SM_RES_SESSION_FACT_KEY";
    let t = sm_fact(
        "SM_RES_SESSION_FACT",
        id,
        "one summarized login session of an agent for one media type",
    )
    .refs(&["AGENT_LOCATION_KEY"]);
    sm_fact_tail(t, id)
}

/// SM_RES_STATE_FACT (§2.6): one summarized state of an agent for one media type.
pub fn sm_res_state_fact() -> TableDef {
    let id = "SM_RES_STATE_FACT_KEY";
    let t = sm_fact(
        "SM_RES_STATE_FACT",
        id,
        "one summarized state of an agent for one media type",
    )
    .refs_req(&["RESOURCE_STATE_KEY"]);
    let t = parent(
        t,
        "SM_RES_SESSION_FACT_KEY",
        "SM_RES_SESSION_FACT_SDT_KEY",
        "enclosing login session",
    );
    sm_fact_tail(t, id)
}

/// SM_RES_STATE_REASON_FACT (§2.7): one summarized state reason and work mode of an agent for
/// one media type.
pub fn sm_res_state_reason_fact() -> TableDef {
    let id = "SM_RES_STATE_REASON_FACT_KEY";
    let t = sm_fact(
        "SM_RES_STATE_REASON_FACT",
        id,
        "one summarized state reason and work mode of an agent for one media type",
    )
    .refs_req(&["RESOURCE_STATE_KEY", "RESOURCE_STATE_REASON_KEY"]);
    let t = parent(
        t,
        "SM_RES_SESSION_FACT_KEY",
        "SM_RES_SESSION_FACT_SDT_KEY",
        "enclosing login session",
    );
    let t = parent(
        t,
        "SM_RES_STATE_FACT_KEY",
        "SM_RES_STATE_FACT_SDT_KEY",
        "state the reason belongs to",
    );
    sm_fact_tail(t, id)
}

/// SM_MEDIA_NEUTRAL_STATE_FACT (§2.8): the agent's highest-priority state across all media;
/// at most one row per agent per second, keyed by its natural key.
pub fn sm_media_neutral_state_fact() -> TableDef {
    TableDef::new(
        "SM_MEDIA_NEUTRAL_STATE_FACT",
        TableFamily::MartFact,
        "an agent's summarized state across all media, from one state change to the next",
    )
    .date_time_keys(EndKey::Optional)
    .refs_req(&["RESOURCE_KEY", "RESOURCE_STATE_KEY"])
    .refs(&["RESOURCE_GROUP_COMBINATION_KEY"])
    .tenant()
    .req(
        "START_TS",
        SqlType::Integer,
        "start, UTC seconds since 1970",
    )
    .col(
        "END_TS",
        SqlType::Integer,
        "end, UTC seconds since 1970; NULL while active",
    )
    .col(
        "STUCK_FLAG",
        SqlType::SmallInt,
        "1 = closed artificially (timeout or cycle end), not by a transition",
    )
    .default_value("0")
    .audit_keys_defaulted()
    .col(
        "ACTIVE_FLAG",
        SqlType::SmallInt,
        "1 while the state is still open, 0 once final",
    )
    .producer_batch()
    .pk(&[
        "START_DATE_TIME_KEY",
        "RESOURCE_KEY",
        "RESOURCE_STATE_KEY",
        "START_TS",
    ])
    .partition_by("START_DATE_TIME_KEY")
    .index("resource", &["RESOURCE_KEY", "START_TS"])
    .audit_indexes()
}

/// The agent activity facts, in creation order.
pub fn tables() -> Vec<TableDef> {
    vec![
        sm_res_session_fact(),
        sm_res_state_fact(),
        sm_res_state_reason_fact(),
        sm_media_neutral_state_fact(),
    ]
}
