//! ICON session information (idb.md §5.5): which original data sources an IDB holds, the
//! G_DSS_<provider>_PROVIDER sessions that stamped their rows, and which periods each IDB
//! covers without a gap.

use std::collections::BTreeMap;

use tidemark_schemas::{Domain, TableDef};
use tidemark_sinks::database::SqlValue;

use crate::sources::idb::{Idb, SourceError};

/// The ICON providers whose session tables extraction reads (idb.md §2.6).
pub const PROVIDERS: [&str; 5] = ["CFG", "GCC", "GUD", "GLS", "GOS"];

/// The provider whose sessions stamp GSYS_DOMAIN of `table`'s rows: `CFG` for
/// configuration, `GOS` for outbound, `GLS` for agent activity, `GUD` for attached data and
/// `GCC` for interactions.
pub fn provider_of(table: &TableDef) -> &'static str {
    let name = table.name.as_str();
    if name.starts_with("GC_") || name.starts_with("GCX_") {
        "CFG"
    } else if name.starts_with("GO_") || name.starts_with("GOX_") {
        "GOS"
    } else if matches!(
        name,
        "G_LOGIN_SESSION"
            | "GX_SESSION_ENDPOINT"
            | "G_AGENT_STATE_HISTORY"
            | "G_AGENT_STATE_RC"
            | "G_DND_HISTORY"
    ) {
        "GLS"
    } else if name.contains("USERDATA") || name.contains("CUSTOM_DATA") {
        "GUD"
    } else {
        "GCC"
    }
}

/// An original data source: the application whose events ICON stored, identified by its
/// type and the DBID of the primary server of its HA pair (shared by the IDBs of an HA set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId {
    /// DS_TYPE: 1 T-Server, 2 Interaction Server, 3 OCS, 4 Configuration Server.
    pub ds_type: i32,
    /// DBID of the (primary) data source application.
    pub ds_dbid: i32,
}

impl SourceId {
    /// The domain whose tables this source delivers.
    pub fn domain(self) -> Option<Domain> {
        match self.ds_type {
            1 => Some(Domain::Core),
            2 => Some(Domain::Mm),
            3 => Some(Domain::Ocs),
            4 => Some(Domain::Cfg),
            _ => None,
        }
    }

    /// Display name (`T-Server 201`).
    pub fn describe(self) -> String {
        let kind = match self.ds_type {
            1 => "T-Server",
            2 => "Interaction Server",
            3 => "OCS",
            4 => "Configuration Server",
            _ => "data source",
        };
        format!("{kind} {}", self.ds_dbid)
    }
}

/// One data source session of one provider in one IDB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Provider tag of the session table (`GCC`).
    pub provider: &'static str,
    /// DSS_ID: the GSYS_DOMAIN value of the rows it stamped.
    pub dss_id: i64,
    /// The ICON that wrote the IDB.
    pub icon_dbid: i32,
    /// The original data source.
    pub source: SourceId,
    /// Switch DBID of a T-Server source.
    pub switch_dbid: Option<i32>,
    /// Start of coverage: first stored event, or the connection time before any event.
    pub start: i64,
    /// End of coverage: the earlier of data-source disconnection and ICON shutdown; `None`
    /// while the session is open.
    pub end: Option<i64>,
}

/// Reads every provider's sessions from an IDB.
pub async fn read_sessions(idb: &Idb) -> Result<Vec<Session>, SourceError> {
    let mut sessions = Vec::new();
    for provider in PROVIDERS {
        let rows = idb
            .query(&format!(
                "select dss_id, icon_dbid, ds_dbid, ds_dbid_prim, ds2_dbid, ds_type, fevent_itime, \
                 dsconn_stime, dsconn_etime, icon_etime from g_dss_{}_provider",
                provider.to_ascii_lowercase()
            ))
            .await?;
        for row in rows {
            let int = |i: usize| row[i].as_i64();
            let (Some(dss_id), Some(icon_dbid), Some(ds_type)) = (int(0), int(1), int(5)) else {
                continue;
            };
            let Some(ds_dbid) = int(3).filter(|&p| p > 0).or(int(2)) else {
                continue;
            };
            let Some(start) = epoch(&row[6]).or(epoch(&row[7])) else {
                continue;
            };
            let end = match (epoch(&row[8]), epoch(&row[9])) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            sessions.push(Session {
                provider,
                dss_id,
                icon_dbid: icon_dbid as i32,
                source: SourceId {
                    ds_type: ds_type as i32,
                    ds_dbid: ds_dbid as i32,
                },
                switch_dbid: int(4).map(|v| v as i32),
                start,
                end,
            });
        }
    }
    Ok(sessions)
}

fn epoch(value: &SqlValue) -> Option<i64> {
    match value {
        SqlValue::Timestamp(t) => Some(t.and_utc().timestamp()),
        _ => None,
    }
}

/// The periods one IDB covers for one source and provider: its sessions merged into
/// gap-free intervals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Closed intervals `[start, end]` in epoch seconds, sorted, not touching; the last one
    /// may be open (`None`).
    intervals: Vec<(i64, Option<i64>)>,
}

impl Coverage {
    /// The coverage of `sessions` (any order).
    pub fn of<'a>(sessions: impl IntoIterator<Item = &'a Session>) -> Coverage {
        let mut spans: Vec<(i64, Option<i64>)> =
            sessions.into_iter().map(|s| (s.start, s.end)).collect();
        spans.sort();
        let mut intervals: Vec<(i64, Option<i64>)> = Vec::new();
        for (start, end) in spans {
            match intervals.last_mut() {
                Some((_, last_end)) if last_end.is_none_or(|e| start <= e + 1) => {
                    *last_end = match (*last_end, end) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        _ => None,
                    };
                }
                _ => intervals.push((start, end)),
            }
        }
        Coverage { intervals }
    }

    /// Earliest covered second.
    pub fn first_start(&self) -> Option<i64> {
        self.intervals.first().map(|(s, _)| *s)
    }

    /// End of the last session, `None` when it is still open or there is no session.
    pub fn last_end(&self) -> Option<i64> {
        self.intervals.last().and_then(|(_, e)| *e)
    }

    /// Whether the latest session is open.
    pub fn is_open(&self) -> bool {
        self.intervals.last().is_some_and(|(_, e)| e.is_none())
    }

    /// How far the IDB covers without a gap from `from` on: the largest `t` such that every
    /// second of `(from, t]` is covered (`i64::MAX` for an open session), or `from` when
    /// `from + 1` is not covered. Time before `group_start` (the first session of any IDB of
    /// the set) counts as covered: no IDB holds data there.
    pub fn covered_until(&self, from: i64, group_start: i64) -> i64 {
        let mut reach = if from + 1 < group_start {
            group_start - 1
        } else {
            from
        };
        for (start, end) in &self.intervals {
            if *start <= reach + 1 {
                match end {
                    None => return i64::MAX,
                    Some(e) if *e > reach => reach = *e,
                    Some(_) => {}
                }
            }
        }
        reach
    }

    /// Start of the next covered period after `from`, if any.
    pub fn next_start_after(&self, from: i64) -> Option<i64> {
        self.intervals.iter().map(|(s, _)| *s).find(|s| *s > from)
    }
}

/// The sessions of every IDB of an HA set, grouped by source.
#[derive(Debug, Default)]
pub struct SetSessions {
    /// Per IDB (index into the set), its sessions.
    pub per_idb: Vec<Vec<Session>>,
}

impl SetSessions {
    /// Every source any IDB of the set holds, in order.
    pub fn sources(&self) -> Vec<SourceId> {
        let mut all: BTreeMap<SourceId, ()> = BTreeMap::new();
        for s in self.per_idb.iter().flatten() {
            all.insert(s.source, ());
        }
        all.into_keys().collect()
    }

    /// Sessions of `source` and `provider` in IDB `idb`.
    pub fn of<'a>(
        &'a self,
        idb: usize,
        source: SourceId,
        provider: &'a str,
    ) -> impl Iterator<Item = &'a Session> + 'a {
        self.per_idb[idb]
            .iter()
            .filter(move |s| s.source == source && s.provider == provider)
    }

    /// First covered second of `source` and `provider` over the whole set.
    pub fn group_start(&self, source: SourceId, provider: &str) -> Option<i64> {
        (0..self.per_idb.len())
            .filter_map(|i| Coverage::of(self.of(i, source, provider)).first_start())
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(start: i64, end: Option<i64>) -> Session {
        Session {
            provider: "GCC",
            dss_id: start,
            icon_dbid: 1,
            source: SourceId {
                ds_type: 1,
                ds_dbid: 201,
            },
            switch_dbid: None,
            start,
            end,
        }
    }

    #[test]
    fn a_gap_between_sessions_ends_coverage_and_the_next_session_resumes_it() {
        let sessions = [session(100, Some(500)), session(800, None)];
        let coverage = Coverage::of(&sessions);
        assert_eq!(coverage.covered_until(200, 100), 500);
        assert_eq!(coverage.covered_until(500, 100), 500);
        assert_eq!(coverage.covered_until(600, 100), 600);
        assert_eq!(coverage.covered_until(799, 100), i64::MAX);
        assert_eq!(coverage.covered_until(10, 100), 500, "before any session");
        assert_eq!(coverage.next_start_after(500), Some(800));
        assert!(coverage.is_open());
    }

    #[test]
    fn touching_sessions_merge_and_a_later_first_session_leaves_a_gap_at_the_start() {
        let sessions = [session(300, Some(400)), session(401, Some(900))];
        let coverage = Coverage::of(&sessions);
        assert_eq!(coverage.covered_until(300, 300), 900);
        assert_eq!(coverage.last_end(), Some(900));
        assert_eq!(
            coverage.covered_until(50, 100),
            99,
            "the partner started at 100"
        );
    }

    #[test]
    fn providers_follow_the_writing_icon_role() {
        let provider = |name| provider_of(tidemark_schemas::idb::table(name).expect(name));
        assert_eq!(provider("G_CALL"), "GCC");
        assert_eq!(provider("G_USERDATA_HISTORY"), "GUD");
        assert_eq!(provider("GM_F_USERDATA"), "GUD");
        assert_eq!(provider("G_AGENT_STATE_HISTORY"), "GLS");
        assert_eq!(provider("GO_CHAIN"), "GOS");
        assert_eq!(provider("GC_AGENT"), "CFG");
    }
}
