//! The SQL dialects an IDB may speak, and the pieces of extraction SQL that differ between
//! them: how a selected column is named and typed, the greatest of several keys, integer
//! results, long `in` lists and a connection probe.
//!
//! Kept apart from [`tidemark_schemas::Dialect`], which also renders Info Mart DDL and
//! writes: Microsoft SQL Server and Oracle are IDB-only, so the Info Mart code never has to
//! answer for them (docs/decisions.md, "IDB databases").

use tidemark_schemas::{ColumnDef, Dialect, SqlType};

/// The SQL dialect of one IDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdbDialect {
    /// PostgreSQL.
    Postgres,
    /// MySQL / MariaDB.
    MySql,
    /// SQLite.
    Sqlite,
    /// Microsoft SQL Server (T-SQL).
    Mssql,
    /// Oracle.
    Oracle,
}

impl From<Dialect> for IdbDialect {
    fn from(dialect: Dialect) -> Self {
        match dialect {
            Dialect::Postgres => IdbDialect::Postgres,
            Dialect::MySql => IdbDialect::MySql,
            Dialect::Sqlite => IdbDialect::Sqlite,
        }
    }
}

/// Most values Oracle accepts in one `in (…)` list (ORA-01795).
const ORACLE_IN_LIST: usize = 1000;

impl IdbDialect {
    /// `name` as a result column name that reaches Arrow in lower case, as GIDB names its
    /// columns: Oracle folds unquoted names to upper case, so there the alias is quoted.
    pub fn alias(self, name: &str) -> String {
        match self {
            IdbDialect::Oracle => format!("\"{name}\""),
            _ => name.to_string(),
        }
    }

    /// The select-list item reading `column` of the table aliased `table`, under its
    /// lower-case name. Decimals travel as text (connectorx mis-scales large PostgreSQL and
    /// MySQL decimals, and reads Oracle's and SQL Server's through a 96-bit decimal that a
    /// `numeric(20)` CONNID overflows); GIDB casts them back to their declared type.
    pub fn column(self, table: &str, column: &ColumnDef) -> String {
        let name = column.sql_name();
        let value = format!("{table}.{name}");
        match (self, column.sql_type) {
            (IdbDialect::MySql, SqlType::Numeric(..)) => format!("cast({value} as char) as {name}"),
            (IdbDialect::Postgres, SqlType::Numeric(..)) => {
                format!("cast({value} as varchar) as {name}")
            }
            (IdbDialect::Mssql, SqlType::Numeric(..)) => {
                format!("cast({value} as varchar(64)) as {name}")
            }
            (IdbDialect::Oracle, SqlType::Numeric(..)) => {
                format!("to_char({value}) as {}", self.alias(&name))
            }
            (IdbDialect::Mssql, _) => format!("{value} as {name}"),
            (IdbDialect::Oracle, _) => format!("{value} as {}", self.alias(&name)),
            _ => value,
        }
    }

    /// `expr` as a 64-bit integer. Oracle reports computed numbers without a precision,
    /// which connectorx reads as Decimal128(38, 10), so extraction keys are cast there;
    /// SQL Server keys are cast to `bigint` so that every key arrives as Int64.
    pub fn bigint(self, expr: &str) -> String {
        match self {
            IdbDialect::Mssql => format!("cast({expr} as bigint)"),
            IdbDialect::Oracle => format!("cast({expr} as number(19))"),
            _ => expr.to_string(),
        }
    }

    /// The greatest of `parts` (none of them NULL). SQL Server before 2022 has no
    /// `greatest` and refuses a subquery inside an aggregate, so there it is a `case`
    /// choosing the first part not smaller than any later one.
    pub fn greatest(self, parts: &[String]) -> String {
        match self {
            IdbDialect::Sqlite => format!("max({})", parts.join(", ")),
            IdbDialect::Mssql => match parts {
                [] => "null".to_string(),
                [only] => only.clone(),
                [.., last] => {
                    let choices: Vec<String> = (0..parts.len() - 1)
                        .map(|i| {
                            let tests: Vec<String> = parts[i + 1..]
                                .iter()
                                .map(|later| format!("{} >= {later}", parts[i]))
                                .collect();
                            format!("when {} then {}", tests.join(" and "), parts[i])
                        })
                        .collect();
                    format!("case {} else {last} end", choices.join(" "))
                }
            },
            _ => format!("greatest({})", parts.join(", ")),
        }
    }

    /// `expr in (values)`, or `in (null)` (true for no row) when `values` is empty. Oracle
    /// takes at most 1000 values per list, so longer lists are split into `or`-ed lists.
    pub fn in_list(self, expr: &str, values: &[i64]) -> String {
        if values.is_empty() {
            return format!("{expr} in (null)");
        }
        let size = match self {
            IdbDialect::Oracle => ORACLE_IN_LIST,
            _ => values.len(),
        };
        let lists: Vec<String> = values
            .chunks(size)
            .map(|chunk| {
                let chunk: Vec<String> = chunk.iter().map(i64::to_string).collect();
                format!("{expr} in ({})", chunk.join(", "))
            })
            .collect();
        match lists.as_slice() {
            [one] => one.clone(),
            _ => format!("({})", lists.join(" or ")),
        }
    }

    /// A query that succeeds on any open connection.
    pub fn probe(self) -> &'static str {
        match self {
            IdbDialect::Oracle => "select 1 from dual",
            _ => "select 1",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, sql_type: SqlType) -> ColumnDef {
        ColumnDef {
            name: name.to_string(),
            sql_type,
            nullable: true,
            default: None,
            doc: "",
        }
    }

    #[test]
    fn columns_keep_lower_case_names_and_decimals_travel_as_text() {
        let callid = column("CALLID", SqlType::BigInt);
        let connid = column("CONNIDNUM", SqlType::Numeric(20, 0));
        let cases = [
            (
                IdbDialect::Postgres,
                "t.callid",
                "cast(t.connidnum as varchar) as connidnum",
            ),
            (
                IdbDialect::MySql,
                "t.callid",
                "cast(t.connidnum as char) as connidnum",
            ),
            (IdbDialect::Sqlite, "t.callid", "t.connidnum"),
            (
                IdbDialect::Mssql,
                "t.callid as callid",
                "cast(t.connidnum as varchar(64)) as connidnum",
            ),
            (
                IdbDialect::Oracle,
                "t.callid as \"callid\"",
                "to_char(t.connidnum) as \"connidnum\"",
            ),
        ];
        for (dialect, plain, decimal) in cases {
            assert_eq!(dialect.column("t", &callid), plain, "{dialect:?}");
            assert_eq!(dialect.column("t", &connid), decimal, "{dialect:?}");
        }
    }

    #[test]
    fn keys_are_64_bit_integers_where_the_driver_would_say_otherwise() {
        assert_eq!(
            IdbDialect::Oracle.bigint("max(p.x)"),
            "cast(max(p.x) as number(19))"
        );
        assert_eq!(IdbDialect::Mssql.bigint("p.x"), "cast(p.x as bigint)");
        assert_eq!(IdbDialect::Postgres.bigint("p.x"), "p.x");
    }

    #[test]
    fn greatest_is_a_case_in_t_sql() {
        let parts = ["a".to_string(), "b".to_string(), "c".to_string()];
        assert_eq!(
            IdbDialect::Mssql.greatest(&parts),
            "case when a >= b and a >= c then a when b >= c then b else c end"
        );
        assert_eq!(IdbDialect::Mssql.greatest(&parts[..1]), "a");
        assert_eq!(IdbDialect::Oracle.greatest(&parts[..2]), "greatest(a, b)");
        assert_eq!(IdbDialect::Sqlite.greatest(&parts[..2]), "max(a, b)");
    }

    #[test]
    fn oracle_splits_long_in_lists() {
        let values: Vec<i64> = (1..=1001).collect();
        let sql = IdbDialect::Oracle.in_list("t.gsys_domain", &values);
        assert!(sql.starts_with("(t.gsys_domain in (1, 2, "), "{sql}");
        assert!(
            sql.ends_with(", 1000) or t.gsys_domain in (1001))"),
            "{sql}"
        );
        let sql = IdbDialect::Mssql.in_list("t.gsys_domain", &values);
        assert!(
            sql.ends_with(", 1000, 1001)") && !sql.contains(" or "),
            "{sql}"
        );
        assert_eq!(IdbDialect::Oracle.in_list("x", &[]), "x in (null)");
        assert_eq!(IdbDialect::Postgres.in_list("x", &[4, 9]), "x in (4, 9)");
    }

    #[test]
    fn oracle_probes_through_dual() {
        assert_eq!(IdbDialect::Oracle.probe(), "select 1 from dual");
        assert_eq!(IdbDialect::Mssql.probe(), "select 1");
    }
}
