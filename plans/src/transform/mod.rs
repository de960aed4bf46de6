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

/// `count(<condition>)`-style sum: 1 per row where `condition` holds.
fn count_if(condition: &str) -> String {
    format!("cast(coalesce(sum(case when {condition} then 1 else 0 end), 0) as bigint)")
}

/// Sum of `value` over rows where `condition` holds, 0 when none.
fn sum_if(condition: &str, value: &str) -> String {
    format!("cast(coalesce(sum(case when {condition} then {value} else 0 end), 0) as bigint)")
}
