//! What one timed stage cost the process: wall time, CPU time of all its threads and peak
//! resident memory, read from `/proc/self`; and the throughput of rows and bytes over it.

use std::sync::OnceLock;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::spans::{self, SpanTime};

/// Bytes per MB in every figure.
pub const MB: f64 = 1_000_000.0;

/// Cost of one stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StageCost {
    /// Stage name (a job name or a baseline).
    pub stage: String,
    /// Wall-clock seconds.
    pub wall_s: f64,
    /// User + system CPU seconds of the whole process (every thread).
    pub cpu_s: f64,
    /// Peak resident set during the stage, MB (VmHWM; reset at the start of the stage
    /// when the kernel allows it, otherwise the peak since the process started).
    pub peak_rss_mb: f64,
    /// Resident set when the stage started, MB (VmRSS): what earlier stages left resident,
    /// which the peak includes.
    pub start_rss_mb: f64,
    /// Where the time went: Tidemark's spans during the stage, busiest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spans: Vec<SpanTime>,
}

/// Rows and bytes over a wall time.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Throughput {
    /// Rows.
    pub rows: u64,
    /// Bytes of the binary COPY stream of those rows.
    pub copy_bytes: u64,
    /// Seconds.
    pub wall_s: f64,
    /// Rows per second.
    pub rows_per_s: f64,
    /// COPY-stream MB (10^6 bytes) per second.
    pub mb_per_s: f64,
}

impl Throughput {
    /// The throughput of `rows` and `copy_bytes` in `wall_s`.
    pub fn new(rows: u64, copy_bytes: u64, wall_s: f64) -> Self {
        let secs = wall_s.max(1e-9);
        Self {
            rows,
            copy_bytes,
            wall_s,
            rows_per_s: rows as f64 / secs,
            mb_per_s: copy_bytes as f64 / MB / secs,
        }
    }
}

/// A stage being timed.
pub struct Probe {
    stage: String,
    started: Instant,
    cpu_at_start: f64,
    rss_at_start_kb: u64,
}

impl Probe {
    /// Starts timing `stage` and resets the peak resident set and the span times.
    pub fn start(stage: &str) -> Self {
        reset_peak_rss();
        spans::reset();
        Self {
            stage: stage.to_string(),
            started: Instant::now(),
            cpu_at_start: cpu_seconds(),
            rss_at_start_kb: status_kb("VmRSS:"),
        }
    }

    /// Stops timing.
    pub fn finish(self) -> StageCost {
        StageCost {
            stage: self.stage,
            wall_s: self.started.elapsed().as_secs_f64(),
            cpu_s: (cpu_seconds() - self.cpu_at_start).max(0.0),
            peak_rss_mb: peak_rss_kb() as f64 / 1024.0,
            start_rss_mb: self.rss_at_start_kb as f64 / 1024.0,
            spans: spans::take(),
        }
    }
}

/// User + system CPU seconds consumed so far by every thread of the process
/// (`/proc/self/stat` fields 14 and 15); 0 where `/proc` is unavailable.
pub fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // The command name (field 2) may hold spaces; the fields after it are plain numbers.
    let Some(after_name) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
        return 0.0;
    };
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // Field 3 (state) is index 0 here, so utime (14) and stime (15) are 11 and 12.
    (ticks(11) + ticks(12)) as f64 / clock_ticks_per_second()
}

/// Peak resident set of the process in kB (`VmHWM`); 0 where `/proc` is unavailable.
pub fn peak_rss_kb() -> u64 {
    status_kb("VmHWM:")
}

/// The kB figure of `field` in `/proc/self/status`; 0 where `/proc` is unavailable.
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Resets `VmHWM` to the current resident set, so the next reading is the peak of one
/// stage. Best effort: older kernels and some sandboxes refuse it.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// `CLK_TCK`, the unit of the `/proc` CPU counters (100 on every common Linux).
fn clock_ticks_per_second() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|t| *t > 0.0)
            .unwrap_or(100.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_stage_costs_cpu_and_memory() {
        let probe = Probe::start("spin");
        let mut x = 0u64;
        let until = Instant::now() + std::time::Duration::from_millis(200);
        while Instant::now() < until {
            x = x.wrapping_mul(31).wrapping_add(7);
        }
        let cost = probe.finish();
        assert!(x != 1);
        assert!(cost.wall_s >= 0.2);
        assert!(cost.cpu_s > 0.0);
        assert!(cost.peak_rss_mb > 0.0);
    }
}
