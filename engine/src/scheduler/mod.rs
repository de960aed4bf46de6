//! The scheduler behind `tidemark serve`: launches the Info Mart jobs by the `[schedule]`
//! options and the sequencing rules of the Operations Guide, runs jobs started by hand
//! through [`JobControl`], records every run in CTL_ETL_HISTORY and keeps
//! CTL_JOB_SCHEDULE current. See `docs/scheduler.md` for the rules as implemented.
//!
//! * [`clock`]: the time source (system, or moved by hand in tests);
//! * [`rules`]: when each job is due and which job excludes which, as pure functions;
//! * [`runs`]: queued and running runs, starting, stopping and closing them;
//! * [`tick`]: the loop that applies the rules once a minute and whenever a run ends;
//! * [`job_schedule`]: the CTL_JOB_SCHEDULE rows;
//! * [`config_source`]: the configuration re-read while the server runs;
//! * [`lock`]: one server per Info Mart.

pub mod clock;
pub mod config_source;
pub mod job_schedule;
pub mod lock;
pub mod rules;
mod runs;
mod tick;

#[cfg(test)]
mod tests_rules;
#[cfg(test)]
mod tests_runs;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tidemark_sinks::database::{self, Database, DatabaseError};
use tokio::sync::{broadcast, Notify};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

pub use self::clock::{Clock, ManualClock, SystemClock};
use self::config_source::ConfigSource;
use self::lock::ServerLock;
use self::runs::Runs;
use crate::config::{Config, ConfigError};
use crate::jobs::control::{self, ActiveRun, ControlError, JobControl, StopOutcome};
use crate::jobs::history::{self, RunStatus};
use crate::jobs::runner::RunRequest;
use crate::jobs::{self, names, Job, Trigger};

/// Why the scheduler could not start.
#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    /// The configuration file cannot be read or is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The Info Mart cannot be reached.
    #[error(transparent)]
    Database(#[from] DatabaseError),
    /// Another server already runs on this Info Mart.
    #[error(
        "another Tidemark server already runs on the Info Mart {infomart} (held by {holder}); \
         stop it first, only one server may run per Info Mart"
    )]
    AlreadyServed {
        /// The Info Mart URL, password masked.
        infomart: String,
        /// Who holds the lock.
        holder: String,
    },
    /// The SQLite lock file cannot be created or locked.
    #[error("cannot lock {}: {source}", path.display())]
    LockFile {
        /// The `.lock` file beside the database.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

/// What the scheduler did, for observers (tests, metrics, the management page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchedulerEvent {
    /// A run started.
    Started {
        /// Job name.
        job_name: String,
        /// CTL_ETL_HISTORY.JOB_ID.
        job_id: String,
        /// How it was started.
        trigger: Trigger,
        /// CTL_ETL_HISTORY.CYCLE_ID of an ETL cycle run.
        cycle_id: Option<String>,
    },
    /// A run waits (SCHEDULED) for a job that excludes it.
    Queued {
        /// Job name.
        job_name: String,
        /// CTL_ETL_HISTORY.JOB_ID.
        job_id: String,
        /// The running job it waits for.
        blocked_by: String,
    },
    /// A run ended.
    Finished {
        /// Job name.
        job_name: String,
        /// CTL_ETL_HISTORY.JOB_ID.
        job_id: String,
        /// COMPLETE, FAILED or STOPPED.
        status: RunStatus,
    },
    /// The scheduler asked a running job to stop, for the reason given.
    Stopping {
        /// Job name.
        job_name: String,
        /// CTL_ETL_HISTORY.JOB_ID.
        job_id: String,
        /// The rule that stops it.
        reason: String,
    },
    /// A due job was not launched, for the reason given.
    Skipped {
        /// Job name.
        job_name: String,
        /// Why.
        reason: String,
    },
    /// The scheduler applied its rules at this time.
    Tick(DateTime<Utc>),
}

/// The running scheduler of one Info Mart.
pub struct Scheduler {
    inner: Arc<Inner>,
    ticker: JoinHandle<()>,
    /// Receives every event since the start, for the first subscriber.
    first_events: Mutex<Option<broadcast::Receiver<SchedulerEvent>>>,
}

/// State shared by the scheduler loop, the runs and the control interface.
pub(crate) struct Inner {
    clock: Arc<dyn Clock>,
    config: ConfigSource,
    jobs: Vec<Arc<dyn Job>>,
    /// Connection for the scheduler's own bookkeeping (each run opens its own).
    infomart: Arc<dyn Database>,
    runs: Mutex<Runs>,
    /// Serialises decisions (scheduler ticks, manual runs, stops) across their awaits.
    decisions: tokio::sync::Mutex<tick::TickState>,
    wake: Notify,
    events: broadcast::Sender<SchedulerEvent>,
    shutdown: CancellationToken,
    /// Taken and released by [`Scheduler::shutdown`].
    lock: Mutex<Option<ServerLock>>,
}

impl Inner {
    fn runs(&self) -> MutexGuard<'_, Runs> {
        self.runs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn emit(&self, event: SchedulerEvent) {
        // Nobody listening is fine.
        let _ = self.events.send(event);
    }
}

impl Scheduler {
    /// Reads the configuration, takes the one-server lock on its Info Mart, closes the
    /// runs a previous server left open, and starts scheduling the jobs of
    /// [`jobs::registry`].
    pub async fn start(
        config_path: PathBuf,
        clock: Arc<dyn Clock>,
    ) -> Result<Scheduler, SchedulerError> {
        Self::start_with_jobs(&config_path, clock, jobs::registry()).await
    }

    /// [`Scheduler::start`] with an explicit list of jobs instead of the registry.
    pub async fn start_with_jobs(
        config_path: &Path,
        clock: Arc<dyn Clock>,
        jobs: Vec<Arc<dyn Job>>,
    ) -> Result<Scheduler, SchedulerError> {
        let config = ConfigSource::open(config_path)?;
        let url = config.current().infomart.url.clone();
        let lock = ServerLock::acquire(&url).await?;
        let infomart: Arc<dyn Database> = Arc::from(database::connect(&url).await?);
        if infomart.table_exists("ctl_etl_history").await? {
            history::close_interrupted(infomart.as_ref()).await?;
        }
        let (events, first_events) = broadcast::channel(1024);
        let now = clock.now();
        let inner = Arc::new(Inner {
            clock,
            config,
            jobs,
            infomart,
            runs: Mutex::new(Runs::default()),
            decisions: tokio::sync::Mutex::new(tick::TickState::new(now)),
            wake: Notify::new(),
            events,
            shutdown: CancellationToken::new(),
            lock: Mutex::new(Some(lock)),
        });
        info!("scheduler started on {}", crate::config::mask_url(&url));
        let ticker = tokio::spawn(tick::run(inner.clone()));
        Ok(Scheduler {
            inner,
            ticker,
            first_events: Mutex::new(Some(first_events)),
        })
    }

    /// Starting and stopping runs on an operator's behalf.
    pub fn control(&self) -> Arc<dyn JobControl> {
        Arc::new(Control(self.inner.clone()))
    }

    /// The configuration in force (the last good one read from the file).
    pub fn config(&self) -> Arc<Config> {
        self.inner.config.current()
    }

    /// What the scheduler does: from its start for the first subscriber, from now on for
    /// later ones.
    pub fn subscribe(&self) -> broadcast::Receiver<SchedulerEvent> {
        let first = self
            .first_events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        first.unwrap_or_else(|| self.inner.events.subscribe())
    }

    /// Stops scheduling, stops the running jobs (each rolls back its open transaction and
    /// records STOPPED), closes the queued runs as STOPPED and waits for all of them.
    pub async fn shutdown(self) {
        self.inner.shutdown.cancel();
        if let Err(e) = self.ticker.await {
            warn!("the scheduler loop ended abnormally: {e}");
        }
        let handles = self.inner.stop_all().await;
        for handle in handles {
            if let Err(e) = handle.await {
                warn!("a job task ended abnormally: {e}");
            }
        }
        let lock = (self.inner.lock.lock())
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(lock) = lock {
            lock.release().await;
        }
        info!("scheduler stopped");
    }
}

/// The [`JobControl`] of a running scheduler.
struct Control(Arc<Inner>);

#[async_trait]
impl JobControl for Control {
    async fn run_job(&self, name: &str, params: &[String]) -> Result<String, ControlError> {
        let _decisions = self.0.decisions.lock().await;
        let config = self.0.config.reload();
        control::check_params(name, params)?;
        if name == names::AGGREGATE {
            tick::check_manual_aggregation(&config.schedule, self.0.clock.now())?;
        }
        let request = RunRequest {
            params: params.to_vec(),
            ..RunRequest::new(Trigger::Manual)
        };
        let job_id = self.0.request(name, request).await?;
        info!("{name} started by hand (job id {job_id})");
        Ok(job_id)
    }

    async fn stop_job(&self, job_id: &str) -> Result<StopOutcome, ControlError> {
        let _decisions = self.0.decisions.lock().await;
        let schedule = self.0.config.reload().schedule.clone();
        let is_aggregation = self
            .0
            .runs()
            .running_job(names::AGGREGATE)
            .is_some_and(|run| run.request.job_id == job_id);
        if is_aggregation && schedule.run_scheduler && schedule.run_aggregates {
            return Err(ControlError::NotAllowed(format!(
                "the scheduler keeps {} running within its window; set [schedule] \
                 run-aggregates = false first, then stop it",
                names::AGGREGATE
            )));
        }
        let outcome = self.0.stop(job_id).await;
        self.0.wake.notify_one();
        outcome
    }

    fn active(&self) -> Vec<ActiveRun> {
        self.0.runs().active()
    }
}
