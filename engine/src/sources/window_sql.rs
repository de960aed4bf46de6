//! The SQL that selects one extraction window of one IDB table (idb.md §5.2, §5.3):
//! rows whose extraction key lies in `(lo, hi]` and that belong to the data source's
//! sessions, with the key itself as an extra column `tidemark_key_ts` (the UTC day the row
//! is filed under).

use tidemark_schemas::gidb::keeps_column;
use tidemark_schemas::{HwmRule, TableDef};

use super::idb_dialect::IdbDialect;

/// Name of the extra column holding each row's extraction key.
pub const KEY_COLUMN: &str = "tidemark_key_ts";

/// A step from a table to the parent rows that pull it into a window: rows of the table
/// whose `key` matches a parent row in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentLink {
    /// Parent IDB table, lower case.
    pub table: String,
    /// Key column present in both, lower case.
    pub key: String,
}

/// How one table is selected for one data source.
#[derive(Debug, Clone)]
pub struct WindowSelect<'a> {
    /// The IDB table.
    pub table: &'a TableDef,
    /// Window rule (a column or greatest-of rule) of the table that carries the extraction
    /// key: the table itself, or the last of `parents`.
    pub rule: &'a HwmRule,
    /// The chain of parents from the table to the one the rule applies to (empty when the
    /// table is selected by its own columns); e.g. G_PARTY_HISTORY → G_PARTY → G_CALL.
    pub parents: Vec<ParentLink>,
    /// DSS_IDs of the data source's sessions in this IDB (GSYS_DOMAIN values) of the provider
    /// that stamped the rows the window rule applies to: the table's, or its root parent's.
    pub sessions: Vec<i64>,
    /// DSS_IDs the table's own rows must carry when another provider stamped them than its
    /// root parent (attached data under a call: GUD rows, GCC calls); empty otherwise.
    pub own_sessions: Vec<i64>,
    /// SQL dialect of the IDB.
    pub dialect: IdbDialect,
}

/// The shape of what [`WindowSelect::queries`] returns for `table`: its kept columns, then
/// the extraction key.
pub fn selected_shape(table: &TableDef) -> TableDef {
    let mut shape = TableDef::new(&table.name, table.family, table.doc);
    shape.columns = table
        .columns
        .iter()
        .filter(|c| keeps_column(&c.name))
        .cloned()
        .map(|mut c| {
            c.nullable = true;
            c
        })
        .collect();
    shape.col(
        KEY_COLUMN,
        tidemark_schemas::SqlType::BigInt,
        "extraction key",
    )
}

impl WindowSelect<'_> {
    /// The queries for window `(lo, hi]`: one per slice of [`slices`], so that the
    /// partitions of a read share out the IDB's work instead of each repeating it.
    pub fn queries(&self, lo: i64, hi: i64, partitions: usize) -> Vec<String> {
        slices(lo, hi, partitions)
            .into_iter()
            .map(|(lo, hi)| self.query(lo, hi))
            .collect()
    }

    /// The query for window `(lo, hi]`.
    fn query(&self, lo: i64, hi: i64) -> String {
        let columns: Vec<String> = self
            .table
            .columns
            .iter()
            .filter(|c| keeps_column(&c.name))
            .map(|c| self.dialect.column("t", c))
            .collect();
        let base = match self.parents.first() {
            Some(first) => format!(
                "select {}, {} from {} t join ({}) w on t.{} = w.wkey",
                columns.join(", "),
                self.key_item(&format!("w.{KEY_COLUMN}")),
                self.table.sql_name(),
                self.parent_keys(0, lo, hi),
                first.key
            ),
            None => {
                let key = self.key_expr("t");
                format!(
                    "select {}, {} from {} t where {}",
                    columns.join(", "),
                    self.key_item(&key),
                    self.table.sql_name(),
                    self.window_filter(&key, "t", lo, hi)
                )
            }
        };
        if self.parents.is_empty() || self.own_sessions.is_empty() {
            return base;
        }
        let own = self.dialect.in_list("t.gsys_domain", &self.own_sessions);
        format!("{base} where {own}")
    }

    /// `(wkey, tidemark_key_ts)` of the rows of parent `level` in the window: the parent's
    /// key to the level below, with the extraction key of the root parent.
    fn parent_keys(&self, level: usize, lo: i64, hi: i64) -> String {
        let link = &self.parents[level];
        let alias = format!("p{level}");
        match self.parents.get(level + 1) {
            None => {
                let key = self.key_expr(&alias);
                format!(
                    "select {alias}.{} as wkey, max({key}) as {KEY_COLUMN} from {} {alias} where {} group by {alias}.{}",
                    link.key,
                    link.table,
                    self.window_filter(&key, &alias, lo, hi),
                    link.key
                )
            }
            Some(next) => format!(
                "select {alias}.{} as wkey, max(w{level}.{KEY_COLUMN}) as {KEY_COLUMN} from {} {alias} join ({}) w{level} \
                 on {alias}.{} = w{level}.wkey group by {alias}.{}",
                link.key,
                link.table,
                self.parent_keys(level + 1, lo, hi),
                next.key,
                link.key
            ),
        }
    }

    /// The query giving the smallest extraction key after `lo` (NULL when none), used to
    /// skip idle time in one step.
    pub fn next_key_query(&self, lo: i64, bound: i64) -> String {
        let (alias, table) = match self.parents.last() {
            Some(root) => ("p", root.table.clone()),
            None => ("t", self.table.sql_name()),
        };
        let key = self.key_expr(alias);
        format!(
            "select {} from {table} {alias} where {}",
            self.dialect.bigint(&format!("min({key})")),
            self.window_filter(&key, alias, lo, bound)
        )
    }

    /// The extraction key `expr` as the last selected column.
    fn key_item(&self, expr: &str) -> String {
        format!(
            "{} as {}",
            self.dialect.bigint(expr),
            self.dialect.alias(KEY_COLUMN)
        )
    }

    fn window_filter(&self, key: &str, alias: &str, lo: i64, hi: i64) -> String {
        let sessions = self
            .dialect
            .in_list(&format!("{alias}.gsys_domain"), &self.sessions);
        format!("{key} > {lo} and {key} <= {hi} and {sessions}")
    }

    fn key_expr(&self, alias: &str) -> String {
        match self.rule {
            HwmRule::Column(c) => format!("{alias}.{}", c.to_ascii_lowercase()),
            HwmRule::Greatest(cs) => {
                let parts: Vec<String> = cs
                    .iter()
                    .map(|c| format!("coalesce({alias}.{}, -1)", c.to_ascii_lowercase()))
                    .collect();
                self.dialect.greatest(&parts)
            }
            HwmRule::ByParent { .. } | HwmRule::FullRead | HwmRule::ReadOnce => {
                unreachable!("window keys are built on a column rule")
            }
        }
    }
}

/// The query reading every column of `table` (a small table read whole).
pub fn whole_table_query(table: &TableDef, dialect: IdbDialect) -> String {
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| dialect.column("t", c))
        .collect();
    format!("select {} from {} t", columns.join(", "), table.sql_name())
}

/// Window `(lo, hi]` cut into at most `partitions` consecutive slices of (nearly) equal
/// length, none empty: a row's extraction key lies in exactly one of them.
pub fn slices(lo: i64, hi: i64, partitions: usize) -> Vec<(i64, i64)> {
    let width = i128::from(hi) - i128::from(lo);
    let count = i128::try_from(partitions.max(1))
        .unwrap_or(1)
        .min(width.max(1));
    (0..count)
        .map(|k| {
            let at = |k: i128| i64::try_from(i128::from(lo) + width * k / count).unwrap_or(hi);
            (at(k), at(k + 1))
        })
        .collect()
}

#[cfg(test)]
mod dialect_tests;

#[cfg(test)]
mod tests {
    use super::*;

    /// A selection of `table` by `rule` through `parents` for the sessions 4 and 9.
    pub(super) fn select<'a>(
        table: &'a TableDef,
        rule: &'a HwmRule,
        parents: &[(&str, &str)],
        dialect: IdbDialect,
    ) -> WindowSelect<'a> {
        WindowSelect {
            table,
            rule,
            parents: parents
                .iter()
                .map(|(t, k)| ParentLink {
                    table: t.to_string(),
                    key: k.to_string(),
                })
                .collect(),
            sessions: vec![4, 9],
            own_sessions: Vec::new(),
            dialect,
        }
    }

    #[test]
    fn slices_cover_the_window_once_without_empty_ones() {
        assert_eq!(
            slices(100, 200, 3),
            vec![(100, 133), (133, 166), (166, 200)]
        );
        assert_eq!(slices(0, 2, 3), vec![(0, 1), (1, 2)]);
        assert_eq!(slices(5, 5, 3), vec![(5, 5)]);
        assert_eq!(slices(7, 9, 1), vec![(7, 9)]);
        assert_eq!(
            slices(i64::MIN, i64::MAX, 2).last().map(|s| s.1),
            Some(i64::MAX)
        );
    }

    #[test]
    fn attached_data_follows_the_calls_of_the_interaction_sessions() {
        let table = tidemark_schemas::idb::table("G_USERDATA_HISTORY").unwrap();
        let rule = HwmRule::column("TERMINATED_TS");
        let mut plan = select(table, &rule, &[("g_call", "callid")], IdbDialect::Sqlite);
        plan.own_sessions = vec![7];
        let sql = plan.queries(0, 50, 1);
        assert!(
            sql[0].contains(
                "from g_call p0 where p0.terminated_ts > 0 and p0.terminated_ts <= 50 \
             and p0.gsys_domain in (4, 9) group by p0.callid) w on t.callid = w.wkey \
             where t.gsys_domain in (7)"
            ),
            "{}",
            sql[0]
        );
    }

    #[test]
    fn a_column_rule_selects_the_window_of_the_sources_sessions() {
        let table = tidemark_schemas::idb::table("G_PARTY_HISTORY").unwrap();
        let rule = HwmRule::column("ADDED_TS");
        let sql = select(table, &rule, &[], IdbDialect::Postgres).queries(100, 200, 1);
        assert_eq!(sql.len(), 1);
        assert!(sql[0].ends_with(
            "t.added_ts as tidemark_key_ts from g_party_history t where t.added_ts > 100 and t.added_ts <= 200 \
             and t.gsys_domain in (4, 9)"
        ), "{}", sql[0]);
        assert!(!sql[0].contains("_tcode") && !sql[0].contains("gsys_partition"));
        let parts = select(table, &rule, &[], IdbDialect::Postgres).queries(100, 200, 3);
        assert_eq!(parts.len(), 3);
        assert!(
            parts[2].contains("where t.added_ts > 166 and t.added_ts <= 200 "),
            "{}",
            parts[2]
        );
    }

    #[test]
    fn a_child_table_follows_its_terminated_parent() {
        let table = tidemark_schemas::idb::table("G_PARTY").unwrap();
        let rule = HwmRule::column("TERMINATED_TS");
        let sql =
            select(table, &rule, &[("g_call", "callid")], IdbDialect::MySql).queries(0, 50, 2);
        assert!(sql[0].contains(
            "from g_party t join (select p0.callid as wkey, max(p0.terminated_ts) as tidemark_key_ts from g_call p0 \
             where p0.terminated_ts > 0 and p0.terminated_ts <= 25 and p0.gsys_domain in (4, 9) group by p0.callid) w on t.callid = w.wkey"
        ), "{}", sql[0]);
        assert!(
            sql[1].contains("where p0.terminated_ts > 25 and p0.terminated_ts <= 50 "),
            "{}",
            sql[1]
        );
        let probe =
            select(table, &rule, &[("g_call", "callid")], IdbDialect::MySql).next_key_query(0, 50);
        assert_eq!(
            probe,
            "select min(p.terminated_ts) from g_call p where p.terminated_ts > 0 and p.terminated_ts <= 50 and p.gsys_domain in (4, 9)"
        );
    }

    #[test]
    fn a_grandchild_follows_through_its_parent_to_the_terminated_call() {
        let table = tidemark_schemas::idb::table("G_PARTY_HISTORY").unwrap();
        let rule = HwmRule::column("TERMINATED_TS");
        let sql = select(
            table,
            &rule,
            &[("g_party", "partyid"), ("g_call", "callid")],
            IdbDialect::Postgres,
        )
        .queries(0, 50, 1);
        assert!(sql[0].contains(
            "from g_party_history t join (select p0.partyid as wkey, max(w0.tidemark_key_ts) as tidemark_key_ts from g_party p0 \
             join (select p1.callid as wkey, max(p1.terminated_ts) as tidemark_key_ts from g_call p1 where p1.terminated_ts > 0 \
             and p1.terminated_ts <= 50 and p1.gsys_domain in (4, 9) group by p1.callid) w0 on p0.callid = w0.wkey group by p0.partyid) \
             w on t.partyid = w.wkey"
        ), "{}", sql[0]);
    }

    #[test]
    fn greatest_of_several_columns_ignores_nulls_in_every_dialect() {
        let table = tidemark_schemas::idb::table("GCX_GROUP_AGENT").unwrap();
        let rule = HwmRule::greatest(&["CREATED_TS", "DELETED_TS"]);
        let sqlite = select(table, &rule, &[], IdbDialect::Sqlite).next_key_query(1, 2);
        assert!(
            sqlite.contains("max(coalesce(t.created_ts, -1), coalesce(t.deleted_ts, -1))"),
            "{sqlite}"
        );
        let pg = select(table, &rule, &[], IdbDialect::Postgres).next_key_query(1, 2);
        assert!(
            pg.contains("greatest(coalesce(t.created_ts, -1), coalesce(t.deleted_ts, -1))"),
            "{pg}"
        );
    }
}
