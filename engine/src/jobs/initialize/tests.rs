use chrono::NaiveDate;

use super::partition_ranges;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn daily_partitions_cover_start_to_horizon_inclusive() {
    let plan = partition_ranges(day(2026, 11, 20), day(2026, 11, 28), 14, 86_400);
    // 20 Nov … 12 Dec inclusive = 23 days.
    assert_eq!(plan.ranges.len(), 23);
    let first = day(2026, 11, 20)
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    assert_eq!(plan.ranges[0], (first, first + 86_400));
    assert!(plan.ranges.windows(2).all(|w| w[0].1 == w[1].0));
}

#[test]
fn wide_partitions_align_to_multiples_of_the_width() {
    let width = 2_592_000; // 30 days
    let plan = partition_ranges(day(2026, 11, 28), day(2026, 11, 28), 14, width);
    assert!(plan
        .ranges
        .iter()
        .all(|(lo, hi)| lo % width == 0 && hi - lo == width));
    let start = day(2026, 11, 28)
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    assert!(plan.ranges[0].0 <= start && start < plan.ranges[0].1);
    let end = day(2026, 12, 13)
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    assert!(plan.ranges.last().unwrap().1 >= end);
}
