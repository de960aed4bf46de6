//! Runs one job with its CTL_ETL_HISTORY bookkeeping, initializing an empty Info Mart first.

use std::sync::Arc;

use chrono::Utc;
use tidemark_sinks::database::{self, Database};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::history::{self, RunRecord, RunStatus};
use super::initialize::is_initialized;
use super::{find, names, JobContext, JobError, JobOutcome, Trigger};
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
    let job = find(name)?;
    let infomart = open_infomart(&config).await?;
    let mut reports = Vec::new();
    if name != names::INITIALIZE && !is_initialized(infomart.as_ref()).await? {
        info!(
            "the Info Mart is empty: running {} first",
            names::INITIALIZE
        );
        let init = find(names::INITIALIZE)?;
        reports.push(
            run_one(
                &config,
                &infomart,
                init.as_ref(),
                Trigger::Automatic,
                &cancel,
            )
            .await?,
        );
    }
    reports.push(run_one(&config, &infomart, job.as_ref(), trigger, &cancel).await?);
    Ok(reports)
}

async fn run_one(
    config: &Arc<Config>,
    infomart: &Arc<dyn Database>,
    job: &dyn super::Job,
    trigger: Trigger,
    cancel: &CancellationToken,
) -> Result<RunReport, JobError> {
    let run = RunRecord {
        job_id: uuid::Uuid::new_v4().to_string(),
        job_name: job.name().to_string(),
        trigger: trigger.as_str(),
        cycle_id: None,
        start: Utc::now(),
    };
    let started = infomart.table_exists("ctl_etl_history").await?;
    if started {
        history::start(infomart.as_ref(), &run).await?;
    }
    let ctx = JobContext {
        config: config.clone(),
        infomart: infomart.clone(),
        job_id: run.job_id.clone(),
        trigger,
        cancel: cancel.clone(),
    };
    let _span = tracing::info_span!("job", name = job.name(), job_id = %run.job_id).entered();
    let result = job.run(&ctx).await;
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
