//! The closing report of a run: rows, bytes, windows and speed per table, then totals.

use std::collections::BTreeMap;

use super::merge_stage::MergeReport;
use super::task::TableReport;
use super::JobOutcome;

/// The job outcome of a run with its summary lines.
pub fn outcome(reports: &[TableReport], delayed: &[String], merged: &MergeReport) -> JobOutcome {
    let mut outcome = JobOutcome::default();
    let mut folders: BTreeMap<&str, (u64, u64, u64, f64)> = BTreeMap::new();
    for r in reports {
        let entry = folders.entry(r.folder.as_str()).or_default();
        entry.0 += r.rows;
        entry.1 += r.bytes;
        entry.2 += r.windows;
        entry.3 = entry.3.max(r.seconds);
    }
    outcome.say(format!(
        "{:<34} {:>10} {:>12} {:>8} {:>12}",
        "GIDB folder", "rows", "bytes", "windows", "rows/s"
    ));
    for (folder, (rows, bytes, windows, seconds)) in &folders {
        if *windows == 0 {
            continue;
        }
        outcome.say(format!(
            "{folder:<34} {rows:>10} {bytes:>12} {windows:>8} {:>12.0}",
            *rows as f64 / seconds.max(1e-3)
        ));
    }
    let rows: u64 = reports.iter().map(|r| r.rows).sum();
    let bytes: u64 = reports.iter().map(|r| r.bytes).sum();
    let windows: u64 = reports.iter().map(|r| r.windows).sum();
    outcome.say(format!(
        "total: {rows} rows, {bytes} bytes, {windows} windows over {} tables and sources",
        reports.len()
    ));
    if let Some(horizon) = merged.horizon {
        outcome.say(format!(
            "voice merge up to {}: {} interactions ({} partially merged) from {} calls; {} calls waiting",
            super::format_time(horizon),
            merged.interactions,
            merged.partially_merged,
            merged.emitted_calls,
            merged.waiting_calls
        ));
    }
    for r in reports {
        for warning in &r.warnings {
            outcome.say(format!("warning: {warning}"));
        }
    }
    for message in delayed {
        outcome.say(format!("warning: {message}"));
    }
    outcome.row_count = rows as i64;
    outcome.changed = windows > 0;
    outcome
}
