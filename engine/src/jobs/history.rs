//! CTL_ETL_HISTORY: one row per job run (operations.md §2.2). A run is inserted as RUNNING
//! when it starts (or as SCHEDULED while it waits, then updated to RUNNING) and updated to
//! its final status when it ends.

use chrono::{DateTime, Utc};
use tidemark_sinks::database::{Database, DatabaseError};

/// Final or current status of a run (CTL_ETL_HISTORY.STATUS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// The run is queued by the scheduler and has not started.
    Scheduled,
    /// The run is in progress.
    Running,
    /// The run finished without error.
    Complete,
    /// The run failed.
    Failed,
    /// The run was stopped by an operator or a shutdown.
    Stopped,
}

impl RunStatus {
    /// The STATUS text.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Scheduled => "SCHEDULED",
            RunStatus::Running => "RUNNING",
            RunStatus::Complete => "COMPLETE",
            RunStatus::Failed => "FAILED",
            RunStatus::Stopped => "STOPPED",
        }
    }
}

/// A run as recorded in CTL_ETL_HISTORY.
#[derive(Debug, Clone)]
pub struct RunRecord {
    /// CTL_ETL_HISTORY.JOB_ID.
    pub job_id: String,
    /// Job name.
    pub job_name: String,
    /// TRIGGER_TYPE text.
    pub trigger: &'static str,
    /// Shared by the extract and transform runs of one ETL cycle.
    pub cycle_id: Option<String>,
    /// UTC start.
    pub start: DateTime<Utc>,
}

/// Quotes a value as a SQL string literal.
pub fn sql_text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A UTC time as a SQL timestamp literal with millisecond precision.
pub fn sql_time(t: DateTime<Utc>) -> String {
    format!("'{}'", t.format("%Y-%m-%d %H:%M:%S%.3f"))
}

fn sql_opt_text(value: Option<&str>) -> String {
    value.map(sql_text).unwrap_or_else(|| "null".into())
}

fn host_name() -> String {
    hostname::get()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Inserts the run with status RUNNING.
pub async fn start(db: &dyn Database, run: &RunRecord) -> Result<(), DatabaseError> {
    db.execute(&insert_sql(run, RunStatus::Running, None, None, None))
        .await
}

/// Inserts a run that waits to start with status SCHEDULED; `run.start` is when it was
/// triggered.
pub async fn schedule(db: &dyn Database, run: &RunRecord) -> Result<(), DatabaseError> {
    db.execute(&insert_sql(run, RunStatus::Scheduled, None, None, None))
        .await
}

/// Turns the SCHEDULED row of `run` into RUNNING from `run.start` on.
pub async fn promote(db: &dyn Database, run: &RunRecord) -> Result<(), DatabaseError> {
    db.execute(&format!(
        "update ctl_etl_history set status = {}, start_time = {}, created_ts = {} \
         where job_id = {}",
        sql_text(RunStatus::Running.as_str()),
        sql_time(run.start),
        run.start.timestamp(),
        sql_text(&run.job_id)
    ))
    .await
}

/// Removes a SCHEDULED run that was cancelled before it started.
pub async fn remove_scheduled(db: &dyn Database, job_id: &str) -> Result<(), DatabaseError> {
    db.execute(&format!(
        "delete from ctl_etl_history where job_id = {} and status = {}",
        sql_text(job_id),
        sql_text(RunStatus::Scheduled.as_str())
    ))
    .await
}

/// Closes the RUNNING and SCHEDULED runs a previous server on this host left behind as
/// STOPPED with the reason `server restarted` (operations.md §2.2).
pub async fn close_interrupted(db: &dyn Database) -> Result<(), DatabaseError> {
    let now = Utc::now();
    db.execute(&format!(
        "update ctl_etl_history set status = {}, end_time = {}, error_text = 'server restarted' \
         where status in ({}, {}) and host_name = {}",
        sql_text(RunStatus::Stopped.as_str()),
        sql_time(now),
        sql_text(RunStatus::Running.as_str()),
        sql_text(RunStatus::Scheduled.as_str()),
        sql_text(&host_name())
    ))
    .await
}

/// Records the end of a run that was inserted by [`start`] or [`promote`]d.
pub async fn finish(
    db: &dyn Database,
    run: &RunRecord,
    status: RunStatus,
    row_count: i64,
    error: Option<&str>,
) -> Result<(), DatabaseError> {
    let end = Utc::now();
    let duration = (end - run.start).num_seconds();
    db.execute(&format!(
        "update ctl_etl_history set status = {}, end_time = {}, duration_sec = {}, row_count = {}, error_text = {} where job_id = {}",
        sql_text(status.as_str()),
        sql_time(end),
        duration,
        row_count,
        sql_opt_text(error.map(truncate_error)),
        sql_text(&run.job_id)
    ))
    .await
}

/// Inserts a run that is already over (used when the table did not exist at its start).
pub async fn record_finished(
    db: &dyn Database,
    run: &RunRecord,
    status: RunStatus,
    row_count: i64,
    error: Option<&str>,
) -> Result<(), DatabaseError> {
    db.execute(&insert_sql(
        run,
        status,
        Some(Utc::now()),
        Some(row_count),
        error,
    ))
    .await
}

fn truncate_error(text: &str) -> &str {
    match text.char_indices().nth(1024) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

fn insert_sql(
    run: &RunRecord,
    status: RunStatus,
    end: Option<DateTime<Utc>>,
    row_count: Option<i64>,
    error: Option<&str>,
) -> String {
    let end_sql = end.map(sql_time).unwrap_or_else(|| "null".into());
    let duration = end
        .map(|e| (e - run.start).num_seconds().to_string())
        .unwrap_or_else(|| "null".into());
    format!(
        "insert into ctl_etl_history (job_id, job_name, job_version, status, trigger_type, cycle_id, \
         start_time, end_time, duration_sec, host_name, error_text, row_count, created_ts) \
         values ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        sql_text(&run.job_id),
        sql_text(&run.job_name),
        sql_text(env!("CARGO_PKG_VERSION")),
        sql_text(status.as_str()),
        sql_text(run.trigger),
        sql_opt_text(run.cycle_id.as_deref()),
        sql_time(run.start),
        end_sql,
        duration,
        sql_text(&host_name()),
        sql_opt_text(error.map(truncate_error)),
        row_count.map(|n| n.to_string()).unwrap_or_else(|| "null".into()),
        run.start.timestamp()
    )
}
