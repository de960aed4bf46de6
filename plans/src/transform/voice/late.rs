//! Late UserEvent KVPs (infomart.md §4.15, §5.6): G_CUSTOM_DATA_S rows extracted after the
//! chunk of their interaction ran, up to `user-event-data-timeout` after the call ended,
//! re-compute the user data of that interaction's IRFs and MSFs.
//!
//! A voice chunk that ends at `hi` waited for the G_CUSTOM_DATA_S mark to reach `hi`, so it
//! saw every KVP added up to `hi`: a KVP is late for its interaction when it was added after
//! the end of the merge round that emitted the interaction. [`touched_views`] find those
//! interactions and give their emitted calls ([`LATE_MERGE`]), which a voice session then
//! transforms as a chunk does; [`views`] carry the user data it computes over to the ids the
//! Info Mart gave the facts. Within an interaction the facts are numbered in the same order
//! by every run over the same rows, so the k-th IRF (MSF) of the re-computation is the k-th
//! IRF (MSF) in the Info Mart; an interaction whose fact counts differ is left as it is.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use tidemark_schemas::{gidb, idb};

use crate::merge::emitted_schema;
use crate::transform::user_data::{user_events_on_calls, UserDataOutputs};
use crate::transform::View;

use super::facts::{INTERACTION_FACT, IRF, MSF};
use super::user_data::USER_DATA_OUTPUTS;

/// Voice G_CUSTOM_DATA_S rows added since the late pass last ran (GIDB schema).
pub const LATE_USER_EVENTS: &str = "tx_late_user_event";
/// Voice G_PARTY rows that resolve the PartyGUIDs of [`LATE_USER_EVENTS`] (GIDB schema).
pub const LATE_PARTIES: &str = "tx_late_party";
/// The calls of the merge rounds already transformed that a late KVP may reach: the
/// emitted-call columns and `round_hi`, the end of the round that emitted them.
pub const LATE_ROUNDS: &str = "tx_late_merge";
/// The Info Mart ids of the facts of the touched interactions: `media_server_ixn_guid`,
/// `kind` (`IRF` or `MSF`) and `fact_id` (INTERACTION_RESOURCE_ID, MEDIATION_SEGMENT_ID).
pub const MART_FACT_IDS: &str = "im_voice_fact_id";

/// Output view: the emitted calls of the interactions late KVPs touch (the voice merge
/// input of their re-computation).
pub const LATE_MERGE: &str = "vl_merge";
/// Output view: touched interactions in the Info Mart whose fact counts differ from the
/// re-computation's (`media_server_ixn_guid`); their user data is left as it is.
pub const MISMATCHED: &str = "vl_mismatch";

/// The late user-data outputs: Info Mart table and view.
pub const LATE_USER_DATA_OUTPUTS: UserDataOutputs = [
    ("IRF_USER_DATA_GEN_1", "vl_irf_user_data_gen_1"),
    ("IRF_USER_DATA_CUST_1", "vl_irf_user_data_cust_1"),
    ("IRF_USER_DATA_KEYS", "vl_irf_user_data_keys"),
    ("INTERACTION_DESCRIPTOR", USER_DATA_OUTPUTS[3].1),
    ("USER_DATA_CUST_DIM_1", USER_DATA_OUTPUTS[4].1),
];

/// The input names of this module.
pub fn input_names() -> [&'static str; 4] {
    [LATE_USER_EVENTS, LATE_PARTIES, LATE_ROUNDS, MART_FACT_IDS]
}

/// The schema of input `name` of this module.
pub fn input_schema(name: &str) -> Option<SchemaRef> {
    match name {
        LATE_USER_EVENTS => idb::table("G_CUSTOM_DATA_S").map(gidb::arrow_schema),
        LATE_PARTIES => idb::table("G_PARTY").map(gidb::arrow_schema),
        LATE_ROUNDS => {
            let mut fields: Vec<Field> = emitted_schema()
                .fields()
                .iter()
                .map(|f| f.as_ref().clone())
                .collect();
            fields.push(Field::new("round_hi", DataType::Int64, false));
            Some(Arc::new(Schema::new(fields)))
        }
        MART_FACT_IDS => Some(Arc::new(Schema::new(vec![
            Field::new("media_server_ixn_guid", DataType::Utf8, true),
            Field::new("kind", DataType::Utf8, true),
            Field::new("fact_id", DataType::Int64, true),
        ]))),
        _ => None,
    }
}

/// The views finding the touched interactions, in dependency order; [`LATE_MERGE`] is the
/// output.
pub fn touched_views() -> Vec<View> {
    let emitted: Vec<String> = emitted_schema()
        .fields()
        .iter()
        .map(|f| format!("m.{}", f.name()))
        .collect();
    vec![
        View::new(
            "vl_user_event",
            user_events_on_calls(LATE_USER_EVENTS, LATE_PARTIES),
        ),
        View::new(
            "vl_touched",
            format!(
                "select distinct m.root_data_source_key, m.interaction_guid \
                 from {LATE_ROUNDS} m join vl_user_event e \
                 on e.data_source_key = m.data_source_key and e.callid = m.callid \
                 where e.added_ts > m.round_hi"
            ),
        ),
        View::new(
            LATE_MERGE,
            format!(
                "select {} from {LATE_ROUNDS} m join vl_touched t \
                 on t.root_data_source_key = m.root_data_source_key \
                 and t.interaction_guid = m.interaction_guid",
                emitted.join(", ")
            ),
        ),
    ]
}

/// The views carrying the re-computed user data over to the Info Mart ids, in dependency
/// order; they read the voice views' outputs and [`MART_FACT_IDS`].
pub fn views() -> Vec<View> {
    let ranked = |table: &str, id: &str| {
        format!(
            "select media_server_ixn_guid, kind, {id} as id, \
             row_number() over (partition by media_server_ixn_guid, kind order by {id}) \
                  as fact_no, \
             count(*) over (partition by media_server_ixn_guid, kind) as facts \
             from {table}"
        )
    };
    let mut views = vec![
        View::new(
            "vl_new_id",
            format!(
                "select f.media_server_ixn_guid, 'IRF' as kind, i.interaction_resource_id as new_id \
                 from {IRF} i join {INTERACTION_FACT} f on f.interaction_id = i.interaction_id \
                 union all \
                 select f.media_server_ixn_guid, 'MSF', m.mediation_segment_id \
                 from {MSF} m join {INTERACTION_FACT} f on f.interaction_id = m.interaction_id"
            ),
        ),
        View::new(
            "vl_new_ranked",
            ranked("vl_new_id", "new_id"),
        ),
        View::new(
            "vl_mart_ranked",
            ranked(MART_FACT_IDS, "fact_id"),
        ),
        View::new(
            MISMATCHED,
            "select distinct o.media_server_ixn_guid from vl_mart_ranked o \
             left join vl_new_ranked n on n.media_server_ixn_guid = o.media_server_ixn_guid \
             and n.kind = o.kind and n.fact_no = o.fact_no \
             where n.id is null or n.facts <> o.facts \
             union select distinct n.media_server_ixn_guid from vl_new_ranked n \
             join (select distinct media_server_ixn_guid from vl_mart_ranked) k \
             on k.media_server_ixn_guid = n.media_server_ixn_guid \
             left join vl_mart_ranked o on o.media_server_ixn_guid = n.media_server_ixn_guid \
             and o.kind = n.kind and o.fact_no = n.fact_no where o.id is null",
        ),
        View::new(
            "vl_id_map",
            format!(
                "select n.id as new_id, o.id as mart_id from vl_new_ranked n \
                 join vl_mart_ranked o on o.media_server_ixn_guid = n.media_server_ixn_guid \
                 and o.kind = n.kind and o.fact_no = n.fact_no \
                 left join {MISMATCHED} x on x.media_server_ixn_guid = n.media_server_ixn_guid \
                 where x.media_server_ixn_guid is null"
            ),
        ),
    ];
    for ((_, late), (_, view)) in LATE_USER_DATA_OUTPUTS.iter().zip(USER_DATA_OUTPUTS).take(3) {
        views.push(View::new(
            *late,
            format!(
                "select m.mart_id as interaction_resource_id, \
                 u.* exclude (interaction_resource_id) \
                 from {view} u join vl_id_map m on m.new_id = u.interaction_resource_id"
            ),
        ));
    }
    views
}
