//! The voice merge stage (idb.md §5.4), run after the voice tables of every data source are
//! extracted: the calls terminated since the last merge, plus the calls still waiting from
//! earlier rounds, are linked into interactions by [`tidemark_plans::merge::merge_voice`].
//!
//! * Emitted components go to GIDB folder `gidb_voice_merge` (one row per call: its
//!   interaction GUID, root, merge state), filed by the day of the component's last event.
//! * Calls of components that cannot be merged yet are kept, as full G_CALL rows, in
//!   `gidb_voice_merge_waiting` under the name of the round that left them waiting, and
//!   are fed to the next round.
//! * A run covers the source time since the last run in rounds of at most four hours, each
//!   fed the calls the previous one left waiting.
//! * The round is committed by CTL_HWM `merge:voice` (the source-time horizon it merged up
//!   to) with its CTL_AUDIT_LOG row. The transform reads voice calls only through
//!   `gidb_voice_merge`, so a call appears in the dimensional model once its interaction is
//!   complete or partially merged after `merge-failed-is-link-timeout`.

use std::sync::Arc;

use arrow::record_batch::RecordBatch;
use chrono::Utc;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use tidemark_plans::gidb::register_folder;
use tidemark_plans::merge::{self, MergeOptions};
use tidemark_schemas::idb;
use tidemark_sinks::database::Database;
use tidemark_sinks::gidb::{ChunkFile, GidbStore};

use super::super::audit;
use super::super::gidb_files::{chunk_files, chunk_listing, register_latest};
use super::super::history::sql_text;
use super::commit::current_mark;
use super::task::HaSet;
use super::JobError;
use crate::sources::idb::ReadSize;
use crate::sources::window_sql::whole_table_query;

/// GIDB folder of emitted voice interactions (one row per call).
pub const MERGED_FOLDER: &str = "gidb_voice_merge";
/// GIDB folder of the G_CALL rows of components still waiting.
pub const WAITING_FOLDER: &str = "gidb_voice_merge_waiting";
/// GIDB folder of the voice G_CALL rows, filed by extraction windows of TERMINATED_TS.
const CALLS_FOLDER: &str = "gidb_g_call_v";
/// CTL_HWM name of the merge mark.
pub const MARK: &str = "merge:voice";
/// The voice tables whose marks bound a merge round.
const INPUT_TABLES: [&str; 3] = ["G_CALL", "G_IR", "G_IS_LINK"];

/// Source time one merge round covers at most. A backlog is merged in rounds of this span,
/// as successive cycles would have merged it, so the memory a round needs follows the
/// traffic of the span rather than the size of the backlog.
const ROUND_SECONDS: i64 = 4 * 3600;

/// What one merge round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// The horizon merged up to (`None` when there was nothing new).
    pub horizon: Option<i64>,
    /// Calls emitted, merged and partially merged.
    pub emitted_calls: u64,
    /// Interactions emitted.
    pub interactions: u64,
    /// Of which partially merged.
    pub partially_merged: u64,
    /// Calls left waiting.
    pub waiting_calls: u64,
}

/// Merges the voice data sources `voice_keys` (CTL_DS keys) from the merge mark up to the
/// smallest extraction mark of their voice tables, in rounds of at most [`ROUND_SECONDS`].
#[tracing::instrument(name = "voice_merge", skip_all)]
pub async fn run(
    db: &dyn Database,
    gidb: &GidbStore,
    sets: &[Arc<HaSet>],
    voice_keys: &[i32],
    timeout: i64,
    lookback: i64,
    job_id: &str,
) -> Result<MergeReport, JobError> {
    let store_error = |e: tidemark_sinks::gidb::GidbError| JobError::Data(e.to_string());
    let mut horizon = i64::MAX;
    for key in voice_keys {
        for table in INPUT_TABLES {
            horizon = horizon.min(current_mark(db, *key, table).await?.unwrap_or(i64::MIN));
        }
    }
    let mark = db
        .query_opt_i64(&format!(
            "select hwm_value from ctl_hwm where hwm_name = {}",
            sql_text(MARK)
        ))
        .await?
        .unwrap_or(i64::MIN);
    if voice_keys.is_empty() || horizon == i64::MIN || horizon <= mark {
        return Ok(MergeReport::default());
    }
    let mut low = if mark == i64::MIN { 0 } else { mark };
    gidb.remove_uncommitted(MERGED_FOLDER, 0, low)
        .await
        .map_err(store_error)?;
    gidb.remove_uncommitted(WAITING_FOLDER, 0, low)
        .await
        .map_err(store_error)?;
    let inputs = RoundInputs {
        db,
        gidb,
        remote: remote_locations(sets, voice_keys, db).await?,
        timeout,
        lookback,
        job_id,
    };
    let windows = call_windows(gidb).await?;
    let mut report = MergeReport::default();
    loop {
        // Rounds skip source time without calls: the next round starts at the earliest
        // extraction window of calls ending after `low`.
        let start = windows
            .iter()
            .filter(|&&(_, hi)| hi > low)
            .map(|&(lo, _)| lo.max(low))
            .min()
            .unwrap_or(horizon);
        let high = horizon.min(start.saturating_add(ROUND_SECONDS));
        let round = run_round(&inputs, low, high).await?;
        report.horizon = round.horizon;
        report.emitted_calls += round.emitted_calls;
        report.interactions += round.interactions;
        report.partially_merged += round.partially_merged;
        report.waiting_calls = round.waiting_calls;
        if high >= horizon {
            return Ok(report);
        }
        low = high;
    }
}

/// The extraction windows `(lo, hi]` of the voice G_CALL files in GIDB, read once per run
/// (files exist only for windows with rows).
async fn call_windows(gidb: &GidbStore) -> Result<Vec<(i64, i64)>, JobError> {
    Ok(chunk_listing(gidb, CALLS_FOLDER)
        .await?
        .into_iter()
        .map(|c| (c.lo, c.hi))
        .collect())
}

/// What every round of one merge run reads.
struct RoundInputs<'a> {
    db: &'a dyn Database,
    gidb: &'a GidbStore,
    /// GSYS_DNPREMOTELOCATION of the voice sources' IDBs, read once per run.
    remote: Vec<RecordBatch>,
    timeout: i64,
    lookback: i64,
    job_id: &'a str,
}

/// One round: the calls terminated in `(low, horizon]` plus those waiting since the round
/// that ended at `low`, merged and committed as of `horizon`.
#[tracing::instrument(name = "merge_round", level = "debug", skip_all)]
async fn run_round(
    inputs: &RoundInputs<'_>,
    low: i64,
    horizon: i64,
) -> Result<MergeReport, JobError> {
    let RoundInputs {
        db,
        gidb,
        ref remote,
        timeout,
        lookback,
        job_id,
    } = *inputs;
    let df_error =
        |e: datafusion::error::DataFusionError| JobError::Data(format!("voice merge: {e}"));
    let store_error = |e: tidemark_sinks::gidb::GidbError| JobError::Data(e.to_string());
    let ctx = SessionContext::new();
    gidb.register_with(&ctx);
    let mut waiting_files = Vec::new();
    for file in gidb.files(WAITING_FOLDER).await.map_err(store_error)? {
        match file.filename().and_then(ChunkFile::parse) {
            Some((_, _, hi)) if hi == low => waiting_files.push(file),
            _ => gidb.delete(&file).await.map_err(store_error)?,
        }
    }
    let g_call = idb::table("G_CALL").expect("G_CALL");
    let waiting_sql = if waiting_files.is_empty() {
        None
    } else {
        register_folder(
            &ctx,
            "waiting_calls",
            &gidb.folder_url(WAITING_FOLDER),
            g_call,
        )
        .await
        .map_err(df_error)?;
        let columns: Vec<String> = tidemark_schemas::gidb::arrow_schema(g_call)
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        Some(format!("select {} from waiting_calls", columns.join(", ")))
    };
    let oldest_waiting = match &waiting_sql {
        Some(sql) => ctx
            .sql(&format!("select min(terminated_ts) from ({sql})"))
            .await
            .map_err(df_error)?
            .collect()
            .await
            .map_err(df_error)?
            .first()
            .and_then(|b| {
                arrow::compute::cast(b.column(0), &arrow::datatypes::DataType::Int64).ok()
            })
            .and_then(|c| {
                c.as_any()
                    .downcast_ref::<arrow::array::Int64Array>()
                    .and_then(arrow::compute::min)
            }),
        None => None,
    };
    let earliest = oldest_waiting.unwrap_or(low).min(low) - lookback - timeout;
    // Rows keyed at or before `earliest` cannot take part, and a cycle that merged up to
    // `horizon` had no window starting at or after it: read only the files of the windows
    // that end after `earliest` and start before `horizon`, so a round of a long backlog
    // reads its own hours, not every later file. The calls files are windows of
    // TERMINATED_TS, and the round takes only the calls terminated after `low` (the earlier
    // ones it needs are the waiting calls): their files end after `low`.
    for (table, folder, name, from) in [
        ("G_CALL", CALLS_FOLDER, "calls", low),
        ("G_IR", "gidb_g_ir_v", "irs", earliest),
        ("G_IS_LINK", "gidb_g_is_link_v", "links", earliest),
    ] {
        let def = idb::table(table).expect("voice table");
        let files = chunk_files(gidb, folder, |lo, hi| hi > from && lo < horizon).await?;
        register_latest(&ctx, name, def, files, None).await?;
    }
    let new_calls =
        format!("select * from calls where terminated_ts > {low} and terminated_ts <= {horizon}");
    let calls_sql = match &waiting_sql {
        Some(waiting) => format!("{new_calls} union all {waiting}"),
        None => new_calls,
    };
    register_cached(&ctx, merge::CALLS, &calls_sql).await?;
    // The merge reads the IRs and links once (`merge::reach` holds what it keeps).
    for (input, rows) in [(merge::IRS, "irs"), (merge::IS_LINKS, "links")] {
        let provider = ctx.table_provider(rows).await.map_err(df_error)?;
        ctx.register_table(input, provider).map_err(df_error)?;
    }
    let remote_schema =
        merge::input_schema(merge::REMOTE_LOCATIONS).expect("remote locations schema");
    ctx.register_table(
        merge::REMOTE_LOCATIONS,
        Arc::new(MemTable::try_new(remote_schema, vec![remote.clone()]).map_err(df_error)?),
    )
    .map_err(df_error)?;

    let outcome = merge::merge_voice(
        &ctx,
        &MergeOptions {
            failed_is_link_timeout_secs: timeout,
            source_horizon_ts: horizon,
        },
    )
    .await
    .map_err(df_error)?;
    let chunk = |folder: &str| ChunkFile {
        folder: folder.to_string(),
        data_source_key: 0,
        lo: low,
        hi: horizon,
    };
    gidb.write_chunk(
        &chunk(MERGED_FOLDER),
        &outcome.emitted,
        "last_event_ts",
        false,
    )
    .await
    .map_err(store_error)?;
    let waiting_keys = MemTable::try_new(merge::waiting_schema(), vec![outcome.waiting.clone()])
        .map_err(df_error)?;
    ctx.register_table("still_waiting", Arc::new(waiting_keys))
        .map_err(df_error)?;
    let waiting_rows: Vec<RecordBatch> = ctx
        .sql(&format!(
            "select c.* from {} c join still_waiting w on c.data_source_key = w.data_source_key and c.callid = w.callid",
            merge::CALLS
        ))
        .await
        .map_err(df_error)?
        .collect()
        .await
        .map_err(df_error)?;
    gidb.write_chunk(
        &chunk(WAITING_FOLDER),
        &waiting_rows,
        "terminated_ts",
        false,
    )
    .await
    .map_err(store_error)?;

    let report = summarize(&outcome, horizon);
    let audit_key = audit::next_audit_key(db).await?;
    let now = Utc::now().timestamp();
    db.execute_all(&[
        audit::insert_sql(
            audit_key,
            job_id,
            &audit::AuditEntry {
                max_chunk_ts: Some(horizon),
                row_count: report.emitted_calls as i64,
                ..audit::AuditEntry::default()
            },
        ),
        format!("delete from ctl_hwm where hwm_name = {}", sql_text(MARK)),
        format!(
            "insert into ctl_hwm (hwm_name, hwm_value, hwm_value2, updated_ts, job_id) values ({}, {horizon}, {}, {now}, {})",
            sql_text(MARK),
            sql_text(&format!("waiting={}", report.waiting_calls)),
            sql_text(job_id)
        ),
    ])
    .await?;
    for file in waiting_files {
        gidb.delete(&file).await.map_err(store_error)?;
    }
    Ok(report)
}

/// Registers merge input `name` as the result of `sql`, read once (from GIDB's files and
/// their latest-version rule) and held in memory: the merge and the waiting calls both read
/// it.
async fn register_cached(ctx: &SessionContext, name: &str, sql: &str) -> Result<(), JobError> {
    let error = |e: datafusion::error::DataFusionError| {
        JobError::Data(format!("voice merge input {name}: {e}"))
    };
    let df = ctx
        .sql(sql)
        .await
        .map_err(error)?
        .cache()
        .await
        .map_err(error)?;
    ctx.register_table(name, df.into_view()).map_err(error)?;
    Ok(())
}

/// GSYS_DNPREMOTELOCATION of every IDB holding a voice source, stamped with that source.
async fn remote_locations(
    sets: &[Arc<HaSet>],
    voice_keys: &[i32],
    db: &dyn Database,
) -> Result<Vec<RecordBatch>, JobError> {
    let table = idb::table("GSYS_DNPREMOTELOCATION").expect("GSYS_DNPREMOTELOCATION");
    let schema = merge::input_schema(merge::REMOTE_LOCATIONS).expect("schema");
    let mut batches = Vec::new();
    for set in sets {
        for source in set
            .sessions
            .sources()
            .into_iter()
            .filter(|s| s.ds_type == 1)
        {
            let key = db
                .query_opt_i64(&format!(
                    "select data_source_key from ctl_ds where data_source_type = 1 and ds_dbid = {}",
                    source.ds_dbid
                ))
                .await?;
            let Some(key) = key.map(|k| k as i32).filter(|k| voice_keys.contains(k)) else {
                continue;
            };
            let Some(idb) = set.idbs.first() else {
                continue;
            };
            let raw = idb
                .read(
                    vec![whole_table_query(table, idb.dialect)],
                    table,
                    "GSYS_DNPREMOTELOCATION",
                    ReadSize::Small,
                )
                .await?;
            for batch in raw {
                let stamp = super::rows::Stamp {
                    data_source_key: key,
                    icon_dbid: 0,
                    audit_key: 0,
                };
                batches.push(super::rows::to_gidb(&batch, &schema, stamp).map_err(JobError::Data)?);
            }
        }
    }
    Ok(batches)
}

fn summarize(outcome: &merge::MergeOutcome, horizon: i64) -> MergeReport {
    let mut interactions = std::collections::BTreeMap::new();
    for batch in &outcome.emitted {
        let schema = batch.schema();
        let (Ok(guid), Ok(state)) = (
            schema.index_of("interaction_guid"),
            schema.index_of("merge_state"),
        ) else {
            continue;
        };
        let guids = batch
            .column(guid)
            .as_any()
            .downcast_ref::<arrow::array::StringArray>();
        let states = batch
            .column(state)
            .as_any()
            .downcast_ref::<arrow::array::Int16Array>();
        if let (Some(guids), Some(states)) = (guids, states) {
            for row in 0..batch.num_rows() {
                interactions.insert(guids.value(row).to_string(), states.value(row));
            }
        }
    }
    MergeReport {
        horizon: Some(horizon),
        emitted_calls: outcome.emitted.iter().map(|b| b.num_rows() as u64).sum(),
        interactions: interactions.len() as u64,
        partially_merged: interactions
            .values()
            .filter(|s| **s == merge::PARTIALLY_MERGED)
            .count() as u64,
        waiting_calls: outcome.waiting.iter().map(|b| b.num_rows() as u64).sum(),
    }
}
