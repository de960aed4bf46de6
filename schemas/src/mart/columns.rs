//! Column groups that recur across the Info Mart model (infomart.md §1.2–§1.6), added to a
//! [`TableDef`] in one call so that every table spells them the same way.
//!
//! Type mapping of the model: `numeric(19)` identifiers and audit keys → [`SqlType::BigInt`];
//! `numeric(1)` flags → [`SqlType::SmallInt`]; `numeric(20)` → `Numeric(20, 0)`;
//! `timestamp`/`timestamp(3)` → [`SqlType::Timestamp`]; dimension keys and `*_TS` → `Integer`.

use crate::table::{SqlType, TableDef};

/// Whether `END_DATE_TIME_KEY` is mandatory. Accumulating facts always carry one (the
/// sentinel key while active, infomart.md §1.3); a few tables document it as optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndKey {
    /// `END_DATE_TIME_KEY integer M`.
    Required,
    /// `END_DATE_TIME_KEY integer`.
    Optional,
}

/// What a dimension-key column of a fact references, by column name.
fn reference_doc(column: &str) -> &'static str {
    match column {
        "TENANT_KEY" => "tenant (TENANT)",
        "MEDIA_TYPE_KEY" => "media type (MEDIA_TYPE)",
        "INTERACTION_TYPE_KEY" => "interaction type and subtype (INTERACTION_TYPE)",
        "TECHNICAL_DESCRIPTOR_KEY" => "role and outcome of the resource (TECHNICAL_DESCRIPTOR, infomart.md §4.6)",
        "RESOURCE_KEY" => "resource of interest (RESOURCE_)",
        "MEDIA_RESOURCE_KEY" => "device used: DN or media endpoint (RESOURCE_)",
        "PLACE_KEY" => "place the agent was logged in at (PLACE)",
        "RESOURCE_GROUP_COMBINATION_KEY" => {
            "groups of the resource at fact start (RESOURCE_GROUP_COMBINATION.GROUP_COMBINATION_KEY)"
        }
        "STRATEGY_KEY" => "routing strategy that delivered the interaction (STRATEGY)",
        "ROUTING_TARGET_KEY" => "target chosen by the router (ROUTING_TARGET)",
        "REQUESTED_SKILL_KEY" => "skill combination requested by the router (REQUESTED_SKILL)",
        "LAST_VQUEUE_RESOURCE_KEY" => "last virtual queue before this resource (RESOURCE_)",
        "LAST_RP_RESOURCE_KEY" => "last routing point before this resource (RESOURCE_)",
        "LAST_QUEUE_RESOURCE_KEY" => "last ACD queue before this resource (RESOURCE_)",
        "LAST_IVR_RESOURCE_KEY" => "last IVR before this resource (RESOURCE_)",
        "MEDIATION_RESOURCE_KEY" => "queue of the MSF named by MEDIATION_SEGMENT_ID (RESOURCE_)",
        "RES_PREVIOUS_SM_STATE_KEY" => "agent's summarized state just before the interaction arrived (RESOURCE_STATE)",
        "ANCHOR_FLAGS_KEY" => "bit mask of first-handling flags (ANCHOR_FLAGS, infomart.md §4.8)",
        "WORKBIN_KEY" => "workbin details when the mediation DN is a workbin (WORKBIN)",
        "INTERACTION_RESOURCE_STATE_KEY" => "state, role and descriptor (INTERACTION_RESOURCE_STATE)",
        "RESOURCE_STATE_KEY" => "summarized agent state (RESOURCE_STATE)",
        "RESOURCE_STATE_REASON_KEY" => "state reason and work mode (RESOURCE_STATE_REASON)",
        "AGENT_LOCATION_KEY" => "agent location (reserved; -2 until a location dimension exists)",
        "CAMPAIGN_KEY" => "outbound campaign (CAMPAIGN)",
        "GROUP_KEY" => "agent or place group (GROUP_); for outbound facts the campaign group",
        "CALLING_LIST_KEY" => "calling list (CALLING_LIST)",
        "CAMPAIGN_GROUP_STATE_KEY" => "state of the campaign group (CAMPAIGN_GROUP_STATE)",
        "DIALING_MODE_KEY" => "dialing mode (DIALING_MODE)",
        "CALL_RESULT_KEY" => "OCS call result (CALL_RESULT)",
        "RECORD_TYPE_KEY" => "calling-list record type (RECORD_TYPE)",
        "RECORD_STATUS_KEY" => "calling-list record status (RECORD_STATUS)",
        "CONTACT_INFO_TYPE_KEY" => "type of the dialed contact information (CONTACT_INFO_TYPE)",
        "ATTEMPT_DISPOSITION_KEY" => "why the attempt ended (ATTEMPT_DISPOSITION)",
        "TIME_ZONE_KEY" => "time zone of the record (TIME_ZONE)",
        "SKILL_KEY" => "skill (SKILL)",
        "INTERACTION_DESCRIPTOR_KEY" => "business attributes from user data (INTERACTION_DESCRIPTOR)",
        _ => "surrogate key of the referenced dimension row",
    }
}

/// Column groups of the Info Mart model, chained on a [`TableDef`] like its own builder
/// methods.
pub(crate) trait MartColumns: Sized {
    /// `TENANT_KEY integer M` (infomart.md §1.4).
    fn tenant(self) -> Self;
    /// `CREATE_AUDIT_KEY` and `UPDATE_AUDIT_KEY`, `numeric(19) M` (infomart.md §1.5).
    fn audit_keys(self) -> Self;
    /// The audit keys with the defaults of the extension tables: `-1` and `0` (§1.5).
    fn audit_keys_defaulted(self) -> Self;
    /// `CREATE_AUDIT_KEY numeric(19) M` alone (dimensions that are never updated).
    fn create_audit_key(self) -> Self;
    /// `ACTIVE_FLAG` and `PURGE_FLAG`, `numeric(1)` (infomart.md §1.6).
    fn active_purge_flags(self) -> Self;
    /// `PURGE_FLAG numeric(1)` (configuration-driven dimensions).
    fn purge_flag(self) -> Self;
    /// `PRODUCER_BATCH_ID numeric(19)` (8.5.015.19, data export).
    fn producer_batch(self) -> Self;
    /// `START_DATE_TIME_KEY integer M` and `END_DATE_TIME_KEY` (infomart.md §1.3).
    fn date_time_keys(self, end: EndKey) -> Self;
    /// `START_TS` and `END_TS`, integer UTC seconds (infomart.md §1.3).
    fn span_ts(self) -> Self;
    /// `TOTAL_DURATION`, `LEAD_CLIP_DURATION`, `TRAIL_CLIP_DURATION` of interval facts (§1.3).
    fn clip_durations(self) -> Self;
    /// Mandatory integer dimension references, documented by [`reference_doc`].
    fn refs_req(self, columns: &[&str]) -> Self;
    /// Optional integer dimension references.
    fn refs(self, columns: &[&str]) -> Self;
    /// A display value and its stable code: `<base> varchar(label_len)` and
    /// `<base>_CODE varchar(code_len)`.
    fn label_code(self, base: &str, label_len: u16, code_len: u16, doc: &'static str) -> Self;
    /// `<name> integer` with default 0: an IRF measure (seconds or a count).
    fn measure(self, name: &str, doc: &'static str) -> Self;
    /// Secondary indexes on both audit keys, which Job_ExportGIM selects by (operations.md §3.3).
    fn audit_indexes(self) -> Self;
}

impl MartColumns for TableDef {
    fn tenant(self) -> Self {
        self.refs_req(&["TENANT_KEY"])
    }

    fn audit_keys(self) -> Self {
        self.create_audit_key().req(
            "UPDATE_AUDIT_KEY",
            SqlType::BigInt,
            "audit row of the transaction that last changed the row",
        )
    }

    fn audit_keys_defaulted(self) -> Self {
        self.create_audit_key()
            .default_value("-1")
            .req(
                "UPDATE_AUDIT_KEY",
                SqlType::BigInt,
                "audit row of the transaction that last changed the row",
            )
            .default_value("0")
    }

    fn create_audit_key(self) -> Self {
        self.req(
            "CREATE_AUDIT_KEY",
            SqlType::BigInt,
            "audit row (CTL_AUDIT_LOG) of the transaction that inserted the row",
        )
    }

    fn active_purge_flags(self) -> Self {
        self.col(
            "ACTIVE_FLAG",
            SqlType::SmallInt,
            "1 while the fact is still open, 0 once final",
        )
        .purge_flag()
    }

    fn purge_flag(self) -> Self {
        self.col(
            "PURGE_FLAG",
            SqlType::SmallInt,
            "maintenance bookkeeping for purging; written 0",
        )
    }

    fn producer_batch(self) -> Self {
        self.col(
            "PRODUCER_BATCH_ID",
            SqlType::BigInt,
            "batch that produced the row, for data export",
        )
    }

    fn date_time_keys(self, end: EndKey) -> Self {
        let t = self.req(
            "START_DATE_TIME_KEY",
            SqlType::Integer,
            "15-minute interval of START_TS (DATE_TIME); the partition key",
        );
        let doc = "15-minute interval of END_TS (DATE_TIME); the sentinel key while active";
        match end {
            EndKey::Required => t.req("END_DATE_TIME_KEY", SqlType::Integer, doc),
            EndKey::Optional => t.col("END_DATE_TIME_KEY", SqlType::Integer, doc),
        }
    }

    fn span_ts(self) -> Self {
        self.col(
            "START_TS",
            SqlType::Integer,
            "start, UTC seconds since 1970",
        )
        .col(
            "END_TS",
            SqlType::Integer,
            "end, UTC seconds since 1970; NULL while active",
        )
    }

    fn clip_durations(self) -> Self {
        self.col(
            "TOTAL_DURATION",
            SqlType::Integer,
            "END_TS - START_TS, seconds",
        )
        .col(
            "LEAD_CLIP_DURATION",
            SqlType::Integer,
            "seconds inside the first 15-minute interval",
        )
        .col(
            "TRAIL_CLIP_DURATION",
            SqlType::Integer,
            "seconds inside the last 15-minute interval",
        )
    }

    fn refs_req(self, columns: &[&str]) -> Self {
        columns
            .iter()
            .fold(self, |t, c| t.req(c, SqlType::Integer, reference_doc(c)))
    }

    fn refs(self, columns: &[&str]) -> Self {
        columns
            .iter()
            .fold(self, |t, c| t.col(c, SqlType::Integer, reference_doc(c)))
    }

    fn label_code(self, base: &str, label_len: u16, code_len: u16, doc: &'static str) -> Self {
        self.col(base, SqlType::Varchar(label_len), doc).col(
            &format!("{base}_CODE"),
            SqlType::Varchar(code_len),
            "stable upper-case code of the value beside it",
        )
    }

    fn measure(self, name: &str, doc: &'static str) -> Self {
        self.col(name, SqlType::Integer, doc).default_value("0")
    }

    fn audit_indexes(self) -> Self {
        self.index("cak", &["CREATE_AUDIT_KEY"])
            .index("uak", &["UPDATE_AUDIT_KEY"])
    }
}
