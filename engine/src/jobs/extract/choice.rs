//! Which IDB of an HA set supplies a window, and how far a data source is complete
//! (idb.md §5.2, §5.5). Pure functions of the session information, so a re-run decides
//! the same way.

use super::sessions::{Coverage, SetSessions, SourceId};

/// What extraction may read for one data source and provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Availability {
    /// Data is complete up to here (epoch seconds) in at least one IDB.
    pub bound: i64,
    /// Whether that bound is held back by a closed session with no successor.
    pub waiting_for_session: bool,
}

/// Limits that do not depend on the sessions.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// Now, epoch seconds.
    pub now: i64,
    /// `max-time-deviation`.
    pub max_time_deviation: i64,
    /// `extract-data-stuck-threshold`.
    pub stuck_threshold: i64,
}

impl Clock {
    /// The newest time extraction ever reads up to.
    pub fn horizon(self) -> i64 {
        self.now - self.max_time_deviation
    }
}

/// How far `source` is complete for `provider` in the set: an open session makes data
/// complete up to now − `max-time-deviation`; a closed session with no successor holds the
/// source at its end until the stuck threshold has passed, after which the source counts as
/// idle (idle sources advance to the horizon).
pub fn availability(
    set: &SetSessions,
    source: SourceId,
    provider: &str,
    clock: Clock,
) -> Availability {
    let mut best: Option<Availability> = None;
    for idb in 0..set.per_idb.len() {
        let coverage = Coverage::of(set.of(idb, source, provider));
        let Some(_) = coverage.first_start() else {
            continue;
        };
        let here = match coverage.last_end() {
            _ if coverage.is_open() => Availability {
                bound: clock.horizon(),
                waiting_for_session: false,
            },
            Some(end) if clock.now - end > clock.stuck_threshold => Availability {
                bound: clock.horizon(),
                waiting_for_session: false,
            },
            Some(end) => Availability {
                bound: end.min(clock.horizon()),
                waiting_for_session: true,
            },
            None => continue,
        };
        if best.is_none_or(|b| here.bound > b.bound) {
            best = Some(here);
        }
    }
    best.unwrap_or(Availability {
        bound: i64::MIN,
        waiting_for_session: true,
    })
}

/// The IDB chosen for a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// Index of the IDB in the set.
    pub idb: usize,
    /// The window may end no later than this: the chosen IDB covers `(lo, until]`.
    pub until: i64,
    /// ICON_DBID of the chosen IDB.
    pub icon_dbid: i32,
    /// DSS_ID of the session covering the window's end.
    pub dss_id: i64,
}

/// Chooses the IDB for the window starting after `lo` and wanting to end at `hi`: the one
/// covering `(lo − lookback, hi]` (the lookback makes a voice call's whole lifetime
/// covered), preferring the IDB that supplied the previous window, then the one covering
/// furthest. `None` when no IDB covers `lo + 1`: the period is a gap in every IDB.
pub fn choose(
    set: &SetSessions,
    source: SourceId,
    provider: &str,
    lo: i64,
    hi: i64,
    lookback: i64,
    previous_icon_dbid: Option<i32>,
) -> Option<Choice> {
    let group_start = set.group_start(source, provider)?;
    let mut candidates: Vec<Choice> = Vec::new();
    for idb in 0..set.per_idb.len() {
        let sessions: Vec<_> = set.of(idb, source, provider).collect();
        let Some(first) = sessions.first() else {
            continue;
        };
        let until =
            Coverage::of(sessions.iter().copied()).covered_until(lo - lookback, group_start);
        if until <= lo {
            continue;
        }
        let end = hi.min(until);
        let dss_id = sessions
            .iter()
            .filter(|s| s.start <= end)
            .max_by_key(|s| s.start)
            .unwrap_or(first)
            .dss_id;
        candidates.push(Choice {
            idb,
            until,
            icon_dbid: first.icon_dbid,
            dss_id,
        });
    }
    let covers_all = |c: &Choice| c.until >= hi;
    let previous = |c: &Choice| Some(c.icon_dbid) == previous_icon_dbid;
    candidates
        .iter()
        .find(|c| covers_all(c) && previous(c))
        .or_else(|| candidates.iter().find(|c| covers_all(c)))
        .or_else(|| {
            candidates
                .iter()
                .max_by_key(|c| (c.until, previous(c), std::cmp::Reverse(c.idb)))
        })
        .copied()
}

/// The IDB to take a gap from once the stuck threshold has passed: the one whose next
/// session starts first (least uncovered time), with the end of the window to skip.
pub fn least_uncovered(
    set: &SetSessions,
    source: SourceId,
    provider: &str,
    lo: i64,
) -> Option<(usize, i64)> {
    (0..set.per_idb.len())
        .filter_map(|idb| {
            Coverage::of(set.of(idb, source, provider))
                .next_start_after(lo)
                .map(|start| (idb, start))
        })
        .min_by_key(|(idb, start)| (*start, *idb))
}

#[cfg(test)]
mod tests {
    use super::super::sessions::Session;
    use super::*;

    const SOURCE: SourceId = SourceId {
        ds_type: 1,
        ds_dbid: 201,
    };

    fn session(icon: i32, dss: i64, start: i64, end: Option<i64>) -> Session {
        Session {
            provider: "GCC",
            dss_id: dss,
            icon_dbid: icon,
            source: SOURCE,
            switch_dbid: Some(11),
            start,
            end,
        }
    }

    /// IDB 0 (ICON 10) has a gap from 1000 to 2000; IDB 1 (ICON 20) is continuous.
    fn ha_pair() -> SetSessions {
        SetSessions {
            per_idb: vec![
                vec![session(10, 1, 0, Some(1000)), session(10, 2, 2000, None)],
                vec![session(20, 7, 0, None)],
            ],
        }
    }

    #[test]
    fn the_previous_idb_is_kept_while_it_covers_and_the_partner_fills_its_gap() {
        let set = ha_pair();
        let first = choose(&set, SOURCE, "GCC", 0, 900, 0, Some(10)).unwrap();
        assert_eq!((first.idb, first.icon_dbid, first.dss_id), (0, 10, 1));
        let across = choose(&set, SOURCE, "GCC", 900, 1800, 0, Some(10)).unwrap();
        assert_eq!((across.idb, across.icon_dbid, across.dss_id), (1, 20, 7));
        let after = choose(&set, SOURCE, "GCC", 2100, 3000, 0, Some(20)).unwrap();
        assert_eq!(after.idb, 1, "stays on the partner while it covers");
        let lookback = choose(&set, SOURCE, "GCC", 2100, 3000, 3600, Some(10)).unwrap();
        assert_eq!(
            lookback.idb, 1,
            "a call ending after the gap may have started in it"
        );
    }

    #[test]
    fn a_gap_in_every_idb_has_no_choice_until_the_stuck_threshold() {
        let set = SetSessions {
            per_idb: vec![
                vec![session(10, 1, 0, Some(1000)), session(10, 2, 2000, None)],
                vec![session(20, 7, 0, Some(1200)), session(20, 8, 1500, None)],
            ],
        };
        assert_eq!(choose(&set, SOURCE, "GCC", 1300, 2000, 0, None), None);
        let partial = choose(&set, SOURCE, "GCC", 900, 1800, 0, Some(10)).unwrap();
        assert_eq!((partial.idb, partial.until), (1, 1200));
        assert_eq!(least_uncovered(&set, SOURCE, "GCC", 1300), Some((1, 1500)));
    }

    #[test]
    fn a_closed_session_holds_the_bound_until_the_stuck_threshold() {
        let set = SetSessions {
            per_idb: vec![vec![session(10, 1, 0, Some(5000))]],
        };
        let clock = Clock {
            now: 6000,
            max_time_deviation: 30,
            stuck_threshold: 28_860,
        };
        let held = availability(&set, SOURCE, "GCC", clock);
        assert_eq!(
            held,
            Availability {
                bound: 5000,
                waiting_for_session: true
            }
        );
        let later = Clock {
            now: 40_000,
            ..clock
        };
        assert_eq!(availability(&set, SOURCE, "GCC", later).bound, 39_970);
        let open = ha_pair();
        assert_eq!(availability(&open, SOURCE, "GCC", clock).bound, 5970);
    }
}
