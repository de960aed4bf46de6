//! The runs the scheduler knows about, queued (SCHEDULED) or running, and how a run is
//! requested, started, stopped and closed. Callers hold the decision lock
//! ([`super::Inner::decisions`]) so two requests never race for one job.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::rules::blocker;
use super::{Inner, SchedulerEvent};
use crate::jobs::control::{ActiveRun, ControlError, StopOutcome};
use crate::jobs::history::{self, RunRecord, RunStatus};
use crate::jobs::runner::{self, RunRequest};
use crate::jobs::{names, Job, JobError, Trigger};

/// Queued and running runs, and the ETL cycle in progress.
#[derive(Default)]
pub(crate) struct Runs {
    /// Runs in progress.
    pub running: Vec<Running>,
    /// Runs waiting for a job that blocks them, oldest first.
    pub pending: Vec<Pending>,
    /// The ETL cycle bookkeeping.
    pub cycle: Cycle,
}

/// A run in progress.
pub(crate) struct Running {
    pub request: RunRequest,
    pub job_name: &'static str,
    pub since: DateTime<Utc>,
    pub cancel: CancellationToken,
    pub handle: Option<JoinHandle<()>>,
}

/// A run waiting to start, recorded as SCHEDULED.
pub(crate) struct Pending {
    pub request: RunRequest,
    pub job: Arc<dyn Job>,
    pub since: DateTime<Utc>,
}

/// The ETL cycle: extract, then transform, both carrying the cycle's CYCLE_ID.
#[derive(Default)]
pub(crate) struct Cycle {
    /// When the last scheduled cycle started.
    pub last_start: Option<DateTime<Utc>>,
    /// CYCLE_ID of the cycle in progress.
    pub id: Option<String>,
    /// The cycle's extract has ended: its transform is to be launched.
    pub transform_due: bool,
}

impl Runs {
    /// Names of the running jobs.
    pub fn running_names(&self) -> Vec<&'static str> {
        self.running.iter().map(|run| run.job_name).collect()
    }

    /// Whether a run of `job_name` is running or queued.
    pub fn has(&self, job_name: &str) -> bool {
        self.running.iter().any(|run| run.job_name == job_name)
            || self.pending.iter().any(|run| run.job.name() == job_name)
    }

    /// The running run of `job_name`.
    pub fn running_job(&self, job_name: &str) -> Option<&Running> {
        self.running.iter().find(|run| run.job_name == job_name)
    }

    /// Whether the ETL cycle (extract and transform) is in progress or about to go on.
    pub fn cycle_active(&self) -> bool {
        self.cycle.id.is_some()
            || [names::EXTRACT, names::TRANSFORM]
                .iter()
                .any(|name| self.has(name))
    }

    /// The scheduled and running runs, oldest first.
    pub fn active(&self) -> Vec<ActiveRun> {
        let queued = self.pending.iter().map(|run| ActiveRun {
            job_id: run.request.job_id.clone(),
            job_name: run.job.name().to_string(),
            status: RunStatus::Scheduled,
            since: run.since,
            trigger: run.request.trigger.as_str(),
        });
        let running = self.running.iter().map(|run| ActiveRun {
            job_id: run.request.job_id.clone(),
            job_name: run.job_name.to_string(),
            status: RunStatus::Running,
            since: run.since,
            trigger: run.request.trigger.as_str(),
        });
        let mut all: Vec<ActiveRun> = queued.chain(running).collect();
        all.sort_by(|a, b| a.since.cmp(&b.since).then(a.job_id.cmp(&b.job_id)));
        all
    }
}

impl Inner {
    /// The job `name` among the jobs this server runs.
    pub(crate) fn job(&self, name: &str) -> Result<Arc<dyn Job>, JobError> {
        self.jobs
            .iter()
            .find(|job| job.name() == name)
            .cloned()
            .ok_or_else(|| {
                let known: Vec<&str> = self.jobs.iter().map(|job| job.name()).collect();
                let hint = if names::ALL.contains(&name) {
                    " (not implemented yet)"
                } else {
                    ""
                };
                JobError::Unknown(format!("{name}{hint}"), known.join(", "))
            })
    }

    /// Starts a run of `job_name` now, or queues it as SCHEDULED while a job that excludes
    /// it runs; refuses a second instance. Returns the run's JOB_ID.
    pub(crate) async fn request(
        self: &Arc<Self>,
        job_name: &str,
        mut request: RunRequest,
    ) -> Result<String, ControlError> {
        let job = self.job(job_name)?;
        let blocked = {
            let runs = self.runs();
            if runs.has(job_name) {
                return Err(ControlError::AlreadyRunning(job_name.to_string()));
            }
            blocker(job_name, &runs.running_names()).map(str::to_string)
        };
        let job_id = request.job_id.clone();
        let Some(blocked_by) = blocked else {
            self.launch(job, request);
            return Ok(job_id);
        };
        let since = self.clock.now();
        let record = RunRecord {
            job_id: job_id.clone(),
            job_name: job_name.to_string(),
            trigger: request.trigger.as_str(),
            cycle_id: request.cycle_id.clone(),
            start: Utc::now(),
        };
        if self.has_history().await {
            history::schedule(self.infomart.as_ref(), &record)
                .await
                .map_err(JobError::from)?;
            request.queued = true;
        }
        info!("{job_name} waits for {blocked_by} (job id {job_id})");
        self.runs().pending.push(Pending {
            request,
            job,
            since,
        });
        self.emit(SchedulerEvent::Queued {
            job_name: job_name.to_string(),
            job_id: job_id.clone(),
            blocked_by,
        });
        Ok(job_id)
    }

    /// Starts the queued runs nothing blocks any more, oldest first.
    pub(crate) fn start_unblocked(self: &Arc<Self>) {
        loop {
            let next = {
                let mut runs = self.runs();
                let running = runs.running_names();
                let free = runs
                    .pending
                    .iter()
                    .position(|run| blocker(run.job.name(), &running).is_none());
                free.map(|index| runs.pending.remove(index))
            };
            match next {
                Some(run) => self.launch(run.job, run.request),
                None => return,
            }
        }
    }

    /// Spawns the run; it reports back through [`Inner::finished`].
    fn launch(self: &Arc<Self>, job: Arc<dyn Job>, request: RunRequest) {
        let cancel = CancellationToken::new();
        let job_name = job.name();
        let since = self.clock.now();
        let mut runs = self.runs();
        let handle = tokio::spawn({
            let (inner, request, cancel) = (self.clone(), request.clone(), cancel.clone());
            async move { inner.execute(job, request, cancel).await }
        });
        self.emit(SchedulerEvent::Started {
            job_name: job_name.to_string(),
            job_id: request.job_id.clone(),
            trigger: request.trigger,
            cycle_id: request.cycle_id.clone(),
        });
        runs.running.push(Running {
            request,
            job_name,
            since,
            cancel,
            handle: Some(handle),
        });
    }

    /// Runs the job with the configuration re-read at its start.
    async fn execute(
        self: Arc<Self>,
        job: Arc<dyn Job>,
        request: RunRequest,
        cancel: CancellationToken,
    ) {
        let config = self.config.reload();
        let result = async {
            let infomart = runner::open_infomart(&config).await?;
            if job.name() != names::INITIALIZE {
                if let Ok(init) = self.job(names::INITIALIZE) {
                    runner::initialize_if_empty(&config, &infomart, init.as_ref(), &cancel).await?;
                }
            }
            runner::run_one(&config, &infomart, job.as_ref(), &request, &cancel).await
        }
        .await;
        let status = match &result {
            Ok(_) => RunStatus::Complete,
            Err(JobError::Stopped) => RunStatus::Stopped,
            Err(e) => {
                warn!("{} failed: {e}", job.name());
                RunStatus::Failed
            }
        };
        self.finished(job.name(), &request, status);
    }

    /// Forgets a finished run, moves its ETL cycle on, and wakes the scheduler.
    fn finished(&self, job_name: &'static str, request: &RunRequest, status: RunStatus) {
        {
            let mut runs = self.runs();
            runs.running
                .retain(|run| run.request.job_id != request.job_id);
            let in_cycle = request.cycle_id.is_some() && request.cycle_id == runs.cycle.id;
            if in_cycle {
                let transform_follows = job_name == names::EXTRACT
                    && status != RunStatus::Stopped
                    && self.job(names::TRANSFORM).is_ok();
                runs.cycle.transform_due = transform_follows;
                if !transform_follows {
                    runs.cycle.id = None;
                }
            }
        }
        self.emit(SchedulerEvent::Finished {
            job_name: job_name.to_string(),
            job_id: request.job_id.clone(),
            status,
        });
        self.wake.notify_one();
    }

    /// Stops the running run `job_id`, or removes it if it is still queued.
    pub(crate) async fn stop(&self, job_id: &str) -> Result<StopOutcome, ControlError> {
        let queued = {
            let mut runs = self.runs();
            if let Some(run) = runs.running.iter().find(|run| run.request.job_id == job_id) {
                run.cancel.cancel();
                info!("stopping {} (job id {job_id})", run.job_name);
                return Ok(StopOutcome::Stopped);
            }
            let index = runs
                .pending
                .iter()
                .position(|run| run.request.job_id == job_id)
                .ok_or_else(|| ControlError::NotFound(job_id.to_string()))?;
            let run = runs.pending.remove(index);
            if run.request.cycle_id.is_some() && run.request.cycle_id == runs.cycle.id {
                runs.cycle.id = None;
            }
            run
        };
        info!(
            "cancelled the scheduled {} (job id {job_id})",
            queued.job.name()
        );
        if queued.request.queued {
            history::remove_scheduled(self.infomart.as_ref(), job_id)
                .await
                .map_err(JobError::from)?;
        }
        Ok(StopOutcome::Cancelled)
    }

    /// Cancels the running run of `job_name`, for a scheduling rule.
    pub(crate) fn stop_job_named(&self, job_name: &str, reason: &str) {
        let runs = self.runs();
        if let Some(run) = runs.running_job(job_name) {
            if !run.cancel.is_cancelled() {
                info!("stopping {job_name}: {reason}");
                run.cancel.cancel();
                self.emit(SchedulerEvent::Stopping {
                    job_name: job_name.to_string(),
                    job_id: run.request.job_id.clone(),
                    reason: reason.to_string(),
                });
            }
        }
    }

    /// Whether CTL_ETL_HISTORY exists (not before Job_InitializeGIM has run).
    pub(crate) async fn has_history(&self) -> bool {
        self.infomart
            .table_exists("ctl_etl_history")
            .await
            .unwrap_or(false)
    }

    /// Stops every run and records the queued ones as STOPPED; returns the running tasks.
    pub(crate) async fn stop_all(&self) -> Vec<JoinHandle<()>> {
        let (handles, queued) = {
            let mut runs = self.runs();
            let handles: Vec<JoinHandle<()>> = runs
                .running
                .iter_mut()
                .filter_map(|run| {
                    run.cancel.cancel();
                    run.handle.take()
                })
                .collect();
            (handles, std::mem::take(&mut runs.pending))
        };
        for run in queued.iter().filter(|run| run.request.queued) {
            let record = RunRecord {
                job_id: run.request.job_id.clone(),
                job_name: run.job.name().to_string(),
                trigger: run.request.trigger.as_str(),
                cycle_id: run.request.cycle_id.clone(),
                start: Utc::now(),
            };
            let closed = history::finish(
                self.infomart.as_ref(),
                &record,
                RunStatus::Stopped,
                0,
                Some("server stopped"),
            )
            .await;
            if let Err(e) = closed {
                warn!("could not close the scheduled {}: {e}", record.job_name);
            }
        }
        handles
    }
}

/// The trigger a scheduled request carries.
pub(crate) fn scheduled(cycle_id: Option<String>) -> RunRequest {
    RunRequest {
        cycle_id,
        ..RunRequest::new(Trigger::Scheduled)
    }
}
