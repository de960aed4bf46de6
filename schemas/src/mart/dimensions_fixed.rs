//! Dimensions with fixed content seeded at initialization (infomart.md §1.7): the calendar
//! (§3.1, filled by the calendar builder), media and interaction types (§3.8–§3.9), technical
//! descriptors (§3.13), agent and interaction states (§3.14, §3.16), anchor flags (§3.17) and
//! the Outbound Contact enumerations (§3.21–§3.27). Their rows are in [`super::seed`].

use crate::table::{SqlType, TableDef, TableFamily};

use super::columns::MartColumns;

/// Flags of ANCHOR_FLAGS in bit order: bit `i` of ANCHOR_FLAGS_KEY is column `i` (§3.17).
pub const ANCHOR_FLAG_COLUMNS: [&str; 6] = [
    "FIRST_ENGAGE_FOR_AGENT_IXN",
    "FIRST_REPLY_FOR_AGENT_IXN",
    "FIRST_ENGAGE_FOR_AGENT_THRD",
    "FIRST_REPLY_FOR_AGENT_THRD",
    "FIRST_ENGAGE_FOR_THRD",
    "CUSTOMER_LEFT_FIRST",
];

/// Roll-up key columns of a calendar (§3.1): the DATE_TIME_KEY of the first row of the
/// enclosing period.
const ROLLUP_KEYS: [&str; 8] = [
    "DATE_TIME_30MIN_KEY",
    "DATE_TIME_HOUR_KEY",
    "DATE_TIME_DAY_KEY",
    "DATE_TIME_WEEK_KEY",
    "DATE_TIME_MONTH_KEY",
    "DATE_TIME_QUARTER_KEY",
    "DATE_TIME_YEAR_KEY",
    "DATE_TIME_SUB_HOUR_KEY",
];

/// Calendar components in the calendar's time zone (§3.1).
const CALENDAR_NUMBERS: [&str; 10] = [
    "CAL_YEAR_NUM",
    "CAL_QUARTER_NUM_IN_YEAR",
    "CAL_MONTH_NUM_IN_YEAR",
    "CAL_WEEK_NUM_IN_YEAR",
    "CAL_WEEK_YEAR_NUM",
    "CAL_DAY_NUM_IN_YEAR",
    "CAL_DAY_NUM_IN_MONTH",
    "CAL_DAY_NUM_IN_WEEK",
    "CAL_HOUR_24_NUM_IN_DAY",
    "CAL_MINUTE_NUM_IN_HOUR",
];

/// Display labels of a calendar row (§3.1).
const CALENDAR_LABELS: [&str; 8] = [
    "LABEL_YYYY",
    "LABEL_YYYY_QQ",
    "LABEL_YYYY_MM",
    "LABEL_YYYY_WW",
    "LABEL_YYYY_MM_DD",
    "LABEL_YYYY_MM_DD_HH24",
    "LABEL_HH24",
    "LABEL_HH24_MI",
];

/// A calendar table called `name`: DATE_TIME, or a custom calendar of identical structure
/// (`[date-time-<name>]`, §3.1). Keys are UTC epoch seconds of 15-minute interval starts.
pub fn date_time_table(name: &str) -> TableDef {
    let mut t = TableDef::new(
        name,
        TableFamily::MartDimension,
        "one 15-minute interval of the calendar",
    )
    .req(
        "DATE_TIME_KEY",
        SqlType::Integer,
        "UTC epoch second at which the interval starts",
    );
    for key in ROLLUP_KEYS {
        t = t.col(
            key,
            SqlType::Integer,
            "DATE_TIME_KEY of the first interval of the enclosing period",
        );
    }
    t = t.col(
        "CAL_DATE",
        SqlType::Timestamp,
        "local date and time of the interval start",
    );
    for number in CALENDAR_NUMBERS {
        t = t.col(
            number,
            SqlType::Integer,
            "calendar component in the calendar's time zone",
        );
    }
    t = t
        .col(
            "CAL_WEEK_START_DATE",
            SqlType::Timestamp,
            "local start of the week",
        )
        .col("CAL_DAY_NAME", SqlType::Varchar(32), "day name")
        .col("CAL_MONTH_NAME", SqlType::Varchar(32), "month name");
    for label in CALENDAR_LABELS {
        t = t.col(
            label,
            SqlType::Varchar(32),
            "display label in the calendar's time zone",
        );
    }
    t.audit_keys().pk(&["DATE_TIME_KEY"])
}

/// A dimension of one enumeration: `<NAME>_KEY integer P M`, `<NAME>` display value,
/// `<NAME>_CODE`, audit keys.
fn enumeration(name: &str, doc: &'static str) -> TableDef {
    let key = format!("{name}_KEY");
    TableDef::new(name, TableFamily::MartDimension, doc)
        .req(&key, SqlType::Integer, "surrogate key")
        .label_code(name, 255, 32, "display value")
        .audit_keys()
        .pk(&[&key])
}

/// MEDIA_TYPE (§3.8).
pub fn media_type() -> TableDef {
    TableDef::new(
        "MEDIA_TYPE",
        TableFamily::MartDimension,
        "one media type (voice and eServices types)",
    )
    .req("MEDIA_TYPE_KEY", SqlType::Integer, "surrogate key")
    .col("MEDIA_NAME", SqlType::Varchar(255), "display name")
    .col(
        "MEDIA_NAME_CODE",
        SqlType::Varchar(64),
        "stable code: the upper-cased media type name (VOICE, EMAIL, …)",
    )
    .col(
        "IS_ONLINE",
        SqlType::SmallInt,
        "1 = real-time medium, 0 = offline",
    )
    .audit_keys()
    .pk(&["MEDIA_TYPE_KEY"])
}

/// INTERACTION_TYPE (§3.9).
pub fn interaction_type() -> TableDef {
    TableDef::new(
        "INTERACTION_TYPE",
        TableFamily::MartDimension,
        "one interaction type and subtype",
    )
    .req("INTERACTION_TYPE_KEY", SqlType::Integer, "surrogate key")
    .label_code(
        "INTERACTION_TYPE",
        64,
        32,
        "Unknown, Internal, Inbound or Outbound",
    )
    .label_code(
        "INTERACTION_SUBTYPE",
        64,
        32,
        "subtype (InboundNew, OutboundReply, …)",
    )
    .col(
        "IGNORE",
        SqlType::SmallInt,
        "1 = interactions of this type are not transformed",
    )
    .default_value("0")
    .audit_keys()
    .pk(&["INTERACTION_TYPE_KEY"])
}

/// TECHNICAL_DESCRIPTOR (§3.13): role of a resource and how its attempt ended.
pub fn technical_descriptor() -> TableDef {
    TableDef::new(
        "TECHNICAL_DESCRIPTOR",
        TableFamily::MartDimension,
        "one combination of resource role, role reason, technical result and result reason",
    )
    .req(
        "TECHNICAL_DESCRIPTOR_KEY",
        SqlType::Integer,
        "surrogate key, derived from the combination",
    )
    .label_code("TECHNICAL_RESULT", 255, 32, "how the attempt ended")
    .label_code("RESULT_REASON", 255, 32, "why it ended that way")
    .label_code(
        "RESOURCE_ROLE",
        255,
        32,
        "role of the resource in the interaction",
    )
    .label_code("ROLE_REASON", 255, 32, "how the role was obtained")
    .audit_keys()
    .pk(&["TECHNICAL_DESCRIPTOR_KEY"])
}

/// RESOURCE_STATE (§3.14): summarized agent states.
pub fn resource_state() -> TableDef {
    TableDef::new(
        "RESOURCE_STATE",
        TableFamily::MartDimension,
        "one summarized agent state",
    )
    .req("RESOURCE_STATE_KEY", SqlType::Integer, "surrogate key")
    .label_code("STATE_TYPE", 64, 32, "media-neutral state type")
    .label_code("STATE_NAME", 64, 32, "media-specific state name")
    .audit_keys()
    .pk(&["RESOURCE_STATE_KEY"])
}

/// INTERACTION_RESOURCE_STATE (§3.16): state × role × descriptor of interaction-related
/// agent states.
pub fn interaction_resource_state() -> TableDef {
    TableDef::new(
        "INTERACTION_RESOURCE_STATE",
        TableFamily::MartDimension,
        "one combination of interaction-related state, role and context",
    )
    .req(
        "INTERACTION_RESOURCE_STATE_KEY",
        SqlType::Integer,
        "surrogate key, derived from the combination",
    )
    .audit_keys()
    .label_code(
        "STATE_NAME",
        64,
        32,
        "Initiate, Alert, Connect, Hold, Wrap or Unknown",
    )
    .label_code(
        "STATE_ROLE",
        64,
        32,
        "whether the resource initiated or received the interaction leg",
    )
    .label_code(
        "STATE_DESCRIPTOR",
        64,
        32,
        "context: customer, consultation or conference",
    )
    .purge_flag()
    .pk(&["INTERACTION_RESOURCE_STATE_KEY"])
}

/// ANCHOR_FLAGS (§3.17): every combination of the anchor flags, keyed by bit mask.
pub fn anchor_flags() -> TableDef {
    let t = TableDef::new(
        "ANCHOR_FLAGS",
        TableFamily::MartDimension,
        "one combination of first-handling flags; the key is the bit mask",
    )
    .req(
        "ANCHOR_FLAGS_KEY",
        SqlType::Integer,
        "bit mask: bit i set = flag i (ANCHOR_FLAG_COLUMNS)",
    );
    ANCHOR_FLAG_COLUMNS
        .iter()
        .fold(t, |t, flag| t.col(flag, SqlType::SmallInt, "1 = flag set"))
        .audit_keys()
        .pk(&["ANCHOR_FLAGS_KEY"])
}

/// CAMPAIGN_GROUP_STATE (§3.21).
pub fn campaign_group_state() -> TableDef {
    TableDef::new(
        "CAMPAIGN_GROUP_STATE",
        TableFamily::MartDimension,
        "one state of a campaign group",
    )
    .req(
        "CAMPAIGN_GROUP_STATE_KEY",
        SqlType::Integer,
        "OCS campaign state value",
    )
    .label_code("STATE_NAME", 64, 32, "Loaded, Started or Unloading")
    .audit_keys()
    .pk(&["CAMPAIGN_GROUP_STATE_KEY"])
}

/// ATTEMPT_DISPOSITION (§3.23): why a contact attempt ended; the key packs the OCS cause
/// (low 8 bits) and a descriptor (next 8 bits).
pub fn attempt_disposition() -> TableDef {
    TableDef::new(
        "ATTEMPT_DISPOSITION",
        TableFamily::MartDimension,
        "why a contact attempt ended: OCS cause and descriptor",
    )
    .req(
        "ATTEMPT_DISPOSITION_KEY",
        SqlType::Integer,
        "descriptor * 256 + OCS cause",
    )
    .label_code(
        "CAUSE",
        255,
        32,
        "cause of the final transition (ChainRejected, …)",
    )
    .col("CAUSE_ID", SqlType::Integer, "OCS cause value")
    .label_code(
        "DESCRIPTOR",
        255,
        32,
        "GIM descriptor of the cause (agent- or system-initiated, …)",
    )
    .audit_keys()
    .pk(&["ATTEMPT_DISPOSITION_KEY"])
}

/// The fixed dimensions, in creation order.
pub fn tables() -> Vec<TableDef> {
    vec![
        date_time_table("DATE_TIME"),
        media_type(),
        interaction_type(),
        technical_descriptor(),
        resource_state(),
        interaction_resource_state(),
        anchor_flags(),
        campaign_group_state(),
        enumeration("CALL_RESULT", "one OCS call result"),
        attempt_disposition(),
        enumeration("CONTACT_INFO_TYPE", "one OCS contact information type"),
        enumeration("DIALING_MODE", "one OCS dialing mode"),
        enumeration("RECORD_STATUS", "one OCS calling-list record status"),
        enumeration("RECORD_TYPE", "one OCS calling-list record type"),
    ]
}
