//! Checks of the seed content against the model.

use std::collections::{HashMap, HashSet};

use arrow::array::Array;
use arrow::record_batch::RecordBatch;
use arrow::util::display::array_value_to_string;

use super::{compact_code, seed_batches, seed_rows, snake_code};
use crate::mart::{dimensions_config, table, tables};

const AUDIT_KEY: i64 = 42;

fn batches() -> HashMap<String, RecordBatch> {
    seed_batches(AUDIT_KEY)
        .into_iter()
        .map(|(t, b)| (t.name.clone(), b))
        .collect()
}

/// The text of column `column` in every row of `batch`.
fn column_text(batch: &RecordBatch, column: &str) -> Vec<String> {
    let array = batch.column_by_name(&column.to_ascii_lowercase()).unwrap();
    (0..batch.num_rows())
        .map(|i| array_value_to_string(array, i).unwrap())
        .collect()
}

/// The values of the first key column of `table`'s seed, as integers.
fn keys(batches: &HashMap<String, RecordBatch>, table_name: &str) -> Vec<i64> {
    let t = table(table_name).unwrap();
    column_text(&batches[table_name], &t.primary_key[0])
        .iter()
        .map(|k| k.parse().unwrap())
        .collect()
}

#[test]
fn every_seeded_table_is_in_the_model() {
    for name in seed_rows().keys() {
        assert!(table(name).is_some(), "seed rows for unknown table {name}");
    }
}

#[test]
fn seed_batches_match_their_tables() {
    for (t, batch) in seed_batches(AUDIT_KEY) {
        assert_eq!(batch.schema(), t.arrow_schema(), "{}", t.name);
        assert!(batch.num_rows() > 0, "{}", t.name);
        for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
            if !field.is_nullable() {
                assert_eq!(array.null_count(), 0, "{}.{}", t.name, field.name());
            }
        }
        let mut seen = HashSet::new();
        for i in 0..batch.num_rows() {
            let key: Vec<String> = t
                .primary_key
                .iter()
                .map(|k| {
                    array_value_to_string(batch.column_by_name(&k.to_ascii_lowercase()).unwrap(), i)
                        .unwrap()
                })
                .collect();
            assert!(
                seen.insert(key.clone()),
                "{}: duplicate key {key:?}",
                t.name
            );
        }
        for audit in ["CREATE_AUDIT_KEY", "UPDATE_AUDIT_KEY"] {
            if t.column(audit).is_some() {
                assert!(
                    column_text(&batch, audit).iter().all(|v| v == "42"),
                    "{}.{audit}",
                    t.name
                );
            }
        }
    }
}

#[test]
fn resolvable_dimensions_have_unknown_and_none_rows() {
    let batches = batches();
    let fixed = [
        "MEDIA_TYPE",
        "INTERACTION_TYPE",
        "TECHNICAL_DESCRIPTOR",
        "RESOURCE_STATE",
        "INTERACTION_RESOURCE_STATE",
        "CAMPAIGN_GROUP_STATE",
        "CALL_RESULT",
        "ATTEMPT_DISPOSITION",
        "CONTACT_INFO_TYPE",
        "DIALING_MODE",
        "RECORD_STATUS",
        "RECORD_TYPE",
    ];
    let config = dimensions_config::tables();
    assert!(config.len() >= 17);
    for name in config.iter().map(|t| t.name.as_str()).chain(fixed) {
        let keys = keys(&batches, name);
        assert!(keys.contains(&-1) && keys.contains(&-2), "{name}: {keys:?}");
    }
    assert!(!batches.contains_key("DATE_TIME"));
    let rgc = &batches["RESOURCE_GROUP_COMBINATION"];
    assert_eq!(column_text(rgc, "GROUP_KEY"), ["-2", "-2"]);
    let dim = &batches["USER_DATA_CUST_DIM_1"];
    assert_eq!(column_text(dim, "DIM_ATTRIBUTE_3"), ["unknown", "none"]);
    let resource = &batches["RESOURCE_"];
    assert_eq!(
        column_text(resource, "RESOURCE_TYPE_CODE"),
        ["UNKNOWN", "NONE"]
    );
    assert_eq!(column_text(resource, "TENANT_KEY"), ["-2", "-2"]);
}

/// A TECHNICAL_DESCRIPTOR row as (role, role reason, result, result reason).
fn descriptor(batch: &RecordBatch, key: i64) -> [String; 4] {
    let keys = column_text(batch, "TECHNICAL_DESCRIPTOR_KEY");
    let i = keys.iter().position(|k| *k == key.to_string()).unwrap();
    [
        "RESOURCE_ROLE",
        "ROLE_REASON",
        "TECHNICAL_RESULT",
        "RESULT_REASON",
    ]
    .map(|c| column_text(batch, c)[i].clone())
}

#[test]
fn technical_descriptor_holds_every_valid_combination() {
    let batches = batches();
    let td = &batches["TECHNICAL_DESCRIPTOR"];
    // 10 roles with Unspecified + 4 conference role reasons = 14 role pairs;
    // 17 results with Unspecified + 8 specific result reasons = 25 result pairs; + -1, -2.
    assert_eq!(td.num_rows(), 14 * 25 + 2);
    assert_eq!(
        descriptor(td, 101),
        ["Received", "Unspecified", "Abandoned", "Unspecified"]
    );
    assert_eq!(
        descriptor(td, 223),
        ["RoutedTo", "Unspecified", "Diverted", "AnsweredByAgent"]
    );
    assert_eq!(
        descriptor(td, 1118),
        [
            "ReceivedConsult",
            "ConferenceJoined",
            "Abandoned",
            "AbandonedWhileRinging"
        ]
    );
    assert_eq!(
        descriptor(td, 1425),
        [
            "InitiatedConsult",
            "ConferenceInitiator",
            "Diverted",
            "RouteOnNoAnswer"
        ]
    );
    assert_eq!(descriptor(td, -2), ["None"; 4].map(String::from));
    let i = column_text(td, "TECHNICAL_DESCRIPTOR_KEY")
        .iter()
        .position(|k| k == "222")
        .unwrap();
    assert_eq!(column_text(td, "RESULT_REASON_CODE")[i], "ROUTEONNOANSWER");
    assert_eq!(column_text(td, "RESOURCE_ROLE_CODE")[i], "ROUTEDTO");
}

#[test]
fn fixed_dimension_sizes() {
    let batches = batches();
    let rows = |t: &str| batches[t].num_rows();
    assert_eq!(rows("ANCHOR_FLAGS"), 64);
    assert_eq!(rows("INTERACTION_RESOURCE_STATE"), 24 + 2);
    assert_eq!(rows("RESOURCE_STATE"), 5 + 2);
    assert_eq!(rows("CALL_RESULT"), 54 + 2);
    assert_eq!(rows("CONTACT_INFO_TYPE"), 12 + 2);
    assert_eq!(rows("DIALING_MODE"), 9 + 2);
    assert_eq!(rows("RECORD_STATUS"), 10 + 2);
    assert_eq!(rows("RECORD_TYPE"), 8 + 2);
    assert_eq!(rows("CAMPAIGN_GROUP_STATE"), 3 + 2);
    assert_eq!(rows("ATTEMPT_DISPOSITION"), 2);
    assert_eq!(rows("CTL_PROCESSING_STATUS"), 1);
    assert_eq!(
        column_text(&batches["CTL_PROCESSING_STATUS"], "NAME"),
        ["DEFAULT"]
    );
    let flags = &batches["ANCHOR_FLAGS"];
    let i = keys(&batches, "ANCHOR_FLAGS")
        .iter()
        .position(|k| *k == 0b100001)
        .unwrap();
    assert_eq!(column_text(flags, "FIRST_ENGAGE_FOR_AGENT_IXN")[i], "1");
    assert_eq!(column_text(flags, "FIRST_REPLY_FOR_AGENT_IXN")[i], "0");
    assert_eq!(column_text(flags, "CUSTOMER_LEFT_FIRST")[i], "1");
    let modes = column_text(&batches["DIALING_MODE"], "DIALING_MODE_CODE");
    assert!(modes.contains(&"PUSH_PREVIEW".to_string()) && modes.contains(&"PREVIEW".to_string()));
    let media = column_text(&batches["MEDIA_TYPE"], "MEDIA_NAME_CODE");
    assert!(media.contains(&"VOICE".to_string()) && media.contains(&"EMAIL".to_string()));
    let subtypes = column_text(&batches["INTERACTION_TYPE"], "INTERACTION_SUBTYPE_CODE");
    assert!(subtypes.contains(&"OUTBOUNDCONTACT".to_string()));
    assert!(subtypes.contains(&"INTERNALCOLLABORATIONREPLY".to_string()));
}

#[test]
fn every_seeded_table_has_rows_in_creation_order() {
    let seeded: Vec<_> = seed_batches(1)
        .into_iter()
        .map(|(t, _)| t.name.clone())
        .collect();
    let order: Vec<_> = tables()
        .iter()
        .filter(|t| seeded.contains(&t.name))
        .map(|t| t.name.clone())
        .collect();
    assert_eq!(seeded, order);
}

#[test]
fn codes() {
    assert_eq!(
        compact_code("AbandonedWhileRinging"),
        "ABANDONEDWHILERINGING"
    );
    assert_eq!(snake_code("Push Preview"), "PUSH_PREVIEW");
    assert_eq!(snake_code("Converse-On"), "CONVERSE_ON");
    assert_eq!(
        snake_code("Predictive with seizing"),
        "PREDICTIVE_WITH_SEIZING"
    );
}

#[test]
fn default_user_data_mapping_targets_text_columns() {
    let batches = batches();
    let mapping = &batches["CTL_UD_TO_UDE_MAPPING"];
    assert_eq!(mapping.num_rows(), super::user_data::DEFAULT_MAPPING.len());
    let targets = column_text(mapping, "UDE_TABLE_NAME")
        .into_iter()
        .zip(column_text(mapping, "UDE_COLUMN_NAME"));
    for (table_name, column) in targets {
        let def = table(&table_name).unwrap();
        let column_def = def.column(&column).unwrap();
        assert!(
            matches!(column_def.sql_type, crate::table::SqlType::Varchar(_)),
            "{table_name}.{column}"
        );
    }
    assert!(column_text(mapping, "PROPAGATION_RULE")
        .iter()
        .all(|r| r == "CALL"));
}
