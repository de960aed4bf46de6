//! Runs one job with its CTL_ETL_HISTORY bookkeeping, initializing an empty Info Mart first.

use std::sync::Arc;

use chrono::Utc;
use tidemark_sinks::database::{self, Database};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn, Instrument};

use super::history::{self, RunRecord, RunStatus};
use super::initialize::is_initialized;
use super::{find, names, Job, JobContext, JobError, JobOutcome, Trigger};
use crate::config::Config;

/// The result of one run.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// CTL_ETL_HISTORY.JOB_ID of the run.
    pub job_id: String,
    /// Job name.
    pub job_name: String,
    /// What the job reported.
    pub outcome: JobOutcome,
}

/// Who a run is, fixed before it starts so a caller can hand out its JOB_ID at once.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// CTL_ETL_HISTORY.JOB_ID the run will carry.
    pub job_id: String,
    /// How the run was started.
    pub trigger: Trigger,
    /// CTL_ETL_HISTORY.CYCLE_ID: shared by the extract and transform of one ETL cycle.
    pub cycle_id: Option<String>,
    /// Whether a SCHEDULED row for the run already exists and is to become RUNNING.
    pub queued: bool,
    /// Job parameters handed to the job ([`JobContext::params`]).
    pub params: Vec<String>,
}

impl RunRequest {
    /// A run with a fresh JOB_ID, outside any ETL cycle, not queued.
    pub fn new(trigger: Trigger) -> Self {
        Self {
            job_id: new_job_id(),
            trigger,
            cycle_id: None,
            queued: false,
            params: Vec::new(),
        }
    }
}

/// A fresh CTL_ETL_HISTORY.JOB_ID (or CYCLE_ID).
pub fn new_job_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Opens the Info Mart database the configuration names.
pub async fn open_infomart(config: &Config) -> Result<Arc<dyn Database>, JobError> {
    Ok(Arc::from(database::connect(&config.infomart.url).await?))
}

/// Runs the job `name`. Any job other than Job_InitializeGIM first initializes an empty
/// Info Mart automatically (operations.md §0.2).
pub async fn run_job(
    config: Arc<Config>,
    name: &str,
    trigger: Trigger,
    cancel: CancellationToken,
) -> Result<Vec<RunReport>, JobError> {
    run_job_as(config, name, RunRequest::new(trigger), cancel).await
}

/// [`run_job`] for a run whose identity is fixed by the caller, e.g. a manual run with
/// its job parameters; the automatic initialization before it gets a JOB_ID of its own.
pub async fn run_job_as(
    config: Arc<Config>,
    name: &str,
    request: RunRequest,
    cancel: CancellationToken,
) -> Result<Vec<RunReport>, JobError> {
    let job = find(name)?;
    let infomart = open_infomart(&config).await?;
    let mut reports = Vec::new();
    if name != names::INITIALIZE {
        let init = find(names::INITIALIZE)?;
        reports.extend(initialize_if_empty(&config, &infomart, init.as_ref(), &cancel).await?);
    }
    reports.push(run_one(&config, &infomart, job.as_ref(), &request, &cancel).await?);
    Ok(reports)
}

/// Runs `init` (Job_InitializeGIM) as an AUTOMATIC run when the Info Mart is empty.
pub async fn initialize_if_empty(
    config: &Arc<Config>,
    infomart: &Arc<dyn Database>,
    init: &dyn Job,
    cancel: &CancellationToken,
) -> Result<Option<RunReport>, JobError> {
    if is_initialized(infomart.as_ref()).await? {
        return Ok(None);
    }
    info!("the Info Mart is empty: running {} first", init.name());
    let request = RunRequest::new(Trigger::Automatic);
    Ok(Some(
        run_one(config, infomart, init, &request, cancel).await?,
    ))
}

/// Runs `job` once as `request` says, recording it in CTL_ETL_HISTORY: RUNNING at the
/// start (inserted, or the queued SCHEDULED row updated), then COMPLETE, FAILED or STOPPED.
pub async fn run_one(
    config: &Arc<Config>,
    infomart: &Arc<dyn Database>,
    job: &dyn Job,
    request: &RunRequest,
    cancel: &CancellationToken,
) -> Result<RunReport, JobError> {
    let run = RunRecord {
        job_id: request.job_id.clone(),
        job_name: job.name().to_string(),
        trigger: request.trigger.as_str(),
        cycle_id: request.cycle_id.clone(),
        start: Utc::now(),
    };
    let started = infomart.table_exists("ctl_etl_history").await?;
    if started {
        if request.queued {
            history::promote(infomart.as_ref(), &run).await?;
        } else {
            history::start(infomart.as_ref(), &run).await?;
        }
    }
    let ctx = JobContext {
        config: config.clone(),
        infomart: infomart.clone(),
        job_id: run.job_id.clone(),
        trigger: request.trigger,
        cancel: cancel.clone(),
        params: request.params.clone(),
    };
    let span = tracing::info_span!("job", name = job.name(), job_id = %run.job_id);
    let result = job.run(&ctx).instrument(span).await;
    let (status, rows, error) = match &result {
        Ok(outcome) => (RunStatus::Complete, outcome.row_count, None),
        Err(JobError::Stopped) => (RunStatus::Stopped, 0, Some("stopped".to_string())),
        Err(e) => (RunStatus::Failed, 0, Some(e.to_string())),
    };
    let recorded = if started {
        history::finish(infomart.as_ref(), &run, status, rows, error.as_deref()).await
    } else if infomart
        .table_exists("ctl_etl_history")
        .await
        .unwrap_or(false)
    {
        history::record_finished(infomart.as_ref(), &run, status, rows, error.as_deref()).await
    } else {
        Ok(())
    };
    if let Err(e) = recorded {
        warn!(
            "could not record the run of {} in ctl_etl_history: {e}",
            job.name()
        );
    }
    Ok(RunReport {
        job_id: run.job_id,
        job_name: run.job_name,
        outcome: result?,
    })
}
