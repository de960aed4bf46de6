//! Content Job_InitializeGIM writes into a new Info Mart (infomart.md §1.7, operations.md §7.1):
//! the fixed dimensions, the `-1`/`-2` sentinel rows of every resolvable dimension, and the
//! fixed control rows. DATE_TIME is filled by the calendar builder, not here.
//!
//! The data are compact static tables in the submodules; [`seed_batches`] turns them into
//! record batches of the model's tables with [`crate::batch::record_batch`].

pub mod export_tables;
mod interaction;
mod outbound;
mod sentinels;
pub mod technical_descriptor;
pub mod user_data;

use std::collections::BTreeMap;

use arrow::record_batch::RecordBatch;

use crate::batch::{record_batch, Row, Value};
use crate::table::TableDef;

use super::facts_interaction::CUSTOM_USER_DATA_TABLES;

/// A code made of the display value upper-cased without spaces or punctuation
/// (`RoutedTo` → `ROUTEDTO`, infomart.md §3.13).
pub fn compact_code(label: &str) -> String {
    label
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A code made of the display value upper-cased, words joined by `_`
/// (`Push Preview` → `PUSH_PREVIEW`, `Converse-On` → `CONVERSE_ON`).
pub fn snake_code(label: &str) -> String {
    let mut code = String::with_capacity(label.len());
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            code.push(c.to_ascii_uppercase());
        } else if !code.is_empty() && !code.ends_with('_') {
            code.push('_');
        }
    }
    code.trim_end_matches('_').to_string()
}

/// Fixed control rows: CTL_PROCESSING_STATUS 0 = DEFAULT, which user-data dimension each
/// CUSTOM_KEY_n of IRF_USER_DATA_KEYS references, the default user-data mapping and the
/// tables Job_ExportGIM exports.
fn control_rows() -> Vec<(&'static str, Vec<Row<'static>>)> {
    let processing_status = vec![vec![
        ("PROCESSING_STATUS_KEY", Value::from(0)),
        ("NAME", "DEFAULT".into()),
    ]];
    let key_mapping = (1..=CUSTOM_USER_DATA_TABLES)
        .map(|n| {
            vec![
                ("ID", Value::from(n as i64)),
                ("UDE_COLUMN_NAME", format!("CUSTOM_KEY_{n}").into()),
                ("DIM_TABLE_NAME", format!("USER_DATA_CUST_DIM_{n}").into()),
            ]
        })
        .collect();
    vec![
        ("CTL_PROCESSING_STATUS", processing_status),
        ("CTL_UDE_KEYS_TO_DIM_MAPPING", key_mapping),
        ("CTL_UD_TO_UDE_MAPPING", user_data::mapping_rows()),
        ("CTL_EXPORT_TABLES", export_tables::rows()),
    ]
}

/// Seed rows per table name, sentinel rows first.
fn seed_rows() -> BTreeMap<&'static str, Vec<Row<'static>>> {
    let mut rows: BTreeMap<&'static str, Vec<Row<'static>>> = BTreeMap::new();
    for table in super::tables() {
        let sentinel = sentinels::rows(table);
        if !sentinel.is_empty() {
            rows.insert(table.name.as_str(), sentinel);
        }
    }
    let fixed = [
        ("MEDIA_TYPE", interaction::media_type()),
        ("INTERACTION_TYPE", interaction::interaction_type()),
        ("TECHNICAL_DESCRIPTOR", technical_descriptor::rows()),
        ("RESOURCE_STATE", interaction::resource_state()),
        (
            "INTERACTION_RESOURCE_STATE",
            interaction::interaction_resource_state(),
        ),
        ("ANCHOR_FLAGS", interaction::anchor_flags()),
    ];
    for (name, table_rows) in fixed
        .into_iter()
        .chain(outbound::tables())
        .chain(control_rows())
    {
        rows.entry(name).or_default().extend(table_rows);
    }
    rows
}

/// Fills CREATE_AUDIT_KEY / UPDATE_AUDIT_KEY of every row where the table has them.
fn with_audit_keys(table: &TableDef, rows: &mut [Row<'static>], audit_key: i64) {
    for column in ["CREATE_AUDIT_KEY", "UPDATE_AUDIT_KEY"] {
        if table.column(column).is_some() {
            for row in rows.iter_mut() {
                row.push((column, Value::Int(audit_key)));
            }
        }
    }
}

/// The seed content of every seeded table, in creation order, with `audit_key` as the
/// CREATE_AUDIT_KEY and UPDATE_AUDIT_KEY of every row.
pub fn seed_batches(audit_key: i64) -> Vec<(&'static TableDef, RecordBatch)> {
    let mut rows = seed_rows();
    super::tables()
        .iter()
        .filter_map(|table| {
            let mut table_rows = rows.remove(table.name.as_str())?;
            with_audit_keys(table, &mut table_rows, audit_key);
            let batch = record_batch(table, &table_rows)
                .unwrap_or_else(|e| panic!("the static seed of {} is invalid: {e}", table.name));
            Some((table, batch))
        })
        .collect()
}

#[cfg(test)]
mod tests;
