//! MySQL and MariaDB through the synchronous `mysql` crate; calls run on blocking threads
//! ([`Blocking`]). Queries use the binary protocol, so results arrive typed.
//!
//! Batches are written as multi-row prepared `INSERT`s in one transaction, in chunks that
//! stay under the server's `max_allowed_packet` and the protocol's 65,535 placeholders;
//! upserts of [`Database::write_all`] add `ON DUPLICATE KEY UPDATE` to the same statements.
//! Note that MySQL commits implicitly before and after every DDL statement, so
//! [`Database::execute_all`] is atomic only for data statements here.

use std::ops::Range;

use arrow::record_batch::RecordBatch;
use async_trait::async_trait;
use chrono::{Datelike, NaiveDate, Timelike};
use mysql::consts::ColumnType;
use mysql::prelude::Queryable;
use mysql::{Conn, Opts, Params, Transaction, TxOpts, Value};
use tidemark_schemas::catalog_types::CatalogColumn;
use tidemark_schemas::{Dialect, TableDef};

use super::batch::{AlignedBatch, Cell};
use super::blocking::{self, Blocking};
use super::catalog::{self, identifier};
use super::error::{redact, BoxError, DatabaseError};
use super::transaction::{upsert_clause, Work, WriteStep};
use super::value::{decimal_text, timestamp_from_micros, SqlValue};
use super::Database;

const FLAVOUR: &str = "MySQL";

/// Most placeholders one prepared statement may have.
const MAX_PLACEHOLDERS: usize = 65_535;

/// Largest INSERT chunk in bytes, whatever the server allows: bigger chunks are no faster.
const MAX_CHUNK_BYTES: usize = 4 << 20;

/// Estimated protocol bytes per parameter besides its value (type, length prefix).
const PARAM_OVERHEAD: usize = 11;

/// A connection to a MySQL or MariaDB database.
pub struct MySqlDatabase {
    connection: Blocking<Conn>,
    chunk_bytes: usize,
}

impl MySqlDatabase {
    /// Connects to a `mysql://user[:password]@host[:port]/database` URL.
    pub async fn connect(url: String) -> Result<Self, DatabaseError> {
        let shown = redact(&url);
        let opts = Opts::from_url(&url).map_err(|e| DatabaseError::InvalidUrl {
            flavour: FLAVOUR,
            url: shown.clone(),
            reason: e.to_string(),
        })?;
        let connection = blocking::open(FLAVOUR, move || {
            let connect_error = |e: mysql::Error| DatabaseError::Connect {
                flavour: FLAVOUR,
                url: shown.clone(),
                cause: e.into(),
            };
            let mut connection = Conn::new(opts).map_err(connect_error)?;
            connection
                .query_drop("set names utf8mb4")
                .map_err(connect_error)?;
            Ok(connection)
        })
        .await?;
        let database = MySqlDatabase {
            connection,
            chunk_bytes: MAX_CHUNK_BYTES,
        };
        let max_packet = database.query_i64("select @@max_allowed_packet").await?;
        let chunk_bytes = usize::try_from(max_packet / 2)
            .unwrap_or(0)
            .clamp(1, MAX_CHUNK_BYTES);
        Ok(MySqlDatabase {
            chunk_bytes,
            ..database
        })
    }
}

#[async_trait]
impl Database for MySqlDatabase {
    fn dialect(&self) -> Dialect {
        Dialect::MySql
    }

    async fn execute(&self, sql: &str) -> Result<(), DatabaseError> {
        let sql = sql.to_owned();
        self.connection
            .run(move |c| {
                c.query_drop(&sql)
                    .map_err(|e| DatabaseError::statement("execute", &sql, e))
            })
            .await
    }

    async fn execute_all(&self, statements: &[String]) -> Result<(), DatabaseError> {
        let statements = statements.to_vec();
        self.connection
            .run(move |c| {
                let mut transaction = c
                    .start_transaction(TxOpts::default())
                    .map_err(|e| DatabaseError::statement("begin", "start transaction", e))?;
                for (i, sql) in statements.iter().enumerate() {
                    transaction.query_drop(sql).map_err(|e| {
                        let operation = format!(
                            "statement {} of {} (data statements rolled back; DDL commits implicitly)",
                            i + 1,
                            statements.len()
                        );
                        DatabaseError::statement(operation, sql, e)
                    })?;
                }
                transaction.commit().map_err(|e| DatabaseError::statement("commit", "commit", e))
            })
            .await
    }

    async fn query(&self, sql: &str) -> Result<Vec<Vec<SqlValue>>, DatabaseError> {
        let sql = sql.to_owned();
        self.connection
            .run(move |c| query(c, &sql).map_err(|e| DatabaseError::statement("query", &sql, e)))
            .await
    }

    async fn write_batch(
        &self,
        table: &TableDef,
        batch: &RecordBatch,
    ) -> Result<u64, DatabaseError> {
        let table = table.clone();
        let batch = batch.clone();
        let chunk_bytes = self.chunk_bytes;
        self.connection
            .run(move |c| {
                let aligned = AlignedBatch::new(&table, &batch)?;
                let insert_error = |e: mysql::Error| DatabaseError::table("insert", &table.name, e);
                let mut transaction = c
                    .start_transaction(TxOpts::default())
                    .map_err(insert_error)?;
                let written = insert_rows(&mut transaction, &aligned, chunk_bytes, "")?;
                transaction.commit().map_err(insert_error)?;
                Ok(written)
            })
            .await
    }

    #[tracing::instrument(name = "db_write", level = "debug", skip_all, fields(steps = steps.len()))]
    async fn write_all(&self, steps: Vec<WriteStep>) -> Result<Vec<u64>, DatabaseError> {
        let chunk_bytes = self.chunk_bytes;
        self.connection
            .run(move |c| {
                let mut transaction = c
                    .start_transaction(TxOpts::default())
                    .map_err(|e| DatabaseError::statement("begin", "start transaction", e))?;
                let mut affected = Vec::with_capacity(steps.len());
                for (i, step) in steps.iter().enumerate() {
                    let rows = match step.work() {
                        Work::Sql(sql) => transaction
                            .query_drop(sql)
                            .map(|()| 0)
                            .map_err(|e| DatabaseError::statement("execute", sql, e)),
                        Work::Rows { table, batch, keep } => AlignedBatch::new(table, batch)
                            .and_then(|aligned| {
                                let on_duplicate = match keep {
                                    Some(keep) => upsert_clause(&aligned, keep, Dialect::MySql)?,
                                    None => String::new(),
                                };
                                insert_rows(&mut transaction, &aligned, chunk_bytes, &on_duplicate)
                            }),
                        Work::Nothing => Ok(0),
                    };
                    affected.push(rows.map_err(|e| step.failed(i, steps.len(), e))?);
                }
                transaction
                    .commit()
                    .map_err(|e| DatabaseError::statement("commit", "commit", e))?;
                Ok(affected)
            })
            .await
    }

    async fn table_columns(&self, table: &str) -> Result<Vec<CatalogColumn>, DatabaseError> {
        let name = identifier(table)?;
        let sql = format!(
            "select column_name, data_type, numeric_precision, numeric_scale, is_nullable \
             from information_schema.columns where table_schema = database() \
             and table_name = '{name}' order by ordinal_position"
        );
        catalog::columns(table, self.query(&sql).await)
    }

    async fn index_names(&self, table: &str) -> Result<Vec<String>, DatabaseError> {
        let name = identifier(table)?;
        let sql = format!(
            "select distinct index_name from information_schema.statistics \
             where table_schema = database() and table_name = '{name}' order by index_name"
        );
        catalog::names("listing indexes", table, self.query(&sql).await)
    }

    async fn table_exists(&self, table: &str) -> Result<bool, DatabaseError> {
        let name = identifier(table)?;
        let sql = format!(
            "select count(*) from information_schema.tables \
             where table_schema = database() and table_name = '{name}'"
        );
        catalog::exists(table, self.query(&sql).await)
    }
}

fn query(connection: &mut Conn, sql: &str) -> Result<Vec<Vec<SqlValue>>, BoxError> {
    let mut rows = Vec::new();
    for row in connection.exec_iter(sql, ())? {
        let row = row?;
        let columns = row.columns();
        let values = row
            .unwrap()
            .into_iter()
            .zip(columns.iter())
            .map(|(v, c)| value(v, c.column_type()));
        rows.push(values.collect());
    }
    Ok(rows)
}

fn value(raw: Value, column_type: ColumnType) -> SqlValue {
    match raw {
        Value::NULL => SqlValue::Null,
        Value::Int(v) => SqlValue::Int(v),
        Value::UInt(v) => {
            i64::try_from(v).map_or_else(|_| SqlValue::Decimal(v.to_string()), SqlValue::Int)
        }
        Value::Float(v) => SqlValue::Float(v.into()),
        Value::Double(v) => SqlValue::Float(v),
        Value::Date(y, mo, d, h, mi, s, us) => {
            NaiveDate::from_ymd_opt(y.into(), mo.into(), d.into())
                .and_then(|date| date.and_hms_micro_opt(h.into(), mi.into(), s.into(), us))
                .map_or_else(
                    || {
                        SqlValue::Text(format!(
                            "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{us:06}"
                        ))
                    },
                    SqlValue::Timestamp,
                )
        }
        Value::Time(negative, days, h, mi, s, us) => {
            let sign = if negative { "-" } else { "" };
            let hours = days * 24 + u32::from(h);
            SqlValue::Text(format!("{sign}{hours:02}:{mi:02}:{s:02}.{us:06}"))
        }
        Value::Bytes(bytes) => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            match column_type {
                ColumnType::MYSQL_TYPE_DECIMAL | ColumnType::MYSQL_TYPE_NEWDECIMAL => {
                    SqlValue::Decimal(text)
                }
                _ => SqlValue::Text(text),
            }
        }
    }
}

/// Inserts every row in multi-row chunks, each statement followed by `tail` (an upsert's
/// `on duplicate key update` clause, or nothing), inside the caller's transaction. Returns
/// the rows affected as MySQL counts them.
fn insert_rows(
    transaction: &mut Transaction<'_>,
    aligned: &AlignedBatch<'_>,
    chunk_bytes: usize,
    tail: &str,
) -> Result<u64, DatabaseError> {
    let table = aligned.table();
    let readers = aligned.readers();
    let row_bytes =
        (0..aligned.rows()).map(|row| readers.iter().map(|r| cell_bytes(r.cell(row))).sum());
    let chunks = plan_chunks(row_bytes, readers.len(), chunk_bytes);
    let row_placeholders = format!("({})", vec!["?"; readers.len()].join(", "));
    let mut written = 0;
    for chunk in chunks {
        let sql = format!(
            "insert into {} ({}) values {}{tail}",
            table.sql_name(),
            aligned.column_list(Dialect::MySql),
            vec![row_placeholders.as_str(); chunk.len()].join(", ")
        );
        let mut params = Vec::with_capacity(chunk.len() * readers.len());
        for row in chunk.clone() {
            for (i, reader) in readers.iter().enumerate() {
                params.push(
                    mysql_value(reader.cell(row)).map_err(|r| aligned.value_error(i, row, r))?,
                );
            }
        }
        transaction
            .exec_drop(&sql, Params::Positional(params))
            .map_err(|e| {
                DatabaseError::table(
                    "insert",
                    &table.name,
                    format!("rows {}..{}: {e}", chunk.start, chunk.end),
                )
            })?;
        written += transaction.affected_rows();
    }
    Ok(written)
}

/// Splits rows into consecutive chunks of at most `MAX_PLACEHOLDERS` values and about
/// `max_bytes` bytes; a row larger than `max_bytes` gets a chunk of its own.
fn plan_chunks(
    row_bytes: impl Iterator<Item = usize>,
    columns: usize,
    max_bytes: usize,
) -> Vec<Range<usize>> {
    let max_rows = (MAX_PLACEHOLDERS / columns.max(1)).max(1);
    let mut chunks = Vec::new();
    let (mut start, mut bytes, mut rows) = (0, 0, 0);
    for (row, size) in row_bytes.enumerate() {
        let in_chunk = row - start;
        if in_chunk > 0 && (in_chunk == max_rows || bytes + size > max_bytes) {
            chunks.push(start..row);
            (start, bytes) = (row, 0);
        }
        bytes += size;
        rows = row + 1;
    }
    if rows > start {
        chunks.push(start..rows);
    }
    chunks
}

/// Estimated bytes a value takes in an execute packet.
fn cell_bytes(cell: Cell<'_>) -> usize {
    PARAM_OVERHEAD
        + match cell {
            Cell::Text(s) => s.len(),
            Cell::Decimal(_, _) => 40,
            _ => 8,
        }
}

/// A batch value as a statement parameter; decimals go as exact text.
fn mysql_value(cell: Cell<'_>) -> Result<Value, String> {
    Ok(match cell {
        Cell::Null => Value::NULL,
        Cell::Int(v) => Value::Int(v),
        Cell::Float(v) => Value::Double(v),
        Cell::Text(s) => Value::Bytes(s.as_bytes().to_vec()),
        Cell::Decimal(v, scale) => Value::Bytes(decimal_text(v, scale).into_bytes()),
        Cell::Timestamp(micros) => {
            let t = timestamp_from_micros(micros).ok_or("timestamp out of range")?;
            let year =
                u16::try_from(t.year()).map_err(|_| format!("year {} out of range", t.year()))?;
            Value::Date(
                year,
                t.month() as u8,
                t.day() as u8,
                t.hour() as u8,
                t.minute() as u8,
                t.second() as u8,
                t.nanosecond() / 1_000,
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_respect_placeholders_and_bytes() {
        let chunks = plan_chunks(std::iter::repeat_n(10, 100_000), 10, usize::MAX);
        assert_eq!(chunks.len(), 16);
        assert!(chunks.iter().all(|c| c.len() * 10 <= MAX_PLACEHOLDERS));
        assert_eq!(chunks.last().map(|c| c.end), Some(100_000));

        let sizes = [600, 600, 600, 2_000, 10];
        let chunks = plan_chunks(sizes.into_iter(), 1, 1_300);
        assert_eq!(chunks, vec![0..2, 2..3, 3..4, 4..5]);

        assert!(plan_chunks(std::iter::empty(), 3, 100).is_empty());
    }

    #[test]
    fn values_keep_microseconds_and_exact_decimals() {
        let micros = 1_709_251_199_123_456;
        assert_eq!(
            mysql_value(Cell::Timestamp(micros)),
            Ok(Value::Date(2024, 2, 29, 23, 59, 59, 123_456))
        );
        assert_eq!(
            mysql_value(Cell::Decimal(-5, 2)),
            Ok(Value::Bytes(b"-0.05".to_vec()))
        );
        assert_eq!(
            value(
                Value::Bytes(b"-0.05".to_vec()),
                ColumnType::MYSQL_TYPE_NEWDECIMAL
            ),
            SqlValue::Decimal("-0.05".into())
        );
        assert_eq!(
            value(Value::UInt(u64::MAX), ColumnType::MYSQL_TYPE_LONGLONG),
            SqlValue::Decimal(u64::MAX.to_string())
        );
    }
}
