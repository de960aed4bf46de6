//! `[schedule]`: when the scheduler launches each job (operations.md §1.1).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::error::Report;
use super::values::{CronSchedule, HourMinute, ZoneId};

/// Job scheduling. All times and CRON expressions are read in `timezone`; data is
/// always stored in UTC. Every option here takes effect within one scheduler tick
/// (at most 60 s) of a configuration reload, except `on-demand-migration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Schedule {
    /// Master switch of the scheduler. Turning it off pauses scheduling without touching
    /// running jobs; turning it on again resumes where it stopped. Manual runs from the
    /// management page work either way.
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `immediate`.
    pub run_scheduler: bool,

    /// Zone in which all `[schedule]` times and CRON expressions are interpreted. Not
    /// related to data storage, which is always UTC.
    ///
    /// Allowed: an IANA time zone id (`GMT`, `UTC`, `Europe/Paris`, …).
    /// Takes effect: `immediate`.
    pub timezone: ZoneId,

    /// Start of the daily window during which ETL cycles (extract, then transform) are
    /// launched.
    ///
    /// Allowed: `HH:mm`, 00:00–24:00.
    /// Takes effect: `immediate`.
    pub etl_start_time: HourMinute,

    /// End of the daily ETL window: a running cycle finishes, no new cycle starts. When
    /// the end is before the start the window crosses midnight; when both are equal the
    /// window is the whole day (continuous ETL).
    ///
    /// Allowed: `HH:mm`, 00:00–24:00.
    /// Takes effect: `immediate`.
    pub etl_end_time: HourMinute,

    /// Minimum time in minutes between the starts of consecutive ETL cycles. A cycle that
    /// runs longer than this is followed at once by the next; cycles never overlap.
    ///
    /// Allowed: 1–1440 (minutes).
    /// Takes effect: `immediate`.
    pub etl_frequency: u32,

    /// Whether the scheduler launches `Job_MaintainGIM` daily.
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `immediate`.
    pub run_maintain: bool,

    /// Daily launch time of `Job_MaintainGIM`. An ETL cycle in flight finishes before
    /// maintenance starts; an ETL cycle that becomes due stops a running maintenance job
    /// (every maintenance step resumes next time). The spec recollects `03:00`, which lies
    /// inside its own default ETL window; Tidemark defaults to `05:00`, the end of that
    /// window.
    ///
    /// Allowed: `HH:mm`, 00:00–24:00, outside the ETL window while maintenance is scheduled.
    /// Takes effect: `immediate`.
    pub maintain_start_time: HourMinute,

    /// Whether the scheduler launches `Job_AggregateGIM`. Aggregation also needs
    /// `[gim-etl] aggregation-engine-class-name`. Tidemark picks the GIM reference
    /// default `false` so aggregation is opt-in (the RAA reference documents `true`).
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `immediate`.
    pub run_aggregates: bool,

    /// Launch times of `Job_AggregateGIM`.
    ///
    /// Allowed: two-field CRON `minutes hours` (operations.md §0.4).
    /// Takes effect: `immediate`.
    pub aggregate_schedule: CronSchedule,

    /// How long the aggregation job runs after each launch before the scheduler stops
    /// it; `0 0` with `24:00` aggregates continuously. The default `23:00` follows the
    /// RAA guidance and leaves a daily pause from 00:00 to 01:00.
    ///
    /// Allowed: `HH:mm`, 00:00–24:00.
    /// Takes effect: `immediate`.
    pub aggregate_duration: HourMinute,

    /// Whether `Job_UpdateStats` is scheduled.
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `immediate`.
    pub run_update_stats: bool,

    /// Launch times of `Job_UpdateStats`.
    ///
    /// Allowed: two-field CRON `minutes hours` (operations.md §0.4).
    /// Takes effect: `immediate`.
    pub update_stats_schedule: CronSchedule,

    /// Whether `Job_ExportGIM` is scheduled.
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `immediate`.
    pub run_export: bool,

    /// Launch times of `Job_ExportGIM`; the default fires at 00:20, 08:20 and 16:20.
    /// Exporting more often than every 30 minutes is not advised.
    ///
    /// Allowed: two-field CRON `minutes hours` (operations.md §0.4).
    /// Takes effect: `immediate`.
    pub export_schedule: CronSchedule,

    /// When the schema is older than the server: `true` launches `Job_MigrateGIM`
    /// automatically, `false` waits in migration state for an operator. Enable only with
    /// automated backups in place.
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `migration-state` (when the server next enters the migration state).
    pub on_demand_migration: bool,
}

impl Default for Schedule {
    fn default() -> Self {
        let hm = |h, m| HourMinute::new(h, m).expect("constant HH:mm is valid");
        let cron = |text: &str| text.parse().expect("constant CRON is valid");
        Self {
            run_scheduler: false,
            timezone: "GMT".parse().expect("GMT is a known zone"),
            etl_start_time: hm(6, 0),
            etl_end_time: hm(5, 0),
            etl_frequency: 1,
            run_maintain: true,
            maintain_start_time: hm(5, 0),
            run_aggregates: false,
            aggregate_schedule: cron("0 1"),
            aggregate_duration: hm(23, 0),
            run_update_stats: false,
            update_stats_schedule: cron("0/10 *"),
            run_export: false,
            export_schedule: cron("20 0/8"),
            on_demand_migration: false,
        }
    }
}

impl Schedule {
    /// Whether `minute_of_day` (0–1439, in `timezone`) lies inside the ETL window.
    pub fn in_etl_window(&self, minute_of_day: u16) -> bool {
        let start = self.etl_start_time.minutes() % 1440;
        let end = self.etl_end_time.minutes() % 1440;
        match start.cmp(&end) {
            std::cmp::Ordering::Equal => true,
            std::cmp::Ordering::Less => (start..end).contains(&minute_of_day),
            std::cmp::Ordering::Greater => minute_of_day >= start || minute_of_day < end,
        }
    }

    pub(crate) fn validate(&self, section: &str, report: &mut Report) {
        report.range(
            section,
            "etl-frequency",
            self.etl_frequency.into(),
            1,
            1440,
            " minutes",
        );
        let maintain = self.maintain_start_time.minutes() % 1440;
        if self.run_scheduler && self.run_maintain && self.in_etl_window(maintain) {
            report.error(
                format!("[{section}] maintain-start-time"),
                Some(super::error::shown(self.maintain_start_time.to_string())),
                format!(
                    "lies inside the ETL window {}–{}; allowed: a time outside the window \
                     (or `run-maintain = false`)",
                    self.etl_start_time, self.etl_end_time
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etl_window_crosses_midnight_when_end_is_before_start() {
        let schedule = Schedule::default();
        assert!(schedule.in_etl_window(6 * 60));
        assert!(schedule.in_etl_window(3 * 60));
        assert!(!schedule.in_etl_window(5 * 60 + 30));
        let continuous = Schedule {
            etl_end_time: schedule.etl_start_time,
            ..Schedule::default()
        };
        assert!(continuous.in_etl_window(5 * 60 + 30));
    }

    #[test]
    fn maintenance_inside_the_etl_window_is_refused_only_while_scheduling() {
        let errors = |schedule: &Schedule| {
            let mut report = Report::default();
            schedule.validate("schedule", &mut report);
            report.errors
        };
        let scheduled = Schedule {
            run_scheduler: true,
            ..Schedule::default()
        };
        assert!(errors(&scheduled).is_empty());
        let inside = Schedule {
            maintain_start_time: HourMinute::new(3, 0).unwrap(),
            ..scheduled.clone()
        };
        assert!(errors(&Schedule {
            run_scheduler: false,
            ..inside.clone()
        })
        .is_empty());
        assert!(errors(&Schedule {
            run_maintain: false,
            ..inside.clone()
        })
        .is_empty());
        let found = errors(&inside);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].location, "[schedule] maintain-start-time");
        assert!(found[0]
            .message
            .contains("inside the ETL window 06:00–05:00"));
    }
}
