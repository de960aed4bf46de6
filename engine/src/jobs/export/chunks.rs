//! Export chunking (operations.md §3.3): which committed audit keys the run may export and
//! how they fall into chunks of `chunk-size-seconds` of commit time.
//!
//! * Safe keys: walking keys above the last exported one in order, a missing key younger
//!   than [`IN_FLIGHT_SECONDS`] (judged by the commit time of the key after it) may still be
//!   committing, so nothing from there on is exported; an older gap counts as rolled back.
//! * Chunks: contiguous key ranges. A chunk closes just before the first key whose running
//!   maximum of INSERTED reaches the next multiple of the chunk size since the epoch; the
//!   last, still-open window is exported only once its end has passed.

/// A gap in the audit keys younger than this (seconds) may be a transaction still
/// committing.
pub const IN_FLIGHT_SECONDS: i64 = 600;

/// One committed audit row: its key and commit time (epoch seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditRow {
    /// AUDIT_KEY.
    pub key: i64,
    /// INSERTED, epoch seconds.
    pub inserted: i64,
}

/// One chunk to export: audit keys `(low, high]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedChunk {
    /// Exclusive lower key.
    pub low: i64,
    /// Inclusive upper key.
    pub high: i64,
    /// Smallest INSERTED of the chunk.
    pub low_ts: i64,
    /// Largest INSERTED of the chunk and every earlier one (the folder name's time).
    pub high_ts: i64,
}

/// What the run may export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChunkPlan {
    /// Chunks in order.
    pub chunks: Vec<PlannedChunk>,
    /// Why keys after the last chunk wait, if any do.
    pub waiting: Option<String>,
}

/// Plans the chunks after `exported` (the last exported high key) from the audit rows with
/// greater keys in ascending order. `carried_ts` is the previous chunk's data time, `now`
/// the current time, `size` the chunk width in seconds.
pub fn plan(
    exported: i64,
    carried_ts: Option<i64>,
    rows: &[AuditRow],
    now: i64,
    size: i64,
) -> ChunkPlan {
    let size = size.max(1);
    let mut plan = ChunkPlan::default();
    let mut expected = exported + 1;
    let mut safe = rows.len();
    for (i, row) in rows.iter().enumerate() {
        if row.key > expected && now - row.inserted < IN_FLIGHT_SECONDS {
            safe = i;
            plan.waiting = Some(format!(
                "audit key {expected} is not committed yet (key {} committed {} s ago)",
                row.key,
                now - row.inserted
            ));
            break;
        }
        expected = row.key + 1;
    }
    let mut carried = carried_ts.unwrap_or(i64::MIN);
    let mut low = exported;
    let mut current: Option<(i64, PlannedChunk)> = None;
    for row in &rows[..safe] {
        let running = carried.max(row.inserted);
        let window = running.div_euclid(size);
        match current.as_mut() {
            Some((w, chunk)) if *w == window => {
                chunk.high = row.key;
                chunk.low_ts = chunk.low_ts.min(row.inserted);
                chunk.high_ts = running;
            }
            _ => {
                if let Some((_, done)) = current.take() {
                    low = done.high;
                    plan.chunks.push(done);
                }
                current = Some((
                    window,
                    PlannedChunk {
                        low,
                        high: row.key,
                        low_ts: row.inserted,
                        high_ts: running,
                    },
                ));
            }
        }
        carried = running;
    }
    if let Some((window, open)) = current {
        let ends = (window + 1) * size;
        if now >= ends {
            plan.chunks.push(open);
        } else if plan.waiting.is_none() {
            plan.waiting = Some(format!(
                "the current window ends in {} s (chunk-size-seconds {size})",
                ends - now
            ));
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(spec: &[(i64, i64)]) -> Vec<AuditRow> {
        spec.iter()
            .map(|&(key, inserted)| AuditRow { key, inserted })
            .collect()
    }

    #[test]
    fn keys_split_at_aligned_windows_and_the_open_window_waits() {
        let audit = rows(&[(5, 3_600), (6, 3_700), (7, 7_200), (8, 7_300), (9, 10_900)]);
        let plan = plan(4, None, &audit, 11_000, 3_600);
        assert_eq!(
            plan.chunks,
            [
                PlannedChunk {
                    low: 4,
                    high: 6,
                    low_ts: 3_600,
                    high_ts: 3_700
                },
                PlannedChunk {
                    low: 6,
                    high: 8,
                    low_ts: 7_200,
                    high_ts: 7_300
                },
            ]
        );
        assert!(plan.waiting.expect("open window").contains("ends in"));
        let later = super::plan(4, None, &audit, 14_400, 3_600);
        assert_eq!(later.chunks.len(), 3);
        assert_eq!(
            later.chunks[2],
            PlannedChunk {
                low: 8,
                high: 9,
                low_ts: 10_900,
                high_ts: 10_900
            }
        );
    }

    #[test]
    fn the_data_time_is_carried_forward() {
        let audit = rows(&[(2, 100), (3, 50)]);
        let plan = plan(1, Some(200), &audit, 10_000, 3_600);
        assert_eq!(
            plan.chunks,
            [PlannedChunk {
                low: 1,
                high: 3,
                low_ts: 50,
                high_ts: 200
            }]
        );
    }

    #[test]
    fn a_young_gap_stops_the_export_and_an_old_one_does_not() {
        let audit = rows(&[(2, 100), (4, 9_950), (5, 9_960)]);
        let plan = plan(1, None, &audit, 10_000, 3_600);
        assert_eq!(
            plan.chunks,
            [PlannedChunk {
                low: 1,
                high: 2,
                low_ts: 100,
                high_ts: 100
            }]
        );
        assert!(plan.waiting.expect("gap").contains("audit key 3"));
        let old = super::plan(1, None, &audit, 20_000, 3_600);
        assert_eq!(old.chunks.len(), 2);
        assert_eq!(old.chunks[1].high, 5);
    }
}
