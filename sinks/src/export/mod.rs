//! Export formats of Job_ExportGIM (operations.md §3): each exported chunk — a *batch* of
//! audit keys `(low, high]` — is written by every enabled format behind one trait,
//! [`ExportSink`]. [`formats`] is the one registry: adding a format is one module plus one
//! line there.
//!
//! A batch is all-or-nothing for its readers: a format builds it where no consumer looks
//! (a `.tmp` folder, files not yet listed by a published manifest) and publishes it last
//! (rename and `.done`, or `_SUCCESS`). Batch names are fixed by the audit-key range, so a
//! batch written again after a crash replaces its files instead of adding to them.

mod csv_text;
mod csv_zip;
mod encoding;
mod manifest;
mod parquet_hive;

use std::sync::Arc;

use arrow::record_batch::RecordBatch;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tidemark_schemas::table::ColumnDef;

pub use csv_zip::{CsvZipOptions, CsvZipSink, DONE_SUFFIX};
pub use encoding::{CsvEncoding, UnknownEncoding};
pub use manifest::{ColumnEntry, FileEntry, Manifest, TableEntry, MANIFEST_FORMAT_VERSION};
pub use parquet_hive::{ParquetHiveSink, BATCHES_FOLDER, DATE_KEY};

/// Why an export write failed. Every variant names the batch and what was being written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A local file operation failed.
    #[error("export {format} batch {batch}: {what}: {source}")]
    Io {
        /// Format name.
        format: &'static str,
        /// Batch name.
        batch: String,
        /// File or step.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The object store failed.
    #[error("export {format} batch {batch}: {what}: {source}")]
    Store {
        /// Format name.
        format: &'static str,
        /// Batch name.
        batch: String,
        /// Object or step.
        what: String,
        /// The object-store error.
        source: Box<object_store::Error>,
    },
    /// Encoding the rows failed (CSV, ZIP, Parquet, JSON).
    #[error("export {format} batch {batch}: {what}: {reason}")]
    Encode {
        /// Format name.
        format: &'static str,
        /// Batch name.
        batch: String,
        /// Table or file.
        what: String,
        /// What went wrong.
        reason: String,
    },
    /// The export location is unusable.
    #[error("export {format}: location {location}: {reason}")]
    Location {
        /// Format name.
        format: &'static str,
        /// The configured location.
        location: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl ExportError {
    /// Whether retrying the same batch may succeed (I/O and store errors), as opposed to a
    /// data or configuration problem that would fail again.
    pub fn is_intermittent(&self) -> bool {
        matches!(self, ExportError::Io { .. } | ExportError::Store { .. })
    }
}

/// One batch: a contiguous audit-key range of committed Info Mart transactions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchInfo {
    /// `export_<high audit key, 19 digits>_<YYYY_MM_DD_HH_MI_SS>` (operations.md §3.2).
    pub name: String,
    /// CTL_EXPORT_HISTORY.CHUNK_ID.
    pub chunk_id: i64,
    /// Exclusive lower audit key.
    pub low_audit_key: i64,
    /// Inclusive upper audit key.
    pub high_audit_key: i64,
    /// Smallest CTL_AUDIT_LOG.INSERTED of the batch.
    pub low_inserted: DateTime<Utc>,
    /// Largest INSERTED of this and every earlier batch (the name's timestamp part).
    pub high_inserted: DateTime<Utc>,
    /// `tables` or `export views`.
    pub source: String,
    /// Info Mart schema version of the rows.
    pub schema_version: String,
}

impl BatchInfo {
    /// The batch name for a high audit key and the carried-forward data time.
    pub fn name_for(high_audit_key: i64, high_inserted: DateTime<Utc>) -> String {
        format!(
            "export_{high_audit_key:019}_{}",
            high_inserted.format("%Y_%m_%d_%H_%M_%S")
        )
    }

    /// The high audit key and data time a batch name holds, `None` for other names.
    pub fn parse_name(name: &str) -> Option<(i64, DateTime<Utc>)> {
        let rest = name.strip_prefix("export_")?;
        let (key, time) = rest.split_once('_')?;
        if key.len() != 19 || !key.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let time = chrono::NaiveDateTime::parse_from_str(time, "%Y_%m_%d_%H_%M_%S").ok()?;
        Some((key.parse().ok()?, time.and_utc()))
    }
}

/// One exported table of a batch: its name and columns. Its rows follow in slices.
#[derive(Debug, Clone)]
pub struct TableSpec {
    /// Lower-case table name (file name stem).
    pub name: String,
    /// Columns in order, as the model (or the export view) defines them.
    pub columns: Vec<ColumnDef>,
    /// Integer epoch-seconds column whose UTC day partitions the rows in Hive layouts (a
    /// fact's date-time key); `None`: the day of the batch's data time.
    pub day_column: Option<String>,
}

/// What a format wrote for one table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableWritten {
    /// Rows written.
    pub rows: u64,
    /// Bytes of output before archive compression (CSV text, or Parquet files).
    pub bytes: u64,
    /// Files written, relative to the format's root (Parquet); empty for archives.
    pub files: Vec<FileEntry>,
}

/// An export format.
#[async_trait]
pub trait ExportSink: Send + Sync {
    /// Format name used in messages, manifests and the registry (`csv-zip`, `parquet`).
    fn format(&self) -> &'static str;

    /// Where the format writes (folder or URL), for messages.
    fn location(&self) -> String;

    /// Character encoding of the text the format writes (`UTF-8` for binary formats).
    fn encoding(&self) -> &'static str {
        "UTF-8"
    }

    /// The manifest of `batch` when it is already published complete with this very
    /// audit-key range (a run that stopped after publishing but before committing its mark).
    async fn published(&self, batch: &BatchInfo) -> Result<Option<Manifest>, ExportError>;

    /// Starts writing `batch`, removing what an interrupted attempt left of it.
    async fn begin(&self, batch: &BatchInfo) -> Result<Arc<dyn BatchWriter>, ExportError>;

    /// Removes published batches whose data time is older than `cutoff` and returns their
    /// names (formats whose output belongs to the consumer keep everything).
    async fn remove_older_than(&self, cutoff: DateTime<Utc>) -> Result<Vec<String>, ExportError>;
}

/// One batch being written. Tables may be written concurrently.
#[async_trait]
pub trait BatchWriter: Send + Sync {
    /// Starts writing one table, whose rows [`TableWriter::write`] then takes slice by slice.
    async fn begin_table(&self, table: &TableSpec) -> Result<Box<dyn TableWriter>, ExportError>;

    /// Makes the batch visible: writes `manifest` and the completion marker, last.
    async fn publish(&self, manifest: &Manifest) -> Result<(), ExportError>;
}

/// One table of a batch being written: rows arrive in slices, so that a table never needs
/// to be held whole.
#[async_trait]
pub trait TableWriter: Send {
    /// Writes the next slice of rows (batches whose fields are the lower-case columns).
    async fn write(&mut self, batches: Vec<RecordBatch>) -> Result<(), ExportError>;

    /// Completes the table (a header-only or no file when no rows came) and says what was
    /// written.
    async fn finish(self: Box<Self>) -> Result<TableWritten, ExportError>;
}

/// Options every format may read.
#[derive(Debug, Clone)]
pub struct SinkOptions {
    /// Whether the CSV archive is written.
    pub csv_archive: bool,
    /// CSV archive: root folder of the `export_*` folders.
    pub output_directory: std::path::PathBuf,
    /// CSV archive: character encoding label of the CSV files.
    pub csv_encoding: String,
    /// Parquet: the object-store location, `None` for no Parquet export.
    pub parquet_url: Option<String>,
}

/// Opens an export format from the options; `Ok(None)` when the options leave it off.
pub type SinkOpener = fn(&SinkOptions) -> Result<Option<Arc<dyn ExportSink>>, ExportError>;

/// One registered export format.
#[derive(Debug, Clone, Copy)]
pub struct Format {
    /// Format name.
    pub name: &'static str,
    /// Opens it.
    pub open: SinkOpener,
}

/// Every export format, in the order batches are written and published.
pub fn formats() -> Vec<Format> {
    vec![
        Format {
            name: "csv-zip",
            open: |o| match o.csv_archive {
                true => CsvZipSink::open(o).map(|s| Some(Arc::new(s) as Arc<dyn ExportSink>)),
                false => Ok(None),
            },
        },
        Format {
            name: "parquet",
            open: |o| match &o.parquet_url {
                Some(url) => ParquetHiveSink::open(url).map(|s| Some(Arc::new(s) as _)),
                None => Ok(None),
            },
        },
    ]
}

/// Opens every format the options enable.
pub fn open_sinks(options: &SinkOptions) -> Result<Vec<Arc<dyn ExportSink>>, ExportError> {
    let mut sinks = Vec::new();
    for format in formats() {
        if let Some(sink) = (format.open)(options)? {
            sinks.push(sink);
        }
    }
    Ok(sinks)
}

#[cfg(test)]
mod tests;
