//! The G_IR and G_IS_LINK rows the calls can reach (idb.md §5.4 step 1), so the graph is built
//! from the calls' own components and not from the whole lookback.
//!
//! A merge round reads the IR and IS-link rows of `max-call-duration +
//! merge-failed-is-link-timeout` before its calls, to find every half of a pair and every
//! record an interaction spans. A row connected to none of the round's calls ends in a
//! component without calls, which the merge neither emits nor keeps waiting. [`narrow`]
//! drops those rows first: it walks the references of §4.1 out from the calls (breadth
//! first, one join per step) and keeps the IR and link rows whose node it reaches. Every node
//! of a component holding a call is reachable from that call, so the outcome is the one the
//! whole lookback gives.
//!
//! Work tables it registers:
//! * `merge_ref_edges` — `src`, `dst`: the references of the IR and link rows, both ways;
//! * `merge_reach` — `node`: every node reachable from a call;
//!
//! and it holds [`CALLS`] in memory and replaces [`IRS`] and [`IS_LINKS`] with their
//! reachable rows, held in memory, so the later steps read each input once.

use datafusion::common::exec_err;
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;

use super::graph::{edges_sql_of, node, NodeRef, REFERENCES};
use super::{materialize, CALLS, IRS, IS_LINKS};

/// Work table of the IR and link references, both ways.
pub const REF_EDGES: &str = "merge_ref_edges";
/// Work table of the nodes reachable from a call.
pub const REACH: &str = "merge_reach";

/// Replaces [`IRS`] and [`IS_LINKS`] on `ctx` with their rows reachable from [`CALLS`], and
/// [`CALLS`] with its rows held in memory.
#[tracing::instrument(name = "merge_reach", level = "debug", skip_all)]
pub async fn narrow(ctx: &SessionContext) -> Result<(), DataFusionError> {
    for input in [CALLS, IRS, IS_LINKS] {
        materialize(ctx, input, &format!("select * from {input}")).await?;
    }
    materialize(ctx, REF_EDGES, &edges_sql_of(|table| table != CALLS)).await?;
    materialize(ctx, REACH, &seeds_sql()).await?;
    let edges = ctx.table(REF_EDGES).await?.count().await?;
    let mut reached = ctx.table(REACH).await?.count().await?;
    // Each step reaches at least one new node, and a node is reached through an edge.
    for _ in 0..=edges {
        materialize(ctx, REACH, &step_sql()).await?;
        let now = ctx.table(REACH).await?.count().await?;
        if now == reached {
            materialize(ctx, IRS, &kept_sql(IRS, ('I', "irid"))).await?;
            return materialize(ctx, IS_LINKS, &kept_sql(IS_LINKS, ('L', "linkid"))).await;
        }
        reached = now;
    }
    exec_err!("voice merge: reach of the calls did not settle after {edges} steps")
}

/// The nodes every call row names: the call and the calls and IR it references.
fn seeds_sql() -> String {
    let named: Vec<String> = REFERENCES
        .iter()
        .filter(|&&(table, _, _)| table == CALLS)
        .flat_map(|&(_, from, to)| [from, to])
        .map(|r| format!("select {} as node from {CALLS}", node(r)))
        .collect();
    format!(
        "select distinct node from ({}) where node is not null",
        named.join(" union all ")
    )
}

/// One breadth-first step: the reached nodes and their neighbours.
fn step_sql() -> String {
    format!(
        "select distinct node from ( \
           select node from {REACH} \
           union all \
           select e.dst from {REF_EDGES} e join {REACH} r on r.node = e.src \
         )"
    )
}

/// The rows of `table` whose own node (`own`) was reached.
fn kept_sql(table: &str, own: NodeRef) -> String {
    format!(
        "select t.* from {table} t left semi join {REACH} r on r.node = {}",
        node(own)
    )
}
