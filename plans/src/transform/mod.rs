//! Job_TransformGIM as DataFusion views (infomart.md §4): configuration dimensions and
//! history facts, and voice interaction facts, each a chain of SQL views over named input
//! tables.
//!
//! The inputs ([`inputs`]) are the GIDB rows of one transform chunk (latest versions) plus
//! the Info Mart keys and periods the outputs refer to. The job registers them from GIDB and
//! the Info Mart; golden files register empty tables with the same schemas and insert
//! fixtures. The same views run in both, so a golden file tests exactly what the job runs.

pub mod codes;
pub mod config;
pub mod config_facts;
pub mod inputs;
pub mod multimedia;
pub mod resource_states;
pub mod user_data;
pub mod voice;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use datafusion::datasource::MemTable;
use datafusion::error::Result;
use datafusion::prelude::SessionContext;

/// One view of a transform: its name and the `select` defining it.
#[derive(Debug, Clone)]
pub struct View {
    /// Name the view is registered under.
    pub name: String,
    /// The query.
    pub sql: String,
}

impl View {
    /// A view named `name` defined by `sql`.
    pub fn new(name: impl Into<String>, sql: impl Into<String>) -> Self {
        View {
            name: name.into(),
            sql: sql.into(),
        }
    }
}

/// Registers the views in order (each may read the ones before it).
pub async fn register_views(ctx: &SessionContext, views: &[View]) -> Result<()> {
    for view in views {
        let frame = ctx
            .sql(&view.sql)
            .await
            .map_err(|e| e.context(format!("transform view {}", view.name)))?;
        ctx.register_table(view.name.as_str(), frame.into_view())?;
    }
    Ok(())
}

/// Computes each view in order and registers its rows as an in-memory table under the
/// view's name, so a view that later views read several times is computed once (the views
/// form a graph; registered lazily, every reader would plan and compute its whole input
/// chain again). Every view stays registered.
pub async fn materialize_views(ctx: &SessionContext, views: &[View]) -> Result<()> {
    for view in views {
        materialize_view(ctx, view).await?;
    }
    Ok(())
}

/// Computes each view in order as [`materialize_views`] does, but drops a view's rows as
/// soon as the last view reading them has been computed, unless `keep` names the view: a
/// chunk holds only the views still to be read rather than its whole chain. The views
/// `keep` names, and views no later view reads, stay registered.
pub async fn materialize_views_keeping(
    ctx: &SessionContext,
    views: &[View],
    keep: &[&str],
) -> Result<()> {
    let reads = views
        .iter()
        .map(|view| {
            tables_read(ctx, &view.sql)
                .map_err(|e| e.context(format!("transform view {}", view.name)))
        })
        .collect::<Result<Vec<_>>>()?;
    let last_reader = last_readers(views, &reads, keep);
    for (index, view) in views.iter().enumerate() {
        materialize_view(ctx, view).await?;
        for table in &reads[index] {
            if last_reader.get(table.as_str()) == Some(&index) {
                ctx.deregister_table(table.as_str())?;
            }
        }
    }
    Ok(())
}

/// For each view of `views` that a later view reads and `keep` does not name, the index of
/// the last view reading it (`reads[i]`: the tables view `i` reads).
fn last_readers<'a>(
    views: &[View],
    reads: &'a [Vec<String>],
    keep: &[&str],
) -> HashMap<&'a str, usize> {
    let droppable: HashSet<String> = views
        .iter()
        .map(|view| view.name.to_lowercase())
        .filter(|name| !keep.iter().any(|kept| kept.eq_ignore_ascii_case(name)))
        .collect();
    let mut last = HashMap::new();
    for (index, tables) in reads.iter().enumerate() {
        for table in tables.iter().filter(|t| droppable.contains(t.as_str())) {
            last.insert(table.as_str(), index);
        }
    }
    last
}

/// The tables `sql` reads, by bare lower-case name, without common table expressions.
pub fn tables_read(ctx: &SessionContext, sql: &str) -> Result<Vec<String>> {
    let state = ctx.state();
    let dialect = state.config().options().sql_parser.dialect;
    let statement = state.sql_to_statement(sql, &dialect)?;
    let mut tables: Vec<String> = state
        .resolve_table_references(&statement)?
        .iter()
        .map(|table| table.table().to_lowercase())
        .collect();
    tables.sort_unstable();
    tables.dedup();
    Ok(tables)
}

/// Computes `view` and registers its rows under its name.
async fn materialize_view(ctx: &SessionContext, view: &View) -> Result<()> {
    materialize(ctx, &view.name, &view.sql)
        .await
        .map_err(|e| e.context(format!("transform view {}", view.name)))
}

/// Runs `sql` and registers its rows as table `name`, replacing any table of that name.
pub async fn materialize(ctx: &SessionContext, name: &str, sql: &str) -> Result<()> {
    let frame = ctx.sql(sql).await?;
    let logical = frame.schema().inner().clone();
    let batches = frame.collect().await?;
    let schema = batches.first().map_or(logical, |b| b.schema());
    let table = MemTable::try_new(schema, vec![batches])?;
    ctx.deregister_table(name)?;
    ctx.register_table(name.to_string(), Arc::new(table))?;
    Ok(())
}

/// `count(<condition>)`-style sum: 1 per row where `condition` holds.
fn count_if(condition: &str) -> String {
    format!("cast(coalesce(sum(case when {condition} then 1 else 0 end), 0) as bigint)")
}

/// Sum of `value` over rows where `condition` holds, 0 when none.
fn sum_if(condition: &str, value: &str) -> String {
    format!("cast(coalesce(sum(case when {condition} then {value} else 0 end), 0) as bigint)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> Vec<View> {
        vec![
            View::new("v_doubled", "select n * 2 as n from t_input"),
            View::new("v_big", "select n from v_doubled where n > 2"),
            View::new(
                "v_joined",
                "with w as (select n from v_big) select d.n from v_doubled d join w on d.n = w.n",
            ),
            View::new("v_out", "select sum(n) as total from v_joined"),
        ]
    }

    async fn context() -> SessionContext {
        let ctx = SessionContext::new();
        ctx.sql("create table t_input as select cast(column1 as bigint) as n from (values (1), (2), (3))")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        ctx
    }

    #[test]
    fn tables_read_names_tables_but_not_ctes() {
        let ctx = SessionContext::new();
        let read = tables_read(&ctx, &chain()[2].sql).unwrap();
        assert_eq!(read, vec!["v_big".to_string(), "v_doubled".to_string()]);
    }

    #[tokio::test]
    async fn views_are_dropped_after_their_last_reader_unless_kept() {
        let ctx = context().await;
        let views = chain();
        materialize_views_keeping(&ctx, &views, &["V_BIG", "v_out"])
            .await
            .unwrap();
        let registered = |name: &str| ctx.table_exist(name).unwrap();
        assert!(!registered("v_doubled"), "read last by v_joined");
        assert!(registered("v_big"), "kept");
        assert!(!registered("v_joined"), "read last by v_out");
        assert!(registered("v_out"), "kept");
        assert!(registered("t_input"), "not a view of the chain");
        let total = ctx.sql("select total from v_out").await.unwrap();
        let batches = total.collect().await.unwrap();
        let column = batches[0]
            .column(0)
            .as_any()
            .downcast_ref::<arrow::array::Int64Array>()
            .unwrap();
        assert_eq!(column.value(0), 4 + 6);
    }

    #[tokio::test]
    async fn materialize_views_keeps_every_view() {
        let ctx = context().await;
        let views = chain();
        materialize_views(&ctx, &views).await.unwrap();
        for view in &views {
            assert!(
                ctx.table_exist(view.name.as_str()).unwrap(),
                "{}",
                view.name
            );
        }
    }
}
