//! DDL rendering: one [`TableDef`] becomes `CREATE TABLE`, index, partition and view
//! statements in each supported SQL dialect. Identifiers are unquoted and lower case, as
//! ICON and Info Mart create them.

use crate::table::{SqlType, TableDef, ViewDef};

/// A SQL dialect Tidemark writes DDL for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// PostgreSQL (IDB and Info Mart; Info Mart facts are range-partitioned).
    Postgres,
    /// MySQL / MariaDB (IDB only).
    MySql,
    /// SQLite (IDB and the embedded Info Mart; never partitioned).
    Sqlite,
}

impl Dialect {
    /// The column type as this dialect spells it.
    pub fn type_name(self, t: SqlType) -> String {
        match (self, t) {
            (_, SqlType::SmallInt) => "smallint".into(),
            (Dialect::MySql, SqlType::Integer) => "int".into(),
            (_, SqlType::Integer) => "integer".into(),
            (_, SqlType::BigInt) => "bigint".into(),
            (Dialect::Postgres, SqlType::BigSerial) => "bigserial".into(),
            (Dialect::MySql, SqlType::BigSerial) => "bigint auto_increment".into(),
            (Dialect::Sqlite, SqlType::BigSerial) => "bigint".into(),
            (Dialect::MySql, SqlType::Numeric(p, s)) => format!("decimal({p},{s})"),
            (_, SqlType::Numeric(p, s)) => format!("numeric({p},{s})"),
            (_, SqlType::Varchar(n)) => format!("varchar({n})"),
            (_, SqlType::Text) => "text".into(),
            (Dialect::Postgres, SqlType::Timestamp) => "timestamp".into(),
            (Dialect::MySql, SqlType::Timestamp) => "datetime(6)".into(),
            (Dialect::Sqlite, SqlType::Timestamp) => "datetime".into(),
            (Dialect::Postgres, SqlType::Double) => "double precision".into(),
            (_, SqlType::Double) => "double".into(),
        }
    }

    /// A lower-case column name as this dialect writes it in DDL and DML. MySQL/MariaDB get
    /// backticks, because they reserve words that are IDB column names (`TERMINATED`) and a
    /// backticked name behaves exactly like a bare one there; PostgreSQL and SQLite get the
    /// bare name, as ICON creates it.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::MySql => format!("`{name}`"),
            Dialect::Postgres | Dialect::Sqlite => name.to_string(),
        }
    }
}

/// Primary-key columns, lower case, as the DDL renders them: a partitioned PostgreSQL table
/// must include its partition key in the key, so an upsert's conflict target must too.
pub fn rendered_primary_key(table: &TableDef, dialect: Dialect) -> Vec<String> {
    let mut key: Vec<String> = table
        .primary_key
        .iter()
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if let (Dialect::Postgres, Some(part)) = (dialect, &table.partition_key) {
        let part = part.to_ascii_lowercase();
        if !key.is_empty() && !key.contains(&part) {
            key.push(part);
        }
    }
    key
}

/// `CREATE TABLE IF NOT EXISTS` for the table; partitioned by range in PostgreSQL when the
/// table has a partition key.
pub fn create_table(table: &TableDef, dialect: Dialect) -> String {
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            let mut line = format!(
                "  {} {}",
                dialect.ident(&c.sql_name()),
                dialect.type_name(c.sql_type)
            );
            if !c.nullable || c.sql_type == SqlType::BigSerial {
                line.push_str(" not null");
            }
            if let Some(default) = c.default {
                line.push_str(" default ");
                line.push_str(default);
            }
            line
        })
        .collect();
    let key: Vec<String> = rendered_primary_key(table, dialect)
        .iter()
        .map(|c| dialect.ident(c))
        .collect();
    if !key.is_empty() {
        lines.push(format!("  primary key ({})", key.join(", ")));
    }
    let mut sql = format!(
        "create table if not exists {} (\n{}\n)",
        table.sql_name(),
        lines.join(",\n")
    );
    if let (Dialect::Postgres, Some(part)) = (dialect, &table.partition_key) {
        sql.push_str(&format!(
            " partition by range ({})",
            part.to_ascii_lowercase()
        ));
    }
    sql
}

/// `CREATE INDEX IF NOT EXISTS` statements for the table's secondary indexes.
pub fn create_indexes(table: &TableDef) -> Vec<String> {
    table
        .indexes
        .iter()
        .map(|ix| {
            let cols: Vec<String> = ix.columns.iter().map(|c| c.to_ascii_lowercase()).collect();
            format!(
                "create index if not exists {} on {} ({})",
                ix.name,
                table.sql_name(),
                cols.join(", ")
            )
        })
        .collect()
}

/// Every statement that creates the table with its indexes.
pub fn create_table_with_indexes(table: &TableDef, dialect: Dialect) -> Vec<String> {
    let mut statements = vec![create_table(table, dialect)];
    statements.extend(create_indexes(table));
    statements
}

/// Name of the PostgreSQL partition of `table` whose range starts at `low_key`
/// (`<table>_p<YYYYMMDD>` for day-aligned keys, `<table>_k<low_key>` otherwise).
pub fn partition_name(table: &TableDef, low_key: i64) -> String {
    match chrono::DateTime::from_timestamp(low_key, 0) {
        Some(t) if low_key % 86_400 == 0 => {
            format!("{}_p{}", table.sql_name(), t.format("%Y%m%d"))
        }
        _ => format!("{}_k{}", table.sql_name(), low_key),
    }
}

/// `CREATE TABLE … PARTITION OF` for the key range `[low_key, high_key)` (PostgreSQL).
pub fn create_partition(table: &TableDef, low_key: i64, high_key: i64) -> String {
    format!(
        "create table if not exists {} partition of {} for values from ({}) to ({})",
        partition_name(table, low_key),
        table.sql_name(),
        low_key,
        high_key
    )
}

/// PostgreSQL's `unixepoch()`: the current time in whole epoch seconds, as SQLite (3.38+)
/// has it built in, so that view text that asks for "now" is the same in both databases.
const POSTGRES_UNIXEPOCH: &str =
    "create or replace function unixepoch() returns bigint language sql stable \
     as 'select cast(floor(extract(epoch from current_timestamp)) as bigint)'";

/// `CREATE VIEW` for an administrative view. In PostgreSQL a view that calls `unixepoch()`
/// is preceded, in the same string, by the statement creating that function.
pub fn create_view(view: &ViewDef, dialect: Dialect) -> String {
    match dialect {
        Dialect::Sqlite => format!(
            "create view if not exists {} as {}",
            view.sql_name(),
            view.select
        ),
        Dialect::Postgres if view.select.contains("unixepoch(") => format!(
            "{POSTGRES_UNIXEPOCH}; create or replace view {} as {}",
            view.sql_name(),
            view.select
        ),
        _ => format!(
            "create or replace view {} as {}",
            view.sql_name(),
            view.select
        ),
    }
}
