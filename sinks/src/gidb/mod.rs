//! The GIDB Parquet store (idb.md §5.1): one folder per GIDB table, `day=YYYY-MM-DD`
//! sub-folders, and one file per (data source, window, day) whose name is fixed by those
//! three, so writing a window again replaces its files instead of adding rows.
//!
//! Files are written through `object_store`: a file becomes visible only once complete (a
//! local file is renamed into place, a cloud upload is committed at its end), so a reader
//! never sees half a file. Which files count is decided by the extraction marks in the Info
//! Mart: files of a window beyond the committed mark are leftovers of an interrupted run and
//! are removed by [`GidbStore::remove_uncommitted`] before that table and source write again.

mod day_split;
mod names;

use std::sync::Arc;

use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;
use futures::TryStreamExt;
use object_store::buffered::BufWriter;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use parquet::arrow::AsyncArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use url::Url;

use crate::location::{LocationError, StoreLocation};

pub use day_split::split_by_day;
pub use names::{day_of, ChunkFile};

/// Why a GIDB operation failed.
#[derive(Debug, thiserror::Error)]
pub enum GidbError {
    /// The location could not be opened.
    #[error("GIDB location {location}: {reason}")]
    Location {
        /// The configured location.
        location: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The object store failed.
    #[error("GIDB {path}: {source}")]
    Store {
        /// The file or folder.
        path: String,
        /// The object-store error.
        source: object_store::Error,
    },
    /// Parquet encoding failed.
    #[error("writing GIDB file {path}: {source}")]
    Parquet {
        /// The file.
        path: String,
        /// The Parquet error.
        source: parquet::errors::ParquetError,
    },
    /// The rows do not fit the file layout (e.g. a missing day column).
    #[error("GIDB {folder}: {reason}")]
    Layout {
        /// The GIDB folder.
        folder: String,
        /// What is wrong.
        reason: String,
    },
}

impl From<LocationError> for GidbError {
    fn from(e: LocationError) -> Self {
        GidbError::Location {
            location: e.location,
            reason: e.reason,
        }
    }
}

/// What writing one chunk produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WrittenChunk {
    /// Files written (one per UTC day the rows fall on).
    pub files: usize,
    /// Rows written.
    pub rows: usize,
    /// Bytes of Parquet written.
    pub bytes: u64,
}

/// The GIDB store: an object store and the prefix GIDB lives under.
#[derive(Debug, Clone)]
pub struct GidbStore {
    location: StoreLocation,
    store: Arc<dyn ObjectStore>,
}

impl GidbStore {
    /// A GIDB in a local folder, created if missing.
    pub fn local(dir: &std::path::Path) -> Result<Self, GidbError> {
        Ok(Self::at(StoreLocation::local(dir)?))
    }

    /// A GIDB at an object-store URL (`s3://bucket/prefix`, `gs://…`, `az://…`).
    pub fn from_url(url: &str) -> Result<Self, GidbError> {
        Ok(Self::at(StoreLocation::from_url(url)?))
    }

    fn at(location: StoreLocation) -> Self {
        let store = location.store();
        GidbStore { location, store }
    }

    /// The underlying object store, rooted at the GIDB prefix.
    pub fn object_store(&self) -> Arc<dyn ObjectStore> {
        Arc::clone(&self.store)
    }

    /// Registers the store with a DataFusion session so that [`GidbStore::folder_url`]
    /// URLs resolve (local folders need nothing).
    pub fn register_with(&self, ctx: &datafusion::prelude::SessionContext) {
        self.location.register_with(ctx);
    }

    /// The URL of the GIDB root (ends with `/`).
    pub fn url(&self) -> &Url {
        self.location.url()
    }

    /// The URL of one GIDB folder (ends with `/`), for registering it as a table.
    pub fn folder_url(&self, folder: &str) -> String {
        format!("{}{folder}/", self.url())
    }

    /// Writes the rows of one chunk: one Parquet file per UTC day of `day_column` (epoch
    /// seconds), replacing files of the same name. `day_column` is removed from the
    /// written rows when `drop_day_column` is set.
    pub async fn write_chunk(
        &self,
        chunk: &ChunkFile,
        batches: &[RecordBatch],
        day_column: &str,
        drop_day_column: bool,
    ) -> Result<WrittenChunk, GidbError> {
        let by_day = split_by_day(batches, day_column, drop_day_column).map_err(|reason| {
            GidbError::Layout {
                folder: chunk.folder.clone(),
                reason,
            }
        })?;
        let mut written = WrittenChunk::default();
        for (day, day_batches) in by_day {
            let path = chunk.path(day);
            written.bytes += self.write_file(&path, &day_batches).await?;
            written.rows += day_batches.iter().map(RecordBatch::num_rows).sum::<usize>();
            written.files += 1;
        }
        Ok(written)
    }

    async fn write_file(&self, path: &Path, batches: &[RecordBatch]) -> Result<u64, GidbError> {
        let parquet_error = |source| GidbError::Parquet {
            path: path.to_string(),
            source,
        };
        let schema = batches[0].schema();
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(256 * 1024))
            .build();
        let sink = BufWriter::new(Arc::clone(&self.store), path.clone());
        let mut writer =
            AsyncArrowWriter::try_new(sink, schema, Some(properties)).map_err(parquet_error)?;
        for batch in batches {
            writer.write(batch).await.map_err(parquet_error)?;
        }
        writer.finish().await.map_err(parquet_error)?;
        Ok(writer.bytes_written() as u64)
    }

    /// Removes the files of `folder` that data source `data_source_key` wrote for windows
    /// ending after `mark`: leftovers of a run interrupted between writing and committing.
    /// Returns how many files were removed.
    pub async fn remove_uncommitted(
        &self,
        folder: &str,
        data_source_key: i32,
        mark: i64,
    ) -> Result<usize, GidbError> {
        let first_day = names::day_of(mark);
        let mut removed = 0;
        for day in self.days(folder).await? {
            if day < first_day {
                continue;
            }
            let prefix = ChunkFile::day_folder(folder, day);
            let files: Vec<_> = self
                .store
                .list(Some(&prefix))
                .try_collect()
                .await
                .map_err(|source| self.store_error(&prefix, source))?;
            for file in files {
                let beyond = ChunkFile::parse(file.location.filename().unwrap_or_default())
                    .is_some_and(|(dsk, _, hi)| dsk == data_source_key && hi > mark);
                if beyond {
                    self.store
                        .delete(&file.location)
                        .await
                        .map_err(|source| self.store_error(&file.location, source))?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// The `day=` sub-folders of `folder`, oldest first.
    pub async fn days(&self, folder: &str) -> Result<Vec<NaiveDate>, GidbError> {
        let prefix = Path::from(folder);
        let listing = self
            .store
            .list_with_delimiter(Some(&prefix))
            .await
            .map_err(|source| self.store_error(&prefix, source))?;
        let mut days: Vec<NaiveDate> = listing
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename().and_then(names::parse_day_folder))
            .collect();
        days.sort();
        Ok(days)
    }

    /// Every Parquet file of `folder`, in path order.
    pub async fn files(&self, folder: &str) -> Result<Vec<Path>, GidbError> {
        let prefix = Path::from(folder);
        let mut files: Vec<Path> = self
            .store
            .list(Some(&prefix))
            .map_ok(|m| m.location)
            .try_collect()
            .await
            .map_err(|source| self.store_error(&prefix, source))?;
        files.retain(|p| p.extension() == Some("parquet"));
        files.sort();
        Ok(files)
    }

    /// Deletes one file.
    pub async fn delete(&self, path: &Path) -> Result<(), GidbError> {
        self.store
            .delete(path)
            .await
            .map_err(|source| self.store_error(path, source))
    }

    /// Writes a small object (a state file) in one piece.
    pub async fn put(&self, path: &Path, bytes: bytes::Bytes) -> Result<(), GidbError> {
        self.store
            .put(path, bytes.into())
            .await
            .map(|_| ())
            .map_err(|source| self.store_error(path, source))
    }

    fn store_error(&self, path: &Path, source: object_store::Error) -> GidbError {
        GidbError::Store {
            path: path.to_string(),
            source,
        }
    }
}

#[cfg(test)]
mod tests;
