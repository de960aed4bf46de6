//! The multimedia stream (infomart.md §1.6, §4.1, §4.11): e-mails, chats and their replies
//! from the Interaction Server rows of GIDB. Multimedia rows are extracted as they change, so
//! a chunk is the window (mark, horizon] of those changes: every interaction with a change in
//! it is transformed again from all its rows and its facts are upserted under the ids they
//! already have. Rules and the active-thread state: docs/transform.md, "Multimedia stream".

use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray, Int64Array, RecordBatch, StringArray};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use chrono::{NaiveTime, Utc};
use datafusion::prelude::SessionContext;
use tidemark_plans::transform::multimedia::{self, inputs as mm};
use tidemark_schemas::gidb::{folder_name, MediaFamily};
use tidemark_schemas::idb;
use tidemark_sinks::database::{Database, SqlValue};
use tidemark_sinks::gidb::{day_of, GidbStore};

use super::super::audit::next_audit_key;
use super::super::{JobContext, JobError};
use super::active_state::{self, ActiveState, SplitState};
use super::commit::{self, column_range, current_mark, extraction_horizon, row_count, ChunkCommit};
use super::session::{self, DayRange};
use super::statistics;
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

/// Source time one multimedia chunk covers at most: a backlog is transformed a UTC day at a
/// time, each chunk ending on the last second of a day, so that a chunk reads the day
/// folders of its own day and the active-thread state.
const CHUNK_SECONDS: i64 = 86_400;

/// GUIDs per Info Mart query of the known interactions.
const GUIDS_PER_QUERY: usize = 1_000;

/// The ends of the chunks from `mark` to `horizon`: the last second of every UTC day after
/// the mark (after the first day GIDB holds multimedia calls for, without a mark) and before
/// the horizon, and the horizon last.
async fn chunk_ends(
    gidb: &GidbStore,
    mark: Option<i64>,
    horizon: i64,
) -> Result<Vec<i64>, JobError> {
    let start = match mark {
        Some(mark) => mark,
        None => {
            let def = idb::table("G_CALL").expect("G_CALL");
            let days = gidb
                .days(&folder_name(def, MediaFamily::Multimedia))
                .await
                .map_err(|e| JobError::Data(e.to_string()))?;
            match days.first() {
                Some(day) => day.and_time(NaiveTime::MIN).and_utc().timestamp(),
                None => return Ok(vec![horizon]),
            }
        }
    };
    Ok(day_ends(start, horizon))
}

/// The last seconds of UTC days after `start` and before `horizon`, then `horizon`.
fn day_ends(start: i64, horizon: i64) -> Vec<i64> {
    let first = (start.div_euclid(CHUNK_SECONDS) * CHUNK_SECONDS).saturating_add(CHUNK_SECONDS - 1);
    let first = if first <= start {
        first.saturating_add(CHUNK_SECONDS)
    } else {
        first
    };
    let mut ends: Vec<i64> = (0..)
        .map(|k: i64| first.saturating_add(CHUNK_SECONDS.saturating_mul(k)))
        .take_while(|end| *end < horizon)
        .collect();
    ends.push(horizon);
    ends
}

/// Which multimedia INTERACTION_FACT rows a chunk reads from the Info Mart: the active ones
/// due for artificial termination (started at or before `expiry`, the window's end less
/// `days-to-keep-active-facts`), and those among `guids`. One `where` condition per query,
/// disjoint. Active interactions neither touched nor due stay in the Info Mart: the chunk
/// does not transform them.
fn known_conditions(guids: &[String], expiry: i64) -> Vec<String> {
    let multimedia = "media_type_key not in \
         (select media_type_key from media_type where media_name_code = 'VOICE')";
    let due = format!("active_flag = 1 and start_ts <= {expiry}");
    let mut conditions = vec![format!("{multimedia} and {due}")];
    conditions.extend(guids.chunks(GUIDS_PER_QUERY).map(|chunk| {
        let list: Vec<String> = chunk
            .iter()
            .map(|g| format!("'{}'", g.replace('\'', "''")))
            .collect();
        format!(
            "{multimedia} and not coalesce({due}, false) and media_server_ixn_guid in ({})",
            list.join(", ")
        )
    }));
    conditions
}

/// The known interactions ([`mm::MM_INTERACTIONS`] rows: id, GUID, start, active flag) in
/// groups of [`GUIDS_PER_QUERY`] by start, each as its id list and the smallest
/// START_DATE_TIME_KEY its IRF, MSF and state rows can have: a day before its earliest
/// start, since they start with or after their interaction. The facts are partitioned by
/// that key, so a lookup reads only the partitions from there on.
fn id_groups(interactions: &[Vec<SqlValue>]) -> Vec<(String, i64)> {
    let mut known: Vec<(i64, i64)> = interactions
        .iter()
        .filter_map(|row| {
            let id = row.first().and_then(SqlValue::as_i64)?;
            Some((row.get(2).and_then(SqlValue::as_i64).unwrap_or(0), id))
        })
        .collect();
    known.sort_unstable();
    known
        .chunks(GUIDS_PER_QUERY)
        .map(|group| {
            let ids: Vec<String> = group.iter().map(|(_, id)| id.to_string()).collect();
            (ids.join(", "), group[0].0.saturating_sub(86_400))
        })
        .collect()
}

/// Registers the Info Mart rows of the known interactions ([`known_conditions`] of `guids`
/// and the `expiry` of the window): all fact inputs and the scripts, or only
/// INTERACTION_FACT's with `interactions_only`.
async fn register_known(
    df: &SessionContext,
    db: &dyn Database,
    (guids, expiry): (&[String], i64),
    interactions_only: bool,
) -> Result<(), JobError> {
    let known: Vec<String> = known_conditions(guids, expiry)
        .into_iter()
        .map(|condition| {
            format!(
                "select interaction_id, media_server_ixn_guid, start_ts, active_flag \
                 from interaction_fact where {condition}"
            )
        })
        .collect();
    let interactions = session::query_mart(db, mm::MM_INTERACTIONS, &known).await?;
    session::register_mart_rows(df, mm::MM_INTERACTIONS, &interactions)?;
    if interactions_only {
        return Ok(());
    }
    let groups = id_groups(&interactions);
    let select = |sql: &dyn Fn(&str, i64) -> String| -> Vec<String> {
        groups.iter().map(|(ids, from)| sql(ids, *from)).collect()
    };
    let inputs = [
        (
            mm::MM_IRFS,
            select(&|ids, from| {
                format!(
                    "select interaction_resource_id, interaction_id, \
                     interaction_resource_ordinal from interaction_resource_fact \
                     where interaction_id in ({ids}) and start_date_time_key >= {from}"
                )
            }),
        ),
        (
            mm::MM_MSFS,
            select(&|ids, from| {
                format!(
                    "select mediation_segment_id, interaction_id, resource_key, start_ts \
                     from mediation_segment_fact \
                     where interaction_id in ({ids}) and start_date_time_key >= {from}"
                )
            }),
        ),
        (
            mm::MM_STATES,
            select(&|ids, from| {
                format!(
                    "select ixn_resource_state_fact_key, interaction_resource_id, \
                     interaction_resource_state_key, start_ts from ixn_resource_state_fact \
                     where start_date_time_key >= {from} and interaction_resource_id in \
                     (select interaction_resource_id from interaction_resource_fact \
                     where interaction_id in ({ids}) and start_date_time_key >= {from})"
                )
            }),
        ),
        (
            mm::SCRIPT_RESOURCES,
            vec![format!(
                "select resource_key, resource_name from resource_ \
                 where resource_cfg_type_id = {CFG_SCRIPT}"
            )],
        ),
    ];
    for (name, sqls) in &inputs {
        session::register_mart_queries(df, db, name, sqls).await?;
    }
    Ok(())
}

/// The GIDB inputs whose state rows a probe reads: the calls (the parents of touched calls,
/// their creation) and the parties (the party of a KVP without a CallID). Its other inputs
/// only need the rows changed in the window, which are in the window's day folders.
const PROBE_STATE_INPUTS: [&str; 2] = [mm::MM_CALLS, mm::MM_PARTIES];

/// Which GIDB inputs of a session read the active-thread state with their day folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StateReach {
    /// Every input: a session that transforms or computes the state.
    All,
    /// [`PROBE_STATE_INPUTS`]: a probe finding what the window touches.
    Probe,
}

/// Registers the GIDB inputs of a multimedia session named by `only` (all when `None`),
/// each the rows of `days` together with the active-thread state's as far as `reach` says,
/// less the rows of the calls in the table `leave_out` (the calls the chunk passes on).
async fn register_gidb_inputs(
    df: &SessionContext,
    gidb: &GidbStore,
    (days, only): (&DayRange, Option<&[&str]>),
    (reach, leave_out): (StateReach, Option<&str>),
) -> Result<(), JobError> {
    let inputs = mm::MM_GIDB_INPUTS
        .iter()
        .filter(|(name, _)| only.is_none_or(|only| only.contains(name)));
    for (name, table) in inputs {
        let with_state = reach == StateReach::All || PROBE_STATE_INPUTS.contains(name);
        let read_as = match leave_out {
            Some(_) => format!("{name}_read"),
            None => name.to_string(),
        };
        session::register_gidb(
            df,
            gidb,
            &read_as,
            table,
            MediaFamily::Multimedia,
            days,
            with_state.then(|| mm::state_table(name)),
        )
        .await?;
        if let Some(calls) = leave_out {
            let kept = df
                .sql(&format!(
                    "select r.* from {read_as} r left join {calls} p on p.callid = r.callid \
                     where p.callid is null"
                ))
                .await
                .map_err(|e| JobError::Data(format!("{name}: {e}")))?;
            df.register_table(*name, kept.into_view())
                .map_err(|e| JobError::Data(format!("{name}: {e}")))?;
        }
    }
    Ok(())
}

/// Registers the window and the settings of a multimedia session.
fn register_settings(
    ctx: &JobContext,
    df: &SessionContext,
    window: (i64, i64),
) -> Result<(), JobError> {
    session::register_window(df, window.0, window.1)?;
    let keep = keep_seconds(ctx);
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
    Ok(())
}

/// Registers every GIDB input of a multimedia session ([`register_gidb_inputs`]), the window
/// and the settings.
async fn register_inputs(
    ctx: &JobContext,
    df: &SessionContext,
    gidb: &GidbStore,
    (days, window): (&DayRange, (i64, i64)),
    (reach, leave_out): (StateReach, Option<&str>),
) -> Result<(), JobError> {
    register_gidb_inputs(df, gidb, (days, None), (reach, leave_out)).await?;
    register_settings(ctx, df, window)
}

/// Registers the GIDB inputs of a chunk's transform session (all of them with the state it
/// transforms again, less the calls in `leave_out`), the window and the settings. With the
/// `roots` of what the window touches ([`Probe::roots`]), the calls are read whole and
/// threaded first; of the other inputs, only the rows of the calls of the touched and due
/// interactions and of the state's covered calls ([`multimedia::TOUCHED_MEMBERS`]) are read.
/// Returns the names of the views computed already.
async fn register_chunk_inputs(
    ctx: &JobContext,
    df: &SessionContext,
    gidb: &GidbStore,
    (days, window): (&DayRange, (i64, i64)),
    leave_out: Option<&str>,
    roots: Option<Vec<RecordBatch>>,
) -> Result<Vec<String>, JobError> {
    register_settings(ctx, df, window)?;
    let reach = (StateReach::All, leave_out);
    let Some(roots) = roots else {
        register_gidb_inputs(df, gidb, (days, None), reach).await?;
        for (name, _) in mm::MM_GIDB_INPUTS {
            session::materialize_input(df, name).await?;
        }
        return Ok(Vec::new());
    };
    register_gidb_inputs(df, gidb, (days, Some(&[mm::MM_CALLS])), reach).await?;
    session::materialize_input(df, mm::MM_CALLS).await?;
    session::register_rows(df, mm::MM_TOUCHED_ROOTS, roots)?;
    let members = multimedia::members_views();
    session::materialize_views(df, &members).await?;
    let others: Vec<&str> = mm::MM_GIDB_INPUTS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| *name != mm::MM_CALLS)
        .collect();
    let narrowed = DayRange {
        only_calls: Some(multimedia::TOUCHED_MEMBERS.to_string()),
        ..days.clone()
    };
    register_gidb_inputs(df, gidb, (&narrowed, Some(&others)), reach).await?;
    for name in others {
        session::materialize_input(df, name).await?;
    }
    Ok(members.into_iter().map(|view| view.name).collect())
}

/// The GUIDs of [`multimedia::TOUCHED_GUIDS`] in `df`.
async fn touched_guids(df: &SessionContext) -> Result<Vec<String>, JobError> {
    session::materialize_views(df, &multimedia::touched_guids_views()).await?;
    let batches = session::collect(df, multimedia::TOUCHED_GUIDS).await?;
    let mut guids = Vec::new();
    for batch in &batches {
        let column = cast(batch.column(0), &DataType::Utf8)
            .map_err(|e| JobError::Data(format!("{}: {e}", multimedia::TOUCHED_GUIDS)))?;
        guids.extend(
            column
                .as_string::<i32>()
                .iter()
                .flatten()
                .map(str::to_string),
        );
    }
    Ok(guids)
}

/// How long an interaction may stay active before it is artificially terminated, seconds
/// (`days-to-keep-active-facts`).
fn keep_seconds(ctx: &JobContext) -> i64 {
    i64::from(ctx.config.gim_etl.days_to_keep_active_facts) * 86_400
}

/// `YYYY-MM-DD` of the day holding `ts`.
fn day_text(ts: i64) -> String {
    day_of(ts).format("%Y-%m-%d").to_string()
}

/// Transforms the multimedia interactions that changed since the stream's mark, up to
/// [`multimedia_horizon`], in chunks of at most one UTC day, each committed on its own.
pub async fn run_multimedia(ctx: &JobContext, gidb: &GidbStore) -> Result<StreamReport, JobError> {
    let db = ctx.infomart.as_ref();
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
    for end in chunk_ends(gidb, report.mark, horizon).await? {
        if ctx.cancel.is_cancelled() {
            return Err(JobError::Stopped);
        }
        run_chunk(ctx, gidb, &mut report, end).await?;
    }
    Ok(report)
}

/// What a chunk's first look at its window found.
struct Probe {
    /// The GIDB day folders the chunk reads.
    days: DayRange,
    /// Whether the window touches any interaction.
    touched: bool,
    /// Whether those folders start before the window's.
    reads_before_window: bool,
    /// The state received, split into what the chunk transforms again and what it passes
    /// on; `None` without a state or when nothing is touched.
    split: Option<SplitState>,
    /// With [`Self::split`], the roots of what the window touches
    /// ([`multimedia::TOUCHED_ROOTS`]): the chunk reads, of its day folders, only the rows
    /// of their interactions' calls (and those of the state's covered calls).
    roots: Option<Vec<RecordBatch>>,
}

/// Finds what the window (mark, horizon] touches and how far back the interactions the
/// active-thread state does not cover reach, from the window's day folders and the state.
/// Without the state the chunk before handed on, the read reaches back to the oldest
/// interaction that can be open. When nothing is touched, hands the state on at `horizon`.
#[tracing::instrument(name = "multimedia_probe", level = "debug", skip_all, fields(window_to = horizon))]
async fn probe(
    ctx: &JobContext,
    gidb: &GidbStore,
    state: Option<&ActiveState>,
    mark: Option<i64>,
    horizon: i64,
) -> Result<Probe, JobError> {
    let window = (mark.unwrap_or(i64::MIN), horizon);
    let df = session::new_session(gidb);
    active_state::register(&df, state)?;
    let has_state = state.is_some();
    let keep = keep_seconds(ctx);
    let mut days = DayRange {
        first: mark.map(|mark| day_text(if has_state { mark } else { mark - keep })),
        last: Some(day_text(horizon)),
        only_calls: None,
    };
    let mut reads_before_window = mark.is_some() && !has_state;
    register_inputs(ctx, &df, gidb, (&days, window), (StateReach::Probe, None)).await?;
    // The probe's views read the calls several times.
    session::materialize_input(&df, mm::MM_CALLS).await?;
    let guids = touched_guids(&df).await?;
    register_known(&df, ctx.infomart.as_ref(), (&guids, horizon - keep), true).await?;
    session::materialize_views(&df, &[multimedia::touched_since_view()]).await?;
    let probed = session::collect(&df, multimedia::TOUCHED_SINCE).await?;
    let touched = commit::column_values(&probed, "touched")
        .into_iter()
        .sum::<i64>()
        > 0;
    if !touched {
        let full = session::new_session(gidb);
        active_state::register(&full, state)?;
        register_inputs(ctx, &full, gidb, (&days, window), (StateReach::All, None)).await?;
        let mut views = multimedia::thread_views();
        views.extend(multimedia::state::views());
        session::materialize_views(&full, &views).await?;
        active_state::write(&full, gidb, horizon, None).await?;
    }
    let (split, roots) = match (touched, has_state) {
        (true, true) => {
            session::materialize_views(&df, &[multimedia::touched_roots_view()]).await?;
            let roots = session::collect(&df, multimedia::TOUCHED_ROOTS).await?;
            (Some(active_state::split(&df).await?), Some(roots))
        }
        _ => (None, None),
    };
    if let Some(since) = commit::column_values(&probed, "since_ts").into_iter().min() {
        let since_day = day_text(since);
        if days.first.as_ref().is_some_and(|first| since_day < *first) {
            days.first = Some(since_day);
            reads_before_window = true;
        }
    }
    Ok(Probe {
        days,
        touched,
        reads_before_window,
        split,
        roots,
    })
}

/// Transforms the multimedia interactions that changed in (the report's mark, `horizon`]
/// in one Info Mart transaction, hands the active-thread state on to the next chunk and
/// advances the report's mark.
#[tracing::instrument(name = "multimedia_chunk", level = "debug", skip_all, fields(window_to = horizon))]
async fn run_chunk(
    ctx: &JobContext,
    gidb: &GidbStore,
    report: &mut StreamReport,
    horizon: i64,
) -> Result<(), JobError> {
    let db = ctx.infomart.as_ref();
    let window = (report.mark.unwrap_or(i64::MIN), horizon);
    let started = Utc::now();
    let audit_key = next_audit_key(db).await?;
    statistics::refresh(db).await?;

    let state = active_state::load(gidb, report.mark).await?;
    let probe = probe(ctx, gidb, state.as_ref(), report.mark, horizon).await?;
    let mut steps = Vec::new();
    let mut rows = 0;
    let mut start_keys = None;
    if probe.touched {
        let days = &probe.days;
        if probe.reads_before_window {
            report.reads_before_window += 1;
            tracing::info!(
                window_to = horizon,
                first_day = days.first.as_deref().unwrap_or_default(),
                "multimedia chunk reads GIDB from before its window: interactions the \
                 active-thread state does not cover"
            );
        }
        let (read_state, passed_on) = match probe.split {
            Some(split) => {
                tracing::info!(
                    window_to = horizon,
                    transformed = split.transformed.covered_calls(),
                    passed_on = split.passed_on.covered_calls(),
                    "multimedia chunk: calls of the open interactions of the state, \
                     transformed again or passed on"
                );
                report.passed_on_calls += split.passed_on.covered_calls() as u64;
                (Some(split.transformed), Some(split.passed_on))
            }
            None => (state, None),
        };
        let df = session::new_session(gidb);
        active_state::register(&df, read_state.as_ref())?;
        let leave_out = match &passed_on {
            Some(passed) => {
                active_state::register_passed(&df, passed)?;
                Some(active_state::PASSED_CALLS)
            }
            None => None,
        };
        if probe.roots.is_some() {
            report.narrowed_reads += 1;
        }
        let computed =
            register_chunk_inputs(ctx, &df, gidb, (days, window), leave_out, probe.roots).await?;
        let guids = touched_guids(&df).await?;
        register_known(&df, db, (&guids, horizon - keep_seconds(ctx)), false).await?;
        session::register_mart_inputs(&df, db).await?;
        session::register_user_data_settings(&df, &ctx.config.gim_etl)?;
        session::register_ids(&df, session::ChunkIds::after_greatest(db).await?, audit_key)?;
        let state_views = multimedia::state::views();
        let keep = session::output_views(&multimedia::OUTPUTS, &multimedia::state::outputs());
        let mut views: Vec<_> = multimedia::views()
            .into_iter()
            .filter(|view| !computed.contains(&view.name))
            .collect();
        views.extend(state_views);
        session::materialize_views_keeping(&df, &views, &keep).await?;
        let (facts, collected) = output_steps(&df, &multimedia::OUTPUTS, report).await?;
        active_state::write(&df, gidb, horizon, passed_on.as_ref()).await?;
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
        hwm_names: &[MULTIMEDIA_MARK.to_string()],
        value: horizon,
        rows,
        start_keys,
        started,
    }));
    db.write_all(steps).await?;
    active_state::remove_all_but(gidb, horizon).await?;
    report.chunks += 1;
    report.mark = Some(horizon);
    Ok(())
}

#[cfg(test)]
mod tests {
    use tidemark_sinks::database::SqlValue;

    use super::{day_ends, id_groups, known_conditions, GUIDS_PER_QUERY};

    #[test]
    fn chunks_end_on_the_last_second_of_each_day_and_at_the_horizon() {
        let day = 86_400;
        assert_eq!(day_ends(0, day + 10), vec![day - 1, day + 10]);
        assert_eq!(day_ends(day - 1, 2 * day), vec![2 * day - 1, 2 * day]);
        assert_eq!(day_ends(10, 20), vec![20]);
        assert_eq!(day_ends(-1, day - 1), vec![day - 1]);
        assert_eq!(day_ends(i64::MAX - 5, i64::MAX), vec![i64::MAX]);
    }

    #[test]
    fn known_interactions_are_the_due_ones_and_the_others_by_guid() {
        let guids: Vec<String> = (0..2_001).map(|i| format!("g{i}")).collect();
        let queries = known_conditions(&guids, 500);
        assert_eq!(queries.len(), 4);
        assert!(queries[0].ends_with("and active_flag = 1 and start_ts <= 500"));
        assert!(queries[1].contains("'g0', 'g1'"));
        assert!(queries[1].contains("not coalesce(active_flag = 1 and start_ts <= 500, false)"));
        assert!(queries[3].ends_with("media_server_ixn_guid in ('g2000')"));
        assert_eq!(
            known_conditions(&["o'k".to_string()], 0)[1]
                .matches("'o''k'")
                .count(),
            1
        );
    }

    #[test]
    fn fact_lookups_go_by_start_from_a_day_before_the_earliest_interaction() {
        let row = |id: i64, start: i64| {
            vec![
                SqlValue::Int(id),
                SqlValue::Text(format!("g{id}")),
                SqlValue::Int(start),
                SqlValue::Int(1),
            ]
        };
        let mut rows: Vec<_> = (0..GUIDS_PER_QUERY as i64)
            .map(|i| row(i + 10, 1_000_000 + i))
            .collect();
        rows.push(row(1, 200_000));
        let groups = id_groups(&rows);
        assert_eq!(groups.len(), 2);
        assert!(
            groups[0].0.starts_with("1, 10, 11, "),
            "{}",
            &groups[0].0[..20]
        );
        assert_eq!(
            groups[0].1,
            200_000 - 86_400,
            "the earliest start of the group"
        );
        assert_eq!(
            groups[1],
            (
                (GUIDS_PER_QUERY as i64 + 9).to_string(),
                1_000_000 + 999 - 86_400
            )
        );
        assert!(id_groups(&[]).is_empty());
    }
}
