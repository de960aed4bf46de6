//! Connected components of the call graph (idb.md §5.4 step 1) by label propagation, each
//! round DataFusion joins + one aggregation, until no label changes.
//!
//! Registers `merge_labels` (`node`, `label`, `changed`): every node of the graph with the
//! smallest label of its component. A call node starts with its `root_key`, any other node
//! with `~` followed by its own id, which sorts after every root key, so a component's final
//! label is the root key of its earliest-created call when it holds a call.

use datafusion::common::exec_err;
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;

use super::graph::{CALL_NODES, EDGES};
use super::materialize;

/// Work table of node labels.
pub const LABELS: &str = "merge_labels";

/// Registers `merge_labels` on `ctx` (which holds the graph work tables) at its fixpoint.
#[tracing::instrument(name = "merge_labels", level = "debug", skip_all)]
pub async fn label(ctx: &SessionContext) -> Result<(), DataFusionError> {
    materialize(ctx, LABELS, &initial_sql()).await?;
    let nodes = ctx.table(LABELS).await?.count().await?;
    // A label travels at least one edge per round, so a component settles within its node
    // count.
    for _ in 0..=nodes {
        materialize(ctx, LABELS, &round_sql()).await?;
        if changed(ctx).await? == 0 {
            return Ok(());
        }
    }
    exec_err!("voice merge: labels of {nodes} nodes did not settle after {nodes} rounds")
}

fn initial_sql() -> String {
    format!(
        "select node, min(label) as label, false as changed from ( \
           select node, root_key as label from {CALL_NODES} \
           union all \
           select src, concat('~', src) from {EDGES} \
         ) group by node"
    )
}

/// One round: each node takes the smallest label among its own, its neighbours', and the
/// label of the call its label names (pointer jumping: a label is the root key of a call of
/// the same component, so a long chain settles in a few rounds, not one per edge).
fn round_sql() -> String {
    format!(
        "select n.node, n.label, n.label < o.label as changed \
         from (select node, min(label) as label from ( \
                 select node, label from {LABELS} \
                 union all \
                 select e.dst, s.label from {EDGES} e join {LABELS} s on s.node = e.src \
                 union all \
                 select l.node, r.label from {LABELS} l \
                 join {CALL_NODES} c on c.root_key = l.label \
                 join {LABELS} r on r.node = c.node \
               ) group by node) n \
         join {LABELS} o on o.node = n.node"
    )
}

/// How many labels the last round lowered.
async fn changed(ctx: &SessionContext) -> Result<usize, DataFusionError> {
    ctx.sql(&format!("select node from {LABELS} where changed"))
        .await?
        .count()
        .await
}
