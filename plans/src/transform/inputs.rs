//! The input tables of the transform views: GIDB rows of the chunk (named `tx_*`, with the
//! GIDB schema of their IDB table) and the Info Mart rows they resolve against (named
//! `im_*`, narrow key/code projections of the dimension tables and of the
//! configuration-history facts).

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use tidemark_schemas::{gidb, idb};

use crate::merge::emitted_schema;
use crate::transform::{config, multimedia, voice};

/// Voice calls the merge stage emitted in the chunk (`gidb_voice_merge`).
pub const VOICE_MERGE: &str = "tx_voice_merge";
/// Latest G_CALL rows (voice).
pub const CALLS: &str = "tx_call";
/// Latest G_PARTY rows (voice).
pub const PARTIES: &str = "tx_party";
/// G_PARTY_HISTORY rows (voice).
pub const PARTY_HISTORY: &str = "tx_party_history";
/// G_VIRTUAL_QUEUE rows (voice).
pub const VIRTUAL_QUEUES: &str = "tx_virtual_queue";
/// G_AGENT_STATE_HISTORY rows (voice).
pub const AGENT_STATES: &str = "tx_agent_state";
/// G_USERDATA_HISTORY rows (voice).
pub const USERDATA_HISTORY: &str = "tx_userdata_history";
/// G_SECURE_USERDATA_HISTORY rows (voice).
pub const SECURE_USERDATA_HISTORY: &str = "tx_secure_userdata_history";
/// G_CUSTOM_DATA_S rows (voice): UserEvent KVPs.
pub const USER_EVENTS: &str = "tx_user_event";
/// Resource keys: `resource_key`, `resource_cfg_type_id`, `resource_cfg_dbid`.
pub const RESOURCES: &str = "im_resource";
/// Place keys: `place_key`, `place_cfg_dbid`.
pub const PLACES: &str = "im_place";
/// Group keys: `group_key`, `group_cfg_type_id`, `group_cfg_dbid`.
pub const GROUPS: &str = "im_group";
/// Skill keys: `skill_key`, `skill_cfg_dbid`.
pub const SKILLS: &str = "im_skill";
/// Tenant keys: `tenant_key`, `tenant_cfg_dbid`.
pub const TENANTS: &str = "im_tenant";
/// TECHNICAL_DESCRIPTOR keys by their four codes.
pub const DESCRIPTORS: &str = "im_technical_descriptor";
/// INTERACTION_TYPE keys by type and subtype code, with `ignore` (1: not transformed).
pub const INTERACTION_TYPES: &str = "im_interaction_type";
/// MEDIA_TYPE keys by code.
pub const MEDIA_TYPES: &str = "im_media_type";
/// RESOURCE_GROUP_FACT_ periods: fact key, tenant, members, `start_ts`, `end_ts`.
pub const RESOURCE_GROUP_FACTS: &str = "im_resource_group_fact";
/// RESOURCE_SKILL_FACT_ periods (with `skill_level`).
pub const RESOURCE_SKILL_FACTS: &str = "im_resource_skill_fact";
/// PLACE_GROUP_FACT_ periods.
pub const PLACE_GROUP_FACTS: &str = "im_place_group_fact";
/// RESOURCE_GROUP_COMBINATION rows: `group_combination_key`, `group_key`.
pub const GROUP_COMBINATIONS: &str = "im_resource_group_combination";
/// The user-data mapping: CTL_UD_TO_UDE_MAPPING rows (infomart.md §3.28).
pub const USER_DATA_MAPPING: &str = "im_ud_to_ude_mapping";
/// INTERACTION_DESCRIPTOR rows: key and the four attributes.
pub const INTERACTION_DESCRIPTORS: &str = "im_interaction_descriptor";
/// USER_DATA_CUST_DIM_1 rows: `id` and the five attributes.
pub const USER_DATA_CUST_DIM_1: &str = "im_user_data_cust_dim_1";
/// INTERACTION_RESOURCE_STATE keys by state, role and descriptor code.
pub const IXN_RESOURCE_STATES: &str = "im_interaction_resource_state";
/// One row of user-data settings: `link_msf_voice` and `link_msf_mm` (1 when MSFs get user
/// data, `link-msf-userdata` and its `-voice` / `-mm` variants) and `user_event_timeout`
/// (`user-event-data-timeout`, seconds). Without a row, MSFs get no user data and UserEvent
/// KVPs have no lateness limit.
pub const USER_DATA_SETTINGS: &str = "tx_user_data_settings";
/// One row: `next_interaction_id`, `next_resource_id` (first free ids of IF and IRF/MSF),
/// `audit_key` (the CTL_AUDIT_LOG key of the chunk's transaction) and
/// `next_state_fact_key` (first free IXN_RESOURCE_STATE_FACT_KEY).
pub const IDS: &str = "tx_ids";

/// The GIDB-fed inputs of the voice transform and the IDB table each copies.
pub const VOICE_GIDB_INPUTS: [(&str, &str); 8] = [
    (CALLS, "G_CALL"),
    (PARTIES, "G_PARTY"),
    (PARTY_HISTORY, "G_PARTY_HISTORY"),
    (VIRTUAL_QUEUES, "G_VIRTUAL_QUEUE"),
    (AGENT_STATES, "G_AGENT_STATE_HISTORY"),
    (USERDATA_HISTORY, "G_USERDATA_HISTORY"),
    (SECURE_USERDATA_HISTORY, "G_SECURE_USERDATA_HISTORY"),
    (USER_EVENTS, "G_CUSTOM_DATA_S"),
];

/// The Info Mart inputs: name, source table and columns (all read as Int64 or Utf8).
pub const MART_INPUTS: [(&str, &str, &[&str]); 16] = [
    (
        RESOURCES,
        "RESOURCE_",
        &["RESOURCE_KEY", "RESOURCE_CFG_TYPE_ID", "RESOURCE_CFG_DBID"],
    ),
    (
        GROUPS,
        "GROUP_",
        &["GROUP_KEY", "GROUP_CFG_TYPE_ID", "GROUP_CFG_DBID"],
    ),
    (SKILLS, "SKILL", &["SKILL_KEY", "SKILL_CFG_DBID"]),
    (PLACES, "PLACE", &["PLACE_KEY", "PLACE_CFG_DBID"]),
    (TENANTS, "TENANT", &["TENANT_KEY", "TENANT_CFG_DBID"]),
    (
        DESCRIPTORS,
        "TECHNICAL_DESCRIPTOR",
        &[
            "TECHNICAL_DESCRIPTOR_KEY",
            "RESOURCE_ROLE_CODE",
            "ROLE_REASON_CODE",
            "TECHNICAL_RESULT_CODE",
            "RESULT_REASON_CODE",
        ],
    ),
    (
        INTERACTION_TYPES,
        "INTERACTION_TYPE",
        &[
            "INTERACTION_TYPE_KEY",
            "INTERACTION_TYPE_CODE",
            "INTERACTION_SUBTYPE_CODE",
            "IGNORE",
        ],
    ),
    (
        MEDIA_TYPES,
        "MEDIA_TYPE",
        &["MEDIA_TYPE_KEY", "MEDIA_NAME_CODE"],
    ),
    (
        IXN_RESOURCE_STATES,
        "INTERACTION_RESOURCE_STATE",
        &[
            "INTERACTION_RESOURCE_STATE_KEY",
            "STATE_NAME_CODE",
            "STATE_ROLE_CODE",
            "STATE_DESCRIPTOR_CODE",
        ],
    ),
    (
        GROUP_COMBINATIONS,
        "RESOURCE_GROUP_COMBINATION",
        &["GROUP_COMBINATION_KEY", "GROUP_KEY"],
    ),
    (
        RESOURCE_GROUP_FACTS,
        "RESOURCE_GROUP_FACT_",
        &[
            "RESOURCE_GROUP_FACT_KEY",
            "TENANT_KEY",
            "RESOURCE_KEY",
            "GROUP_KEY",
            "START_TS",
            "END_TS",
        ],
    ),
    (
        RESOURCE_SKILL_FACTS,
        "RESOURCE_SKILL_FACT_",
        &[
            "RESOURCE_SKILL_FACT_KEY",
            "TENANT_KEY",
            "RESOURCE_KEY",
            "SKILL_KEY",
            "SKILL_LEVEL",
            "START_TS",
            "END_TS",
        ],
    ),
    (
        PLACE_GROUP_FACTS,
        "PLACE_GROUP_FACT_",
        &[
            "PLACE_GROUP_FACT_KEY",
            "TENANT_KEY",
            "PLACE_KEY",
            "GROUP_KEY",
            "START_TS",
            "END_TS",
        ],
    ),
    (
        USER_DATA_MAPPING,
        "CTL_UD_TO_UDE_MAPPING",
        &[
            "ID",
            "UD_KEY_NAME",
            "UDE_TABLE_NAME",
            "UDE_COLUMN_NAME",
            "PROPAGATION_RULE",
            "DEFAULT_VALUE",
            "ACTIVE_FLAG",
            "CONVERT_EXPRESSION",
        ],
    ),
    (
        INTERACTION_DESCRIPTORS,
        "INTERACTION_DESCRIPTOR",
        &[
            "INTERACTION_DESCRIPTOR_KEY",
            "CUSTOMER_SEGMENT",
            "SERVICE_TYPE",
            "SERVICE_SUBTYPE",
            "BUSINESS_RESULT",
        ],
    ),
    (
        USER_DATA_CUST_DIM_1,
        "USER_DATA_CUST_DIM_1",
        &[
            "ID",
            "DIM_ATTRIBUTE_1",
            "DIM_ATTRIBUTE_2",
            "DIM_ATTRIBUTE_3",
            "DIM_ATTRIBUTE_4",
            "DIM_ATTRIBUTE_5",
        ],
    ),
];

/// Whether a mart input column is a key, number or flag (Int64) rather than a code or
/// name (Utf8).
pub fn is_numeric_column(column: &str) -> bool {
    ["ID", "IGNORE"].contains(&column)
        || ["_KEY", "_ID", "_DBID", "_TS", "_LEVEL", "_FLAG"]
            .iter()
            .any(|suffix| column.ends_with(suffix))
}

/// Schema of the input table `name`, `None` for an unknown name.
pub fn schema(name: &str) -> Option<SchemaRef> {
    if name == VOICE_MERGE {
        return Some(emitted_schema());
    }
    if name == IDS {
        return Some(Arc::new(Schema::new(vec![
            Field::new("next_interaction_id", DataType::Int64, false),
            Field::new("next_resource_id", DataType::Int64, false),
            Field::new("audit_key", DataType::Int64, false),
            Field::new("next_state_fact_key", DataType::Int64, false),
        ])));
    }
    if name == USER_DATA_SETTINGS {
        return Some(Arc::new(Schema::new(
            ["link_msf_voice", "link_msf_mm", "user_event_timeout"]
                .map(|c| Field::new(c, DataType::Int64, false))
                .to_vec(),
        )));
    }
    if let Some(schema) = multimedia::inputs::schema(name) {
        return Some(schema);
    }
    if let Some(schema) = voice::late::input_schema(name) {
        return Some(schema);
    }
    if name == config::WINDOW {
        return Some(Arc::new(Schema::new(vec![
            Field::new("window_from", DataType::Int64, false),
            Field::new("window_to", DataType::Int64, false),
        ])));
    }
    let gidb_table = VOICE_GIDB_INPUTS
        .iter()
        .chain(config::GIDB_INPUTS.iter())
        .find(|(n, _)| *n == name);
    if let Some((_, table)) = gidb_table {
        return idb::table(table).map(gidb::arrow_schema);
    }
    let (_, _, columns) = MART_INPUTS.iter().find(|(n, _, _)| *n == name)?;
    let fields: Vec<Field> = columns
        .iter()
        .map(|c| {
            let ty = if is_numeric_column(c) {
                DataType::Int64
            } else {
                DataType::Utf8
            };
            Field::new(c.to_ascii_lowercase(), ty, true)
        })
        .collect();
    Some(Arc::new(Schema::new(fields)))
}

/// Every input table name of the transform views.
pub fn all() -> Vec<&'static str> {
    let mut names = vec![VOICE_MERGE, IDS, USER_DATA_SETTINGS, config::WINDOW];
    names.extend(VOICE_GIDB_INPUTS.iter().map(|(n, _)| *n));
    names.extend(config::GIDB_INPUTS.iter().map(|(n, _)| *n));
    names.extend(MART_INPUTS.iter().map(|(n, _, _)| *n));
    names.extend(multimedia::inputs::names());
    names.extend(voice::late::input_names());
    names
}
