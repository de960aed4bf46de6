//! The GIDB rows a voice chunk reads (docs/transform.md, "What a voice chunk reads"): the
//! calls of the interactions the chunk emits, then, table by table, only the rows that
//! extraction selected through those calls, from the files of the windows they were
//! extracted in. A chunk's cost follows its own interactions, not the size of GIDB.

use datafusion::prelude::SessionContext;
use tidemark_plans::transform::inputs;
use tidemark_schemas::gidb::{folder_name, MediaFamily};
use tidemark_schemas::{idb, TableDef};
use tidemark_sinks::gidb::GidbStore;

use super::super::extract::window_rule;
use super::super::gidb_files::{chunk_files, register_latest, KeyFilter};
use super::super::JobError;
use super::commit::column_values;
use super::session;

/// Where the voice inputs of a chunk may be.
#[derive(Debug, Clone, Copy)]
pub struct VoiceReach {
    /// Epoch seconds: no call of the chunk terminated before this (the chunk's lower bound
    /// minus the merge look-back), so G_CALL is read from the windows ending after it.
    pub earliest: i64,
    /// Epoch seconds: the merge round that emitted the chunk's calls ended here, so no
    /// G_CALL window starting at or after it had been extracted when they were merged and
    /// none is read (a backlog's later windows are left to later chunks).
    pub latest: i64,
    /// Seconds after the chunk's calls in which rows extracted by their own time matter:
    /// agent records (after-call work) and UserEvent KVPs (`user-event-data-timeout`).
    pub margin: i64,
}

/// The chunk's calls' span: earliest creation, earliest and latest termination, and
/// whether any call has no termination time.
struct CallSpan {
    created_min: i64,
    terminated_min: i64,
    terminated_max: i64,
    open_calls: bool,
}

/// Registers and materializes every voice GIDB input of a chunk whose emitted calls are
/// registered as [`inputs::VOICE_MERGE`]:
/// - G_CALL: the latest versions of the emitted calls, from the windows ending after
///   `reach.earliest` and starting before `reach.latest` (from every window when some
///   emitted call is not there);
/// - a table extracted through a parent (G_PARTY through G_CALL, G_PARTY_HISTORY through
///   G_PARTY, …): the files of the windows the chunk's calls terminated in, only rows whose
///   parent key is among the parent's rows already read;
/// - a table extracted by its own time (G_AGENT_STATE_HISTORY, G_CUSTOM_DATA_S, both by
///   ADDED_TS): the files of the windows that meet the span from the chunk's first call
///   creation to `reach.margin` after its last termination. A call's agent records and
///   KVPs are added once it exists, and after-call work is measured from the agent record
///   at the release onwards, so nothing added before the first creation is read. Of the
///   agent records, only those of the agents of the chunk's parties (every data source's,
///   as after-call work is matched by agent): their sequences stay whole.
#[tracing::instrument(name = "voice_inputs", level = "debug", skip_all)]
pub async fn register(
    ctx: &SessionContext,
    gidb: &GidbStore,
    reach: VoiceReach,
) -> Result<(), JobError> {
    register_calls(ctx, gidb, reach).await?;
    let span = call_span(ctx).await?;
    for (name, table) in inputs::VOICE_GIDB_INPUTS {
        if table == "G_CALL" {
            continue;
        }
        let def = idb::table(table).expect("IDB table of a voice input");
        let Some(span) = &span else {
            register_latest(ctx, name, def, Vec::new(), None).await?;
            continue;
        };
        let folder = folder_name(def, MediaFamily::Voice);
        let (files, filter) = match parent_link(def) {
            Some((parent, key)) if span.open_calls => {
                let files = chunk_files(gidb, &folder, |_, _| true).await?;
                (files, Some((parent, key, false)))
            }
            Some((parent, key)) => {
                let (first, last) = (span.terminated_min, span.terminated_max);
                let files = chunk_files(gidb, &folder, |lo, hi| hi >= first && lo < last).await?;
                (files, Some((parent, key, false)))
            }
            None => {
                let from = span.created_min;
                let to = span.terminated_max + reach.margin;
                let files = chunk_files(gidb, &folder, |lo, hi| hi >= from && lo < to).await?;
                let by_agent = (name == inputs::AGENT_STATES)
                    .then(|| (inputs::PARTIES, "agentid".to_string(), true));
                (files, by_agent)
            }
        };
        let filter = filter.as_ref().map(|(table, key, any_source)| KeyFilter {
            table,
            key,
            any_source: *any_source,
        });
        register_latest(ctx, name, def, files, filter).await?;
        session::materialize_input(ctx, name).await?;
    }
    Ok(())
}

/// Reads the emitted calls' latest G_CALL rows: from the windows `reach` allows, or from
/// every window when one of them is not there.
async fn register_calls(
    ctx: &SessionContext,
    gidb: &GidbStore,
    reach: VoiceReach,
) -> Result<(), JobError> {
    let def = idb::table("G_CALL").expect("G_CALL");
    let folder = folder_name(def, MediaFamily::Voice);
    let filter = Some(KeyFilter {
        table: inputs::VOICE_MERGE,
        key: "callid",
        any_source: false,
    });
    let files = chunk_files(gidb, &folder, |lo, hi| {
        hi > reach.earliest && lo < reach.latest
    })
    .await?;
    register_latest(ctx, inputs::CALLS, def, files, filter).await?;
    session::materialize_input(ctx, inputs::CALLS).await?;
    let count = |sql: String| async move {
        let batches = session::collect_sql(ctx, &sql).await?;
        Ok::<_, JobError>(column_values(&batches, "n").first().copied().unwrap_or(0))
    };
    let emitted = count(format!(
        "select count(*) as n from (select distinct data_source_key, callid from {})",
        inputs::VOICE_MERGE
    ))
    .await?;
    let read = count(format!("select count(*) as n from {}", inputs::CALLS)).await?;
    if read < emitted {
        let files = chunk_files(gidb, &folder, |_, _| true).await?;
        register_latest(ctx, inputs::CALLS, def, files, filter).await?;
        session::materialize_input(ctx, inputs::CALLS).await?;
    }
    Ok(())
}

/// The input read before `table` that extraction selects it through, and the key column
/// joining them; `None` for a table extracted by its own time.
fn parent_link(table: &'static TableDef) -> Option<(&'static str, String)> {
    let (_, chain) = window_rule(table, MediaFamily::Voice)?;
    let first = chain.first()?;
    let parent = inputs::VOICE_GIDB_INPUTS
        .iter()
        .find(|(_, t)| t.eq_ignore_ascii_case(&first.table))
        .map(|(name, _)| *name)?;
    Some((parent, first.key.clone()))
}

/// The creation and termination span of the materialized calls; `None` without calls.
async fn call_span(ctx: &SessionContext) -> Result<Option<CallSpan>, JobError> {
    let sql = format!(
        "select min(created_ts) as created_min, min(terminated_ts) as terminated_min, \
         max(terminated_ts) as terminated_max, count(*) - count(terminated_ts) as open_calls \
         from {}",
        inputs::CALLS
    );
    let batches = session::collect_sql(ctx, &sql).await?;
    let value = |column: &str| column_values(&batches, column).first().copied();
    let Some(created_min) = value("created_min") else {
        return Ok(None);
    };
    Ok(Some(CallSpan {
        created_min,
        terminated_min: value("terminated_min").unwrap_or(created_min),
        terminated_max: value("terminated_max").unwrap_or(created_min),
        open_calls: value("open_calls").unwrap_or(0) > 0,
    }))
}
