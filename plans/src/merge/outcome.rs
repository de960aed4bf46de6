//! Which components are mergeable (idb.md §5.4 steps 2–4) and the rows the merge hands back.
//!
//! Registers `merge_components` (`label`, `component_size`, `last_event_ts`, `merge_state`,
//! NULL while the component waits) and reads the emitted and waiting calls from it.

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;

use super::components::LABELS;
use super::graph::{CALL_NODES, LINK_HALVES};
use super::{materialize, MergeOptions, MergeOutcome, IRS, MERGED, PARTIALLY_MERGED};

/// Work table of components and their decision.
pub const COMPONENTS: &str = "merge_components";

/// Schema of [`MergeOutcome::emitted`]: the call (`data_source_key`, `icon_dbid`, `callid`),
/// its interaction (`interaction_guid` = CallID of the root call, `root_data_source_key`),
/// `merge_state` (1 merged, 2 partially merged), `component_size` (calls in the
/// interaction) and `last_event_ts` (latest event of the component, epoch seconds).
pub fn emitted_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("data_source_key", DataType::Int32, false),
        Field::new("icon_dbid", DataType::Int32, false),
        Field::new("callid", DataType::Utf8, false),
        Field::new("interaction_guid", DataType::Utf8, false),
        Field::new("root_data_source_key", DataType::Int32, false),
        Field::new("merge_state", DataType::Int16, false),
        Field::new("component_size", DataType::Int64, false),
        Field::new("last_event_ts", DataType::Int64, true),
    ]))
}

/// Schema of [`MergeOutcome::waiting`]: the calls of components not yet mergeable.
pub fn waiting_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("data_source_key", DataType::Int32, false),
        Field::new("icon_dbid", DataType::Int32, false),
        Field::new("callid", DataType::Utf8, false),
    ]))
}

/// Decides every component of the labelled graph in `ctx` and returns its calls.
#[tracing::instrument(name = "merge_decide", level = "debug", skip_all)]
pub async fn decide(
    ctx: &SessionContext,
    opts: &MergeOptions,
) -> Result<MergeOutcome, DataFusionError> {
    materialize(ctx, COMPONENTS, &components_sql(opts)).await?;
    Ok(MergeOutcome {
        emitted: typed(ctx, &emitted_sql(), emitted_schema()).await?,
        waiting: typed(ctx, &waiting_sql(), waiting_schema()).await?,
    })
}

/// Facts per node: a call or G_IR row still active blocks its component (no timeout); an
/// unsettled link half, or a node no input row describes (a CallID or IRID referenced but
/// not extracted), is missing and waits for the pairing timeout.
fn components_sql(opts: &MergeOptions) -> String {
    let MergeOptions {
        failed_is_link_timeout_secs: timeout,
        source_horizon_ts: horizon,
    } = opts;
    format!(
        "with facts as ( \
           select node, true as is_call, active as blocking, false as missing, event_ts \
           from {CALL_NODES} \
           union all \
           select merge_node('I', data_source_key, irid), false, terminated_ts is null, false, \
                  cast(coalesce(terminated_ts, lastchange_ts, created_ts) as bigint) \
           from {IRS} \
           union all \
           select node, false, false, not settled, event_ts from {LINK_HALVES} \
         ), \
         components as ( \
           select l.label, \
                  coalesce(bool_or(f.blocking), false) as blocked, \
                  coalesce(bool_or(f.node is null or f.missing), false) as missing, \
                  max(f.event_ts) as last_event_ts \
           from {LABELS} l left join facts f on f.node = l.node \
           group by l.label \
         ), \
         sizes as ( \
           select label, count(*) as component_size \
           from (select distinct l.label, f.node \
                 from {LABELS} l join facts f on f.node = l.node where f.is_call) \
           group by label \
         ) \
         select c.label, coalesce(s.component_size, 0) as component_size, c.last_event_ts, \
                case when c.blocked then null \
                     when not c.missing then {MERGED} \
                     when c.last_event_ts + {timeout} <= {horizon} then {PARTIALLY_MERGED} \
                end as merge_state \
         from components c left join sizes s on s.label = c.label"
    )
}

/// Calls of decided components with their root call, in a stable order.
fn emitted_sql() -> String {
    format!(
        "select arrow_cast(c.data_source_key, 'Int32') as data_source_key, \
                arrow_cast(c.icon_dbid, 'Int32') as icon_dbid, \
                c.callid, \
                r.callid as interaction_guid, \
                arrow_cast(r.data_source_key, 'Int32') as root_data_source_key, \
                arrow_cast(k.merge_state, 'Int16') as merge_state, \
                arrow_cast(k.component_size, 'Int64') as component_size, \
                k.last_event_ts \
         from {CALL_NODES} c \
         join {LABELS} l on l.node = c.node \
         join {COMPONENTS} k on k.label = l.label \
         join (select root_key, min(callid) as callid, min(data_source_key) as data_source_key \
               from {CALL_NODES} group by root_key) r on r.root_key = k.label \
         where k.merge_state is not null \
         order by k.label, data_source_key, callid, icon_dbid"
    )
}

fn waiting_sql() -> String {
    format!(
        "select arrow_cast(c.data_source_key, 'Int32') as data_source_key, \
                arrow_cast(c.icon_dbid, 'Int32') as icon_dbid, \
                c.callid \
         from {CALL_NODES} c \
         join {LABELS} l on l.node = c.node \
         join {COMPONENTS} k on k.label = l.label \
         where k.merge_state is null \
         order by data_source_key, callid, icon_dbid"
    )
}

/// Runs `sql` and returns its batches under `schema` (same columns, declared nullability).
async fn typed(
    ctx: &SessionContext,
    sql: &str,
    schema: SchemaRef,
) -> Result<Vec<RecordBatch>, DataFusionError> {
    let batches = ctx.sql(sql).await?.collect().await?;
    batches
        .into_iter()
        .map(|b| Ok(RecordBatch::try_new(schema.clone(), b.columns().to_vec())?))
        .collect()
}
