//! The default content of CTL_EXPORT_TABLES (operations.md §3.1): what Job_ExportGIM exports
//! unless the operator disables a row. Tables with audit keys are exported incrementally,
//! those without in full with the first chunk of every run.

use crate::batch::{Row, Value};
use crate::{idb, mart};

/// Model tables exported by default, in export order; user-data extension tables follow.
const MODEL_TABLES: &[&str] = &[
    "INTERACTION_FACT",
    "INTERACTION_RESOURCE_FACT",
    "IXN_RESOURCE_STATE_FACT",
    "MEDIATION_SEGMENT_FACT",
    "SM_RES_SESSION_FACT",
    "SM_RES_STATE_FACT",
    "SM_RES_STATE_REASON_FACT",
    "SM_MEDIA_NEUTRAL_STATE_FACT",
    "CONTACT_ATTEMPT_FACT",
    "CALLBACK_FACT",
    "CAMPAIGN_GROUP_STATE_FACT",
    "CAMPAIGN_GROUP_SESSION_FACT",
    "CALLING_LIST_METRIC_FACT",
    "RESOURCE_GROUP_FACT_",
    "RESOURCE_SKILL_FACT_",
    "PLACE_GROUP_FACT_",
    "GROUP_TO_CAMPAIGN_FACT_",
    "CALLING_LIST_TO_CAMP_FACT_",
    "IRF_USER_DATA_GEN_1",
    "IRF_USER_DATA_KEYS",
    "DATE_TIME",
    "RESOURCE_",
    "GROUP_",
    "RESOURCE_GROUP_COMBINATION",
    "TENANT",
    "PLACE",
    "SKILL",
    "MEDIA_TYPE",
    "INTERACTION_TYPE",
    "INTERACTION_DESCRIPTOR",
    "TECHNICAL_DESCRIPTOR",
    "RESOURCE_STATE",
    "RESOURCE_STATE_REASON",
    "INTERACTION_RESOURCE_STATE",
    "ANCHOR_FLAGS",
    "STRATEGY",
    "ROUTING_TARGET",
    "REQUESTED_SKILL",
    "WORKBIN",
    "CAMPAIGN",
    "CALLING_LIST",
    "CAMPAIGN_GROUP_STATE",
    "ATTEMPT_DISPOSITION",
    "TIME_ZONE",
    "GROUP_ANNEX",
    "RESOURCE_ANNEX",
];

/// Prefixes of the custom user-data tables, all of which are exported.
const USER_DATA_PREFIXES: [&str; 2] = ["IRF_USER_DATA_CUST_", "USER_DATA_CUST_DIM_"];

/// The GIDB configuration-detail tables exported (Parquet folders, latest row versions).
const GIDB_TABLES: &[&str] = &[
    "GC_AGENT",
    "GC_GROUP",
    "GC_ENDPOINT",
    "GC_PLACE",
    "GC_SKILL",
    "GC_TENANT",
    "GCX_GROUP_AGENT",
    "GCX_GROUP_ENDPOINT",
    "GCX_GROUP_PLACE",
    "GCX_SKILL_LEVEL",
    "GCX_LOGIN_INFO",
];

/// Prefix of exported names that stand for a GIDB folder rather than a database table.
pub const GIDB_PREFIX: &str = "GIDB_";

/// INCREMENTAL_MODE of a table selected by its audit keys.
pub const MODE_AUDIT_KEYS: &str = "AUDIT_KEYS";
/// INCREMENTAL_MODE of a table exported in full with the first chunk of every run.
pub const MODE_FULL: &str = "FULL";
/// INCREMENTAL_MODE of a table that is listed but never exported.
pub const MODE_NONE: &str = "NONE";

/// The default exported names, in export order, with their INCREMENTAL_MODE.
pub fn defaults() -> Vec<(String, &'static str)> {
    let user_data = mart::tables()
        .iter()
        .filter(|t| USER_DATA_PREFIXES.iter().any(|p| t.name.starts_with(p)))
        .map(|t| t.name.as_str());
    let model = MODEL_TABLES
        .iter()
        .copied()
        .chain(user_data)
        .filter_map(mart::table)
        .map(|t| {
            let mode = if t.column("CREATE_AUDIT_KEY").is_some() {
                MODE_AUDIT_KEYS
            } else {
                MODE_FULL
            };
            (t.name.clone(), mode)
        });
    let gidb = GIDB_TABLES
        .iter()
        .filter(|name| idb::table(name).is_some())
        .map(|name| (format!("{GIDB_PREFIX}{name}"), MODE_AUDIT_KEYS));
    model.chain(gidb).collect()
}

/// The default CTL_EXPORT_TABLES rows: every default name read from the object of the same
/// name, enabled.
pub fn rows() -> Vec<Row<'static>> {
    defaults()
        .into_iter()
        .map(|(name, mode)| {
            vec![
                ("TABLE_NAME", Value::from(name.clone())),
                ("SOURCE_OBJECT", Value::from(name)),
                ("INCREMENTAL_MODE", Value::from(mode)),
                ("ENABLED", Value::from(1)),
            ]
        })
        .collect()
}
