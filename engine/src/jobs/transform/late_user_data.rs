//! The voice stream's late user-data pass (docs/transform.md, "Late UserEvent KVPs"): after
//! the voice chunks, the G_CUSTOM_DATA_S rows extracted since the pass last ran that reach
//! an interaction transformed before they were added re-compute that interaction's user
//! data (`tidemark_plans::transform::voice::late`), written with the pass's mark in one Info
//! Mart transaction.

use chrono::Utc;
use datafusion::prelude::{lit, DataFrame, ParquetReadOptions, SessionContext};
use tidemark_plans::transform::voice::late;
use tidemark_plans::transform::{self as transform, inputs, View};
use tidemark_schemas::gidb::{folder_name, MediaFamily};
use tidemark_schemas::idb;
use tidemark_sinks::database::Database;
use tidemark_sinks::gidb::GidbStore;

use super::super::audit::next_audit_key;
use super::super::gidb_files::{chunk_files, register_latest, KeyFilter};
use super::super::{JobContext, JobError};
use super::commit::{
    self, column_range, column_values, current_mark, extraction_horizon, row_count, ChunkCommit,
};
use super::session::{self, df_error};
use super::streams::{
    merge_lookback, merge_rounds, output_steps, voice_session, StreamReport, VOICE_MARK,
};

/// The pass's HWM name: the G_CUSTOM_DATA_S `ADDED_TS` up to which late KVPs are applied.
pub const LATE_USER_DATA_MARK: &str = "GIDB_G_CUSTOM_DATA_S_V";

/// Interaction GUIDs per Info Mart id query.
const GUIDS_PER_QUERY: usize = 500;

/// Applies the voice UserEvent KVPs extracted since the pass's mark (at first the voice mark
/// before this run, `voice_mark_before`) up to the G_CUSTOM_DATA_S extraction mark.
pub async fn run_late_user_data(
    ctx: &JobContext,
    gidb: &GidbStore,
    voice_mark_before: Option<i64>,
) -> Result<StreamReport, JobError> {
    let db = ctx.infomart.as_ref();
    let mut report = StreamReport {
        mark: current_mark(db, LATE_USER_DATA_MARK).await?,
        ..StreamReport::default()
    };
    let voice_mark = current_mark(db, VOICE_MARK).await?;
    let horizon = extraction_horizon(db, "G_CUSTOM_DATA_S").await?;
    let (Some(voice_mark), Some(to)) = (voice_mark, horizon) else {
        return Ok(report);
    };
    let from = report.mark.or(voice_mark_before).unwrap_or(to);
    if to <= from && report.mark.is_some() {
        return Ok(report);
    }
    let started = Utc::now();
    let audit_key = next_audit_key(db).await?;
    let df = session::new_session(gidb);
    let timeout = i64::from(ctx.config.gim_etl.user_event_data_timeout);
    let mut steps = Vec::new();
    let (mut rows, mut start_keys) = (0, None);
    if let Some(earliest) = register_inputs(&df, gidb, (from, to), voice_mark, timeout).await? {
        session::materialize_views(&df, &late::touched_views()).await?;
        if row_count(&session::collect(&df, late::LATE_MERGE).await?) > 0 {
            let merge = df
                .table(late::LATE_MERGE)
                .await
                .map_err(df_error(late::LATE_MERGE))?;
            df.register_table(inputs::VOICE_MERGE, merge.into_view())
                .map_err(df_error(inputs::VOICE_MERGE))?;
            session::materialize_input(&df, inputs::VOICE_MERGE).await?;
            let late_views = late::views();
            let voice_kept = voice_views_read(&df, &late_views)?;
            let voice_kept: Vec<&str> = voice_kept.iter().map(String::as_str).collect();
            let earliest = earliest - merge_lookback(ctx);
            // The touched calls were emitted by rounds ending at or before the voice mark.
            let reach = (earliest, voice_mark);
            voice_session(ctx, gidb, &df, reach, audit_key, &voice_kept).await?;
            register_mart_ids(&df, db).await?;
            let keep = session::output_views(&late::LATE_USER_DATA_OUTPUTS, &[late::MISMATCHED]);
            session::materialize_views_keeping(&df, &late_views, &keep).await?;
            warn_mismatched(&df).await?;
            let (facts, collected) =
                output_steps(&df, &late::LATE_USER_DATA_OUTPUTS, &mut report).await?;
            drop(df);
            rows = collected.iter().map(|b| row_count(b)).sum();
            start_keys = column_range(&collected[0], "start_date_time_key");
            steps.extend(facts);
            report.chunks = 1;
        }
    }
    steps.extend(commit::steps(&ChunkCommit {
        job_id: &ctx.job_id,
        audit_key,
        hwm_names: &[LATE_USER_DATA_MARK.to_string()],
        value: to.max(from),
        rows,
        start_keys,
        started,
    }));
    db.write_all(steps).await?;
    report.mark = Some(to.max(from));
    Ok(report)
}

/// Registers the pass's inputs: the KVPs added in `window`, the G_PARTY rows of their
/// PartyGUIDs without a CallID, and the emitted calls of the merge rounds up to
/// `voice_mark` that a KVP within `timeout` of its call's end may reach. Returns the start
/// of the earliest such round, or `None` when there is no KVP or no round.
async fn register_inputs(
    df: &SessionContext,
    gidb: &GidbStore,
    (from, to): (i64, i64),
    voice_mark: i64,
    timeout: i64,
) -> Result<Option<i64>, JobError> {
    let events = idb::table("G_CUSTOM_DATA_S").expect("G_CUSTOM_DATA_S");
    let folder = folder_name(events, MediaFamily::Voice);
    let files = chunk_files(gidb, &folder, |lo, hi| hi > from && lo < to).await?;
    register_latest(df, "vl_user_event_files", events, files, None).await?;
    let window = df
        .sql(&format!(
            "select * from vl_user_event_files where added_ts > {from} and added_ts <= {to}"
        ))
        .await
        .map_err(df_error(late::LATE_USER_EVENTS))?;
    df.register_table(late::LATE_USER_EVENTS, window.into_view())
        .map_err(df_error(late::LATE_USER_EVENTS))?;
    session::materialize_input(df, late::LATE_USER_EVENTS).await?;

    let counts = session::collect_sql(
        df,
        &format!(
            "select count(*) as n, count(*) - count(callid) as guid_only from {}",
            late::LATE_USER_EVENTS
        ),
    )
    .await?;
    let count = |column: &str| column_values(&counts, column).first().copied().unwrap_or(0);
    let (events, guid_only) = (count("n"), count("guid_only"));

    // A KVP's call ended at most `timeout` before it was added, after `from`; the round
    // that emitted the call ended after the call. G_PARTY is read only to resolve the
    // PartyGUIDs of KVPs that name no call.
    let reach = from - timeout;
    let guids = "vl_user_event_guid";
    let sql = format!(
        "select distinct data_source_key, partyid as partyguid from {} where callid is null",
        late::LATE_USER_EVENTS
    );
    let frame = df.sql(&sql).await.map_err(df_error(guids))?;
    df.register_table(guids, frame.into_view())
        .map_err(df_error(guids))?;
    let parties = idb::table("G_PARTY").expect("G_PARTY");
    let party_files = if guid_only > 0 {
        let party_folder = folder_name(parties, MediaFamily::Voice);
        chunk_files(gidb, &party_folder, |_, hi| hi > reach).await?
    } else {
        Vec::new()
    };
    let filter = KeyFilter {
        table: guids,
        key: "partyguid",
        any_source: false,
    };
    register_latest(df, late::LATE_PARTIES, parties, party_files, Some(filter)).await?;
    session::materialize_input(df, late::LATE_PARTIES).await?;

    let rounds = if events > 0 {
        merge_rounds(gidb, |hi| hi > reach && hi <= voice_mark).await?
    } else {
        Vec::new()
    };
    let earliest = rounds.iter().map(|(lo, hi, _)| (*lo).min(*hi)).min();
    let mut merged: Option<DataFrame> = None;
    for (_, hi, urls) in rounds {
        let round = df
            .read_parquet(urls, ParquetReadOptions::default())
            .await
            .and_then(|frame| frame.with_column("round_hi", lit(hi)))
            .map_err(df_error("voice merge files"))?;
        merged = Some(match merged {
            Some(all) => all.union(round).map_err(df_error("voice merge files"))?,
            None => round,
        });
    }
    match merged {
        Some(frame) => {
            df.register_table(late::LATE_ROUNDS, frame.into_view())
                .map_err(df_error(late::LATE_ROUNDS))?;
            session::materialize_input(df, late::LATE_ROUNDS).await?;
        }
        None => session::register_rows(df, late::LATE_ROUNDS, Vec::new())?,
    }
    Ok(earliest)
}

/// The voice views the pass reads after the re-computation: those `late_views` read, and
/// the facts [`register_mart_ids`] looks up.
fn voice_views_read(df: &SessionContext, late_views: &[View]) -> Result<Vec<String>, JobError> {
    use tidemark_plans::transform::voice::{INTERACTION_FACT, IRF, MSF};
    let mut read: Vec<String> = [INTERACTION_FACT, IRF, MSF].map(String::from).into();
    for view in late_views {
        let tables = transform::tables_read(df, &view.sql)
            .map_err(|e| JobError::Data(format!("transform view {}: {e}", view.name)))?;
        read.extend(tables);
    }
    Ok(read)
}

/// Registers [`late::MART_FACT_IDS`]: the Info Mart ids of the IRFs and MSFs of the
/// interactions the re-computation produced, looked up within the date-time keys it gives
/// them.
async fn register_mart_ids(df: &SessionContext, db: &dyn Database) -> Result<(), JobError> {
    use tidemark_plans::transform::voice::{INTERACTION_FACT, IRF, MSF};
    let facts = session::collect(df, INTERACTION_FACT).await?;
    let guids: Vec<String> = string_values(&facts, "media_server_ixn_guid");
    let key_range = |batches: &[arrow::array::RecordBatch]| {
        column_range(batches, "start_date_time_key").unwrap_or((0, -1))
    };
    let (if_lo, if_hi) = key_range(&facts);
    let (irf_lo, irf_hi) = key_range(&session::collect(df, IRF).await?);
    let (msf_lo, msf_hi) = key_range(&session::collect(df, MSF).await?);
    let queries: Vec<String> = guids
        .chunks(GUIDS_PER_QUERY)
        .map(|chunk| {
            let list = chunk
                .iter()
                .map(|g| super::super::history::sql_text(g))
                .collect::<Vec<_>>()
                .join(", ");
            let interactions = format!(
                "f.start_date_time_key between {if_lo} and {if_hi} \
                 and f.media_server_ixn_guid in ({list})"
            );
            format!(
                "select f.media_server_ixn_guid, 'IRF' as kind, i.interaction_resource_id \
                 from interaction_resource_fact i join interaction_fact f \
                 on f.interaction_id = i.interaction_id \
                 where {interactions} and i.start_date_time_key between {irf_lo} and {irf_hi} \
                 union all \
                 select f.media_server_ixn_guid, 'MSF', m.mediation_segment_id \
                 from mediation_segment_fact m join interaction_fact f \
                 on f.interaction_id = m.interaction_id \
                 where {interactions} and m.start_date_time_key between {msf_lo} and {msf_hi}"
            )
        })
        .collect();
    session::register_mart_queries(df, db, late::MART_FACT_IDS, &queries).await
}

/// Logs the touched interactions whose facts the re-computation does not find as they are
/// in the Info Mart; their user data is left as it is.
async fn warn_mismatched(df: &SessionContext) -> Result<(), JobError> {
    let batches = session::collect(df, late::MISMATCHED).await?;
    let guids = string_values(&batches, "media_server_ixn_guid");
    if !guids.is_empty() {
        tracing::warn!(
            interactions = guids.len(),
            first = %guids[0],
            "late UserEvent KVPs: the facts of these voice interactions differ from a \
             re-computation over GIDB; their user data is left as it is"
        );
    }
    Ok(())
}

/// The non-null values of a text column over the batches.
fn string_values(batches: &[arrow::array::RecordBatch], column: &str) -> Vec<String> {
    let mut out = Vec::new();
    for batch in batches {
        let Some(array) = batch.column_by_name(column) else {
            continue;
        };
        let Ok(values) = arrow::compute::cast(array, &arrow::datatypes::DataType::Utf8) else {
            continue;
        };
        if let Some(values) = values.as_any().downcast_ref::<arrow::array::StringArray>() {
            out.extend(values.iter().flatten().map(str::to_string));
        }
    }
    out
}
