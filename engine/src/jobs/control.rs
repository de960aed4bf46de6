//! Starting and stopping job runs on an operator's behalf. The HTTP API, the management page
//! and the CLI talk to a [`JobControl`]; the scheduler of `tidemark serve` implements it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::history::RunStatus;
use super::{names, JobError};

/// A run the controller knows about right now: queued by the scheduler or running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveRun {
    /// CTL_ETL_HISTORY.JOB_ID of the run.
    pub job_id: String,
    /// Job name (`Job_ExtractICON`).
    pub job_name: String,
    /// `Scheduled` (waiting to start) or `Running`.
    pub status: RunStatus,
    /// When the run started, or when it is due to start if it is scheduled.
    pub since: DateTime<Utc>,
    /// TRIGGER_TYPE text (`SCHEDULED`, `MANUAL`, `AUTOMATIC`).
    pub trigger: &'static str,
}

/// What stopping a run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopOutcome {
    /// A running job was cancelled; it rolls back its open transaction and records STOPPED.
    Stopped,
    /// A scheduled run was removed before it started.
    Cancelled,
}

/// Why a control request was refused.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// The job name is not one this build runs.
    #[error(transparent)]
    Job(#[from] JobError),
    /// The job is already running (never two instances of one job).
    #[error("{0} is already running")]
    AlreadyRunning(String),
    /// The scheduling rules forbid starting the job now; the text says which rule.
    #[error("{0}")]
    NotAllowed(String),
    /// No scheduled or running run has this JOB_ID.
    #[error("no scheduled or running job has id {0}")]
    NotFound(String),
    /// The job parameters do not fit the job.
    #[error("{0}")]
    BadParams(String),
}

/// Refuses job parameters for a job that takes none: only Job_AggregateGIM does
/// (`-insertPendingAgg`, operations.md §0.4).
pub fn check_params(name: &str, params: &[String]) -> Result<(), ControlError> {
    if params.is_empty() || name == names::AGGREGATE {
        return Ok(());
    }
    Err(ControlError::BadParams(format!(
        "{name} takes no job parameters (got `{}`); only {} does",
        params.join(" "),
        names::AGGREGATE
    )))
}

/// Starts and stops runs. Implementations enforce the sequencing rules of
/// operations.md §0.4 for manually started jobs.
#[async_trait]
pub trait JobControl: Send + Sync {
    /// Starts `name` now with its job parameters (e.g. `-insertPendingAgg` for
    /// Job_AggregateGIM) and returns the JOB_ID of the new run without waiting for it.
    async fn run_job(&self, name: &str, params: &[String]) -> Result<String, ControlError>;

    /// Stops the running run `job_id`, or cancels it if it is still scheduled.
    async fn stop_job(&self, job_id: &str) -> Result<StopOutcome, ControlError>;

    /// The scheduled and running runs, oldest first.
    fn active(&self) -> Vec<ActiveRun>;
}
