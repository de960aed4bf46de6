//! The Info Mart jobs. Each job is one module implementing [`Job`]; [`registry`] lists them
//! all, and [`runner`] runs one with its CTL_ETL_HISTORY bookkeeping.

pub mod audit;
pub mod control;
pub mod export;
pub mod extract;
pub mod gidb_files;
pub mod history;
pub mod initialize;
pub mod runner;
pub mod transform;

use std::sync::Arc;

use async_trait::async_trait;
use tidemark_sinks::database::{Database, DatabaseError};
use tokio_util::sync::CancellationToken;

use crate::config::Config;

/// Names of every Info Mart job (operations.md §0.2); `Job_LoadGIM` is reserved.
pub mod names {
    /// Creates the schema, seeds dimensions and calendars, creates partitions.
    pub const INITIALIZE: &str = "Job_InitializeGIM";
    /// Incremental extraction from IDBs into GIDB.
    pub const EXTRACT: &str = "Job_ExtractICON";
    /// Transformation of GIDB data into the dimensional model.
    pub const TRANSFORM: &str = "Job_TransformGIM";
    /// Aggregation into AGT_* tables.
    pub const AGGREGATE: &str = "Job_AggregateGIM";
    /// Purge, partitions, calendars, GDPR.
    pub const MAINTAIN: &str = "Job_MaintainGIM";
    /// Optimizer statistics.
    pub const UPDATE_STATS: &str = "Job_UpdateStats";
    /// Schema migration.
    pub const MIGRATE: &str = "Job_MigrateGIM";
    /// Incremental export.
    pub const EXPORT: &str = "Job_ExportGIM";
    /// Every job name the Info Mart knows, including ones not implemented yet.
    pub const ALL: [&str; 8] = [
        INITIALIZE,
        EXTRACT,
        TRANSFORM,
        AGGREGATE,
        MAINTAIN,
        UPDATE_STATS,
        MIGRATE,
        EXPORT,
    ];
}

/// How a job run was started (CTL_ETL_HISTORY.TRIGGER_TYPE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Started by the scheduler.
    Scheduled,
    /// Started by an operator (CLI, management page).
    Manual,
    /// Started by the server itself (first-start initialization, on-demand migration).
    Automatic,
}

impl Trigger {
    /// The TRIGGER_TYPE text.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Scheduled => "SCHEDULED",
            Trigger::Manual => "MANUAL",
            Trigger::Automatic => "AUTOMATIC",
        }
    }
}

/// What a running job can reach.
pub struct JobContext {
    /// The effective configuration.
    pub config: Arc<Config>,
    /// The Info Mart database.
    pub infomart: Arc<dyn Database>,
    /// Id of this run (CTL_ETL_HISTORY.JOB_ID).
    pub job_id: String,
    /// How the run was started.
    pub trigger: Trigger,
    /// Cancelled when the operator stops the job or the server shuts down.
    pub cancel: CancellationToken,
    /// Job parameters given with a run started by hand (e.g. `-insertPendingAgg …` for
    /// Job_AggregateGIM); empty for scheduled and automatic runs.
    pub params: Vec<String>,
}

/// What a finished job reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobOutcome {
    /// Rows processed (CTL_ETL_HISTORY.ROW_COUNT; job-specific meaning).
    pub row_count: i64,
    /// Whether the run changed anything.
    pub changed: bool,
    /// Human-readable lines saying what the run did.
    pub messages: Vec<String>,
}

impl JobOutcome {
    /// Adds a line to the report.
    pub fn say(&mut self, message: impl Into<String>) {
        self.messages.push(message.into());
    }
}

/// Why a job failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// A database statement failed.
    #[error(transparent)]
    Database(#[from] DatabaseError),
    /// Data could not be built or converted.
    #[error("{0}")]
    Data(String),
    /// The configuration does not allow the job to run.
    #[error("configuration: {0}")]
    Config(String),
    /// The job was stopped before it finished.
    #[error("stopped")]
    Stopped,
    /// The job does not exist or is not implemented in this build.
    #[error("unknown job {0:?}; known jobs: {1}")]
    Unknown(String, String),
}

/// One Info Mart job.
#[async_trait]
pub trait Job: Send + Sync {
    /// The job name (operations.md §0.2).
    fn name(&self) -> &'static str;

    /// Runs the job to completion, checking `ctx.cancel` between units of work.
    async fn run(&self, ctx: &JobContext) -> Result<JobOutcome, JobError>;
}

/// Every job this build implements, in scheduling order.
pub fn registry() -> Vec<Arc<dyn Job>> {
    vec![
        Arc::new(initialize::InitializeGim),
        Arc::new(extract::ExtractIcon),
        Arc::new(transform::TransformGim),
        Arc::new(export::ExportGim),
    ]
}

/// The job called `name` (exact, case-sensitive Info Mart name).
pub fn find(name: &str) -> Result<Arc<dyn Job>, JobError> {
    registry()
        .into_iter()
        .find(|j| j.name() == name)
        .ok_or_else(|| {
            let known: Vec<&str> = registry().iter().map(|j| j.name()).collect();
            let hint = if names::ALL.contains(&name) {
                " (not implemented yet)"
            } else {
                ""
            };
            JobError::Unknown(format!("{name}{hint}"), known.join(", "))
        })
}
