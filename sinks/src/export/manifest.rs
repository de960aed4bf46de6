//! The batch manifest (operations.md §3.2): what a batch holds, written beside its data by
//! every format before the completion marker.

use serde::{Deserialize, Serialize};
use tidemark_schemas::table::{ColumnDef, SqlType};

use super::{BatchInfo, TableSpec, TableWritten};

/// Version of the manifest layout.
pub const MANIFEST_FORMAT_VERSION: u32 = 1;

/// One batch's manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT_VERSION`].
    pub format_version: u32,
    /// CTL_EXPORT_HISTORY.CHUNK_ID.
    pub chunk_id: i64,
    /// Batch (folder) name.
    pub folder: String,
    /// Exclusive lower audit key.
    pub low_audit_key_exclusive: i64,
    /// Inclusive upper audit key.
    pub high_audit_key_inclusive: i64,
    /// Smallest INSERTED of the batch, RFC 3339 UTC.
    pub low_inserted_utc: String,
    /// Carried-forward largest INSERTED, RFC 3339 UTC.
    pub high_inserted_utc: String,
    /// `tables` or `export views`.
    pub source: String,
    /// Info Mart schema version.
    pub schema_version: String,
    /// Character encoding of text files (`UTF-8` for Parquet).
    pub encoding: String,
    /// Format that wrote the batch.
    pub format: String,
    /// The tables, in export order.
    pub tables: Vec<TableEntry>,
}

/// One table of a manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableEntry {
    /// Lower-case table name.
    pub name: String,
    /// Rows exported.
    pub rows: u64,
    /// Columns in order.
    pub columns: Vec<ColumnEntry>,
    /// Files holding the rows (Parquet), relative to the export root.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileEntry>,
}

/// One column of a manifest table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnEntry {
    /// Lower-case column name.
    pub name: String,
    /// SQL type as the Info Mart declares it (`numeric(19)`, `varchar(255)`, …).
    #[serde(rename = "type")]
    pub sql_type: String,
    /// Whether NULL is allowed.
    pub nullable: bool,
}

/// One data file of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Path relative to the export root.
    pub path: String,
    /// Rows in the file.
    pub rows: u64,
    /// File size in bytes.
    pub bytes: u64,
    /// Hive partition value (`YYYY-MM-DD`).
    pub date_key: String,
}

impl Manifest {
    /// The manifest of `batch` as written by `format` with text `encoding`.
    pub fn new(batch: &BatchInfo, format: &str, encoding: &str) -> Manifest {
        Manifest {
            format_version: MANIFEST_FORMAT_VERSION,
            chunk_id: batch.chunk_id,
            folder: batch.name.clone(),
            low_audit_key_exclusive: batch.low_audit_key,
            high_audit_key_inclusive: batch.high_audit_key,
            low_inserted_utc: batch.low_inserted.to_rfc3339(),
            high_inserted_utc: batch.high_inserted.to_rfc3339(),
            source: batch.source.clone(),
            schema_version: batch.schema_version.clone(),
            encoding: encoding.to_string(),
            format: format.to_string(),
            tables: Vec::new(),
        }
    }

    /// Adds a table as written.
    pub fn add(&mut self, table: &TableSpec, written: &TableWritten) {
        self.tables.push(TableEntry {
            name: table.name.clone(),
            rows: written.rows,
            columns: table.columns.iter().map(column_entry).collect(),
            files: written.files.clone(),
        });
    }

    /// Whether this manifest describes `batch` (same name and audit-key range).
    pub fn describes(&self, batch: &BatchInfo) -> bool {
        self.folder == batch.name
            && self.low_audit_key_exclusive == batch.low_audit_key
            && self.high_audit_key_inclusive == batch.high_audit_key
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> Vec<u8> {
        let mut text = serde_json::to_vec_pretty(self).expect("a manifest serializes");
        text.push(b'\n');
        text
    }

    /// Parses a manifest, `None` when it is not one.
    pub fn from_json(bytes: &[u8]) -> Option<Manifest> {
        serde_json::from_slice(bytes).ok()
    }
}

/// The SQL type name the Info Mart uses for a column type.
fn sql_type_name(t: SqlType) -> String {
    match t {
        SqlType::SmallInt => "smallint".into(),
        SqlType::Integer => "integer".into(),
        SqlType::BigInt | SqlType::BigSerial => "numeric(19)".into(),
        SqlType::Numeric(p, 0) => format!("numeric({p})"),
        SqlType::Numeric(p, s) => format!("numeric({p},{s})"),
        SqlType::Varchar(n) => format!("varchar({n})"),
        SqlType::Text => "text".into(),
        SqlType::Timestamp => "timestamp".into(),
        SqlType::Double => "double precision".into(),
    }
}

/// The manifest entry of a column.
fn column_entry(column: &ColumnDef) -> ColumnEntry {
    ColumnEntry {
        name: column.sql_name(),
        sql_type: sql_type_name(column.sql_type),
        nullable: column.nullable,
    }
}
