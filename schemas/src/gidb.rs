//! GIDB: the Parquet layout of extracted IDB data (idb.md §5.1).

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use crate::extraction::HwmRule;
use crate::table::TableDef;

/// Which GIDB family a row of a split table belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaFamily {
    /// Rows of a T-Server source (`_v`).
    Voice,
    /// Rows of an Interaction Server source (`_mm`).
    Multimedia,
}

/// Folder name of the GIDB copy of an IDB table (`gidb_g_call_v`, `gidb_gc_agent`).
/// `family` is ignored for tables GIDB does not split.
pub fn folder_name(table: &TableDef, family: MediaFamily) -> String {
    let base = match table.name.as_str() {
        "G_SECURE_USERDATA_HISTORY" => "g_secure_ud_history".to_string(),
        _ => table.sql_name(),
    };
    let split = table.extraction.as_ref().is_some_and(|e| e.split_voice_mm);
    match (split, family) {
        (false, _) => format!("gidb_{base}"),
        (true, MediaFamily::Voice) => format!("gidb_{base}_v"),
        (true, MediaFamily::Multimedia) => format!("gidb_{base}_mm"),
    }
}

/// `DATA_SOURCE_KEY`: the original data source of the row (→ CTL_DS).
pub const DATA_SOURCE_KEY: &str = "data_source_key";
/// `ICON_DBID`: the ICON whose IDB supplied the row.
pub const ICON_DBID: &str = "icon_dbid";
/// `CREATE_AUDIT_KEY`: the CTL_AUDIT_LOG row of the extraction chunk that wrote the row.
pub const CREATE_AUDIT_KEY: &str = "create_audit_key";

/// IDB service columns GIDB leaves out (idb.md §5.1).
const DROPPED_COLUMNS: [&str; 3] = ["GSYS_PARTITION", "GSYS_TS", "GSYS_TC"];

/// Whether the IDB column `name` is kept in the GIDB copy: every column but the `_TCODE`
/// time codes and GSYS_PARTITION, GSYS_TS, GSYS_TC.
pub fn keeps_column(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    !upper.ends_with("_TCODE") && !DROPPED_COLUMNS.contains(&upper.as_str())
}

/// Arrow schema of the GIDB copy of an IDB table: the kept IDB columns (lower-case names,
/// IDB types, nullable) followed by `data_source_key` (Int32), `icon_dbid` (Int32) and
/// `create_audit_key` (Int64), all three non-null.
pub fn arrow_schema(table: &TableDef) -> SchemaRef {
    let mut fields: Vec<Field> = table
        .columns
        .iter()
        .filter(|c| keeps_column(&c.name))
        .map(|c| Field::new(c.sql_name(), c.sql_type.arrow_type(), true))
        .collect();
    fields.push(Field::new(DATA_SOURCE_KEY, DataType::Int32, false));
    fields.push(Field::new(ICON_DBID, DataType::Int32, false));
    fields.push(Field::new(CREATE_AUDIT_KEY, DataType::Int64, false));
    Arc::new(Schema::new(fields))
}

/// The column whose value orders versions of one row (idb.md §5.1): `lastchange_ts` where the
/// table has it, otherwise the `_ts` column its extraction window is built on.
pub fn version_column(table: &TableDef) -> Option<String> {
    if table.column("LASTCHANGE_TS").is_some() {
        return Some("lastchange_ts".into());
    }
    let rule = table.extraction.as_ref()?;
    match &rule.hwm {
        HwmRule::Column(c) => Some(c.to_ascii_lowercase()),
        HwmRule::Greatest(cs) => cs.first().map(|c| c.to_ascii_lowercase()),
        _ => rule.mm_hwm.as_ref().and_then(|m| match m {
            HwmRule::Column(c) => Some(c.to_ascii_lowercase()),
            _ => None,
        }),
    }
}

/// Row identity of a GIDB copy (idb.md §5.1): `data_source_key`, `icon_dbid` and the IDB
/// surrogate key (`id`, `irhid`, …).
pub fn row_identity(table: &TableDef) -> Vec<String> {
    let mut key = vec![DATA_SOURCE_KEY.to_string(), ICON_DBID.to_string()];
    key.extend(table.primary_key.iter().map(|c| c.to_ascii_lowercase()));
    key
}
