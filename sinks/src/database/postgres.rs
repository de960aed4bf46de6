//! PostgreSQL through tokio-postgres (no TLS). Batches are written with binary `COPY`, the
//! fastest path into PostgreSQL; its column types come from the [`TableDef`], so the table
//! must have been created from the same description. [`Database::write_all`] copies each
//! batch straight into its table when none of its rows is there yet; otherwise (the COPY
//! meets a key already stored, and is rolled back to a savepoint) it stages the batch with
//! the same COPY in a temporary table and merges it with one `INSERT … SELECT`.

use std::collections::HashSet;

use arrow::record_batch::RecordBatch;
use async_trait::async_trait;
use bytes::{BufMut, BytesMut};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use tidemark_schemas::catalog_types::CatalogColumn;
use tidemark_schemas::{Dialect, SqlType, TableDef};
use tokio::sync::Mutex;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use tokio_postgres::{Client, NoTls, Row, Transaction};

use super::batch::{AlignedBatch, Cell};
use super::catalog::{self, identifier};
use super::error::{redact, BoxError, DatabaseError};
use super::pg_numeric::{self, PgNumeric};
use super::transaction::{upsert_clause, Work, WriteStep};
use super::value::SqlValue;
use super::Database;

/// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01).
const PG_EPOCH_OFFSET_MICROS: i64 = 946_684_800_000_000;

/// The server settings every Tidemark session on PostgreSQL runs with, as the connection's
/// libpq `options`: no JIT compilation. Tidemark's statements (extraction windows, staged
/// merges, key lookups) each do little work; compiling them cost more than running them
/// (3.6 s of a 4.1 s extraction window at 1M interactions a day).
pub const SESSION_OPTIONS: &str = "-c jit=off";

/// `url` with [`SESSION_OPTIONS`] as its `options` parameter, percent-encoded; a URL that
/// sets `options` itself is left as it is.
pub fn session_url(url: &str) -> String {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    if query.split('&').any(|pair| pair.starts_with("options=")) {
        return url.to_string();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    let encoded = SESSION_OPTIONS.replace(' ', "%20").replace('=', "%3D");
    format!("{url}{separator}options={encoded}")
}

/// A connection to a PostgreSQL database.
pub struct PostgresDatabase {
    client: Mutex<Client>,
    /// Tables where a direct COPY of [`Database::write_all`] met a stored key: their batches
    /// are staged and merged from then on, without trying the direct COPY first.
    staged_tables: std::sync::Mutex<HashSet<String>>,
}

impl PostgresDatabase {
    /// Connects to a `postgres://` or `postgresql://` URL, with [`SESSION_OPTIONS`] unless
    /// the URL sets `options`.
    pub async fn connect(url: String) -> Result<Self, DatabaseError> {
        let (client, connection) = tokio_postgres::connect(&session_url(&url), NoTls)
            .await
            .map_err(|e| DatabaseError::Connect {
                flavour: "PostgreSQL",
                url: redact(&url),
                cause: e.into(),
            })?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %e, "PostgreSQL connection closed with an error");
            }
        });
        Ok(PostgresDatabase {
            client: Mutex::new(client),
            staged_tables: std::sync::Mutex::default(),
        })
    }
}

#[async_trait]
impl Database for PostgresDatabase {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn execute(&self, sql: &str) -> Result<(), DatabaseError> {
        let client = self.client.lock().await;
        client
            .batch_execute(sql)
            .await
            .map_err(|e| DatabaseError::statement("execute", sql, e))
    }

    async fn execute_all(&self, statements: &[String]) -> Result<(), DatabaseError> {
        let mut client = self.client.lock().await;
        let transaction = client
            .transaction()
            .await
            .map_err(|e| DatabaseError::statement("begin", "begin", e))?;
        for (i, sql) in statements.iter().enumerate() {
            transaction.batch_execute(sql).await.map_err(|e| {
                let operation = format!(
                    "statement {} of {} (all rolled back)",
                    i + 1,
                    statements.len()
                );
                DatabaseError::statement(operation, sql, e)
            })?;
        }
        transaction
            .commit()
            .await
            .map_err(|e| DatabaseError::statement("commit", "commit", e))
    }

    async fn query(&self, sql: &str) -> Result<Vec<Vec<SqlValue>>, DatabaseError> {
        let client = self.client.lock().await;
        let rows = client
            .query(sql, &[])
            .await
            .map_err(|e| DatabaseError::statement("query", sql, e))?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| value(row, i))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| DatabaseError::statement("reading the result", sql, e))
    }

    async fn write_batch(
        &self,
        table: &TableDef,
        batch: &RecordBatch,
    ) -> Result<u64, DatabaseError> {
        let aligned = AlignedBatch::new(table, batch)?;
        if aligned.rows() == 0 {
            return Ok(0);
        }
        let client = self.client.lock().await;
        copy_rows(&client, &table.sql_name(), &aligned).await
    }

    #[tracing::instrument(name = "db_write", level = "debug", skip_all, fields(steps = steps.len()))]
    async fn write_all(&self, steps: Vec<WriteStep>) -> Result<Vec<u64>, DatabaseError> {
        let mut client = self.client.lock().await;
        let transaction = client
            .transaction()
            .await
            .map_err(|e| DatabaseError::statement("begin", "begin", e))?;
        let mut affected = Vec::with_capacity(steps.len());
        for (i, step) in steps.iter().enumerate() {
            let rows = match step.work() {
                Work::Sql(sql) => transaction
                    .batch_execute(sql)
                    .await
                    .map(|()| 0)
                    .map_err(|e| DatabaseError::statement("execute", sql, e)),
                Work::Rows { table, batch, keep } => {
                    let stage = format!("tidemark_stage_{}", i + 1);
                    self.write_rows(&transaction, &stage, table, batch, keep)
                        .await
                }
                Work::Nothing => Ok(0),
            };
            affected.push(rows.map_err(|e| step.failed(i, steps.len(), e))?);
        }
        transaction
            .commit()
            .await
            .map_err(|e| DatabaseError::statement("commit", "commit", e))?;
        Ok(affected)
    }

    async fn table_columns(&self, table: &str) -> Result<Vec<CatalogColumn>, DatabaseError> {
        let name = identifier(table)?;
        let sql = format!(
            "select column_name::text, data_type::text, numeric_precision::int8, \
             numeric_scale::int8, is_nullable::text from information_schema.columns \
             where table_schema = current_schema() and table_name = '{name}' \
             order by ordinal_position"
        );
        catalog::columns(table, self.query(&sql).await)
    }

    async fn index_names(&self, table: &str) -> Result<Vec<String>, DatabaseError> {
        let name = identifier(table)?;
        let sql = format!(
            "select indexname::text from pg_indexes \
             where schemaname = current_schema() and tablename = '{name}' order by indexname"
        );
        catalog::names("listing indexes", table, self.query(&sql).await)
    }

    async fn table_exists(&self, table: &str) -> Result<bool, DatabaseError> {
        let name = identifier(table)?;
        let sql = format!(
            "select count(*) from information_schema.tables \
             where table_schema = current_schema() and table_name = '{name}'"
        );
        catalog::exists(table, self.query(&sql).await)
    }
}

/// Sends the aligned rows with binary COPY into `target`: the table itself, or a staging
/// table with the same columns. Returns the number of rows copied.
async fn copy_rows(
    client: &Client,
    target: &str,
    aligned: &AlignedBatch<'_>,
) -> Result<u64, DatabaseError> {
    copy_raw(client, target, aligned)
        .await
        .map_err(|failure| failure.into_error(&aligned.table().name))
}

/// A binary COPY that failed: the driver's error, and the row being sent when it came.
struct CopyFailure {
    row: Option<usize>,
    error: tokio_postgres::Error,
}

impl CopyFailure {
    /// Whether the server refused a row whose key is already stored.
    fn is_unique_violation(&self) -> bool {
        self.error.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
    }

    /// The error naming `table` and the row.
    fn into_error(self, table: &str) -> DatabaseError {
        match self.row {
            Some(row) => {
                DatabaseError::table("binary COPY", table, format!("row {row}: {}", self.error))
            }
            None => DatabaseError::table("binary COPY", table, self.error),
        }
    }
}

/// [`copy_rows`] with the driver's error kept.
async fn copy_raw(
    client: &Client,
    target: &str,
    aligned: &AlignedBatch<'_>,
) -> Result<u64, CopyFailure> {
    let types: Vec<Type> = aligned
        .columns()
        .iter()
        .map(|c| copy_type(c.sql_type))
        .collect();
    let sql = format!(
        "copy {target} ({}) from stdin (format binary)",
        aligned.column_list(Dialect::Postgres)
    );
    let failed = |row| move |error| CopyFailure { row, error };
    let sink = client.copy_in(&sql).await.map_err(failed(None))?;
    let writer = BinaryCopyInWriter::new(sink, &types);
    tokio::pin!(writer);
    let readers = aligned.readers();
    let mut cells: Vec<Cell> = Vec::with_capacity(readers.len());
    for row in 0..aligned.rows() {
        cells.clear();
        cells.extend(readers.iter().map(|r| r.cell(row)));
        writer
            .as_mut()
            .write_raw(cells.iter())
            .await
            .map_err(failed(Some(row)))?;
    }
    writer.finish().await.map_err(failed(None))
}

/// Savepoint a direct COPY of [`PostgresDatabase::write_rows`] rolls back to.
const DIRECT_COPY: &str = "tidemark_direct_copy";

impl PostgresDatabase {
    /// Writes a batch inside the transaction: a binary COPY straight into the table when
    /// none of its keys is stored, else [`merge_rows`]. The direct COPY runs under a
    /// savepoint; when the server refuses a row as a duplicate key, the COPY is rolled back,
    /// the table is remembered in [`PostgresDatabase::staged_tables`], and the batch is
    /// merged. Returns the rows inserted or updated.
    async fn write_rows(
        &self,
        transaction: &Transaction<'_>,
        stage: &str,
        table: &TableDef,
        batch: &RecordBatch,
        keep: Option<&[String]>,
    ) -> Result<u64, DatabaseError> {
        let name = table.sql_name();
        let aligned = AlignedBatch::new(table, batch)?;
        let staged = self
            .staged_tables
            .lock()
            .expect("staged tables")
            .contains(&name);
        if !staged {
            let savepoint = |sql: String| async move {
                transaction
                    .batch_execute(&sql)
                    .await
                    .map_err(|e| DatabaseError::statement("savepoint", &sql, e))
            };
            savepoint(format!("savepoint {DIRECT_COPY}")).await?;
            match copy_raw(transaction.client(), &name, &aligned).await {
                Ok(rows) => {
                    savepoint(format!("release savepoint {DIRECT_COPY}")).await?;
                    return Ok(rows);
                }
                Err(failure) if failure.is_unique_violation() => {
                    savepoint(format!("rollback to savepoint {DIRECT_COPY}")).await?;
                    self.staged_tables
                        .lock()
                        .expect("staged tables")
                        .insert(name);
                }
                Err(failure) => return Err(failure.into_error(&table.name)),
            }
        }
        merge_rows(transaction, stage, &aligned, keep).await
    }
}

/// Writes a batch inside the transaction, set-based: binary COPY into the temporary table
/// `stage` (the batch's columns of the table, without its constraints and defaults, dropped
/// at commit), then one `INSERT … SELECT` into the table, an upsert when `keep` is given.
/// Returns the rows the INSERT affected.
async fn merge_rows(
    transaction: &Transaction<'_>,
    stage: &str,
    aligned: &AlignedBatch<'_>,
    keep: Option<&[String]>,
) -> Result<u64, DatabaseError> {
    let table = aligned.table();
    let on_conflict = match keep {
        Some(keep) => upsert_clause(aligned, keep, Dialect::Postgres)?,
        None => String::new(),
    };
    let columns = aligned.column_list(Dialect::Postgres);
    let create = format!(
        "create temporary table {stage} on commit drop as select {columns} from {} with no data",
        table.sql_name()
    );
    transaction
        .batch_execute(&create)
        .await
        .map_err(|e| DatabaseError::table("creating the staging table", &table.name, e))?;
    copy_rows(transaction.client(), stage, aligned).await?;
    let merge = format!(
        "insert into {} ({columns}) select {columns} from {stage}{on_conflict}",
        table.sql_name()
    );
    transaction
        .execute(&merge, &[])
        .await
        .map_err(|e| DatabaseError::table("merging the staged rows", &table.name, e))
}

/// The type binary COPY sends for a column; it must be the column's type in the table.
fn copy_type(sql_type: SqlType) -> Type {
    match sql_type {
        SqlType::SmallInt => Type::INT2,
        SqlType::Integer => Type::INT4,
        SqlType::BigInt | SqlType::BigSerial => Type::INT8,
        SqlType::Numeric(_, _) => Type::NUMERIC,
        SqlType::Varchar(_) => Type::VARCHAR,
        SqlType::Text => Type::TEXT,
        SqlType::Timestamp => Type::TIMESTAMP,
        SqlType::Double => Type::FLOAT8,
    }
}

impl ToSql for Cell<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match (*self, ty) {
            (Cell::Null, _) => return Ok(IsNull::Yes),
            (Cell::Int(v), &Type::INT2) => out.put_i16(i16::try_from(v)?),
            (Cell::Int(v), &Type::INT4) => out.put_i32(i32::try_from(v)?),
            (Cell::Int(v), &Type::INT8) => out.put_i64(v),
            (Cell::Int(v), &Type::NUMERIC) => pg_numeric::encode(v.into(), 0, out),
            (Cell::Decimal(v, scale), &Type::NUMERIC) => pg_numeric::encode(v, scale, out),
            (Cell::Float(v), &Type::FLOAT8) => out.put_f64(v),
            (Cell::Text(s), &Type::TEXT | &Type::VARCHAR) => out.put_slice(s.as_bytes()),
            (Cell::Timestamp(micros), &Type::TIMESTAMP) => {
                let since_2000 = micros.checked_sub(PG_EPOCH_OFFSET_MICROS);
                out.put_i64(since_2000.ok_or("timestamp out of PostgreSQL's range")?)
            }
            (cell, ty) => return Err(format!("cannot send {cell:?} as {ty}").into()),
        }
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT2
                | Type::INT4
                | Type::INT8
                | Type::NUMERIC
                | Type::FLOAT8
                | Type::TEXT
                | Type::VARCHAR
                | Type::TIMESTAMP
        )
    }

    to_sql_checked!();
}

/// Field `i` of a result row in the common vocabulary.
fn value(row: &Row, i: usize) -> Result<SqlValue, BoxError> {
    fn get<'a, T: tokio_postgres::types::FromSql<'a>>(
        row: &'a Row,
        i: usize,
        wrap: impl FnOnce(T) -> SqlValue,
    ) -> Result<SqlValue, BoxError> {
        Ok(row.try_get::<_, Option<T>>(i)?.map_or(SqlValue::Null, wrap))
    }
    let column = &row.columns()[i];
    match *column.type_() {
        Type::BOOL => get(row, i, |v: bool| SqlValue::Int(v.into())),
        Type::INT2 => get(row, i, |v: i16| SqlValue::Int(v.into())),
        Type::INT4 => get(row, i, |v: i32| SqlValue::Int(v.into())),
        Type::INT8 => get(row, i, SqlValue::Int),
        Type::OID => get(row, i, |v: u32| SqlValue::Int(v.into())),
        Type::FLOAT4 => get(row, i, |v: f32| SqlValue::Float(v.into())),
        Type::FLOAT8 => get(row, i, SqlValue::Float),
        Type::NUMERIC => get(row, i, |v: PgNumeric| SqlValue::Decimal(v.0)),
        Type::TIMESTAMP => get(row, i, SqlValue::Timestamp),
        Type::TIMESTAMPTZ => get(row, i, |v: DateTime<Utc>| {
            SqlValue::Timestamp(v.naive_utc())
        }),
        Type::DATE => get(row, i, |v: NaiveDate| {
            SqlValue::Timestamp(NaiveDateTime::from(v))
        }),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            get(row, i, SqlValue::Text)
        }
        ref other => Err(format!(
            "column {} has type {other}, which query does not read; cast it to text",
            column.name()
        )
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::session_url;

    #[test]
    fn sessions_turn_jit_off_unless_the_url_sets_options() {
        assert_eq!(
            session_url("postgres://u@h/im"),
            "postgres://u@h/im?options=-c%20jit%3Doff"
        );
        assert_eq!(
            session_url("postgres://u@h/im?sslmode=disable"),
            "postgres://u@h/im?sslmode=disable&options=-c%20jit%3Doff"
        );
        let own = "postgres://u@h/im?application_name=x&options=-c%20work_mem%3D64MB";
        assert_eq!(session_url(own), own);
    }
}
