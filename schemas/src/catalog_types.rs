//! The reverse mapping: a column type as a database catalog reports it, back to Arrow.
//! Used to prove that the DDL a dialect renders holds exactly the Arrow schema of the table.

use arrow::datatypes::{DataType, TimeUnit};

use crate::ddl::Dialect;

/// A column as read from a database catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogColumn {
    /// Column name, lower case.
    pub name: String,
    /// Type name the catalog reports (`information_schema.columns.data_type`, SQLite's
    /// declared type).
    pub data_type: String,
    /// Numeric precision, where the catalog reports one.
    pub precision: Option<i64>,
    /// Numeric scale, where the catalog reports one.
    pub scale: Option<i64>,
    /// Whether the column accepts NULL.
    pub nullable: bool,
}

/// The Arrow type of a catalog column, or `None` for a type Tidemark never creates.
pub fn arrow_type_of(dialect: Dialect, column: &CatalogColumn) -> Option<DataType> {
    let t = column.data_type.to_ascii_lowercase();
    let base = t.split('(').next().unwrap_or("").trim();
    let decimal =
        |p: Option<i64>, s: Option<i64>| Some(DataType::Decimal128(p? as u8, s.unwrap_or(0) as i8));
    match (dialect, base) {
        (_, "smallint") => Some(DataType::Int16),
        (_, "integer") | (Dialect::MySql, "int") => Some(DataType::Int32),
        (_, "bigint") => Some(DataType::Int64),
        (Dialect::Sqlite, "numeric") => {
            let (p, s) = sqlite_precision(&t)?;
            Some(DataType::Decimal128(p, s))
        }
        (_, "numeric") | (_, "decimal") => decimal(column.precision, column.scale),
        (_, "character varying") | (_, "varchar") | (_, "text") => Some(DataType::Utf8),
        (Dialect::Postgres, "timestamp without time zone")
        | (Dialect::MySql, "datetime")
        | (Dialect::Sqlite, "datetime") => Some(DataType::Timestamp(TimeUnit::Microsecond, None)),
        (_, "double precision") | (_, "double") => Some(DataType::Float64),
        _ => None,
    }
}

/// `numeric(p,s)` as SQLite keeps the declared type text.
fn sqlite_precision(declared: &str) -> Option<(u8, i8)> {
    let inner = declared.split('(').nth(1)?.trim_end_matches(')');
    let mut parts = inner.split(',').map(|p| p.trim().parse::<i64>());
    let p = parts.next()?.ok()?;
    let s = parts.next().and_then(|s| s.ok()).unwrap_or(0);
    Some((p as u8, s as i8))
}
