//! The scheduling rules at chosen times: ETL window and frequency, DST days, the aggregation
//! window, the daily maintenance time, job exclusions, and the CTL_JOB_SCHEDULE view.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::job_schedule::schedule_rows;
use super::rules::*;
use crate::config::Schedule;
use crate::jobs::names;

/// The UTC instant of a wall-clock time in `zone` (first occurrence).
fn local(zone: &str, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    let zone: Tz = zone.parse().unwrap();
    let naive = NaiveDate::from_ymd_opt(y, mo, d)
        .unwrap()
        .and_hms_opt(h, mi, 0)
        .unwrap();
    resolve_local(zone, naive)
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn schedule(toml: &str) -> Schedule {
    let text = format!("[infomart]\nurl = \"sqlite://unused.db\"\n\n[schedule]\n{toml}");
    crate::config::Config::from_toml_str(&text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .schedule
}

/// Every fire time of `cron` in `zone` within `(from, to]`, as local `HH:MM` text.
fn fires(cron: &str, zone: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    let cron = cron.parse().unwrap();
    let zone: Tz = zone.parse().unwrap();
    let mut found = Vec::new();
    let mut at = from;
    while let Some(fire) = next_fire(&cron, zone, at).filter(|f| *f <= to) {
        found.push(fire.with_timezone(&zone).format("%H:%M %Z").to_string());
        at = fire;
    }
    found
}

#[test]
fn etl_window_spanning_midnight_starts_cycles_late_evening_and_early_morning() {
    let s = schedule("etl-start-time = \"18:00\"\netl-end-time = \"06:00\"\netl-frequency = 30");
    assert!(etl_cycle_due(&s, utc(2024, 5, 1, 18, 0), None));
    assert!(etl_cycle_due(&s, utc(2024, 5, 1, 23, 59), None));
    assert!(etl_cycle_due(&s, utc(2024, 5, 2, 0, 0), None));
    assert!(etl_cycle_due(&s, utc(2024, 5, 2, 5, 59), None));
    assert!(!etl_cycle_due(&s, utc(2024, 5, 2, 6, 0), None));
    assert!(!etl_cycle_due(&s, utc(2024, 5, 2, 12, 0), None));
    assert!(!etl_cycle_due(&s, utc(2024, 5, 2, 17, 59), None));
}

#[test]
fn equal_start_and_end_is_a_whole_day_window() {
    let s = schedule("etl-start-time = \"04:00\"\netl-end-time = \"04:00\"");
    for hour in 0..24 {
        assert!(etl_cycle_due(&s, utc(2024, 5, 1, hour, 30), None), "{hour}");
    }
}

#[test]
fn etl_window_is_read_in_the_configured_zone_across_dst() {
    let s = schedule(
        "timezone = \"Europe/Paris\"\netl-start-time = \"06:00\"\netl-end-time = \"22:00\"",
    );
    // Winter: 06:00 Paris is 05:00 UTC; summer: 04:00 UTC.
    assert!(!etl_cycle_due(&s, utc(2024, 1, 15, 4, 59), None));
    assert!(etl_cycle_due(&s, utc(2024, 1, 15, 5, 0), None));
    assert!(etl_cycle_due(&s, utc(2024, 7, 15, 4, 0), None));
    assert!(!etl_cycle_due(&s, utc(2024, 7, 15, 20, 0), None));
}

#[test]
fn frequency_delays_a_short_cycle_and_lets_a_long_one_be_followed_at_once() {
    let s = schedule("etl-start-time = \"00:00\"\netl-end-time = \"00:00\"\netl-frequency = 15");
    let last = utc(2024, 5, 1, 10, 0);
    assert!(!etl_cycle_due(&s, utc(2024, 5, 1, 10, 14), Some(last)));
    assert!(etl_cycle_due(&s, utc(2024, 5, 1, 10, 15), Some(last)));
    // A cycle that took 40 minutes: the next may start the moment it ends.
    assert!(etl_cycle_due(&s, utc(2024, 5, 1, 10, 40), Some(last)));
    assert_eq!(next_cycle_start(&s, last), utc(2024, 5, 1, 10, 15));
}

#[test]
fn daily_maintenance_fires_once_a_day_at_its_local_time() {
    let s = schedule("timezone = \"America/New_York\"\nmaintain-start-time = \"05:30\"");
    let cron = daily(s.maintain_start_time);
    let zone = s.timezone.tz();
    let day_start = local("America/New_York", 2024, 5, 1, 0, 0);
    let next = next_fire(&cron, zone, day_start).unwrap();
    assert_eq!(next, local("America/New_York", 2024, 5, 1, 5, 30));
    assert!(fires_between(
        &cron,
        zone,
        next - chrono::Duration::minutes(1),
        next
    ));
    assert!(!fires_between(
        &cron,
        zone,
        next,
        next + chrono::Duration::hours(23)
    ));
    assert_eq!(daily("24:00".parse().unwrap()).as_str(), "0 0");
}

#[test]
fn cron_fire_times_on_the_paris_spring_forward_day() {
    // 2024-03-31: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist that day.
    let from = local("Europe/Paris", 2024, 3, 31, 0, 0);
    let to = local("Europe/Paris", 2024, 3, 31, 4, 0);
    assert_eq!(
        fires("30 *", "Europe/Paris", from, to),
        ["00:30 CET", "01:30 CET", "03:30 CEST"]
    );
    assert_eq!(
        fires(
            "30 2",
            "Europe/Paris",
            from,
            local("Europe/Paris", 2024, 4, 1, 4, 0)
        ),
        ["03:00 CEST", "02:30 CEST"],
        "a daily time inside the gap fires once, at the end of the gap"
    );
}

#[test]
fn cron_fire_times_on_the_new_york_fall_back_day() {
    // 2024-11-03: 02:00 EDT falls back to 01:00 EST; 01:30 happens twice.
    let from = local("America/New_York", 2024, 11, 3, 0, 0);
    let to = from + chrono::Duration::hours(4);
    assert_eq!(
        fires("30 1", "America/New_York", from, to),
        ["01:30 EDT"],
        "a repeated local time fires once"
    );
    assert_eq!(
        fires("0 *", "America/New_York", from, to),
        ["01:00 EDT", "01:00 EST", "02:00 EST", "03:00 EST"]
    );
}

#[test]
fn aggregation_window_follows_schedule_and_duration() {
    let s = schedule("aggregate-schedule = \"0 1\"\naggregate-duration = \"05:00\"");
    assert_eq!(aggregate_window_end(&s, utc(2024, 5, 1, 0, 59)), None);
    assert_eq!(
        aggregate_window_end(&s, utc(2024, 5, 1, 1, 0)),
        Some(utc(2024, 5, 1, 6, 0))
    );
    assert_eq!(
        aggregate_window_end(&s, utc(2024, 5, 1, 5, 59)),
        Some(utc(2024, 5, 1, 6, 0))
    );
    assert_eq!(aggregate_window_end(&s, utc(2024, 5, 1, 6, 0)), None);
    assert_eq!(aggregate_window_end(&s, utc(2024, 5, 1, 8, 0)), None);
}

#[test]
fn aggregation_window_spans_midnight_and_merges_overlaps() {
    let default = Schedule::default(); // `0 1` for 23:00: paused 00:00–01:00
    assert!(aggregate_window_end(&default, utc(2024, 5, 1, 23, 59)).is_some());
    assert_eq!(aggregate_window_end(&default, utc(2024, 5, 2, 0, 0)), None);
    assert_eq!(aggregate_window_end(&default, utc(2024, 5, 2, 0, 30)), None);
    let overlapping = schedule("aggregate-schedule = \"0 *\"\naggregate-duration = \"02:00\"");
    assert_eq!(
        aggregate_window_end(&overlapping, utc(2024, 5, 1, 10, 30)),
        Some(utc(2024, 5, 1, 12, 0))
    );
}

#[test]
fn continuous_aggregation_has_no_gap_on_dst_days() {
    let s = schedule(
        "timezone = \"Europe/Paris\"\naggregate-schedule = \"0 0\"\naggregate-duration = \"24:00\"",
    );
    for (month, day) in [(3, 30), (3, 31), (10, 27), (10, 26)] {
        for hour in 0..24 {
            let at = local("Europe/Paris", 2024, month, day, hour, 0);
            assert!(
                aggregate_window_end(&s, at).is_some(),
                "2024-{month}-{day} {hour}:00 Paris"
            );
        }
    }
    // On the 25-hour day the window ends at the next local midnight, not 24 h after start.
    assert_eq!(
        aggregate_window_end(&s, local("Europe/Paris", 2024, 10, 27, 12, 0)),
        Some(local("Europe/Paris", 2024, 10, 28, 0, 0))
    );
}

#[test]
fn maintenance_excludes_etl_and_export_but_not_statistics_or_aggregation() {
    assert_eq!(
        blocker(names::MAINTAIN, &[names::AGGREGATE, names::EXTRACT]),
        Some(names::EXTRACT)
    );
    assert_eq!(
        blocker(names::MAINTAIN, &[names::TRANSFORM]),
        Some(names::TRANSFORM)
    );
    assert_eq!(
        blocker(names::MAINTAIN, &[names::EXPORT]),
        Some(names::EXPORT)
    );
    assert_eq!(
        blocker(names::MAINTAIN, &[names::UPDATE_STATS, names::AGGREGATE]),
        None
    );
    for job in [
        names::EXTRACT,
        names::TRANSFORM,
        names::EXPORT,
        names::UPDATE_STATS,
    ] {
        assert_eq!(
            blocker(job, &[names::MAINTAIN]),
            Some(names::MAINTAIN),
            "{job}"
        );
    }
    assert_eq!(blocker(names::AGGREGATE, &[names::MAINTAIN]), None);
    assert_eq!(blocker(names::TRANSFORM, &[names::EXTRACT]), None);
    assert_eq!(
        blocker(names::EXPORT, &[names::EXTRACT, names::TRANSFORM]),
        None
    );
}

#[test]
fn initialization_and_migration_run_alone() {
    assert_eq!(
        blocker(names::EXTRACT, &[names::INITIALIZE]),
        Some(names::INITIALIZE)
    );
    assert_eq!(
        blocker(names::INITIALIZE, &[names::AGGREGATE]),
        Some(names::AGGREGATE)
    );
    assert_eq!(
        blocker(names::AGGREGATE, &[names::MIGRATE]),
        Some(names::MIGRATE)
    );
    assert_eq!(blocker(names::INITIALIZE, &[]), None);
}

#[test]
fn job_schedule_rows_show_enabled_jobs_and_their_next_launch() {
    let s = schedule(
        "run-scheduler = true\netl-start-time = \"06:00\"\netl-end-time = \"22:00\"\n\
         etl-frequency = 10\nmaintain-start-time = \"23:00\"\nrun-export = true",
    );
    let now = utc(2024, 5, 1, 21, 55);
    let rows = schedule_rows(&s, now, Some(utc(2024, 5, 1, 21, 50)));
    let row = |name: &str| rows.iter().find(|r| r.job_name == name).unwrap().clone();
    // 22:00 is outside the window: the next cycle waits for 06:00 the next day.
    assert_eq!(row(names::EXTRACT).next, Some(utc(2024, 5, 2, 6, 0)));
    assert_eq!(row(names::TRANSFORM).next, Some(utc(2024, 5, 2, 6, 0)));
    assert_eq!(row(names::MAINTAIN).next, Some(utc(2024, 5, 1, 23, 0)));
    assert_eq!(row(names::EXPORT).next, Some(utc(2024, 5, 2, 0, 20)));
    assert!(!row(names::AGGREGATE).enabled);
    assert_eq!(row(names::AGGREGATE).next, None);
    let early = schedule_rows(&s, utc(2024, 5, 1, 12, 0), Some(utc(2024, 5, 1, 11, 58)));
    assert_eq!(early[0].next, Some(utc(2024, 5, 1, 12, 8)));
    let paused = schedule_rows(&Schedule::default(), now, None);
    assert!(paused.iter().all(|r| !r.enabled && r.next.is_none()));
}
