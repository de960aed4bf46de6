//! The call graph of the voice merge (idb.md §5.4 step 1, keys of §4.1): its nodes with the
//! facts the rules need, and its edges.
//!
//! Work tables it registers:
//! * `merge_call_nodes` — one row per G_CALL row: `node`, `data_source_key`, `icon_dbid`,
//!   `callid`, `root_key` (`merge_root_key`), `active` (no termination yet), `event_ts`;
//! * `merge_link_halves` — one row per G_IS_LINK row: `node` (the link), `settled` (paired
//!   on another data source, failed, or towards an unmonitored location), `event_ts`;
//! * `merge_edges` — `src`, `dst`, both directions of every link between two nodes.

use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;

use super::{materialize, CALLS, IRS, IS_LINKS, REMOTE_LOCATIONS};

/// Work table of call nodes.
pub const CALL_NODES: &str = "merge_call_nodes";
/// Work table of IS-link halves.
pub const LINK_HALVES: &str = "merge_link_halves";
/// Work table of directed edges (each link in both directions).
pub const EDGES: &str = "merge_edges";

/// G_IS_LINK State "failed": no pair will come (dict 21).
const LINK_FAILED: i32 = 3;

/// Registers the graph's work tables on `ctx`, which holds the merge inputs.
#[tracing::instrument(name = "merge_graph", level = "debug", skip_all)]
pub async fn build(ctx: &SessionContext) -> Result<(), DataFusionError> {
    materialize(ctx, CALL_NODES, &call_nodes_sql()).await?;
    materialize(ctx, LINK_HALVES, &link_halves_sql()).await?;
    materialize(ctx, EDGES, &edges_sql()).await
}

fn call_nodes_sql() -> String {
    format!(
        "select merge_node('C', data_source_key, callid) as node, \
                data_source_key, icon_dbid, arrow_cast(callid, 'Utf8') as callid, \
                merge_root_key(coalesce(created_ts, lastchange_ts, terminated_ts, 0), \
                               data_source_key, callid) as root_key, \
                terminated_ts is null as active, \
                cast(coalesce(terminated_ts, lastchange_ts, created_ts) as bigint) as event_ts \
         from {CALLS}"
    )
}

/// A half is settled when another data source holds the same LinkID (rule a), or it failed
/// or points to a location some IDB lists as unmonitored (rule b). GSYS_DNPREMOTELOCATION
/// speaks for the whole IDB set (idb.md §2.1), so the location is matched in every IDB's list.
fn link_halves_sql() -> String {
    format!(
        "select merge_node('L', null, l.linkid) as node, \
                (coalesce(l.state = {LINK_FAILED}, false) \
                 or r.remotelocation is not null \
                 or coalesce(p.sources, 0) > 1) as settled, \
                cast(coalesce(l.lastchange_ts, l.terminated_ts, l.initiated_ts) as bigint) \
                  as event_ts \
         from {IS_LINKS} l \
         left join (select distinct remotelocation from {REMOTE_LOCATIONS} \
                    where remotelocation is not null) r \
           on r.remotelocation = l.remotelocation \
         left join (select linkid, count(*) as sources \
                    from (select distinct linkid, data_source_key from {IS_LINKS}) \
                    group by linkid) p \
           on p.linkid = l.linkid"
    )
}

/// The references of §4.1 that tie nodes together, as (input table, node kind and column of
/// the row, node kind and column referenced): call → main call (ParentCallID), call →
/// surviving call (MergeCallID), call → its IR, IR → parent IR, IR → root call, link → the
/// call carrying it. References stay within the row's data source; only the link node
/// (kind `L`, no data source) is shared across sources.
pub(crate) const REFERENCES: [(&str, NodeRef, NodeRef); 6] = [
    (CALLS, ('C', "callid"), ('C', "parentcallid")),
    (CALLS, ('C', "callid"), ('C', "mergecallid")),
    (CALLS, ('C', "callid"), ('I', "irid")),
    (IRS, ('I', "irid"), ('I', "parentirid")),
    (IRS, ('I', "irid"), ('C', "rootcallid")),
    (IS_LINKS, ('L', "linkid"), ('C', "callid")),
];

/// One node a row names: its kind (`C` call, `I` IR, `L` link) and the column holding its id.
pub(crate) type NodeRef = (char, &'static str);

/// `merge_node(…)` of one node reference of a row.
pub(crate) fn node((kind, column): NodeRef) -> String {
    match kind {
        'L' => format!("merge_node('L', null, {column})"),
        _ => format!("merge_node('{kind}', data_source_key, {column})"),
    }
}

fn edges_sql() -> String {
    edges_sql_of(|_| true)
}

/// Both directions of the [`REFERENCES`] of the input tables `from_table` accepts, as
/// distinct (`src`, `dst`) pairs of two different nodes.
pub(crate) fn edges_sql_of(from_table: impl Fn(&str) -> bool) -> String {
    let references: Vec<String> = REFERENCES
        .iter()
        .filter(|&&(table, _, _)| from_table(table))
        .map(|&(table, from, to)| {
            format!("select {} as a, {} as b from {table}", node(from), node(to))
        })
        .collect();
    format!(
        "with links as ({}) \
         select distinct src, dst from ( \
           select a as src, b as dst from links \
           union all \
           select b, a from links \
         ) where src is not null and dst is not null and src <> dst",
        references.join(" union all ")
    )
}
