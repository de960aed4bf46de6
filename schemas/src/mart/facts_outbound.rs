//! Outbound Contact facts (infomart.md §2.9–§2.12): contact attempts, campaign-group states
//! and sessions, calling-list snapshots.

use crate::table::{SqlType, TableDef, TableFamily};

use super::columns::{EndKey, MartColumns};

/// Custom calling-list fields copied into CONTACT_ATTEMPT_FACT (41–60 added in 8.5.003).
const RECORD_FIELDS: usize = 60;

/// Count columns of CALLING_LIST_METRIC_FACT: records per RECORD_STATUS (§3.26) and chains
/// per chain state (idb.md §3.8, dict 76).
const CALLING_LIST_COUNTS: &[(&str, &str)] = &[
    (
        "TOTAL_RECORD_COUNT",
        "records of the calling list in the campaign group session",
    ),
    ("READY_RECORD_COUNT", "records in status Ready"),
    ("RETRIEVED_RECORD_COUNT", "records in status Retrieved"),
    (
        "UPDATED_RECORD_COUNT",
        "records in status Updated (finalized)",
    ),
    ("STALE_RECORD_COUNT", "records in status Stale"),
    ("CANCELLED_RECORD_COUNT", "records in status Cancelled"),
    ("AGENT_ERROR_RECORD_COUNT", "records in status Agent Error"),
    (
        "CHAIN_UPDATED_RECORD_COUNT",
        "records in status Chain Updated",
    ),
    (
        "MISSED_CALLBACK_RECORD_COUNT",
        "records in status Missed Callback",
    ),
    ("CHAIN_READY_RECORD_COUNT", "records in status Chain Ready"),
    (
        "TOTAL_CHAIN_COUNT",
        "chains of the calling list in the campaign group session",
    ),
    ("SCHEDULED_CHAIN_COUNT", "chains in state scheduled"),
    ("PROCESSING_CHAIN_COUNT", "chains in state processing"),
    ("PROCESSED_CHAIN_COUNT", "chains in state processed"),
];

/// A reference to the owning CAMPAIGN_GROUP_SESSION_FACT: its id and START_DATE_TIME_KEY.
fn session_ref(table: TableDef) -> TableDef {
    table
        .col(
            "CAMP_GROUP_SESSION_FACT_KEY",
            SqlType::BigInt,
            "owning campaign-group session fact",
        )
        .col(
            "CAMP_GROUP_SESS_FACT_SDT_KEY",
            SqlType::Integer,
            "START_DATE_TIME_KEY of that session fact",
        )
}

/// CONTACT_ATTEMPT_FACT (§2.9): one OCS processing attempt for one campaign contact.
pub fn contact_attempt_fact() -> TableDef {
    let mut t = TableDef::new(
        "CONTACT_ATTEMPT_FACT",
        TableFamily::MartFact,
        "one OCS processing attempt for one campaign contact (record or chain), inserted when complete",
    )
    .req("CONTACT_ATTEMPT_FACT_KEY", SqlType::BigInt, "surrogate id of the attempt")
    .tenant()
    .refs(&[
        "CAMPAIGN_KEY",
        "GROUP_KEY",
        "CALLING_LIST_KEY",
        "RESOURCE_KEY",
        "RESOURCE_GROUP_COMBINATION_KEY",
        "MEDIA_TYPE_KEY",
        "DIALING_MODE_KEY",
        "CALL_RESULT_KEY",
        "RECORD_TYPE_KEY",
        "RECORD_STATUS_KEY",
        "CONTACT_INFO_TYPE_KEY",
        "ATTEMPT_DISPOSITION_KEY",
        "TIME_ZONE_KEY",
    ])
    .date_time_keys(EndKey::Required)
    .span_ts()
    .col("CALL_ATTEMPT_ID", SqlType::Varchar(64), "OCS call-attempt GUID; joins IRF_USER_DATA_GEN_1.GSW_CALL_ATTEMPT_GUID");
    t = session_ref(t)
        .col(
            "CAMPAIGN_GROUP_SESSION_ID",
            SqlType::Varchar(64),
            "OCS campaign-group session GUID",
        )
        .col("CHAIN_ID", SqlType::Integer, "chain id in the calling list")
        .col(
            "RECORD_ID",
            SqlType::Integer,
            "record id of the first record of the attempt",
        )
        .col(
            "ATTEMPT_NUMBER",
            SqlType::Integer,
            "attempt counter of the record",
        )
        .col(
            "CONTACT_INFO",
            SqlType::Varchar(128),
            "phone number or address dialed",
        )
        .col(
            "DAILY_FROM",
            SqlType::Integer,
            "earliest time of day to call, seconds after local midnight",
        )
        .col(
            "DAILY_TILL",
            SqlType::Integer,
            "latest time of day to call, seconds after local midnight",
        )
        .col(
            "DIAL_SCHED_TIME",
            SqlType::Integer,
            "scheduled dialing time, UTC seconds",
        );
    for n in 1..=RECORD_FIELDS {
        t = t.col(
            &format!("RECORD_FIELD_{n}"),
            SqlType::Varchar(255),
            "custom calling-list field mapped by configuration, as text",
        );
    }
    t.audit_keys()
        .purge_flag()
        .producer_batch()
        .pk(&["CONTACT_ATTEMPT_FACT_KEY"])
        .partition_by("START_DATE_TIME_KEY")
        .index("call_attempt_id", &["CALL_ATTEMPT_ID"])
        .audit_indexes()
}

/// The columns both campaign-group facts end with.
fn campaign_group_tail(table: TableDef, id: &str) -> TableDef {
    table
        .date_time_keys(EndKey::Required)
        .audit_keys()
        .span_ts()
        .col(
            "TOTAL_DURATION",
            SqlType::Integer,
            "END_TS - START_TS, seconds",
        )
        .col(
            "CAMPAIGN_GROUP_SESSION_ID",
            SqlType::Varchar(64),
            "OCS campaign-group session GUID (GO_CAMPAIGN.SessID)",
        )
        .active_purge_flags()
        .producer_batch()
        .pk(&[id])
        .partition_by("START_DATE_TIME_KEY")
        .audit_indexes()
}

/// CAMPAIGN_GROUP_STATE_FACT (§2.10): how long a campaign group stayed in one state.
pub fn campaign_group_state_fact() -> TableDef {
    let id = "CAMP_GROUP_STATE_FACT_KEY";
    let t = TableDef::new(
        "CAMPAIGN_GROUP_STATE_FACT",
        TableFamily::MartFact,
        "one period a campaign group spent in one state (Loaded, Started, Unloading)",
    )
    .req(id, SqlType::BigInt, "surrogate id of the state period")
    .tenant()
    .refs_req(&["CAMPAIGN_KEY", "GROUP_KEY", "CAMPAIGN_GROUP_STATE_KEY"]);
    campaign_group_tail(session_ref(t), id)
}

/// CAMPAIGN_GROUP_SESSION_FACT (§2.11): one campaign-group session, from loading to unloading.
pub fn campaign_group_session_fact() -> TableDef {
    let id = "CAMP_GROUP_SESSION_FACT_KEY";
    let t = TableDef::new(
        "CAMPAIGN_GROUP_SESSION_FACT",
        TableFamily::MartFact,
        "one campaign-group session, from loading to unloading of the group",
    )
    .req(id, SqlType::BigInt, "surrogate id of the session")
    .tenant()
    .refs_req(&["GROUP_KEY", "CAMPAIGN_KEY"]);
    campaign_group_tail(t, id).index("session_id", &["CAMPAIGN_GROUP_SESSION_ID"])
}

/// CALLING_LIST_METRIC_FACT (§2.12): a 15-minute snapshot of calling-list progress in a
/// campaign-group session.
pub fn calling_list_metric_fact() -> TableDef {
    let mut t = TableDef::new(
        "CALLING_LIST_METRIC_FACT",
        TableFamily::MartFact,
        "snapshot of calling-list progress (records and chains by status) for a campaign-group session",
    )
    .tenant()
    .refs(&["CAMPAIGN_KEY", "GROUP_KEY"])
    .refs_req(&["CALLING_LIST_KEY"])
    .req("CAMP_GROUP_SESSION_FACT_KEY", SqlType::BigInt, "campaign-group session the snapshot belongs to")
    .col("CAMP_GROUP_SESS_FACT_SDT_KEY", SqlType::Integer, "START_DATE_TIME_KEY of that session fact")
    .req("START_DATE_TIME_KEY", SqlType::Integer, "15-minute interval of the snapshot; the partition key")
    .col("START_TS", SqlType::Integer, "time of the snapshot, UTC seconds");
    for (name, doc) in CALLING_LIST_COUNTS {
        t = t.measure(name, doc);
    }
    t.audit_keys()
        .purge_flag()
        .producer_batch()
        .pk(&[
            "CAMP_GROUP_SESSION_FACT_KEY",
            "CALLING_LIST_KEY",
            "START_DATE_TIME_KEY",
        ])
        .partition_by("START_DATE_TIME_KEY")
        .audit_indexes()
}

/// The outbound facts, in creation order.
pub fn tables() -> Vec<TableDef> {
    vec![
        contact_attempt_fact(),
        campaign_group_session_fact(),
        campaign_group_state_fact(),
        calling_list_metric_fact(),
    ]
}
