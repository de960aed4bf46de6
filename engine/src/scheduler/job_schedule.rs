//! CTL_JOB_SCHEDULE: per scheduled job, whether the scheduler launches it and when next,
//! so ADMIN_ETL_JOB_STATUS shows the scheduler's state. Rows are rewritten only when a
//! value changes.

use chrono::{DateTime, Utc};
use tracing::warn;

use super::rules::{daily, local_minute_of_day, next_cycle_start, next_fire};
use super::Inner;
use crate::config::{CronSchedule, Schedule};
use crate::jobs::history::{sql_text, sql_time};
use crate::jobs::names;

/// One CTL_JOB_SCHEDULE row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRow {
    /// JOB_NAME.
    pub job_name: &'static str,
    /// IS_ENABLED: the scheduler runs and the job's `run-*` option is on.
    pub enabled: bool,
    /// NEXT_SCHEDULED_TIME: the next launch, `None` when disabled.
    pub next: Option<DateTime<Utc>>,
}

/// The rows last written.
#[derive(Debug, Default)]
pub(crate) struct ScheduleRows {
    written: Vec<ScheduleRow>,
}

/// The scheduler's view of each scheduled job at `now`.
pub fn schedule_rows(
    schedule: &Schedule,
    now: DateTime<Utc>,
    last_cycle_start: Option<DateTime<Utc>>,
) -> Vec<ScheduleRow> {
    let zone = schedule.timezone.tz();
    let cron = |cron: &CronSchedule| next_fire(cron, zone, now);
    let earliest = last_cycle_start.map_or(now, |last| next_cycle_start(schedule, last));
    let etl_next = if schedule.in_etl_window(local_minute_of_day(schedule, earliest)) {
        Some(earliest)
    } else {
        next_fire(&daily(schedule.etl_start_time), zone, earliest)
    };
    let aggregate_next = cron(&schedule.aggregate_schedule);
    let rows = [
        (names::EXTRACT, true, etl_next),
        (names::TRANSFORM, true, etl_next),
        (names::AGGREGATE, schedule.run_aggregates, aggregate_next),
        (
            names::MAINTAIN,
            schedule.run_maintain,
            cron(&daily(schedule.maintain_start_time)),
        ),
        (
            names::UPDATE_STATS,
            schedule.run_update_stats,
            cron(&schedule.update_stats_schedule),
        ),
        (
            names::EXPORT,
            schedule.run_export,
            cron(&schedule.export_schedule),
        ),
    ];
    rows.into_iter()
        .map(|(job_name, on, next)| {
            let enabled = schedule.run_scheduler && on;
            ScheduleRow {
                job_name,
                enabled,
                next: next.filter(|_| enabled),
            }
        })
        .collect()
}

impl ScheduleRows {
    /// Writes the rows of `now` when they differ from the last ones written.
    pub(crate) async fn write(
        &mut self,
        inner: &Inner,
        schedule: &Schedule,
        now: DateTime<Utc>,
        last_cycle_start: Option<DateTime<Utc>>,
    ) {
        let rows = schedule_rows(schedule, now, last_cycle_start);
        if rows == self.written
            || !inner
                .infomart
                .table_exists("ctl_job_schedule")
                .await
                .unwrap_or(false)
        {
            return;
        }
        let mut statements = vec!["delete from ctl_job_schedule".to_string()];
        statements.extend(rows.iter().map(|row| {
            format!(
                "insert into ctl_job_schedule (job_name, is_enabled, next_scheduled_time, updated_ts) \
                 values ({}, {}, {}, {})",
                sql_text(row.job_name),
                i32::from(row.enabled),
                row.next.map(sql_time).unwrap_or_else(|| "null".into()),
                now.timestamp()
            )
        }));
        match inner.infomart.execute_all(&statements).await {
            Ok(()) => self.written = rows,
            Err(e) => warn!("could not update ctl_job_schedule: {e}"),
        }
    }
}
