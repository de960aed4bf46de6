//! The scheduler loop: once a minute, whenever a run ends and whenever an operator acts,
//! it re-reads the configuration and applies the scheduling rules of [`super::rules`].

use std::sync::Arc;

use chrono::{DateTime, Duration, DurationRound, Utc};
use tracing::debug;

use super::job_schedule::ScheduleRows;
use super::rules::{self, aggregate_window_end, daily, etl_cycle_due, fires_between};
use super::runs::scheduled;
use super::{Inner, SchedulerEvent};
use crate::config::Schedule;
use crate::jobs::control::ControlError;
use crate::jobs::names;
use crate::jobs::runner::new_job_id;

/// What the loop remembers between ticks.
pub(crate) struct TickState {
    /// Fire times after this one and up to the current tick are due; times while the
    /// server was down are not back-filled (operations.md §0.4).
    last_tick: DateTime<Utc>,
    /// The CTL_JOB_SCHEDULE rows last written.
    rows: ScheduleRows,
}

impl TickState {
    pub(crate) fn new(start: DateTime<Utc>) -> Self {
        Self {
            last_tick: start,
            rows: ScheduleRows::default(),
        }
    }
}

/// Runs the loop until the server shuts down.
pub(crate) async fn run(inner: Arc<Inner>) {
    loop {
        let now = inner.clock.now();
        let next = {
            let mut state = inner.decisions.lock().await;
            inner.tick(&mut state, now).await;
            next_wakeup(&inner, now)
        };
        inner.emit(SchedulerEvent::Tick(now));
        tokio::select! {
            _ = inner.shutdown.cancelled() => return,
            _ = inner.clock.sleep_until(next) => {}
            _ = inner.wake.notified() => {}
        }
    }
}

/// The next minute boundary, or the time the next ETL cycle may start if sooner.
fn next_wakeup(inner: &Inner, now: DateTime<Utc>) -> DateTime<Utc> {
    let minute = now.duration_trunc(Duration::minutes(1)).unwrap_or(now) + Duration::minutes(1);
    let config = inner.config.current();
    let schedule = &config.schedule;
    let cycle = inner
        .runs()
        .cycle
        .last_start
        .map(|last| rules::next_cycle_start(schedule, last))
        .filter(|at| *at > now);
    cycle.map_or(minute, |at| at.min(minute))
}

/// Refuses a manual aggregation run outside the aggregation window (Operations Guide,
/// "Jobs run from Genesys Info Mart Manager").
pub(crate) fn check_manual_aggregation(
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> Result<(), ControlError> {
    if aggregate_window_end(schedule, now).is_some() {
        return Ok(());
    }
    let zone = schedule.timezone.tz();
    let opens = rules::next_fire(&schedule.aggregate_schedule, zone, now)
        .map(|at| format!("; the next window opens at {}", at.with_timezone(&zone)))
        .unwrap_or_default();
    Err(ControlError::NotAllowed(format!(
        "{} can run only within its aggregation window (aggregate-schedule `{}`, \
         aggregate-duration {} in {}){opens}",
        names::AGGREGATE,
        schedule.aggregate_schedule.as_str(),
        schedule.aggregate_duration,
        schedule.timezone
    )))
}

impl Inner {
    /// Applies every rule once at `now`.
    async fn tick(self: &Arc<Self>, state: &mut TickState, now: DateTime<Utc>) {
        let config = self.config.reload();
        let schedule = &config.schedule;
        let since = state.last_tick;
        self.stop_aggregation_outside_window(schedule, now);
        self.follow_extract_with_transform().await;
        if schedule.run_scheduler {
            self.schedule_aggregation(schedule, now).await;
            if schedule.run_maintain
                && fires_between(
                    &daily(schedule.maintain_start_time),
                    schedule.timezone.tz(),
                    since,
                    now,
                )
            {
                self.launch_scheduled(names::MAINTAIN).await;
            }
            self.schedule_etl_cycle(schedule, now).await;
            if schedule.run_update_stats
                && fires_between(
                    &schedule.update_stats_schedule,
                    schedule.timezone.tz(),
                    since,
                    now,
                )
            {
                if self.runs().has(names::MAINTAIN) {
                    self.skipped(names::UPDATE_STATS, "suspended while Job_MaintainGIM runs");
                } else {
                    self.launch_scheduled(names::UPDATE_STATS).await;
                }
            }
            if schedule.run_export
                && fires_between(
                    &schedule.export_schedule,
                    schedule.timezone.tz(),
                    since,
                    now,
                )
            {
                self.launch_scheduled(names::EXPORT).await;
            }
        }
        self.start_unblocked();
        let cycle_start = self.runs().cycle.last_start;
        state.rows.write(self, schedule, now, cycle_start).await;
        state.last_tick = now;
    }

    /// Requests a scheduled run of `job_name`; a job already running or not implemented
    /// is skipped and logged.
    async fn launch_scheduled(self: &Arc<Self>, job_name: &str) {
        self.launch_in_cycle(job_name, None).await;
    }

    async fn launch_in_cycle(self: &Arc<Self>, job_name: &str, cycle_id: Option<String>) -> bool {
        match self.request(job_name, scheduled(cycle_id)).await {
            Ok(_) => true,
            Err(e) => {
                self.skipped(job_name, &e.to_string());
                false
            }
        }
    }

    fn skipped(&self, job_name: &str, reason: &str) {
        debug!("{job_name} not launched: {reason}");
        self.emit(SchedulerEvent::Skipped {
            job_name: job_name.to_string(),
            reason: reason.to_string(),
        });
    }

    /// Starts an ETL cycle when one is due: extract, then (see
    /// [`Inner::follow_extract_with_transform`]) transform, under one CYCLE_ID. A due cycle
    /// stops a running maintenance job; the cycle waits for it to record STOPPED.
    async fn schedule_etl_cycle(self: &Arc<Self>, schedule: &Schedule, now: DateTime<Utc>) {
        let (active, last_start) = {
            let runs = self.runs();
            (runs.cycle_active(), runs.cycle.last_start)
        };
        if active || !etl_cycle_due(schedule, now, last_start) {
            return;
        }
        let first = [names::EXTRACT, names::TRANSFORM]
            .into_iter()
            .find(|name| self.job(name).is_ok());
        let Some(first) = first else {
            self.runs().cycle.last_start = Some(now);
            self.skipped(names::EXTRACT, "no ETL job is implemented in this build");
            return;
        };
        self.stop_job_named(names::MAINTAIN, "an ETL cycle is due");
        let cycle_id = new_job_id();
        {
            let mut runs = self.runs();
            runs.cycle.last_start = Some(now);
            runs.cycle.id = Some(cycle_id.clone());
            runs.cycle.transform_due = false;
        }
        if !self.launch_in_cycle(first, Some(cycle_id)).await {
            self.runs().cycle.id = None;
        }
    }

    /// Launches the transform of a cycle whose extract has ended.
    async fn follow_extract_with_transform(self: &Arc<Self>) {
        let cycle_id = {
            let mut runs = self.runs();
            if !runs.cycle.transform_due {
                return;
            }
            runs.cycle.transform_due = false;
            runs.cycle.id.clone()
        };
        if !self.launch_in_cycle(names::TRANSFORM, cycle_id).await {
            self.runs().cycle.id = None;
        }
    }

    /// Keeps Job_AggregateGIM running within its window.
    async fn schedule_aggregation(self: &Arc<Self>, schedule: &Schedule, now: DateTime<Utc>) {
        if schedule.run_aggregates
            && aggregate_window_end(schedule, now).is_some()
            && !self.runs().has(names::AGGREGATE)
            && self.job(names::AGGREGATE).is_ok()
        {
            self.launch_scheduled(names::AGGREGATE).await;
        }
    }

    /// Stops Job_AggregateGIM when its window closes (`aggregate-duration` elapsed).
    fn stop_aggregation_outside_window(&self, schedule: &Schedule, now: DateTime<Utc>) {
        if aggregate_window_end(schedule, now).is_none() {
            self.stop_job_named(names::AGGREGATE, "its aggregation window closed");
        }
    }
}
