//! One IDB as extraction sees it: a control connection for small queries (session info,
//! probes, small data windows) and connectorx reads of larger data windows into Arrow,
//! never more than `extract-data-max-conn` connections open at once.

pub mod control;
pub mod flavours;

use std::sync::Arc;

use arrow::record_batch::RecordBatch;
use tidemark_schemas::batch::{Row, Value};
use tidemark_schemas::{record_batch, TableDef};
use tidemark_sinks::database::{first_integer, DatabaseError, SqlValue};
use tokio::sync::Semaphore;

use self::control::IdbControl;
use super::connectorx_read::read_batches;
use super::idb_dialect::IdbDialect;
use crate::config::Dap;

/// Why an IDB could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The control connection failed.
    #[error("IDB {dap}: {source}")]
    Database {
        /// DAP name.
        dap: String,
        /// The database error.
        source: DatabaseError,
    },
    /// A connectorx read failed.
    #[error("IDB {dap}: reading {what} failed: {reason}")]
    Read {
        /// DAP name.
        dap: String,
        /// What was read (table and window).
        what: String,
        /// The connectorx or bridge error text.
        reason: String,
    },
}

/// How many rows a read is expected to return, which decides how it reaches the IDB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadSize {
    /// A few thousand rows at most: read on the open control connection in one round trip,
    /// without setting up connections.
    Small,
    /// More, or not known: connectorx, one new connection per partition.
    Bulk,
}

/// An open IDB.
pub struct Idb {
    /// DAP name.
    pub dap: String,
    /// SQL dialect of the IDB.
    pub dialect: IdbDialect,
    control: Arc<dyn IdbControl>,
    connectorx_url: String,
    data_permits: Arc<Semaphore>,
}

impl Idb {
    /// Connects to the IDB of `dap`. One of the `max_conn` connections is the control
    /// connection; data reads share the others (at least one).
    pub async fn open(dap: &Dap, max_conn: u32) -> Result<Idb, SourceError> {
        let (dialect, control) =
            flavours::open_control(&dap.url)
                .await
                .map_err(|source| SourceError::Database {
                    dap: dap.name.clone(),
                    source,
                })?;
        Ok(Idb {
            dap: dap.name.clone(),
            dialect,
            control: Arc::from(control),
            connectorx_url: super::connectorx_url(&dap.url),
            data_permits: Arc::new(Semaphore::new(max_conn.saturating_sub(1).max(1) as usize)),
        })
    }

    /// How many data queries may run at once against this IDB.
    pub fn data_connections(&self) -> usize {
        self.data_permits.available_permits().max(1)
    }

    /// Runs `queries` (partitions of one read) and returns the non-empty batches in arrow
    /// 59, typed by `shape` (the selected columns in order); `what` names the read in
    /// errors. See [`Idb::reads_on_control`] for the route a read takes.
    pub async fn read(
        &self,
        queries: Vec<String>,
        shape: &TableDef,
        what: &str,
        size: ReadSize,
    ) -> Result<Vec<RecordBatch>, SourceError> {
        if self.reads_on_control(size) {
            return self.read_on_control(&queries, shape, what).await;
        }
        let read_error = |reason: String| SourceError::Read {
            dap: self.dap.clone(),
            what: what.to_string(),
            reason,
        };
        let permits = Arc::clone(&self.data_permits)
            .acquire_many_owned(queries.len() as u32)
            .await
            .map_err(|e| read_error(e.to_string()))?;
        read_batches(self.connectorx_url.clone(), queries, permits)
            .await
            .map_err(read_error)
    }

    /// Whether a read of `size` runs on the control connection rather than through
    /// connectorx. SQLite always does (connectorx cannot type a `numeric` column whose first
    /// value is NULL there); PostgreSQL and MySQL/MariaDB do for small reads, which saves
    /// connectorx's connection set-up per read (tens of milliseconds, and a pool whose worker
    /// threads outlive the read by half a minute). SQL Server and Oracle have no control
    /// connection of their own, so every read goes through connectorx.
    pub fn reads_on_control(&self, size: ReadSize) -> bool {
        match self.dialect {
            IdbDialect::Sqlite => true,
            IdbDialect::Postgres | IdbDialect::MySql => size == ReadSize::Small,
            IdbDialect::Mssql | IdbDialect::Oracle => false,
        }
    }

    async fn read_on_control(
        &self,
        queries: &[String],
        shape: &TableDef,
        what: &str,
    ) -> Result<Vec<RecordBatch>, SourceError> {
        let mut batches = Vec::new();
        for sql in queries {
            let rows = self.query(sql).await?;
            if rows.is_empty() {
                continue;
            }
            let rows: Vec<Row<'_>> = rows
                .into_iter()
                .map(|row| {
                    shape
                        .columns
                        .iter()
                        .zip(row)
                        .map(|(column, value)| (column.name.as_str(), batch_value(value)))
                        .collect()
                })
                .collect();
            batches.push(record_batch(shape, &rows).map_err(|e| SourceError::Read {
                dap: self.dap.clone(),
                what: what.to_string(),
                reason: e.to_string(),
            })?);
        }
        Ok(batches)
    }

    /// Runs a query returning one optional integer (a probe) on the control connection.
    pub async fn query_opt_i64(&self, sql: &str) -> Result<Option<i64>, SourceError> {
        let rows = self.query(sql).await?;
        first_integer(sql, &rows).map_err(|source| SourceError::Database {
            dap: self.dap.clone(),
            source,
        })
    }

    /// Runs a query on the control connection.
    pub async fn query(&self, sql: &str) -> Result<Vec<Vec<SqlValue>>, SourceError> {
        self.control
            .query(sql)
            .await
            .map_err(|source| SourceError::Database {
                dap: self.dap.clone(),
                source,
            })
    }
}

/// A query result value as a batch-builder value.
fn batch_value(value: SqlValue) -> Value {
    match value {
        SqlValue::Null => Value::Null,
        SqlValue::Int(v) => Value::Int(v),
        SqlValue::Float(v) => Value::Double(v),
        SqlValue::Text(v) => Value::Text(v.into()),
        SqlValue::Timestamp(t) => Value::TimestampMicros(t.and_utc().timestamp_micros()),
        SqlValue::Decimal(text) => text
            .parse()
            .map(Value::Int)
            .unwrap_or(Value::Text(text.into())),
    }
}
