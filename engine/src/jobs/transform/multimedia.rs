//! The multimedia stream (infomart.md §1.6, §4.1, §4.11): e-mails, chats and their replies
//! from the Interaction Server rows of GIDB. Multimedia rows are extracted as they change, so
//! a chunk is the window (mark, horizon] of those changes: every interaction with a change in
//! it is transformed again from all its rows and its facts are upserted under the ids they
//! already have. Rules and the active-thread state: docs/transform.md, "Multimedia stream".

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use chrono::Utc;
use datafusion::prelude::SessionContext;
use tidemark_plans::transform::multimedia::{self, inputs as mm};
use tidemark_schemas::gidb::MediaFamily;
use tidemark_sinks::database::Database;
use tidemark_sinks::gidb::{day_of, GidbStore};

use super::super::audit::next_audit_key;
use super::super::{JobContext, JobError};
use super::commit::{self, column_range, current_mark, extraction_horizon, row_count, ChunkCommit};
use super::session;
use super::streams::{config_marks, output_steps, partition_steps, StreamReport};

/// The multimedia stream's HWM name.
pub const MULTIMEDIA_MARK: &str = "GIDB_G_IR_MM";

/// Tables whose extraction marks bound the multimedia stream.
const MM_TABLES: [&str; 8] = [
    "G_CALL",
    "G_PARTY",
    "G_PARTY_HISTORY",
    "GM_F_USERDATA",
    "G_VIRTUAL_QUEUE",
    "G_USERDATA_HISTORY",
    "G_SECURE_USERDATA_HISTORY",
    "G_CUSTOM_DATA_S",
];

/// Configuration object type of scripts in RESOURCE_.
const CFG_SCRIPT: i32 = tidemark_plans::transform::codes::CFG_SCRIPT;

/// How far the multimedia stream may go: the configuration transform mark and the
/// extraction marks of the multimedia tables it reads, whichever is smallest.
async fn multimedia_horizon(db: &dyn Database) -> Result<Option<i64>, JobError> {
    let Some(mut horizon) = current_mark(db, &config_marks()[0]).await? else {
        return Ok(None);
    };
    for table in MM_TABLES {
        match extraction_horizon(db, table).await? {
            Some(mark) => horizon = horizon.min(mark),
            None => return Ok(None),
        }
    }
    Ok(Some(horizon))
}

/// The active-thread state: the multimedia INTERACTION_FACT rows a chunk may meet again —
/// every active one, and those started since `since` (all when `None`).
fn known_interactions(since: Option<i64>) -> String {
    let recent = since.map_or("1 = 1".to_string(), |ts| format!("start_ts >= {ts}"));
    format!(
        "select interaction_id from interaction_fact where media_type_key not in \
         (select media_type_key from media_type where media_name_code = 'VOICE') \
         and (active_flag = 1 or {recent})"
    )
}

/// Registers the inputs of a multimedia session: GIDB rows from `min_day` on, the window
/// and settings, and the Info Mart rows of the known interactions.
async fn register_inputs(
    ctx: &JobContext,
    df: &SessionContext,
    gidb: &GidbStore,
    min_day: Option<&str>,
    window: (i64, i64),
    known_since: Option<i64>,
) -> Result<(), JobError> {
    let db = ctx.infomart.as_ref();
    for (name, table) in mm::MM_GIDB_INPUTS {
        session::register_gidb(df, gidb, name, table, MediaFamily::Multimedia, min_day).await?;
    }
    session::register_window(df, window.0, window.1)?;
    let keep = i64::from(ctx.config.gim_etl.days_to_keep_active_facts) * 86_400;
    let settings = RecordBatch::try_new(
        mm::schema(mm::MM_SETTINGS).expect("settings schema"),
        vec![Arc::new(Int64Array::from(vec![keep])) as ArrayRef],
    )
    .map_err(|e| JobError::Data(e.to_string()))?;
    session::register_rows(df, mm::MM_SETTINGS, vec![settings])?;
    let stop_queues = RecordBatch::try_new(
        mm::schema(mm::MM_STOP_QUEUES).expect("stop queues schema"),
        vec![Arc::new(StringArray::from(
            ctx.config.gim_etl.stop_ixn_queues.clone(),
        )) as ArrayRef],
    )
    .map_err(|e| JobError::Data(e.to_string()))?;
    session::register_rows(df, mm::MM_STOP_QUEUES, vec![stop_queues])?;
    let known = known_interactions(known_since);
    let queries = [
        (
            mm::MM_INTERACTIONS,
            format!(
                "select interaction_id, media_server_ixn_guid, start_ts, active_flag \
                 from interaction_fact where interaction_id in ({known})"
            ),
        ),
        (
            mm::MM_IRFS,
            format!(
                "select interaction_resource_id, interaction_id, interaction_resource_ordinal \
                 from interaction_resource_fact where interaction_id in ({known})"
            ),
        ),
        (
            mm::MM_MSFS,
            format!(
                "select mediation_segment_id, interaction_id, resource_key, start_ts \
                 from mediation_segment_fact where interaction_id in ({known})"
            ),
        ),
        (
            mm::MM_STATES,
            format!(
                "select ixn_resource_state_fact_key, interaction_resource_id, \
                 interaction_resource_state_key, start_ts from ixn_resource_state_fact \
                 where interaction_resource_id in (select interaction_resource_id \
                 from interaction_resource_fact where interaction_id in ({known}))"
            ),
        ),
        (
            mm::SCRIPT_RESOURCES,
            format!(
                "select resource_key, resource_name from resource_ \
                 where resource_cfg_type_id = {CFG_SCRIPT}"
            ),
        ),
    ];
    for (name, sql) in &queries {
        session::register_mart_query(df, db, name, sql).await?;
    }
    Ok(())
}

/// `YYYY-MM-DD` of the day holding `ts`.
fn day_text(ts: i64) -> String {
    day_of(ts).format("%Y-%m-%d").to_string()
}

/// Transforms the multimedia interactions that changed since the stream's mark, up to
/// [`multimedia_horizon`], in one chunk.
pub async fn run_multimedia(ctx: &JobContext, gidb: &GidbStore) -> Result<StreamReport, JobError> {
    let db = ctx.infomart.as_ref();
    let marks = vec![MULTIMEDIA_MARK.to_string()];
    let mut report = StreamReport {
        mark: current_mark(db, MULTIMEDIA_MARK).await?,
        ..StreamReport::default()
    };
    let Some(horizon) = multimedia_horizon(db).await? else {
        return Ok(report);
    };
    if report.mark.is_some_and(|mark| horizon <= mark) {
        return Ok(report);
    }
    if ctx.cancel.is_cancelled() {
        return Err(JobError::Stopped);
    }
    let from = report.mark.unwrap_or(i64::MIN);
    let keep = i64::from(ctx.config.gim_etl.days_to_keep_active_facts) * 86_400;
    let known_since = report.mark.map(|mark| mark - keep);
    let started = Utc::now();
    let audit_key = next_audit_key(db).await?;

    // How far back the interactions touched in the window reach, from the window's rows.
    let probe = session::new_session(gidb);
    let window_day = report.mark.map(day_text);
    register_inputs(
        ctx,
        &probe,
        gidb,
        window_day.as_deref(),
        (from, horizon),
        known_since,
    )
    .await?;
    session::materialize_views(&probe, &[multimedia::touched_since_view()]).await?;
    let since = commit::column_values(
        &session::collect(&probe, multimedia::TOUCHED_SINCE).await?,
        "since_ts",
    )
    .into_iter()
    .min();

    let mut steps = Vec::new();
    let mut rows = 0;
    let mut start_keys = None;
    if let Some(since) = since {
        let df = session::new_session(gidb);
        let min_day = day_text(since);
        register_inputs(ctx, &df, gidb, Some(&min_day), (from, horizon), known_since).await?;
        session::register_mart_inputs(&df, db).await?;
        session::register_user_data_settings(&df, &ctx.config.gim_etl)?;
        session::register_ids(&df, session::ChunkIds::after_greatest(db).await?, audit_key)?;
        for (name, _) in mm::MM_GIDB_INPUTS {
            session::materialize_input(&df, name).await?;
        }
        let keep = session::output_views(&multimedia::OUTPUTS, &[]);
        session::materialize_views_keeping(&df, &multimedia::views(), &keep).await?;
        let (facts, collected) = output_steps(&df, &multimedia::OUTPUTS, &mut report).await?;
        drop(df);
        rows = collected.iter().map(|b| row_count(b)).sum();
        // Facts (the first four outputs) are partitioned by their start; active ones end
        // at the sentinel key.
        start_keys = column_range(&collected[0], "start_date_time_key");
        let spans = collected[..4]
            .iter()
            .map(|b| column_range(b, "start_date_time_key"));
        steps.extend(partition_steps(ctx, spans).await?);
        steps.extend(facts);
    }
    steps.extend(commit::steps(&ChunkCommit {
        job_id: &ctx.job_id,
        audit_key,
        hwm_names: &marks,
        value: horizon,
        rows,
        start_keys,
        started,
    }));
    db.write_all(steps).await?;
    report.chunks = 1;
    report.mark = Some(horizon);
    Ok(report)
}
