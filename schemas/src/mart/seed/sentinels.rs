//! The `-1` ("unknown": the source had a value that could not be resolved) and `-2` ("no
//! value" / not applicable) rows of every dimension a fact key can fail to resolve against
//! (infomart.md §1.2, operations.md §7.1).
//!
//! A sentinel row sets its key to -1 or -2, every other key column and TENANT_KEY to -2, its
//! label columns to `Unknown`/`None` (codes `UNKNOWN`/`NONE`), the flags IS_ONLINE and
//! IGNORE to 0, and leaves the rest NULL. A
//! label column with a text default (`'none'` of the user-data dimensions) keeps that
//! default in the `-2` row and says `unknown` in the `-1` row, so a lookup of the all-default
//! combination finds `-2`.

use crate::batch::{Row, Value};
use crate::table::TableDef;

/// Attribute columns of the user-data dimensions.
const DIM_ATTRIBUTES: &[&str] = &[
    "DIM_ATTRIBUTE_1",
    "DIM_ATTRIBUTE_2",
    "DIM_ATTRIBUTE_3",
    "DIM_ATTRIBUTE_4",
    "DIM_ATTRIBUTE_5",
];

/// Label columns of each dimension that has sentinel rows (user-data dimensions apart).
const LABELS: &[(&str, &[&str])] = &[
    ("TENANT", &["TENANT_NAME"]),
    (
        "RESOURCE_",
        &[
            "RESOURCE_TYPE",
            "RESOURCE_TYPE_CODE",
            "RESOURCE_SUBTYPE",
            "RESOURCE_NAME",
        ],
    ),
    ("GROUP_", &["GROUP_NAME", "GROUP_TYPE", "GROUP_TYPE_CODE"]),
    ("RESOURCE_GROUP_COMBINATION", &[]),
    ("SKILL", &["SKILL_NAME"]),
    ("PLACE", &["PLACE_NAME"]),
    (
        "STRATEGY",
        &["STRATEGY_NAME", "STRATEGY_TYPE", "STRATEGY_TYPE_CODE"],
    ),
    ("REQUESTED_SKILL", &["SKILL_COMBINATION"]),
    (
        "ROUTING_TARGET",
        &[
            "ROUTING_TARGET_TYPE",
            "ROUTING_TARGET_TYPE_CODE",
            "TARGET_OBJECT_SELECTED",
        ],
    ),
    (
        "WORKBIN",
        &["WORKBIN_NAME", "WORKBIN_TYPE", "WORKBIN_TYPE_CODE"],
    ),
    ("TIME_ZONE", &["TIME_ZONE_NAME"]),
    ("CAMPAIGN", &["CAMPAIGN_NAME"]),
    ("CALLING_LIST", &["CALLING_LIST_NAME"]),
    (
        "RESOURCE_STATE_REASON",
        &[
            "REASON_TYPE",
            "REASON_TYPE_CODE",
            "WORKMODE",
            "WORKMODE_CODE",
        ],
    ),
    (
        "INTERACTION_DESCRIPTOR",
        &[
            "CUSTOMER_SEGMENT",
            "SERVICE_TYPE",
            "SERVICE_SUBTYPE",
            "BUSINESS_RESULT",
        ],
    ),
    ("MEDIA_TYPE", &["MEDIA_NAME", "MEDIA_NAME_CODE"]),
    (
        "INTERACTION_TYPE",
        &[
            "INTERACTION_TYPE",
            "INTERACTION_TYPE_CODE",
            "INTERACTION_SUBTYPE",
            "INTERACTION_SUBTYPE_CODE",
        ],
    ),
    (
        "TECHNICAL_DESCRIPTOR",
        &[
            "TECHNICAL_RESULT",
            "TECHNICAL_RESULT_CODE",
            "RESULT_REASON",
            "RESULT_REASON_CODE",
            "RESOURCE_ROLE",
            "RESOURCE_ROLE_CODE",
            "ROLE_REASON",
            "ROLE_REASON_CODE",
        ],
    ),
    (
        "RESOURCE_STATE",
        &[
            "STATE_TYPE",
            "STATE_TYPE_CODE",
            "STATE_NAME",
            "STATE_NAME_CODE",
        ],
    ),
    (
        "INTERACTION_RESOURCE_STATE",
        &[
            "STATE_NAME",
            "STATE_NAME_CODE",
            "STATE_ROLE",
            "STATE_ROLE_CODE",
            "STATE_DESCRIPTOR",
            "STATE_DESCRIPTOR_CODE",
        ],
    ),
    ("CAMPAIGN_GROUP_STATE", &["STATE_NAME", "STATE_NAME_CODE"]),
    ("CALL_RESULT", &["CALL_RESULT", "CALL_RESULT_CODE"]),
    (
        "ATTEMPT_DISPOSITION",
        &["CAUSE", "CAUSE_CODE", "DESCRIPTOR", "DESCRIPTOR_CODE"],
    ),
    (
        "CONTACT_INFO_TYPE",
        &["CONTACT_INFO_TYPE", "CONTACT_INFO_TYPE_CODE"],
    ),
    ("DIALING_MODE", &["DIALING_MODE", "DIALING_MODE_CODE"]),
    ("RECORD_STATUS", &["RECORD_STATUS", "RECORD_STATUS_CODE"]),
    ("RECORD_TYPE", &["RECORD_TYPE", "RECORD_TYPE_CODE"]),
];

/// Flag columns that sentinel rows set to 0 rather than NULL.
const ZERO_FLAGS: &[&str] = &["IS_ONLINE", "IGNORE"];

/// The label columns of `table` if it has sentinel rows.
fn labels(table: &TableDef) -> Option<&'static [&'static str]> {
    if table.name.starts_with("USER_DATA_CUST_DIM_") || table.name.starts_with("USER_DATA_GEN_DIM_")
    {
        return Some(DIM_ATTRIBUTES);
    }
    LABELS
        .iter()
        .find(|(name, _)| *name == table.name)
        .map(|(_, cols)| *cols)
}

/// The `-1` and `-2` rows of `table`, or nothing if it has none.
pub(super) fn rows(table: &'static TableDef) -> Vec<Row<'static>> {
    let Some(labels) = labels(table) else {
        return Vec::new();
    };
    [-1, -2]
        .iter()
        .map(|&key| sentinel_row(table, labels, key))
        .collect()
}

/// The sentinel row with key `key` (-1 or -2).
fn sentinel_row(table: &'static TableDef, labels: &[&str], key: i32) -> Row<'static> {
    let unknown = key == -1;
    let mut row: Row<'static> = Vec::new();
    for column in &table.columns {
        let value = if table.primary_key.first() == Some(&column.name) {
            Value::from(key)
        } else if table.primary_key.contains(&column.name) || column.name == "TENANT_KEY" {
            Value::from(-2)
        } else if labels.contains(&column.name.as_str()) {
            match (
                column.name.ends_with("_CODE"),
                column.default.is_some(),
                unknown,
            ) {
                (true, _, true) => "UNKNOWN".into(),
                (true, _, false) => "NONE".into(),
                (false, true, true) => "unknown".into(),
                (false, true, false) => continue,
                (false, false, true) => "Unknown".into(),
                (false, false, false) => "None".into(),
            }
        } else if ZERO_FLAGS.contains(&column.name.as_str()) {
            Value::from(0)
        } else {
            continue;
        };
        row.push((column.name.as_str(), value));
    }
    row
}
