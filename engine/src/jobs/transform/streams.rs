//! The two transform streams (infomart.md §4.1, operations.md §8.3): configuration, then
//! voice. Each chunk is one Info Mart transaction of its facts or dimensions, audit row,
//! history rows and marks.

use chrono::Utc;
use datafusion::prelude::ParquetReadOptions;
use tidemark_plans::transform::{config, inputs, voice};
use tidemark_schemas::gidb::MediaFamily;
use tidemark_schemas::mart;
use tidemark_sinks::database::{Database, WriteStep};
use tidemark_sinks::gidb::GidbStore;

use super::super::audit::next_audit_key;
use super::super::extract::merge_stage;
use super::super::gidb_files::{chunk_listing, ChunkUrl};
use super::super::initialize::partitions::missing_partitions;
use super::super::{JobContext, JobError};
use super::commit::{
    self, column_range, column_values, current_mark, extraction_horizon, row_count, ChunkCommit,
};
use super::discards;
use super::session::{self, df_error};
use super::voice_inputs;

/// Column whose stored value an upsert keeps.
const KEEP: &str = "CREATE_AUDIT_KEY";

/// The configuration stream's HWM names: one per GIDB configuration table.
pub fn config_marks() -> Vec<String> {
    config::GIDB_INPUTS
        .iter()
        .map(|(_, table)| format!("GIDB_{table}"))
        .collect()
}

/// The voice stream's HWM name.
pub const VOICE_MARK: &str = "GIDB_G_IR_V";

/// Voice tables whose extraction marks bound the voice stream besides the merge mark.
const VOICE_TABLES: [&str; 6] = [
    "G_PARTY",
    "G_PARTY_HISTORY",
    "G_VIRTUAL_QUEUE",
    "G_AGENT_STATE_HISTORY",
    "G_USERDATA_HISTORY",
    "G_CUSTOM_DATA_S",
];

/// What a stream did.
#[derive(Debug, Clone, Default)]
pub struct StreamReport {
    /// Rows written per Info Mart table.
    pub rows: Vec<(String, i64)>,
    /// Chunks committed.
    pub chunks: u64,
    /// The stream's mark after the run.
    pub mark: Option<i64>,
    /// Chunks that read GIDB from before their window (multimedia interactions the
    /// active-thread state did not cover).
    pub reads_before_window: u64,
    /// Covered calls of the active-thread state that chunks passed on untransformed, summed
    /// over the chunks (multimedia).
    pub passed_on_calls: u64,
    /// Chunks that read, of their day folders, only the rows of the interactions they
    /// transform (multimedia chunks that received the active-thread state).
    pub narrowed_reads: u64,
}

impl StreamReport {
    /// Adds `rows` written to `table`.
    pub(super) fn add(&mut self, table: &str, rows: i64) {
        match self.rows.iter_mut().find(|(t, _)| t == table) {
            Some((_, n)) => *n += rows,
            None => self.rows.push((table.to_string(), rows)),
        }
    }
}

/// Upserts of each output view into its Info Mart table, one step per table (its batches
/// concatenated, so the database stages and merges them once); returns the steps and the
/// rows.
pub(super) async fn output_steps(
    ctx: &datafusion::prelude::SessionContext,
    outputs: &[(&str, &str)],
    report: &mut StreamReport,
) -> Result<(Vec<WriteStep>, Vec<Vec<arrow::array::RecordBatch>>), JobError> {
    let mut steps = Vec::new();
    let mut collected = Vec::new();
    for (table, view) in outputs {
        let batches = session::collect(ctx, view).await?;
        let def = mart::table(table).expect("mart table of a transform output");
        report.add(table, row_count(&batches));
        if let Some(first) = batches.first() {
            let batch = arrow::compute::concat_batches(&first.schema(), &batches)
                .map_err(|e| JobError::Data(format!("{table}: concatenating the rows: {e}")))?;
            steps.push(WriteStep::Upsert {
                table: def.clone(),
                batch,
                keep: vec![KEEP.into()],
            });
        }
        collected.push(batches);
    }
    Ok((steps, collected))
}

/// The statements creating the fact partitions missing between the smallest and the
/// greatest date-time key of `spans` (none when every span is `None`).
pub(super) async fn partition_steps(
    ctx: &JobContext,
    spans: impl IntoIterator<Item = Option<(i64, i64)>>,
) -> Result<Vec<WriteStep>, JobError> {
    let span = spans
        .into_iter()
        .flatten()
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)));
    let Some((low, high)) = span else {
        return Ok(Vec::new());
    };
    let width = i64::from(ctx.config.gim_etl.partitioning_interval_size_gim);
    let statements = missing_partitions(ctx.infomart.as_ref(), width, low, high).await?;
    Ok(statements.into_iter().map(WriteStep::Sql).collect())
}

/// Transforms the configuration changed since the stream's mark, up to the smallest
/// extraction mark of the configuration tables, in one chunk.
pub async fn run_config(ctx: &JobContext, gidb: &GidbStore) -> Result<StreamReport, JobError> {
    let db = ctx.infomart.as_ref();
    let marks = config_marks();
    let mut report = StreamReport {
        mark: current_mark(db, &marks[0]).await?,
        ..StreamReport::default()
    };
    let mut horizon = i64::MAX;
    for (_, table) in config::GIDB_INPUTS {
        match extraction_horizon(db, table).await? {
            Some(mark) => horizon = horizon.min(mark),
            None => return Ok(report),
        }
    }
    let from = report.mark.unwrap_or(0);
    if horizon <= from {
        return Ok(report);
    }
    let started = Utc::now();
    let audit_key = next_audit_key(db).await?;
    let df = session::new_session(gidb);
    for (name, table) in config::GIDB_INPUTS {
        session::register_gidb(
            &df,
            gidb,
            name,
            table,
            MediaFamily::Voice,
            &session::DayRange::default(),
            None,
        )
        .await?;
    }
    session::register_mart_inputs(&df, db).await?;
    session::register_ids(&df, session::ChunkIds::default(), audit_key)?;
    session::register_window(&df, from, horizon)?;
    let keep = session::output_views(&config::OUTPUTS, &[]);
    session::materialize_views_keeping(&df, &config::views(), &keep).await?;
    let (facts, collected) = output_steps(&df, &config::OUTPUTS, &mut report).await?;
    drop(df);
    let rows: i64 = collected.iter().map(|b| row_count(b)).sum();
    // Configuration can be far older than the first partitions: only the partitions the
    // history facts start in, not the span between them.
    let width = i64::from(ctx.config.gim_etl.partitioning_interval_size_gim).max(900);
    let mut starts: Vec<i64> = collected
        .iter()
        .flat_map(|b| column_values(b, "start_date_time_key"))
        .map(|key| key - key.rem_euclid(width))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    let mut steps = Vec::new();
    for low in starts {
        for sql in missing_partitions(db, width, low, low).await? {
            steps.push(WriteStep::Sql(sql));
        }
    }
    steps.extend(facts);
    steps.extend(commit::steps(&ChunkCommit {
        job_id: &ctx.job_id,
        audit_key,
        hwm_names: &marks,
        value: horizon,
        rows,
        start_keys: None,
        started,
    }));
    db.write_all(steps).await?;
    report.chunks = 1;
    report.mark = Some(horizon);
    Ok(report)
}

/// How far the voice stream may go: the merge mark, the configuration transform mark and
/// the extraction marks of the voice tables it reads, whichever is smallest.
async fn voice_horizon(db: &dyn Database) -> Result<Option<i64>, JobError> {
    let merged = db
        .query_opt_i64(&format!(
            "select hwm_value from ctl_hwm where hwm_name = '{}'",
            merge_stage::MARK
        ))
        .await?;
    let Some(mut horizon) = merged else {
        return Ok(None);
    };
    match current_mark(db, &config_marks()[0]).await? {
        Some(mark) => horizon = horizon.min(mark),
        None => return Ok(None),
    }
    for table in VOICE_TABLES {
        match extraction_horizon(db, table).await? {
            Some(mark) => horizon = horizon.min(mark),
            None => return Ok(None),
        }
    }
    Ok(Some(horizon))
}

/// The merge rounds whose end `keep` accepts, by end: each round's window `(lo, hi]` and
/// the URLs of its `gidb_voice_merge` files.
pub(super) async fn merge_rounds(
    gidb: &GidbStore,
    keep: impl Fn(i64) -> bool,
) -> Result<Vec<(i64, i64, Vec<String>)>, JobError> {
    let mut rounds: Vec<(i64, i64, Vec<String>)> = Vec::new();
    for ChunkUrl { lo, hi, url } in chunk_listing(gidb, merge_stage::MERGED_FOLDER).await? {
        if !keep(hi) {
            continue;
        }
        match rounds.iter_mut().find(|(l, h, _)| *l == lo && *h == hi) {
            Some((_, _, urls)) => urls.push(url),
            None => rounds.push((lo, hi, vec![url])),
        }
    }
    rounds.sort_by_key(|(_, hi, _)| *hi);
    Ok(rounds)
}

/// How long before a merge round's window the calls it emits may have terminated.
pub(super) fn merge_lookback(ctx: &JobContext) -> i64 {
    i64::from(ctx.config.gim_etl.max_call_duration)
        + i64::from(ctx.config.gim_etl.merge_failed_is_link_timeout)
}

/// The voice outputs: Info Mart table and the view holding its rows.
pub(super) fn voice_outputs() -> Vec<(&'static str, &'static str)> {
    [
        ("INTERACTION_FACT", voice::INTERACTION_FACT),
        ("INTERACTION_RESOURCE_FACT", voice::IRF),
        ("MEDIATION_SEGMENT_FACT", voice::MSF),
        ("IXN_RESOURCE_STATE_FACT", voice::IXN_RESOURCE_STATE_FACT),
        (
            "RESOURCE_GROUP_COMBINATION",
            voice::RESOURCE_GROUP_COMBINATION,
        ),
    ]
    .into_iter()
    .chain(voice::USER_DATA_OUTPUTS)
    .collect()
}

/// Computes the voice views in `df` for the emitted calls registered there as
/// [`inputs::VOICE_MERGE`], none terminated before `earliest`, merged by a round ending at
/// `latest`: their GIDB rows, the Info Mart inputs, the user-data settings and the chunk's
/// ids under `audit_key`. Of the views, those `keep` names stay registered for the caller;
/// the others are dropped once read.
pub(super) async fn voice_session(
    ctx: &JobContext,
    gidb: &GidbStore,
    df: &datafusion::prelude::SessionContext,
    (earliest, latest): (i64, i64),
    audit_key: i64,
    keep: &[&str],
) -> Result<(), JobError> {
    let db = ctx.infomart.as_ref();
    let etl = &ctx.config.gim_etl;
    let reach = voice_inputs::VoiceReach {
        earliest,
        latest,
        margin: i64::from(etl.max_call_duration.max(etl.user_event_data_timeout)),
    };
    voice_inputs::register(df, gidb, reach).await?;
    session::register_mart_inputs(df, db).await?;
    session::register_user_data_settings(df, etl)?;
    let ids = session::ChunkIds::after_greatest(db).await?;
    session::register_ids(df, ids, audit_key)?;
    session::materialize_views_keeping(df, &voice::views(), keep).await
}

/// Transforms the voice interactions the merge stage emitted since the stream's mark: one
/// chunk per merge round, up to [`voice_horizon`].
pub async fn run_voice(ctx: &JobContext, gidb: &GidbStore) -> Result<StreamReport, JobError> {
    let db = ctx.infomart.as_ref();
    let marks = vec![VOICE_MARK.to_string()];
    let mut report = StreamReport {
        mark: current_mark(db, VOICE_MARK).await?,
        ..StreamReport::default()
    };
    let Some(horizon) = voice_horizon(db).await? else {
        return Ok(report);
    };
    let from = report.mark.unwrap_or(i64::MIN);
    if horizon <= from {
        return Ok(report);
    }
    let mut rounds = merge_rounds(gidb, |hi| hi > from && hi <= horizon).await?;
    if rounds.last().is_none_or(|(_, hi, _)| *hi < horizon) {
        rounds.push((horizon, horizon, Vec::new()));
    }
    let lookback = merge_lookback(ctx);
    for (lo, hi, urls) in rounds {
        if ctx.cancel.is_cancelled() {
            return Err(JobError::Stopped);
        }
        let started = Utc::now();
        let audit_key = next_audit_key(db).await?;
        let df = session::new_session(gidb);
        if urls.is_empty() {
            session::register_rows(&df, inputs::VOICE_MERGE, vec![])?;
        } else {
            let merged = df
                .read_parquet(urls, ParquetReadOptions::default())
                .await
                .map_err(df_error("voice merge files"))?;
            df.register_table(inputs::VOICE_MERGE, merged.into_view())
                .map_err(df_error("voice merge files"))?;
            session::materialize_input(&df, inputs::VOICE_MERGE).await?;
        }
        let outputs = voice_outputs();
        let keep = session::output_views(&outputs, &[voice::DISCARDS]);
        let reach = (lo.min(hi) - lookback, hi);
        voice_session(ctx, gidb, &df, reach, audit_key, &keep).await?;
        let (facts, collected) = output_steps(&df, &outputs, &mut report).await?;
        let discarded = discards::read(&session::collect(&df, voice::DISCARDS).await?)?;
        drop(df);
        report.add("STG_TRANSFORM_DISCARDS", discarded.len() as i64);
        let discard_steps = discards::handle(
            &discarded,
            ctx.config.error_policy.error_policy_irf_exception,
            audit_key,
        )?;
        let rows: i64 = collected.iter().map(|b| row_count(b)).sum();
        let mut steps = Vec::new();
        // State facts start within their interaction's span, except wrap-up, which may
        // start one second after the interaction's last release.
        let spans = [
            column_range(&collected[0], "start_date_time_key"),
            column_range(&collected[0], "end_date_time_key"),
            column_range(&collected[3], "start_date_time_key"),
        ];
        steps.extend(partition_steps(ctx, spans).await?);
        steps.extend(facts);
        steps.extend(discard_steps);
        steps.extend(commit::steps(&ChunkCommit {
            job_id: &ctx.job_id,
            audit_key,
            hwm_names: &marks,
            value: hi,
            rows,
            start_keys: column_range(&collected[0], "start_date_time_key"),
            started,
        }));
        db.write_all(steps).await?;
        report.chunks += 1;
        report.mark = Some(hi);
    }
    Ok(report)
}
