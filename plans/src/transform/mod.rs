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
/// chain again).
pub async fn materialize_views(ctx: &SessionContext, views: &[View]) -> Result<()> {
    for view in views {
        materialize(ctx, &view.name, &view.sql)
            .await
            .map_err(|e| e.context(format!("transform view {}", view.name)))?;
    }
    Ok(())
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
