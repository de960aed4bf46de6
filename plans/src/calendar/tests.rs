use chrono::NaiveDate;

use super::*;

fn key(y: i32, m: u32, d: u32, h: u32, mi: u32) -> i64 {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, mi, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

#[test]
fn date_time_key_truncates_to_quarter_hour() {
    assert_eq!(date_time_key(1_700_000_123), 1_700_000_100);
    assert_eq!(date_time_key(900), 900);
    assert_eq!(date_time_key(899), 0);
}

#[test]
fn gmt_day_has_96_rows_sharing_the_day_key() {
    let rules = CalendarRules::default();
    let rows = calendar_rows(&rules, key(2026, 3, 4, 0, 0), key(2026, 3, 5, 0, 0));
    assert_eq!(rows.len(), 96);
    assert!(rows.iter().all(|r| r.rollups[2] == key(2026, 3, 4, 0, 0)));
    let r = &rows[5]; // 01:15
    assert_eq!(r.rollups[0], key(2026, 3, 4, 1, 0));
    assert_eq!(r.rollups[1], key(2026, 3, 4, 1, 0));
    assert_eq!(r.rollups[4], key(2026, 3, 1, 0, 0));
    assert_eq!(r.rollups[5], key(2026, 1, 1, 0, 0));
    assert_eq!(r.rollups[6], key(2026, 1, 1, 0, 0));
    // 2026-03-04 is a Wednesday; weeks start on Sunday 2026-03-01.
    assert_eq!(r.rollups[3], key(2026, 3, 1, 0, 0));
}

#[test]
fn local_zone_rollups_follow_local_midnight_and_dst() {
    let rules = CalendarRules {
        time_zone: chrono_tz::Europe::Berlin,
        ..CalendarRules::default()
    };
    // Spring forward on 2026-03-29: the local day has 92 quarter-hours.
    let day_key = key(2026, 3, 28, 23, 0); // local midnight 29 March = 23:00 UTC on the 28th
    let rows = calendar_rows(&rules, key(2026, 3, 28, 0, 0), key(2026, 3, 31, 0, 0));
    let n = rows.iter().filter(|r| r.rollups[2] == day_key).count();
    assert_eq!(n, 92);
    // Fall back on 2026-10-25: 100 quarter-hours.
    let rows = calendar_rows(&rules, key(2026, 10, 24, 0, 0), key(2026, 10, 27, 0, 0));
    let fall_day = key(2026, 10, 24, 22, 0);
    assert_eq!(
        rows.iter().filter(|r| r.rollups[2] == fall_day).count(),
        100
    );
}

#[test]
fn simple_week_rules_start_week_one_on_january_first() {
    let rules = CalendarRules::default();
    // 2026-01-01 is a Thursday: week 1 runs Thu–Sat, week 2 starts Sunday 4 January.
    let (w, y, start) = week_of(&rules, NaiveDate::from_ymd_opt(2026, 1, 3).unwrap());
    assert_eq!(
        (w, y, start),
        (1, 2026, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
    );
    let (w, _, start) = week_of(&rules, NaiveDate::from_ymd_opt(2026, 1, 4).unwrap());
    assert_eq!(
        (w, start),
        (2, NaiveDate::from_ymd_opt(2026, 1, 4).unwrap())
    );
}

#[test]
fn iso_like_week_rules_match_iso_8601() {
    let rules = CalendarRules {
        first_day_of_week: 2,
        simple_week_1_rules: false,
        minimal_days_in_first_week: 4,
        ..CalendarRules::default()
    };
    for (y, m, d) in [
        (2026, 1, 1),
        (2027, 1, 1),
        (2024, 12, 30),
        (2026, 11, 28),
        (2021, 1, 3),
    ] {
        let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let iso = date.iso_week();
        let (w, wy, _) = week_of(&rules, date);
        assert_eq!((w, wy), (iso.week(), iso.year()), "{date}");
    }
}

#[test]
fn sentinel_row_is_its_own_rollup() {
    let row = sentinel_row(&CalendarRules::default());
    assert_eq!(row.key, 2_145_916_800);
    assert_eq!(row.rollups, [2_145_916_800; 7]);
}

#[test]
fn fingerprint_changes_with_structural_options() {
    let a = CalendarRules::default();
    let b = CalendarRules {
        first_day_of_week: 2,
        ..a.clone()
    };
    assert_ne!(a.fingerprint(), b.fingerprint());
    assert_eq!(a.fingerprint(), CalendarRules::default().fingerprint());
}
