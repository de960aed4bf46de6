//! The scheduling rules as pure functions of the `[schedule]` options and the time: when
//! an ETL cycle, maintenance, aggregation, statistics and export are due, and which
//! running job keeps another from starting. No I/O, so every rule is tested directly.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::config::{CronSchedule, HourMinute, Schedule};
use crate::jobs::names;

/// A time of `schedule`'s zone as the minute of its local day (0–1439).
pub fn local_minute_of_day(schedule: &Schedule, now: DateTime<Utc>) -> u16 {
    let local = now.with_timezone(&schedule.timezone.tz());
    (local.hour() * 60 + local.minute()) as u16
}

/// Whether a CRON expression fires in the interval `(after, until]`, read in `zone`.
pub fn fires_between(
    cron: &CronSchedule,
    zone: Tz,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> bool {
    next_fire(cron, zone, after).is_some_and(|fire| fire <= until)
}

/// The first fire time of a CRON expression strictly after `after`, read in `zone`.
pub fn next_fire(cron: &CronSchedule, zone: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    cron.next_after(&after.with_timezone(&zone))
        .map(|fire| fire.with_timezone(&Utc))
}

/// The daily `HH:mm` launch time as a CRON expression (`24:00` is midnight).
pub fn daily(time: HourMinute) -> CronSchedule {
    let minutes = time.minutes() % 1440;
    format!("{} {}", minutes % 60, minutes / 60)
        .parse()
        .expect("an HH:mm time is a valid two-field CRON")
}

/// Whether an ETL cycle may start at `now`: inside the ETL window and at least
/// `etl-frequency` minutes after the start of the previous cycle. The caller also checks
/// that the previous cycle has ended (cycles never overlap), so a cycle that ran longer
/// than the frequency is followed at once.
pub fn etl_cycle_due(
    schedule: &Schedule,
    now: DateTime<Utc>,
    last_cycle_start: Option<DateTime<Utc>>,
) -> bool {
    schedule.in_etl_window(local_minute_of_day(schedule, now))
        && last_cycle_start.is_none_or(|last| now >= next_cycle_start(schedule, last))
}

/// When the cycle after one started at `last` may start.
pub fn next_cycle_start(schedule: &Schedule, last: DateTime<Utc>) -> DateTime<Utc> {
    last + Duration::minutes(schedule.etl_frequency.into())
}

/// A local wall-clock time resolved in `zone`: a time skipped by a DST change moves to
/// the first minute after the gap, a repeated time is its first occurrence.
pub fn resolve_local(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    loop {
        if let Some(first) = zone.from_local_datetime(&probe).earliest() {
            return first.with_timezone(&Utc);
        }
        probe = (probe + Duration::minutes(1))
            .with_second(0)
            .expect("second 0 exists");
    }
}

/// The end of the aggregation window `now` lies in, or `None` outside every window.
///
/// A window opens at each `aggregate-schedule` fire time and lasts `aggregate-duration`
/// of wall-clock time in `timezone` (so `0 0` with `24:00` is continuous on DST change
/// days too); overlapping windows merge.
pub fn aggregate_window_end(schedule: &Schedule, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let zone = schedule.timezone.tz();
    let duration = Duration::minutes(schedule.aggregate_duration.minutes().into());
    // A window lasts at most 24 h of wall-clock time, which is at most 25 h of real time.
    let mut after = now - Duration::hours(26);
    let mut end: Option<DateTime<Utc>> = None;
    while let Some(fire) = next_fire(&schedule.aggregate_schedule, zone, after) {
        if fire > now {
            break;
        }
        let closes = resolve_local(zone, fire.with_timezone(&zone).naive_local() + duration);
        end = end.max(Some(closes));
        after = fire;
    }
    end.filter(|end| *end > now)
}

/// The running job among `running` that keeps `job` from starting now, if any
/// (operations.md §1.1 concurrency rules, §8.1 locks, Operations Guide "Job sequencing
/// rules"):
///
/// * Job_InitializeGIM and Job_MigrateGIM run alone.
/// * Job_MaintainGIM waits for extract, transform and export, but not for statistics.
/// * While Job_MaintainGIM runs, extract, transform, export and statistics wait.
/// * Aggregation runs beside everything else.
pub fn blocker<'a>(job: &str, running: &[&'a str]) -> Option<&'a str> {
    const MAINTENANCE_WAITS_FOR: [&str; 3] = [names::EXTRACT, names::TRANSFORM, names::EXPORT];
    let alone = |name: &str| name == names::INITIALIZE || name == names::MIGRATE;
    running.iter().copied().find(|other| {
        alone(job)
            || alone(other)
            || (job == names::MAINTAIN && MAINTENANCE_WAITS_FOR.contains(other))
            || (*other == names::MAINTAIN
                && (job == names::UPDATE_STATS || MAINTENANCE_WAITS_FOR.contains(&job)))
    })
}
