//! The scheduler of `tidemark serve` on real Info Marts: Job_InitializeGIM run and stopped
//! through the scheduler on PostgreSQL with its CTL_ETL_HISTORY rows, a queued run
//! cancelled, ADMIN_ETL_JOB_STATUS, and one server per Info Mart on PostgreSQL and SQLite.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use tidemark::jobs::control::StopOutcome;
use tidemark::jobs::history::RunStatus;
use tidemark::jobs::{self, names, Job, JobContext, JobError, JobOutcome};
use tidemark::scheduler::{Scheduler, SchedulerError, SchedulerEvent, SystemClock};
use tidemark_sinks::database::{Database, SqlValue};
use tidemark_tests::{fresh_postgres, fresh_sqlite};
use tokio::sync::broadcast::Receiver;

/// A job that runs until it is stopped.
struct UntilStopped(&'static str);

#[async_trait]
impl Job for UntilStopped {
    fn name(&self) -> &'static str {
        self.0
    }

    async fn run(&self, ctx: &JobContext) -> Result<JobOutcome, JobError> {
        ctx.cancel.cancelled().await;
        Err(JobError::Stopped)
    }
}

fn write_config(dir: &Path, infomart_url: &str) -> PathBuf {
    let path = dir.join("tidemark.toml");
    let text = format!(
        "[infomart]\nurl = \"{infomart_url}\"\n\n[gidb]\nurl = \"{}\"\n",
        dir.join("gidb").display()
    );
    std::fs::write(&path, text).expect("write the configuration");
    path
}

async fn finished(events: &mut Receiver<SchedulerEvent>, id: &str) -> RunStatus {
    loop {
        let event = tokio::time::timeout(std::time::Duration::from_secs(600), events.recv())
            .await
            .expect("the run ends within the hang guard")
            .expect("event channel open");
        if let SchedulerEvent::Finished { job_id, status, .. } = event {
            if job_id == id {
                return status;
            }
        }
    }
}

/// (STATUS, TRIGGER_TYPE, ERROR_TEXT) of a run.
async fn run_row(db: &dyn Database, id: &str) -> Option<(String, String, Option<String>)> {
    let rows = db
        .query(&format!(
            "select status, trigger_type, error_text from ctl_etl_history where job_id = '{id}'"
        ))
        .await
        .expect("query ctl_etl_history");
    rows.first().map(|row| {
        let error = match &row[2] {
            SqlValue::Null => None,
            text => Some(text.to_string()),
        };
        (row[0].to_string(), row[1].to_string(), error)
    })
}

#[tokio::test]
async fn initialize_runs_stops_and_queued_runs_cancel_through_the_scheduler_on_postgres() {
    let infomart = fresh_postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &infomart.url);
    let mut jobs = jobs::registry();
    jobs.retain(|job| job.name() != names::EXPORT);
    jobs.push(Arc::new(UntilStopped(names::EXPORT)));
    jobs.push(Arc::new(UntilStopped(names::MAINTAIN)));
    let scheduler = Scheduler::start_with_jobs(&config, Arc::new(SystemClock), jobs)
        .await
        .expect("the scheduler starts");
    let control = scheduler.control();
    let mut events = scheduler.subscribe();
    let db = infomart.connect().await;

    // Stopped before its first step ends: the schema tables stay, nothing is seeded.
    let first = control.run_job(names::INITIALIZE, &[]).await.unwrap();
    assert_eq!(
        control.stop_job(&first).await.unwrap(),
        StopOutcome::Stopped
    );
    assert_eq!(finished(&mut events, &first).await, RunStatus::Stopped);
    assert_eq!(
        run_row(db.as_ref(), &first).await,
        Some(("STOPPED".into(), "MANUAL".into(), Some("stopped".into())))
    );
    assert!(!jobs::initialize::is_initialized(db.as_ref()).await.unwrap());

    let second = control.run_job(names::INITIALIZE, &[]).await.unwrap();
    assert_eq!(finished(&mut events, &second).await, RunStatus::Complete);
    assert_eq!(
        run_row(db.as_ref(), &second).await,
        Some(("COMPLETE".into(), "MANUAL".into(), None))
    );
    assert!(jobs::initialize::is_initialized(db.as_ref()).await.unwrap());

    // Maintenance never runs beside export: started by hand it waits as SCHEDULED.
    let export = control.run_job(names::EXPORT, &[]).await.unwrap();
    let maintain = control.run_job(names::MAINTAIN, &[]).await.unwrap();
    assert_eq!(
        run_row(db.as_ref(), &maintain).await.map(|row| row.0),
        Some("SCHEDULED".into())
    );
    let status = db
        .query_strings(&format!(
            "select last_status from admin_etl_job_status where job_name = '{}'",
            names::MAINTAIN
        ))
        .await
        .unwrap();
    assert_eq!(status, ["SCHEDULED"]);
    let active: Vec<(String, RunStatus)> = control
        .active()
        .into_iter()
        .map(|run| (run.job_id, run.status))
        .collect();
    assert_eq!(
        active,
        [
            (export.clone(), RunStatus::Running),
            (maintain.clone(), RunStatus::Scheduled)
        ]
    );
    assert_eq!(
        control.stop_job(&maintain).await.unwrap(),
        StopOutcome::Cancelled
    );
    assert_eq!(run_row(db.as_ref(), &maintain).await, None);

    // One server per Info Mart.
    let second_server = Scheduler::start(config.clone(), Arc::new(SystemClock)).await;
    let Err(SchedulerError::AlreadyServed { holder, .. }) = second_server else {
        panic!("a second server on the same Info Mart must fail");
    };
    assert!(holder.starts_with("backend pid "), "{holder}");

    // Shutdown stops the running export cleanly and releases the lock.
    scheduler.shutdown().await;
    assert_eq!(
        run_row(db.as_ref(), &export).await.map(|row| row.0),
        Some("STOPPED".into())
    );
    let again = Scheduler::start(config, Arc::new(SystemClock))
        .await
        .expect("the lock is free after shutdown");
    again.shutdown().await;
}

#[tokio::test]
async fn a_second_server_on_one_sqlite_info_mart_fails_naming_the_lock_file() {
    let infomart = fresh_sqlite();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &infomart.url);
    let first = Scheduler::start(config.clone(), Arc::new(SystemClock))
        .await
        .expect("the first server starts");
    let err = Scheduler::start(config.clone(), Arc::new(SystemClock))
        .await
        .err()
        .expect("the second server fails")
        .to_string();
    assert!(err.contains(".db.lock"), "{err}");
    assert!(
        err.contains("only one server may run per Info Mart"),
        "{err}"
    );
    first.shutdown().await;
    Scheduler::start(config, Arc::new(SystemClock))
        .await
        .expect("the lock is free after shutdown")
        .shutdown()
        .await;
}
