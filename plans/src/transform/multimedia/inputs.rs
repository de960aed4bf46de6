//! The input tables of the multimedia views: the GIDB multimedia rows (`tx_mm_*`, with the
//! GIDB schema of their IDB table), the stream's settings, and the Info Mart rows of the
//! multimedia interactions already transformed (`im_mm_*`), whose ids a re-transformed
//! interaction keeps.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use tidemark_schemas::{gidb, idb};

/// Latest G_CALL rows of the multimedia family (one row per interaction).
pub const MM_CALLS: &str = "tx_mm_call";
/// Latest G_PARTY rows of the multimedia family.
pub const MM_PARTIES: &str = "tx_mm_party";
/// G_PARTY_HISTORY rows of the multimedia family.
pub const MM_PARTY_HISTORY: &str = "tx_mm_party_history";
/// GM_F_USERDATA rows: subject, addresses and subtype of each interaction.
pub const MM_FIRST_USERDATA: &str = "tx_mm_f_userdata";
/// G_VIRTUAL_QUEUE rows of the multimedia family: the virtual-queue stays of routed
/// interactions.
pub const MM_VIRTUAL_QUEUES: &str = "tx_mm_virtual_queue";
/// The stop-interaction queues (`[gim-etl] stop-ixn-queues`), one `queue_name` a row.
pub const MM_STOP_QUEUES: &str = "tx_mm_stop_queue";
/// G_USERDATA_HISTORY rows of the multimedia family.
pub const MM_USERDATA_HISTORY: &str = "tx_mm_userdata_history";
/// G_SECURE_USERDATA_HISTORY rows of the multimedia family.
pub const MM_SECURE_USERDATA_HISTORY: &str = "tx_mm_secure_userdata_history";
/// G_CUSTOM_DATA_S rows of the multimedia family: CustomReporting KVPs.
pub const MM_USER_EVENTS: &str = "tx_mm_user_event";
/// The calls the active-thread state covers (`callid`, and `if_guid`: the interaction each
/// belongs to, null in a state written before it was kept): the previous chunk handed on
/// every row of their interactions (docs/transform.md, "Active-thread state").
pub const MM_COVERED: &str = "tx_mm_covered";
/// What a chunk's probe found its window touches, one `guid` a row: the calls with a row
/// changed in the window and the interactions of the Info Mart due for artificial
/// termination by its end (`mm_touched_roots`). A chunk that received the active-thread
/// state reads, of its day folders, only the rows of these roots' interactions.
pub const MM_TOUCHED_ROOTS: &str = "tx_mm_touched_root";
/// One row: `active_keep_seconds` (`days-to-keep-active-facts` in seconds).
pub const MM_SETTINGS: &str = "tx_mm_settings";
/// INTERACTION_FACT rows of multimedia interactions the stream may meet again:
/// `interaction_id`, `media_server_ixn_guid`, `start_ts`, `active_flag`.
pub const MM_INTERACTIONS: &str = "im_mm_interaction";
/// INTERACTION_RESOURCE_FACT rows of those interactions: `interaction_resource_id`,
/// `interaction_id`, `interaction_resource_ordinal`.
pub const MM_IRFS: &str = "im_mm_irf";
/// MEDIATION_SEGMENT_FACT rows of those interactions: `mediation_segment_id`,
/// `interaction_id`, `resource_key`, `start_ts`.
pub const MM_MSFS: &str = "im_mm_msf";
/// IXN_RESOURCE_STATE_FACT rows of those interactions' IRFs:
/// `ixn_resource_state_fact_key`, `interaction_resource_id`,
/// `interaction_resource_state_key`, `start_ts`.
pub const MM_STATES: &str = "im_mm_state";
/// RESOURCE_ rows of scripts (interaction queues, workbins, strategies): `resource_key`,
/// `resource_name` — multimedia parties name their queue or workbin, not its DBID.
pub const SCRIPT_RESOURCES: &str = "im_script_resource";

/// The GIDB-fed inputs of the multimedia transform and the IDB table each copies.
pub const MM_GIDB_INPUTS: [(&str, &str); 8] = [
    (MM_CALLS, "G_CALL"),
    (MM_PARTIES, "G_PARTY"),
    (MM_PARTY_HISTORY, "G_PARTY_HISTORY"),
    (MM_FIRST_USERDATA, "GM_F_USERDATA"),
    (MM_VIRTUAL_QUEUES, "G_VIRTUAL_QUEUE"),
    (MM_USERDATA_HISTORY, "G_USERDATA_HISTORY"),
    (MM_SECURE_USERDATA_HISTORY, "G_SECURE_USERDATA_HISTORY"),
    (MM_USER_EVENTS, "G_CUSTOM_DATA_S"),
];

/// The rows of the active-thread state received, per GIDB input: (input, table). A chunk
/// reads each input as these rows together with its window's day folders.
pub const MM_STATE_INPUTS: [(&str, &str); 8] = [
    (MM_CALLS, "tx_mm_call_state"),
    (MM_PARTIES, "tx_mm_party_state"),
    (MM_PARTY_HISTORY, "tx_mm_party_history_state"),
    (MM_FIRST_USERDATA, "tx_mm_f_userdata_state"),
    (MM_VIRTUAL_QUEUES, "tx_mm_virtual_queue_state"),
    (MM_USERDATA_HISTORY, "tx_mm_userdata_history_state"),
    (
        MM_SECURE_USERDATA_HISTORY,
        "tx_mm_secure_userdata_history_state",
    ),
    (MM_USER_EVENTS, "tx_mm_user_event_state"),
];

/// The table of the state rows of GIDB input `input` ([`MM_STATE_INPUTS`]).
pub fn state_table(input: &str) -> &'static str {
    MM_STATE_INPUTS
        .iter()
        .find(|(name, _)| *name == input)
        .map(|(_, table)| *table)
        .expect("a multimedia GIDB input")
}

/// The Info Mart inputs of the multimedia transform and their columns (Int64 but the
/// `resource_name` and the GUID).
const MART_COLUMNS: [(&str, &[&str]); 5] = [
    (
        MM_INTERACTIONS,
        &[
            "interaction_id",
            "media_server_ixn_guid",
            "start_ts",
            "active_flag",
        ],
    ),
    (
        MM_IRFS,
        &[
            "interaction_resource_id",
            "interaction_id",
            "interaction_resource_ordinal",
        ],
    ),
    (
        MM_MSFS,
        &[
            "mediation_segment_id",
            "interaction_id",
            "resource_key",
            "start_ts",
        ],
    ),
    (
        MM_STATES,
        &[
            "ixn_resource_state_fact_key",
            "interaction_resource_id",
            "interaction_resource_state_key",
            "start_ts",
        ],
    ),
    (SCRIPT_RESOURCES, &["resource_key", "resource_name"]),
];

/// The Info Mart inputs with the columns each reads, in order.
pub fn mart_inputs() -> &'static [(&'static str, &'static [&'static str])] {
    &MART_COLUMNS
}

/// Schema of the multimedia input `name`, `None` for a name this module does not own.
pub fn schema(name: &str) -> Option<SchemaRef> {
    if name == MM_SETTINGS {
        return Some(Arc::new(Schema::new(vec![Field::new(
            "active_keep_seconds",
            DataType::Int64,
            false,
        )])));
    }
    if name == MM_COVERED {
        return Some(Arc::new(Schema::new(vec![
            Field::new("callid", DataType::Utf8, true),
            Field::new("if_guid", DataType::Utf8, true),
        ])));
    }
    if name == MM_TOUCHED_ROOTS {
        return Some(Arc::new(Schema::new(vec![Field::new(
            "guid",
            DataType::Utf8,
            true,
        )])));
    }
    if let Some((input, _)) = MM_STATE_INPUTS.iter().find(|(_, t)| *t == name) {
        return schema(input);
    }
    if name == MM_STOP_QUEUES {
        return Some(Arc::new(Schema::new(vec![Field::new(
            "queue_name",
            DataType::Utf8,
            false,
        )])));
    }
    if let Some((_, table)) = MM_GIDB_INPUTS.iter().find(|(n, _)| *n == name) {
        return idb::table(table).map(gidb::arrow_schema);
    }
    let (_, columns) = MART_COLUMNS.iter().find(|(n, _)| *n == name)?;
    let fields: Vec<Field> = columns
        .iter()
        .map(|c| {
            let ty = if c.ends_with("_name") || c.ends_with("_guid") {
                DataType::Utf8
            } else {
                DataType::Int64
            };
            Field::new(*c, ty, true)
        })
        .collect();
    Some(Arc::new(Schema::new(fields)))
}

/// Every input name this module owns.
pub fn names() -> Vec<&'static str> {
    let mut names = vec![MM_SETTINGS, MM_STOP_QUEUES, MM_COVERED, MM_TOUCHED_ROOTS];
    names.extend(MM_GIDB_INPUTS.iter().map(|(n, _)| *n));
    names.extend(MM_STATE_INPUTS.iter().map(|(_, t)| *t));
    names.extend(MART_COLUMNS.iter().map(|(n, _)| *n));
    names
}
