//! SQLite through rusqlite (bundled), in WAL mode with `synchronous = NORMAL`. The
//! connection is synchronous; calls run on blocking threads ([`Blocking`]).
//!
//! URLs: `sqlite://relative/path.db`, `sqlite:///absolute/path.db`, `sqlite:path.db`, and
//! `sqlite::memory:` for a private in-memory database. The file is created if missing.
//!
//! SQLite keeps numbers as 64-bit integers or doubles, so a decimal is stored as an integer
//! when it has no fraction and as a double otherwise; a value neither holds exactly (beyond
//! 64 bits, or more than 15 significant digits with a fraction) is refused with an error.
//! Timestamps are stored as text `YYYY-MM-DD hh:mm:ss[.ffffff]`.

use std::time::Duration;

use arrow::record_batch::RecordBatch;
use async_trait::async_trait;
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::Connection;
use tidemark_schemas::catalog_types::CatalogColumn;
use tidemark_schemas::{Dialect, TableDef};

use super::batch::{AlignedBatch, Cell};
use super::blocking::{self, Blocking};
use super::catalog::{self, identifier};
use super::error::DatabaseError;
use super::transaction::{upsert_clause, Work, WriteStep};
use super::value::{decimal_text, timestamp_from_micros, SqlValue, TIMESTAMP_FORMAT};
use super::Database;

const FLAVOUR: &str = "SQLite";

/// How long a statement waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest magnitude, in significant digits, a REAL holds exactly.
const REAL_DIGITS: u32 = 15;

/// A connection to an SQLite database file (or memory).
pub struct SqliteDatabase {
    connection: Blocking<Connection>,
}

impl SqliteDatabase {
    /// Opens (creating if missing) the database a `sqlite:` URL names.
    pub async fn connect(url: String) -> Result<Self, DatabaseError> {
        let path = database_path(&url)?;
        let connection = blocking::open(FLAVOUR, move || {
            let connect_error = |e: rusqlite::Error| DatabaseError::Connect {
                flavour: FLAVOUR,
                url: url.clone(),
                cause: e.into(),
            };
            let connection = match &path {
                Some(path) => Connection::open(path),
                None => Connection::open_in_memory(),
            }
            .map_err(connect_error)?;
            connection
                .busy_timeout(BUSY_TIMEOUT)
                .map_err(connect_error)?;
            connection
                .query_row("pragma journal_mode = wal", [], |_| Ok(()))
                .map_err(connect_error)?;
            connection
                .execute_batch("pragma synchronous = normal")
                .map_err(connect_error)?;
            Ok(connection)
        })
        .await?;
        Ok(SqliteDatabase { connection })
    }
}

/// The file a `sqlite:` URL names, or `None` for memory.
fn database_path(url: &str) -> Result<Option<String>, DatabaseError> {
    let rest = url.split_once(':').map_or("", |(_, rest)| rest);
    let path = rest.strip_prefix("//").unwrap_or(rest);
    match path {
        ":memory:" => Ok(None),
        "" => Err(DatabaseError::InvalidUrl {
            flavour: FLAVOUR,
            url: url.to_owned(),
            reason:
                "no file path (use sqlite://relative.db, sqlite:///absolute.db or sqlite::memory:)"
                    .into(),
        }),
        path => Ok(Some(path.to_owned())),
    }
}

#[async_trait]
impl Database for SqliteDatabase {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn execute(&self, sql: &str) -> Result<(), DatabaseError> {
        let sql = sql.to_owned();
        self.connection
            .run(move |c| {
                c.execute_batch(&sql)
                    .map_err(|e| DatabaseError::statement("execute", &sql, e))
            })
            .await
    }

    async fn execute_all(&self, statements: &[String]) -> Result<(), DatabaseError> {
        let statements = statements.to_vec();
        self.connection
            .run(move |c| {
                let transaction = c
                    .transaction()
                    .map_err(|e| DatabaseError::statement("begin", "begin", e))?;
                for (i, sql) in statements.iter().enumerate() {
                    transaction.execute_batch(sql).map_err(|e| {
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
                    .map_err(|e| DatabaseError::statement("commit", "commit", e))
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
        self.connection
            .run(move |c| {
                let aligned = AlignedBatch::new(&table, &batch)?;
                let insert_error =
                    |e: rusqlite::Error| DatabaseError::table("insert", &table.name, e);
                let transaction = c.transaction().map_err(insert_error)?;
                let written = insert_rows(&transaction, &aligned, "")?;
                transaction.commit().map_err(insert_error)?;
                Ok(written)
            })
            .await
    }

    #[tracing::instrument(name = "db_write", level = "debug", skip_all, fields(steps = steps.len()))]
    async fn write_all(&self, steps: Vec<WriteStep>) -> Result<Vec<u64>, DatabaseError> {
        self.connection
            .run(move |c| {
                let transaction = c
                    .transaction()
                    .map_err(|e| DatabaseError::statement("begin", "begin", e))?;
                let mut affected = Vec::with_capacity(steps.len());
                for (i, step) in steps.iter().enumerate() {
                    let rows = match step.work() {
                        Work::Sql(sql) => transaction
                            .execute_batch(sql)
                            .map(|()| 0)
                            .map_err(|e| DatabaseError::statement("execute", sql, e)),
                        Work::Rows { table, batch, keep } => AlignedBatch::new(table, batch)
                            .and_then(|aligned| {
                                let on_conflict = match keep {
                                    Some(keep) => upsert_clause(&aligned, keep, Dialect::Sqlite)?,
                                    None => String::new(),
                                };
                                insert_rows(&transaction, &aligned, &on_conflict)
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
            "select name, type, null, null, case when \"notnull\" = 0 then 'YES' else 'NO' end \
             from pragma_table_info('{name}') order by cid"
        );
        catalog::columns(table, self.query(&sql).await)
    }

    async fn index_names(&self, table: &str) -> Result<Vec<String>, DatabaseError> {
        let name = identifier(table)?;
        let sql = format!("select name from pragma_index_list('{name}') order by name");
        catalog::names("listing indexes", table, self.query(&sql).await)
    }

    async fn table_exists(&self, table: &str) -> Result<bool, DatabaseError> {
        let name = identifier(table)?;
        let sql = format!(
            "select count(*) from sqlite_master where type in ('table', 'view') and lower(name) = '{name}'"
        );
        catalog::exists(table, self.query(&sql).await)
    }
}

fn query(connection: &Connection, sql: &str) -> Result<Vec<Vec<SqlValue>>, rusqlite::Error> {
    let mut statement = connection.prepare(sql)?;
    let timestamp_columns: Vec<bool> = statement
        .columns()
        .iter()
        .map(|c| declared_as_time(c.decl_type()))
        .collect();
    let mut rows = statement.query([])?;
    let mut result = Vec::new();
    while let Some(row) = rows.next()? {
        let values = timestamp_columns
            .iter()
            .enumerate()
            .map(|(i, is_time)| Ok(value(row.get_ref(i)?, *is_time)))
            .collect::<Result<Vec<_>, rusqlite::Error>>()?;
        result.push(values);
    }
    Ok(result)
}

fn declared_as_time(declared: Option<&str>) -> bool {
    let declared = declared.unwrap_or("").to_ascii_lowercase();
    ["datetime", "timestamp", "date"]
        .iter()
        .any(|t| declared.starts_with(t))
}

fn value(raw: ValueRef<'_>, is_time: bool) -> SqlValue {
    match raw {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(v) => SqlValue::Int(v),
        ValueRef::Real(v) => SqlValue::Float(v),
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            match is_time.then(|| parse_timestamp(&text)).flatten() {
                Some(t) => SqlValue::Timestamp(t),
                None => SqlValue::Text(text.into_owned()),
            }
        }
    }
}

fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(NaiveDateTime::from)
    })
}

/// Inserts every row with one prepared `insert … values (?, …)` followed by `tail` (an
/// upsert's conflict clause, or nothing), inside the caller's transaction. Returns the rows
/// inserted or updated.
fn insert_rows(
    connection: &Connection,
    aligned: &AlignedBatch<'_>,
    tail: &str,
) -> Result<u64, DatabaseError> {
    let table = aligned.table();
    let placeholders = vec!["?"; aligned.columns().len()].join(", ");
    let sql = format!(
        "insert into {} ({}) values ({placeholders}){tail}",
        table.sql_name(),
        aligned.column_list(Dialect::Sqlite)
    );
    let mut statement = connection
        .prepare_cached(&sql)
        .map_err(|e| DatabaseError::table("insert", &table.name, e))?;
    let readers = aligned.readers();
    let mut written = 0;
    for row in 0..aligned.rows() {
        for (i, reader) in readers.iter().enumerate() {
            let value =
                sqlite_value(reader.cell(row)).map_err(|r| aligned.value_error(i, row, r))?;
            statement
                .raw_bind_parameter(i + 1, value)
                .map_err(|e| DatabaseError::table("insert", &table.name, e))?;
        }
        written += statement
            .raw_execute()
            .map_err(|e| DatabaseError::table("insert", &table.name, format!("row {row}: {e}")))?
            as u64;
    }
    Ok(written)
}

/// A batch value as SQLite stores it; see the module documentation for decimals.
fn sqlite_value(cell: Cell<'_>) -> Result<ToSqlOutput<'_>, String> {
    Ok(match cell {
        Cell::Null => ToSqlOutput::Owned(Value::Null),
        Cell::Int(v) => ToSqlOutput::Owned(Value::Integer(v)),
        Cell::Float(v) => ToSqlOutput::Owned(Value::Real(v)),
        Cell::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        Cell::Timestamp(micros) => {
            let t = timestamp_from_micros(micros).ok_or("timestamp out of range")?;
            ToSqlOutput::Owned(Value::Text(t.format(TIMESTAMP_FORMAT).to_string()))
        }
        Cell::Decimal(v, scale) => ToSqlOutput::Owned(sqlite_decimal(v, scale)?),
    })
}

fn sqlite_decimal(value: i128, scale: i8) -> Result<Value, String> {
    let text = || decimal_text(value, scale);
    let factor = 10i128.checked_pow(u32::from(scale.unsigned_abs()));
    let integral = match factor {
        Some(f) if scale <= 0 => value.checked_mul(f),
        Some(f) if value % f == 0 => Some(value / f),
        _ => None,
    };
    if let Some(int) = integral {
        return i64::try_from(int)
            .map(Value::Integer)
            .map_err(|_| format!("{} does not fit SQLite's 64-bit integer", text()));
    }
    let mut significant = value.unsigned_abs();
    while significant.is_multiple_of(10) {
        significant /= 10;
    }
    if significant >= 10u128.pow(REAL_DIGITS) {
        return Err(format!(
            "{} has more than {REAL_DIGITS} significant digits, more than SQLite stores exactly",
            text()
        ));
    }
    text()
        .parse()
        .map(Value::Real)
        .map_err(|e| format!("{}: {e}", text()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_relative_absolute_and_memory_databases() {
        assert_eq!(
            database_path("sqlite://data/im.db").expect("ok"),
            Some("data/im.db".into())
        );
        assert_eq!(
            database_path("sqlite:///var/lib/im.db").expect("ok"),
            Some("/var/lib/im.db".into())
        );
        assert_eq!(
            database_path("sqlite:im.db").expect("ok"),
            Some("im.db".into())
        );
        assert_eq!(database_path("sqlite::memory:").expect("ok"), None);
        assert_eq!(database_path("sqlite://:memory:").expect("ok"), None);
        assert!(database_path("sqlite://").is_err());
    }

    #[test]
    fn decimals_are_stored_exactly_or_refused() {
        assert_eq!(
            sqlite_decimal(i128::from(i64::MAX), 0),
            Ok(Value::Integer(i64::MAX))
        );
        assert_eq!(sqlite_decimal(50_000, 4), Ok(Value::Integer(5)));
        assert_eq!(sqlite_decimal(-7, -3), Ok(Value::Integer(-7_000)));
        assert_eq!(
            sqlite_decimal(-123_456_781_234, 4),
            Ok(Value::Real(-12_345_678.123_4))
        );
        let big = sqlite_decimal(9_999_999_999_999_999_999, 0).expect_err("beyond i64");
        assert!(big.contains("9999999999999999999"), "{big}");
        assert!(sqlite_decimal(1_234_567_890_123_456, 2).is_err());
    }

    #[tokio::test]
    async fn memory_database_round_trips_and_rolls_back() {
        let db = SqliteDatabase::connect("sqlite::memory:".into())
            .await
            .expect("opens");
        db.execute("create table t (a integer, d datetime)")
            .await
            .expect("creates");
        let failed = db
            .execute_all(&[
                "insert into t values (1, null)".into(),
                "insert into missing values (2)".into(),
            ])
            .await
            .expect_err("second statement fails");
        assert!(failed.to_string().contains("statement 2 of 2"), "{failed}");
        assert_eq!(
            db.query_i64("select count(*) from t")
                .await
                .expect("counts"),
            0
        );
        db.execute("insert into t values (2, '2024-01-02 03:04:05.5')")
            .await
            .expect("inserts");
        let rows = db.query("select a, d from t").await.expect("reads");
        let when = NaiveDateTime::parse_from_str("2024-01-02 03:04:05.5", "%Y-%m-%d %H:%M:%S%.f")
            .expect("valid");
        assert_eq!(
            rows,
            vec![vec![SqlValue::Int(2), SqlValue::Timestamp(when)]]
        );
    }
}
