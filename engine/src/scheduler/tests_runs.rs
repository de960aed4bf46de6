//! The scheduler loop with a hand-moved clock and stand-in jobs that run until a test
//! releases or stops them, on a SQLite Info Mart holding the control tables: ETL cycles,
//! frequency, maintenance waiting and preempted, statistics suspended, export waiting,
//! the aggregation window, manual runs, stop and cancel, config reload and shutdown.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use tidemark_schemas::{ddl, mart};
use tidemark_sinks::database::{self, SqlValue};
use tokio::sync::{broadcast, Notify};

use super::{ManualClock, Scheduler, SchedulerEvent};
use crate::jobs::control::{ControlError, JobControl, StopOutcome};
use crate::jobs::history::RunStatus;
use crate::jobs::{names, Job, JobContext, JobError, JobOutcome};

/// Releases stand-in jobs by name and keeps the job parameters each one last received.
#[derive(Default)]
struct Gates {
    gates: Mutex<HashMap<&'static str, Arc<Notify>>>,
    params: Mutex<HashMap<&'static str, Vec<String>>>,
}

impl Gates {
    fn gate(&self, name: &'static str) -> Arc<Notify> {
        self.gates.lock().unwrap().entry(name).or_default().clone()
    }
}

/// A job that runs until released (COMPLETE) or stopped (STOPPED).
struct StandIn {
    name: &'static str,
    gates: Arc<Gates>,
}

#[async_trait]
impl Job for StandIn {
    fn name(&self) -> &'static str {
        self.name
    }

    async fn run(&self, ctx: &JobContext) -> Result<JobOutcome, JobError> {
        let gate = self.gates.gate(self.name);
        (self.gates.params.lock().unwrap()).insert(self.name, ctx.params.clone());
        tokio::select! {
            _ = gate.notified() => Ok(JobOutcome::default()),
            _ = ctx.cancel.cancelled() => Err(JobError::Stopped),
        }
    }
}

struct Harness {
    scheduler: Option<Scheduler>,
    control: Arc<dyn JobControl>,
    clock: ManualClock,
    events: broadcast::Receiver<SchedulerEvent>,
    /// Events of the first tick, handed out again before newer ones.
    pending: VecDeque<SchedulerEvent>,
    gates: Arc<Gates>,
    config_path: PathBuf,
    url: String,
    _folder: tempfile::TempDir,
}

fn utc(d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, d, h, mi, 0).unwrap()
}

fn config_text(url: &str, schedule: &str) -> String {
    format!("[infomart]\nurl = \"{url}\"\n\n[schedule]\n{schedule}\n")
}

impl Harness {
    async fn start(jobs: &[&'static str], schedule: &str, start: DateTime<Utc>) -> Harness {
        let folder = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", folder.path().join("im.db").display());
        let db = database::connect(&url).await.unwrap();
        for table in [
            mart::control::ctl_etl_history(),
            mart::control::ctl_job_schedule(),
        ] {
            db.execute(&ddl::create_table(&table, db.dialect()))
                .await
                .unwrap();
        }
        let config_path = folder.path().join("tidemark.toml");
        std::fs::write(&config_path, config_text(&url, schedule)).unwrap();
        let gates = Arc::new(Gates::default());
        let jobs: Vec<Arc<dyn Job>> = jobs
            .iter()
            .map(|name| {
                Arc::new(StandIn {
                    name,
                    gates: gates.clone(),
                }) as Arc<dyn Job>
            })
            .collect();
        let clock = ManualClock::new(start);
        let scheduler = Scheduler::start_with_jobs(&config_path, Arc::new(clock.clone()), jobs)
            .await
            .unwrap();
        let events = scheduler.subscribe();
        let mut harness = Harness {
            control: scheduler.control(),
            scheduler: Some(scheduler),
            clock,
            events,
            pending: VecDeque::new(),
            gates,
            config_path,
            url,
            _folder: folder,
        };
        harness.pending = harness.until_tick(start).await.into();
        harness
    }

    /// The next event; a hang guard fails the test if none comes.
    async fn next(&mut self) -> SchedulerEvent {
        if let Some(event) = self.pending.pop_front() {
            return event;
        }
        tokio::time::timeout(std::time::Duration::from_secs(60), self.events.recv())
            .await
            .expect("the scheduler reports within the hang guard")
            .expect("event channel open")
    }

    /// Events up to and including the tick at `at`.
    async fn until_tick(&mut self, at: DateTime<Utc>) -> Vec<SchedulerEvent> {
        let mut seen = Vec::new();
        loop {
            let event = self.next().await;
            if event == SchedulerEvent::Tick(at) {
                return seen;
            }
            seen.push(event);
        }
    }

    /// Moves the clock to `at` and returns what the scheduler did there.
    async fn at(&mut self, at: DateTime<Utc>) -> Vec<SchedulerEvent> {
        self.clock.set(at);
        self.until_tick(at).await
    }

    /// Waits for the event `wanted` picks, returning it.
    async fn expect<T>(&mut self, wanted: impl Fn(&SchedulerEvent) -> Option<T>) -> T {
        loop {
            if let Some(found) = wanted(&self.next().await) {
                return found;
            }
        }
    }

    async fn started(&mut self, job: &str) -> (String, Option<String>) {
        self.expect(|e| match e {
            SchedulerEvent::Started {
                job_name,
                job_id,
                cycle_id,
                ..
            } if job_name == job => Some((job_id.clone(), cycle_id.clone())),
            _ => None,
        })
        .await
    }

    async fn finished(&mut self, job: &str) -> RunStatus {
        self.expect(|e| match e {
            SchedulerEvent::Finished {
                job_name, status, ..
            } if job_name == job => Some(*status),
            _ => None,
        })
        .await
    }

    fn release(&self, job: &'static str) {
        self.gates.gate(job).notify_one();
    }

    /// (job name, status, cycle id) of every CTL_ETL_HISTORY row, in start order.
    async fn history(&self) -> Vec<(String, String, Option<String>)> {
        let db = database::connect(&self.url).await.unwrap();
        let text = |v: &SqlValue| match v {
            SqlValue::Null => None,
            other => Some(other.to_string()),
        };
        db.query(
            "select job_name, status, cycle_id from ctl_etl_history order by start_time, job_name",
        )
        .await
        .unwrap()
        .iter()
        .map(|row| {
            (
                text(&row[0]).unwrap(),
                text(&row[1]).unwrap(),
                text(&row[2]),
            )
        })
        .collect()
    }

    /// [`Self::history`] once it holds at least `rows` rows: a run's own row is written by
    /// its task, which may lag the event announcing the run (waits at most 30 s).
    async fn history_of(&self, rows: usize) -> Vec<(String, String, Option<String>)> {
        for _ in 0..300 {
            let history = self.history().await;
            if history.len() >= rows {
                return history;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        self.history().await
    }
}

fn started_names(events: &[SchedulerEvent]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            SchedulerEvent::Started { job_name, .. } => Some(job_name.as_str()),
            _ => None,
        })
        .collect()
}

const ETL: [&str; 2] = [names::EXTRACT, names::TRANSFORM];

#[tokio::test]
async fn a_cycle_runs_transform_after_extract_with_one_cycle_id_and_respects_the_frequency() {
    let schedule = "run-scheduler = true\netl-start-time = \"00:00\"\netl-end-time = \"00:00\"\netl-frequency = 10\nrun-maintain = false";
    let mut h = Harness::start(&ETL, schedule, utc(1, 10, 0)).await;
    let (_, cycle) = h.started(names::EXTRACT).await;
    assert!(cycle.is_some());
    h.release(names::EXTRACT);
    assert_eq!(h.finished(names::EXTRACT).await, RunStatus::Complete);
    let (_, transform_cycle) = h.started(names::TRANSFORM).await;
    assert_eq!(transform_cycle, cycle);
    h.release(names::TRANSFORM);
    assert_eq!(h.finished(names::TRANSFORM).await, RunStatus::Complete);
    // The cycle was short: the next waits for the frequency.
    assert!(started_names(&h.at(utc(1, 10, 5)).await).is_empty());
    assert_eq!(started_names(&h.at(utc(1, 10, 10)).await), [names::EXTRACT]);
    // This cycle runs long: the next starts the moment it ends.
    h.clock.set(utc(1, 10, 25));
    h.release(names::EXTRACT);
    h.started(names::TRANSFORM).await;
    h.release(names::TRANSFORM);
    let (_, third) = h.started(names::EXTRACT).await;
    h.scheduler.take().unwrap().shutdown().await;
    let history = h.history().await;
    assert_eq!(history.len(), 5);
    assert!(history[..4]
        .iter()
        .all(|(_, status, _)| status == "COMPLETE"));
    assert_eq!(history[0].2, cycle);
    assert_eq!(history[1].2, cycle);
    assert_ne!(history[2].2, cycle);
    assert_eq!(history[2].2, history[3].2);
    assert_eq!(history[4], (names::EXTRACT.into(), "STOPPED".into(), third));
}

#[tokio::test]
async fn maintenance_waits_for_the_cycle_and_a_due_cycle_stops_it() {
    let schedule = "run-scheduler = true\netl-start-time = \"06:00\"\netl-end-time = \"05:00\"\netl-frequency = 60\n\
                    maintain-start-time = \"05:15\"";
    let mut jobs = ETL.to_vec();
    jobs.push(names::MAINTAIN);
    let mut h = Harness::start(&jobs, schedule, utc(1, 4, 50)).await;
    h.started(names::EXTRACT).await;
    let waited = h.at(utc(1, 5, 15)).await;
    assert!(waited.iter().any(|e| matches!(e,
        SchedulerEvent::Queued { job_name, blocked_by, .. }
            if job_name == names::MAINTAIN && blocked_by == names::EXTRACT)));
    // Queued behind the running extraction: its row says SCHEDULED (the two rows may
    // share a start time, so the row is found by its job).
    let queued = h.history_of(2).await;
    assert!(
        queued
            .iter()
            .any(|(job, status, _)| job == names::MAINTAIN && status == "SCHEDULED"),
        "{queued:?}"
    );
    h.release(names::EXTRACT);
    h.started(names::TRANSFORM).await;
    h.release(names::TRANSFORM);
    h.started(names::MAINTAIN).await;
    // 06:00: the window opens, a cycle is due and stops maintenance.
    h.clock.set(utc(1, 6, 0));
    assert_eq!(h.finished(names::MAINTAIN).await, RunStatus::Stopped);
    h.started(names::EXTRACT).await;
    h.scheduler.take().unwrap().shutdown().await;
    let statuses: Vec<(String, String)> = h
        .history()
        .await
        .into_iter()
        .map(|(job, status, _)| (job, status))
        .collect();
    let expected = [
        (names::EXTRACT, "COMPLETE"),
        (names::TRANSFORM, "COMPLETE"),
        (names::MAINTAIN, "STOPPED"),
        (names::EXTRACT, "STOPPED"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(job, status)| (job.to_string(), status.to_string()))
        .collect();
    assert_eq!(statuses, expected);
}

#[tokio::test]
async fn statistics_are_suspended_and_export_waits_while_maintenance_runs() {
    let schedule = "run-scheduler = true\netl-start-time = \"06:00\"\netl-end-time = \"05:00\"\n\
                    maintain-start-time = \"05:00\"\nrun-update-stats = true\n\
                    update-stats-schedule = \"0/10 *\"\nrun-export = true\nexport-schedule = \"20 5\"";
    let jobs = [names::MAINTAIN, names::UPDATE_STATS, names::EXPORT];
    let mut h = Harness::start(&jobs, schedule, utc(1, 4, 59)).await;
    assert_eq!(started_names(&h.at(utc(1, 5, 0)).await), [names::MAINTAIN]);
    let at_ten = h.at(utc(1, 5, 10)).await;
    assert!(started_names(&at_ten).is_empty());
    assert!(at_ten.iter().any(|e| matches!(e,
        SchedulerEvent::Skipped { job_name, reason }
            if job_name == names::UPDATE_STATS && reason.contains("suspended"))));
    let at_twenty = h.at(utc(1, 5, 20)).await;
    assert!(at_twenty.iter().any(|e| matches!(e,
        SchedulerEvent::Queued { job_name, .. } if job_name == names::EXPORT)));
    h.release(names::MAINTAIN);
    h.started(names::EXPORT).await;
    // Maintenance is over: statistics run on their schedule again.
    assert_eq!(
        started_names(&h.at(utc(1, 5, 30)).await),
        [names::UPDATE_STATS]
    );
}

#[tokio::test]
async fn aggregation_runs_within_its_window_and_manual_runs_are_refused_outside() {
    let schedule = "run-scheduler = true\nrun-aggregates = true\naggregate-schedule = \"0 1\"\naggregate-duration = \"05:00\"\nrun-maintain = false";
    let mut h = Harness::start(&[names::AGGREGATE], schedule, utc(1, 0, 58)).await;
    assert!(started_names(&h.at(utc(1, 0, 59)).await).is_empty());
    let (job_id, _) = {
        h.clock.set(utc(1, 1, 0));
        h.started(names::AGGREGATE).await
    };
    let refused = h.control.stop_job(&job_id).await.unwrap_err();
    assert!(
        refused.to_string().contains("run-aggregates = false"),
        "{refused}"
    );
    h.clock.set(utc(1, 6, 0));
    assert_eq!(h.finished(names::AGGREGATE).await, RunStatus::Stopped);
    h.until_tick(utc(1, 6, 0)).await;
    let err = h.control.run_job(names::AGGREGATE, &[]).await.unwrap_err();
    let ControlError::NotAllowed(message) = err else {
        panic!("expected NotAllowed, got {err:?}");
    };
    assert!(message.contains("aggregation window"), "{message}");
    assert!(message.contains("2024-05-02 01:00:00 GMT"), "{message}");
}

#[tokio::test]
async fn job_parameters_of_a_manual_aggregation_reach_the_job() {
    let schedule = "aggregate-schedule = \"0 1\"\naggregate-duration = \"05:00\"";
    let mut h = Harness::start(&[names::AGGREGATE], schedule, utc(1, 2, 0)).await;
    let params = [
        "-insertPendingAgg".to_string(),
        "AGT_QUEUE:0:86400".to_string(),
    ];
    h.control.run_job(names::AGGREGATE, &params).await.unwrap();
    h.started(names::AGGREGATE).await;
    h.release(names::AGGREGATE);
    assert_eq!(h.finished(names::AGGREGATE).await, RunStatus::Complete);
    let received = h
        .gates
        .params
        .lock()
        .unwrap()
        .get(names::AGGREGATE)
        .cloned();
    assert_eq!(received.as_deref(), Some(&params[..]));
}

#[tokio::test]
async fn manual_runs_never_run_twice_and_queued_runs_can_be_cancelled() {
    let jobs = [names::EXTRACT, names::TRANSFORM, names::MAINTAIN];
    let mut h = Harness::start(&jobs, "run-scheduler = false", utc(1, 12, 0)).await;
    let extract = h.control.run_job(names::EXTRACT, &[]).await.unwrap();
    h.started(names::EXTRACT).await;
    let again = h.control.run_job(names::EXTRACT, &[]).await.unwrap_err();
    assert!(matches!(again, ControlError::AlreadyRunning(ref job) if job == names::EXTRACT));
    // A transform started by hand while extract runs is allowed (it finds nothing to do).
    h.control.run_job(names::TRANSFORM, &[]).await.unwrap();
    h.started(names::TRANSFORM).await;
    let maintain = h.control.run_job(names::MAINTAIN, &[]).await.unwrap();
    let active: Vec<(String, RunStatus, &str)> = h
        .control
        .active()
        .into_iter()
        .map(|run| (run.job_name, run.status, run.trigger))
        .collect();
    assert!(active.contains(&(names::MAINTAIN.into(), RunStatus::Scheduled, "MANUAL")));
    assert!(active.contains(&(names::EXTRACT.into(), RunStatus::Running, "MANUAL")));
    assert_eq!(
        h.control.stop_job(&maintain).await.unwrap(),
        StopOutcome::Cancelled
    );
    assert!(!h
        .history()
        .await
        .iter()
        .any(|(job, _, _)| job == names::MAINTAIN));
    assert_eq!(
        h.control.stop_job(&extract).await.unwrap(),
        StopOutcome::Stopped
    );
    assert_eq!(h.finished(names::EXTRACT).await, RunStatus::Stopped);
    assert!(matches!(
        h.control.stop_job(&extract).await.unwrap_err(),
        ControlError::NotFound(_)
    ));
    let unknown = h.control.run_job(names::EXPORT, &[]).await.unwrap_err();
    assert!(
        unknown.to_string().contains("not implemented yet"),
        "{unknown}"
    );
    h.scheduler.take().unwrap().shutdown().await;
    let history = h.history().await;
    assert!(history.contains(&(names::TRANSFORM.into(), "STOPPED".into(), None)));
    assert!(history.iter().all(|(_, _, cycle)| cycle.is_none()));
}

#[tokio::test]
async fn a_bad_config_keeps_the_last_good_one_and_a_good_change_applies_at_the_next_tick() {
    let schedule = "run-scheduler = true\netl-start-time = \"00:00\"\netl-end-time = \"00:00\"\netl-frequency = 5\nrun-maintain = false";
    let mut h = Harness::start(&[names::EXTRACT], schedule, utc(1, 9, 0)).await;
    h.started(names::EXTRACT).await;
    h.release(names::EXTRACT);
    h.finished(names::EXTRACT).await;
    std::fs::write(&h.config_path, "[schedule]\netl-frequency = 0\n").unwrap();
    assert_eq!(started_names(&h.at(utc(1, 9, 5)).await), [names::EXTRACT]);
    let config = h.scheduler.as_ref().unwrap().config();
    assert_eq!(config.schedule.etl_frequency, 5);
    h.release(names::EXTRACT);
    h.finished(names::EXTRACT).await;
    let paused =
        config_text(&h.url, schedule).replace("run-scheduler = true", "run-scheduler = false");
    std::fs::write(&h.config_path, paused).unwrap();
    assert!(started_names(&h.at(utc(1, 9, 10)).await).is_empty());
    assert!(
        !h.scheduler
            .as_ref()
            .unwrap()
            .config()
            .schedule
            .run_scheduler
    );
}
