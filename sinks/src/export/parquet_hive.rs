//! The warehouse feed: every batch as zstd Parquet in an object store, Hive layout,
//!
//! ```text
//! <parquet-url>/
//!     <table>/date_key=YYYY-MM-DD/part-<batch>.parquet   rows of the batch on that UTC day
//!     _batches/<batch>/manifest.json                      files, row counts, audit-key bounds
//!     _batches/<batch>/_SUCCESS                           empty, written last
//! ```
//!
//! A fact's rows are partitioned by the UTC day of its date-time key; a table without one by
//! the day of the batch's data time. `date_key` is the partition column only (not stored in
//! the files), as Hive readers expect. A warehouse that loads the files listed by each
//! manifest whose `_SUCCESS` exists never sees a partial batch. A batch started again after
//! an interruption first removes every file an earlier attempt wrote for it.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::{
    BatchInfo, BatchWriter, ExportError, ExportSink, FileEntry, Manifest, TableSpec, TableWriter,
    TableWritten,
};
use crate::gidb::split_by_day;
use crate::location::StoreLocation;

const FORMAT: &str = "parquet";

/// Folder of the per-batch manifests and markers.
pub const BATCHES_FOLDER: &str = "_batches";

/// Name of the Hive partition column.
pub const DATE_KEY: &str = "date_key";

/// The Parquet export format.
#[derive(Debug, Clone)]
pub struct ParquetHiveSink {
    location: StoreLocation,
}

impl ParquetHiveSink {
    /// Opens the location: a path, `file://` URL or an object-store URL this build supports.
    pub fn open(url: &str) -> Result<ParquetHiveSink, ExportError> {
        let location = StoreLocation::open(url).map_err(|e| ExportError::Location {
            format: FORMAT,
            location: e.location,
            reason: e.reason,
        })?;
        Ok(ParquetHiveSink { location })
    }

    fn store(&self) -> Arc<dyn ObjectStore> {
        self.location.store()
    }
}

fn marker(batch: &str, file: &str) -> Path {
    Path::from(format!("{BATCHES_FOLDER}/{batch}/{file}"))
}

fn store_error(
    batch: &str,
    what: impl Into<String>,
) -> impl FnOnce(object_store::Error) -> ExportError {
    let (batch, what) = (batch.to_string(), what.into());
    move |source| ExportError::Store {
        format: FORMAT,
        batch,
        what,
        source: Box::new(source),
    }
}

/// Reads an object, `None` when it does not exist.
async fn read_optional(
    store: &dyn ObjectStore,
    path: &Path,
    batch: &str,
) -> Result<Option<Bytes>, ExportError> {
    match store.get(path).await {
        Ok(result) => Ok(Some(
            result
                .bytes()
                .await
                .map_err(store_error(batch, path.to_string()))?,
        )),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(store_error(batch, path.to_string())(e)),
    }
}

#[async_trait]
impl ExportSink for ParquetHiveSink {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn location(&self) -> String {
        self.location.url().to_string()
    }

    async fn published(&self, batch: &BatchInfo) -> Result<Option<Manifest>, ExportError> {
        let store = self.store();
        let name = &batch.name;
        if read_optional(store.as_ref(), &marker(name, "_SUCCESS"), name)
            .await?
            .is_none()
        {
            return Ok(None);
        }
        let manifest = read_optional(store.as_ref(), &marker(name, "manifest.json"), name).await?;
        Ok(manifest
            .and_then(|m| Manifest::from_json(&m))
            .filter(|m| m.describes(batch)))
    }

    async fn begin(&self, batch: &BatchInfo) -> Result<Arc<dyn BatchWriter>, ExportError> {
        let store = self.store();
        let name = batch.name.clone();
        let started = marker(&name, "_STARTED");
        if read_optional(store.as_ref(), &started, &name)
            .await?
            .is_some()
        {
            remove_batch_files(store.as_ref(), &name).await?;
        }
        store
            .put(&started, PutPayload::new())
            .await
            .map_err(store_error(&name, "writing _STARTED"))?;
        let day = batch.high_inserted.date_naive();
        Ok(Arc::new(ParquetBatch { store, name, day }))
    }

    async fn remove_older_than(&self, _cutoff: DateTime<Utc>) -> Result<Vec<String>, ExportError> {
        Ok(Vec::new())
    }
}

/// Removes every object an earlier attempt wrote for batch `name`.
async fn remove_batch_files(store: &dyn ObjectStore, name: &str) -> Result<(), ExportError> {
    let part = format!("part-{name}.parquet");
    let listing = store
        .list_with_delimiter(None)
        .await
        .map_err(store_error(name, "listing the export root"))?;
    for folder in listing.common_prefixes {
        let is_batches = folder.as_ref() == BATCHES_FOLDER;
        let objects: Vec<_> = store
            .list(Some(&folder))
            .try_collect()
            .await
            .map_err(store_error(name, format!("listing {folder}")))?;
        for object in objects {
            let path = object.location;
            let ours = if is_batches {
                path.as_ref()
                    .starts_with(&format!("{BATCHES_FOLDER}/{name}/"))
            } else {
                path.filename() == Some(part.as_str())
            };
            if ours {
                store
                    .delete(&path)
                    .await
                    .map_err(store_error(name, format!("removing {path}")))?;
            }
        }
    }
    Ok(())
}

/// One batch being written.
struct ParquetBatch {
    store: Arc<dyn ObjectStore>,
    name: String,
    /// Partition of tables without a day column.
    day: NaiveDate,
}

/// One table of a batch: a Parquet file per UTC day, encoded as slices arrive and stored
/// when the table is complete.
struct ParquetTable {
    store: Arc<dyn ObjectStore>,
    batch: String,
    /// Partition of tables without a day column.
    day: NaiveDate,
    spec: TableSpec,
    /// The day files (empty while a slice is being encoded).
    files: BTreeMap<NaiveDate, DayFile>,
}

/// One day's file being encoded in memory (zstd, row groups of up to 1 Mi rows).
struct DayFile {
    writer: ArrowWriter<Vec<u8>>,
    rows: u64,
}

impl DayFile {
    fn new(schema: SchemaRef) -> Result<DayFile, String> {
        let properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(
                ZstdLevel::try_new(3).map_err(|e| e.to_string())?,
            ))
            .set_max_row_group_row_count(Some(1 << 20))
            .build();
        let writer = ArrowWriter::try_new(Vec::new(), schema, Some(properties))
            .map_err(|e| e.to_string())?;
        Ok(DayFile { writer, rows: 0 })
    }
}

impl ParquetTable {
    fn path(&self, day: NaiveDate) -> String {
        format!(
            "{}/{DATE_KEY}={}/part-{}.parquet",
            self.spec.name,
            day.format("%Y-%m-%d"),
            self.batch
        )
    }

    fn encode_error(&self, what: String) -> impl FnOnce(String) -> ExportError + '_ {
        move |reason| ExportError::Encode {
            format: FORMAT,
            batch: self.batch.clone(),
            what,
            reason,
        }
    }
}

/// Adds one slice of rows to the day files.
fn encode_slice(
    files: &mut BTreeMap<NaiveDate, DayFile>,
    batches: Vec<RecordBatch>,
    day_column: Option<&str>,
    day: NaiveDate,
) -> Result<(), String> {
    let days = match day_column {
        Some(column) => split_by_day(&batches, column, false)?,
        None => BTreeMap::from([(day, batches)]),
    };
    for (day, batches) in days {
        for batch in batches.iter().filter(|b| b.num_rows() > 0) {
            let file = match files.entry(day) {
                Entry::Occupied(file) => file.into_mut(),
                Entry::Vacant(slot) => slot.insert(DayFile::new(batch.schema())?),
            };
            file.writer.write(batch).map_err(|e| e.to_string())?;
            file.rows += batch.num_rows() as u64;
        }
    }
    Ok(())
}

#[async_trait]
impl TableWriter for ParquetTable {
    async fn write(&mut self, batches: Vec<RecordBatch>) -> Result<(), ExportError> {
        let mut files = std::mem::take(&mut self.files);
        let (column, day) = (self.spec.day_column.clone(), self.day);
        let (files, encoded) = tokio::task::spawn_blocking(move || {
            let encoded = encode_slice(&mut files, batches, column.as_deref(), day);
            (files, encoded)
        })
        .await
        .expect("export task panicked");
        self.files = files;
        encoded.map_err(self.encode_error(self.spec.name.clone()))
    }

    async fn finish(mut self: Box<Self>) -> Result<TableWritten, ExportError> {
        let mut written = TableWritten::default();
        for (day, file) in std::mem::take(&mut self.files) {
            let path = self.path(day);
            let bytes = tokio::task::spawn_blocking(move || file.writer.into_inner())
                .await
                .expect("export task panicked")
                .map_err(|e| self.encode_error(path.clone())(e.to_string()))?;
            let size = bytes.len() as u64;
            self.store
                .put(&Path::from(path.as_str()), PutPayload::from(bytes))
                .await
                .map_err(store_error(&self.batch, format!("writing {path}")))?;
            written.rows += file.rows;
            written.bytes += size;
            written.files.push(FileEntry {
                path,
                rows: file.rows,
                bytes: size,
                date_key: day.format("%Y-%m-%d").to_string(),
            });
        }
        Ok(written)
    }
}

#[async_trait]
impl BatchWriter for ParquetBatch {
    async fn begin_table(&self, table: &TableSpec) -> Result<Box<dyn TableWriter>, ExportError> {
        Ok(Box::new(ParquetTable {
            store: Arc::clone(&self.store),
            batch: self.name.clone(),
            day: self.day,
            spec: table.clone(),
            files: BTreeMap::new(),
        }))
    }

    async fn publish(&self, manifest: &Manifest) -> Result<(), ExportError> {
        let name = &self.name;
        self.store
            .put(
                &marker(name, "manifest.json"),
                PutPayload::from(manifest.to_json()),
            )
            .await
            .map_err(store_error(name, "writing the manifest"))?;
        self.store
            .put(&marker(name, "_SUCCESS"), PutPayload::new())
            .await
            .map_err(store_error(name, "writing _SUCCESS"))?;
        self.store
            .delete(&marker(name, "_STARTED"))
            .await
            .map_err(store_error(name, "removing _STARTED"))
    }
}
