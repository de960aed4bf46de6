//! Reading one exported table's rows for a chunk: Info Mart tables and views through
//! [`MartReader`], GIDB configuration-detail folders as their latest row versions.

use arrow::record_batch::RecordBatch;
use datafusion::prelude::SessionContext;
use tidemark_plans::gidb::{latest_version_sql, register_folder, RowKey};
use tidemark_schemas::gidb::{folder_name, MediaFamily};
use tidemark_sinks::gidb::GidbStore;

use super::super::JobError;
use super::tables::{chunk_filter, ExportTable, Origin};
use crate::sources::mart::{MartReadError, MartReader};

/// Where exported rows are read from.
pub struct RowSource {
    /// The Info Mart.
    pub mart: MartReader,
    /// GIDB, for the configuration-detail tables.
    pub gidb: Option<GidbStore>,
}

/// Why reading failed, and whether a retry may help.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The database failed (connection, deadlock): worth a retry.
    #[error("{table}: {source}")]
    Database {
        /// Exported table.
        table: String,
        /// The read error.
        source: MartReadError,
    },
    /// GIDB could not be read.
    #[error("{table}: {reason}")]
    Gidb {
        /// Exported table.
        table: String,
        /// What went wrong.
        reason: String,
    },
}

impl From<ReadError> for JobError {
    fn from(e: ReadError) -> Self {
        JobError::Data(format!("export: reading {e}"))
    }
}

impl RowSource {
    /// The rows of `table` in the slice `slice` of the chunk `chunk` of audit keys (all
    /// rows for a full table).
    pub async fn read(
        &self,
        table: &ExportTable,
        chunk: (i64, i64),
        slice: (i64, i64),
    ) -> Result<Vec<RecordBatch>, ReadError> {
        let filter = chunk_filter(table.selection, chunk, slice);
        Ok(match &table.origin {
            Origin::Database { object } => self
                .mart
                .read(object, &table.columns, filter.as_deref())
                .await
                .map_err(|source| ReadError::Database {
                    table: table.name.clone(),
                    source,
                })?,
            Origin::Gidb { idb_table } => {
                let fail = |reason: String| ReadError::Gidb {
                    table: table.name.clone(),
                    reason,
                };
                let Some(gidb) = &self.gidb else {
                    return Err(fail("no GIDB location is configured".into()));
                };
                let folder = folder_name(idb_table, MediaFamily::Voice);
                if gidb
                    .days(&folder)
                    .await
                    .map_err(|e| fail(e.to_string()))?
                    .is_empty()
                {
                    Vec::new()
                } else {
                    let ctx = SessionContext::new();
                    gidb.register_with(&ctx);
                    register_folder(&ctx, "files", &gidb.folder_url(&folder), idb_table)
                        .await
                        .map_err(|e| fail(e.to_string()))?;
                    let latest = latest_version_sql(idb_table, "files", RowKey::Identity);
                    let filter = filter.unwrap_or_else(|| "true".into());
                    let sql = format!("select * from ({latest}) latest where {filter}");
                    ctx.sql(&sql)
                        .await
                        .map_err(|e| fail(e.to_string()))?
                        .collect()
                        .await
                        .map_err(|e| fail(e.to_string()))?
                }
            }
        })
    }
}
