//! Database access for IDBs (PostgreSQL, MySQL/MariaDB, SQLite) and the Info Mart
//! (PostgreSQL, SQLite): one [`Database`] trait, one module per flavour, and one explicit
//! registry, [`flavours`], which [`connect`] consults to pick the flavour by URL scheme.
//!
//! ```no_run
//! # async fn demo(table: &tidemark_schemas::TableDef, batch: &arrow::record_batch::RecordBatch)
//! # -> Result<(), tidemark_sinks::database::DatabaseError> {
//! use tidemark_schemas::ddl::create_table_with_indexes;
//! use tidemark_sinks::database::connect;
//!
//! let db = connect("sqlite://infomart.db").await?;
//! db.execute_all(&create_table_with_indexes(table, db.dialect())).await?;
//! let rows = db.write_batch(table, batch).await?;
//! assert_eq!(db.query_i64(&format!("select count(*) from {}", table.sql_name())).await?, rows as i64);
//! # Ok(()) }
//! ```

mod batch;
mod blocking;
mod catalog;
mod error;
mod mysql;
mod pg_numeric;
mod postgres;
mod sqlite;
mod transaction;
mod value;

use std::future::Future;

use arrow::record_batch::RecordBatch;
use async_trait::async_trait;
use futures::future::BoxFuture;
use tidemark_schemas::catalog_types::CatalogColumn;
use tidemark_schemas::{Dialect, TableDef};

pub use self::error::{BoxError, DatabaseError};
pub use self::mysql::MySqlDatabase;
pub use self::postgres::{session_url as postgres_session_url, PostgresDatabase};
pub use self::sqlite::SqliteDatabase;
pub use self::transaction::WriteStep;
pub use self::value::SqlValue;

/// A connection to one database, whatever its flavour.
///
/// Table and column names given to the catalog methods are plain identifiers in any case;
/// they are looked up in lower case, as Tidemark's DDL creates them.
#[async_trait]
pub trait Database: Send + Sync {
    /// SQL dialect of the database.
    fn dialect(&self) -> Dialect;

    /// Runs one statement (or a `;`-separated script) outside any explicit transaction.
    async fn execute(&self, sql: &str) -> Result<(), DatabaseError>;

    /// Runs the statements in one transaction: all or nothing. MySQL commits implicitly
    /// around DDL, so there only data statements are rolled back on error.
    async fn execute_all(&self, statements: &[String]) -> Result<(), DatabaseError>;

    /// Runs a query and returns every row.
    async fn query(&self, sql: &str) -> Result<Vec<Vec<SqlValue>>, DatabaseError>;

    /// Writes the batch into the table atomically and returns the number of rows written.
    ///
    /// Batch columns are matched to table columns by name, in any order; table columns
    /// missing from the batch are filled by the database (default, sequence or NULL); each
    /// column is cast to its table column's Arrow type, and a value that does not fit is an
    /// error. PostgreSQL uses binary COPY, SQLite one prepared INSERT per row, MySQL
    /// multi-row INSERTs sized to the server's packet limit.
    async fn write_batch(
        &self,
        table: &TableDef,
        batch: &RecordBatch,
    ) -> Result<u64, DatabaseError>;

    /// Runs the steps in order in one transaction, all or nothing, and returns the rows each
    /// affected (0 for [`WriteStep::Sql`] and for a batch of no rows, which is skipped).
    ///
    /// Batches are aligned as in [`write_batch`](Self::write_batch); see [`WriteStep`] for
    /// what an upsert updates. PostgreSQL binary-COPYs each batch into a temporary staging
    /// table and merges it with one `INSERT … SELECT`, SQLite runs one prepared statement per
    /// row, MySQL multi-row statements. Rows affected are as the database counts them: one
    /// per row inserted or updated, except that MySQL counts an updated row twice and an
    /// unchanged one not at all. MySQL commits implicitly around DDL, so there a DDL
    /// [`WriteStep::Sql`] breaks the all-or-nothing promise. A failure is a
    /// [`DatabaseError::Step`] naming the step and its table.
    async fn write_all(&self, steps: Vec<WriteStep>) -> Result<Vec<u64>, DatabaseError>;

    /// The table's columns as the catalog reports them, in ordinal order (empty if the table
    /// does not exist).
    async fn table_columns(&self, table: &str) -> Result<Vec<CatalogColumn>, DatabaseError>;

    /// Names of the indexes on the table, sorted, including the primary key's index
    /// (`<table>_pkey` in PostgreSQL, `PRIMARY` in MySQL, `sqlite_autoindex_<table>_1`).
    async fn index_names(&self, table: &str) -> Result<Vec<String>, DatabaseError>;

    /// Whether a table or view of that name exists in the current schema or database.
    async fn table_exists(&self, table: &str) -> Result<bool, DatabaseError>;

    /// The single integer a query returns (`select count(*) …`); an error if it returns no
    /// row or a NULL.
    async fn query_i64(&self, sql: &str) -> Result<i64, DatabaseError> {
        self.query_opt_i64(sql).await?.ok_or_else(|| {
            DatabaseError::unexpected(sql, "expected one integer, got no row or NULL")
        })
    }

    /// The integer in the first column of the first row, `None` for no row or NULL.
    async fn query_opt_i64(&self, sql: &str) -> Result<Option<i64>, DatabaseError> {
        first_integer(sql, &self.query(sql).await?)
    }

    /// The first column of every row as text; an error on NULL.
    async fn query_strings(&self, sql: &str) -> Result<Vec<String>, DatabaseError> {
        let rows = self.query(sql).await?;
        rows.iter()
            .map(|row| match row.first() {
                None | Some(SqlValue::Null) => Err(DatabaseError::unexpected(
                    sql,
                    "expected a value in the first column, got NULL",
                )),
                Some(value) => Ok(value.to_string()),
            })
            .collect()
    }
}

/// Opens a connection for a URL of one flavour.
pub type Connector = fn(String) -> BoxFuture<'static, Result<Box<dyn Database>, DatabaseError>>;

/// A database flavour Tidemark can connect to.
#[derive(Debug, Clone, Copy)]
pub struct Flavour {
    /// Name used in messages.
    pub name: &'static str,
    /// URL schemes (the text before the first `:`) that select this flavour.
    pub schemes: &'static [&'static str],
    /// SQL dialect the flavour speaks.
    pub dialect: Dialect,
    /// Opens a connection.
    pub connect: Connector,
}

/// Every flavour, the one place that maps URL schemes to implementations.
pub fn flavours() -> Vec<Flavour> {
    vec![
        Flavour {
            name: "PostgreSQL",
            schemes: &["postgres", "postgresql"],
            dialect: Dialect::Postgres,
            connect: |url| boxed(PostgresDatabase::connect(url)),
        },
        Flavour {
            name: "MySQL",
            schemes: &["mysql"],
            dialect: Dialect::MySql,
            connect: |url| boxed(MySqlDatabase::connect(url)),
        },
        Flavour {
            name: "SQLite",
            schemes: &["sqlite"],
            dialect: Dialect::Sqlite,
            connect: |url| boxed(SqliteDatabase::connect(url)),
        },
    ]
}

/// The flavour whose scheme the URL starts with.
pub fn flavour_of(url: &str) -> Result<Flavour, DatabaseError> {
    let scheme = url
        .split_once(':')
        .map_or("", |(scheme, _)| scheme)
        .to_ascii_lowercase();
    let all = flavours();
    all.iter()
        .find(|f| f.schemes.contains(&scheme.as_str()))
        .copied()
        .ok_or_else(|| {
            let known: Vec<String> = all
                .iter()
                .flat_map(|f| f.schemes)
                .map(|s| format!("{s}:"))
                .collect();
            DatabaseError::UnsupportedUrl {
                url: error::redact(url),
                known: known.join(", "),
            }
        })
}

/// The integer in the first column of the first row of `rows`, the result of `sql`:
/// `None` for no row or NULL, an error for a value that is not an integer.
pub fn first_integer(sql: &str, rows: &[Vec<SqlValue>]) -> Result<Option<i64>, DatabaseError> {
    match rows.first().and_then(|row| row.first()) {
        None | Some(SqlValue::Null) => Ok(None),
        Some(value) => value.as_i64().map(Some).ok_or_else(|| {
            DatabaseError::unexpected(sql, format!("expected an integer, got {value:?}"))
        }),
    }
}

/// Connects to the database a URL names: `postgres://` or `postgresql://`, `mysql://`,
/// `sqlite://relative.db`, `sqlite:///absolute.db` or `sqlite::memory:`.
pub async fn connect(url: &str) -> Result<Box<dyn Database>, DatabaseError> {
    (flavour_of(url)?.connect)(url.to_owned()).await
}

fn boxed<D, F>(open: F) -> BoxFuture<'static, Result<Box<dyn Database>, DatabaseError>>
where
    D: Database + 'static,
    F: Future<Output = Result<D, DatabaseError>> + Send + 'static,
{
    Box::pin(async move { Ok(Box::new(open.await?) as Box<dyn Database>) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_pick_flavours() {
        let dialect = |url: &str| flavour_of(url).map(|f| f.dialect).expect("known scheme");
        assert_eq!(dialect("postgres://u@h/db"), Dialect::Postgres);
        assert_eq!(dialect("PostgreSQL://u@h/db"), Dialect::Postgres);
        assert_eq!(dialect("mysql://root@h:3306/db"), Dialect::MySql);
        assert_eq!(dialect("sqlite://data/im.db"), Dialect::Sqlite);
        assert_eq!(dialect("sqlite::memory:"), Dialect::Sqlite);
    }

    #[test]
    fn unknown_schemes_list_the_known_ones_without_passwords() {
        let err = flavour_of("oracle://scott:tiger@h/db")
            .expect_err("unsupported")
            .to_string();
        assert!(
            err.contains("postgres:, postgresql:, mysql:, sqlite:"),
            "{err}"
        );
        assert!(!err.contains("tiger"), "{err}");
        assert!(flavour_of("infomart.db").is_err());
    }

    #[tokio::test]
    async fn connect_reports_the_flavour_and_target() {
        let err = connect("postgres://nobody@127.0.0.1:1/none")
            .await
            .err()
            .expect("nothing listens on port 1");
        assert!(
            err.to_string()
                .starts_with("cannot connect to PostgreSQL database"),
            "{err}"
        );
        let db = connect("sqlite::memory:").await.expect("in-memory SQLite");
        assert_eq!(db.dialect(), Dialect::Sqlite);
        assert_eq!(
            db.query_strings("select 'a' union all select 'b'")
                .await
                .expect("query"),
            ["a", "b"]
        );
    }
}
