//! The warehouse feed: every batch as zstd Parquet in an object store, Hive layout,
//!
//! ```text
//! <parquet-url>/
//!     <table>/date_key=YYYY-MM-DD/part-<batch>.parquet   rows of the batch on that UTC day
//!     <table>/date_key=YYYY-MM-DD/part-<batch>-<n>.parquet  … of its (n+1)-th slice, if any
//!     _batches/<batch>/manifest.json                      files, row counts, audit-key bounds
//!     _batches/<batch>/_SUCCESS                           empty, written last
//! ```
//!
//! A fact's rows are partitioned by the UTC day of its date-time key; a table without one by
//! the day of the batch's data time. `date_key` is the partition column only (not stored in
//! the files), as Hive readers expect. A warehouse that loads the files listed by each
//! manifest whose `_SUCCESS` exists never sees a partial batch. A batch started again after
//! an interruption first removes every file an earlier attempt wrote for it.

use std::collections::BTreeMap;
use std::sync::Arc;

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
    let (part, slice) = (format!("part-{name}.parquet"), format!("part-{name}-"));
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
                path.filename().is_some_and(|f| {
                    f == part || (f.starts_with(&slice) && f.ends_with(".parquet"))
                })
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

/// One table of a batch: each slice of rows is stored as one Parquet file per UTC day as it
/// arrives, so that no more than a slice is held.
struct ParquetTable {
    store: Arc<dyn ObjectStore>,
    batch: String,
    /// Partition of tables without a day column.
    day: NaiveDate,
    spec: TableSpec,
    /// Slices written so far.
    slices: usize,
    written: TableWritten,
}

impl ParquetTable {
    /// The file of `day` for slice `slice` (0-based): `part-<batch>.parquet` for the first,
    /// `part-<batch>-<n>.parquet` for the n-th after it.
    fn path(&self, day: NaiveDate, slice: usize) -> String {
        let suffix = match slice {
            0 => String::new(),
            n => format!("-{n}"),
        };
        format!(
            "{}/{DATE_KEY}={}/part-{}{suffix}.parquet",
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

/// One Parquet file of the batches, zstd, row groups of up to 1 Mi rows.
fn encode_file(batches: &[RecordBatch]) -> Result<Vec<u8>, String> {
    let schema = batches.first().map(RecordBatch::schema).ok_or("no rows")?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).map_err(|e| e.to_string())?,
        ))
        .set_max_row_group_row_count(Some(1 << 20))
        .build();
    let mut out = Vec::new();
    let mut writer =
        ArrowWriter::try_new(&mut out, schema, Some(properties)).map_err(|e| e.to_string())?;
    for batch in batches {
        writer.write(batch).map_err(|e| e.to_string())?;
    }
    writer.close().map_err(|e| e.to_string())?;
    Ok(out)
}

#[async_trait]
impl TableWriter for ParquetTable {
    async fn write(&mut self, batches: Vec<RecordBatch>) -> Result<(), ExportError> {
        let slice = self.slices;
        self.slices += 1;
        let batches: Vec<RecordBatch> = batches.into_iter().filter(|b| b.num_rows() > 0).collect();
        let days: BTreeMap<NaiveDate, Vec<RecordBatch>> = match &self.spec.day_column {
            Some(column) => split_by_day(&batches, column, false)
                .map_err(self.encode_error(self.spec.name.clone()))?,
            None if !batches.is_empty() => BTreeMap::from([(self.day, batches)]),
            None => BTreeMap::new(),
        };
        for (day, batches) in days {
            let path = self.path(day, slice);
            let count: usize = batches.iter().map(RecordBatch::num_rows).sum();
            let bytes = tokio::task::spawn_blocking(move || encode_file(&batches))
                .await
                .expect("export task panicked")
                .map_err(self.encode_error(path.clone()))?;
            let size = bytes.len() as u64;
            self.store
                .put(&Path::from(path.as_str()), PutPayload::from(bytes))
                .await
                .map_err(store_error(&self.batch, format!("writing {path}")))?;
            self.written.rows += count as u64;
            self.written.bytes += size;
            self.written.files.push(FileEntry {
                path,
                rows: count as u64,
                bytes: size,
                date_key: day.format("%Y-%m-%d").to_string(),
            });
        }
        Ok(())
    }

    async fn finish(self: Box<Self>) -> Result<TableWritten, ExportError> {
        Ok(self.written)
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
            slices: 0,
            written: TableWritten::default(),
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
