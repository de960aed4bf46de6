//! ICON control data: data source sessions (G_DSS_*_PROVIDER), provider sequences
//! (GSYS_SEQ / GSYS_USEQ, G_PROV_CONTROL) and the GSYS_DOMAIN of every row, per replica
//! (idb.md §2.6, §6.3 rules 4–6).
//!
//! Sequences are a monotone function of event time: `GSYS_SEQ = base + (t − ICON start) ×
//! 1 000 000 + n`, `n` counting the provider's events within that millisecond. Rows are
//! generated interaction by interaction, not in global time order, yet every provider's
//! sequence still increases strictly with the time ICON processed the row, and
//! `SeqCurrent` is simply the sequence of "latest event − 60 s".

use std::collections::HashMap;

use super::dict::DICTIONARY;
use super::ids::{epoch_secs, Ms, MIN};
use super::rows::{ReplicaStamp, Stamps, MAX_REPLICAS};
use super::tables::{DssCols, Out, SiteTables};

/// ICON provider role (its ProviderTag, dict 26).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Configuration (`cfg`).
    Cfg = 1,
    /// Interactions (`gcc`).
    Gcc = 2,
    /// Attached data (`gud`).
    Gud = 3,
    /// Agent activity (`gls`).
    Gls = 4,
    /// Outbound (`gos`).
    Gos = 5,
}

impl Role {
    const ALL: [Role; 5] = [Role::Cfg, Role::Gcc, Role::Gud, Role::Gls, Role::Gos];

    fn index(self) -> usize {
        self as usize - 1
    }
}

/// Data source ICON is connected to (its DS_TYPE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// T-Server / SIP Server (voice).
    TServer = 1,
    /// Interaction Server (multimedia).
    IxnServer = 2,
    /// Outbound Contact Server.
    Ocs = 3,
    /// Configuration Server.
    CfgServer = 4,
}

/// How one row is stamped.
#[derive(Debug, Clone, Copy)]
pub struct RowStamp {
    /// Writing provider; `None` for control and dictionary rows (no GSYS values).
    pub role: Option<Role>,
    /// Data source the row came from.
    pub source: Source,
    /// When ICON inserted the row (GSYS_SEQ).
    pub created: Ms,
    /// When ICON last updated the row (GSYS_USEQ; = `created` for insert-only rows).
    pub changed: Ms,
    /// Lifetime of the unit the row belongs to (interaction, or the event itself); a
    /// replica whose voice session has a gap overlapping it does not hold the row.
    pub span: (Ms, Ms),
    /// Rows every replica holds even across a gap (login sessions ICON restores).
    pub gap_exempt: bool,
    /// Only this replica holds the row (its own control rows).
    pub only: Option<usize>,
}

impl RowStamp {
    /// An insert-only row of `role` at `t`, belonging to a unit alive over `span`.
    pub fn event(role: Role, source: Source, t: Ms, span: (Ms, Ms)) -> RowStamp {
        RowStamp {
            role: Some(role),
            source,
            created: t,
            changed: t,
            span,
            gap_exempt: false,
            only: None,
        }
    }

    /// A current-state row inserted at `created` and last updated at `changed`.
    pub fn state(role: Role, source: Source, created: Ms, changed: Ms, span: (Ms, Ms)) -> RowStamp {
        RowStamp {
            role: Some(role),
            source,
            created,
            changed,
            span,
            gap_exempt: false,
            only: None,
        }
    }

    /// A row without GSYS values held by every replica (dictionary).
    pub fn plain() -> RowStamp {
        RowStamp {
            role: None,
            source: Source::CfgServer,
            created: 0,
            changed: 0,
            span: (0, 0),
            gap_exempt: true,
            only: None,
        }
    }

    /// A row without GSYS values held by replica `r` only (its control rows).
    pub fn replica_only(r: usize) -> RowStamp {
        RowStamp {
            only: Some(r),
            ..RowStamp::plain()
        }
    }
}

/// One data source session of one ICON (a G_DSS_*_PROVIDER row).
#[derive(Debug, Clone)]
pub struct Session {
    /// DSS_ID.
    pub dss_id: i32,
    /// Provider role.
    pub role: Role,
    /// Data source type.
    pub source: Source,
    /// DS_DBID: data source application.
    pub ds_dbid: i64,
    /// DS2_DBID: switch (T-Server sessions).
    pub ds2_dbid: Option<i64>,
    /// Connection established.
    pub from: Ms,
    /// Connection lost (`None`: still open).
    pub to: Option<Ms>,
    /// DSCONN_TYPE: 1 first connection, 2 reconnect.
    pub conn_type: i64,
    first_event: Option<Ms>,
    last_event: Option<Ms>,
    events: u64,
}

/// A data source one site's ICON connects to.
#[derive(Debug, Clone, Copy)]
pub struct SourceLink {
    /// Provider role served.
    pub role: Role,
    /// Data source type.
    pub source: Source,
    /// Data source application DBID.
    pub ds_dbid: i64,
    /// Switch DBID, for T-Server links.
    pub switch: Option<i64>,
}

/// One ICON writing one IDB.
#[derive(Debug, Clone)]
pub struct ReplicaSpec {
    /// ICON application DBID.
    pub icon_dbid: i64,
    /// First DSS_ID this ICON uses.
    pub first_dss_id: i32,
    /// Base added to every sequence of this ICON.
    pub seq_base: i64,
    /// T-Server disconnections `[from, to)`: rows of voice units overlapping them are absent.
    pub gaps: Vec<(Ms, Ms)>,
}

struct ReplicaCtl {
    spec: ReplicaSpec,
    counters: [HashMap<i64, u32>; 5],
    evicted_before: i64,
    late: [u32; 5],
    max_seq: [i64; 5],
    max_time: [Ms; 5],
    sessions: Vec<Session>,
}

/// Stamps rows for every replica of one site.
pub struct Stamper {
    icon_start: Ms,
    replicas: Vec<ReplicaCtl>,
}

/// Sequence step per millisecond of event time.
const SEQ_PER_MS: i64 = 1_000_000;
/// Start of the part of a millisecond's range used by rows stamped after eviction.
const LATE_OFFSET: i64 = SEQ_PER_MS / 2;

impl Stamper {
    /// Control state of a site whose ICONs started at `icon_start` and connect to `links`.
    pub fn new(icon_start: Ms, links: &[SourceLink], replicas: Vec<ReplicaSpec>) -> Stamper {
        let replicas = replicas
            .into_iter()
            .map(|spec| {
                let mut sessions = Vec::new();
                let mut next_id = spec.first_dss_id;
                for link in links {
                    let mut from = icon_start;
                    let mut conn_type = 1;
                    let gaps: &[(Ms, Ms)] = if link.source == Source::TServer {
                        &spec.gaps
                    } else {
                        &[]
                    };
                    for (g0, g1) in gaps
                        .iter()
                        .copied()
                        .chain(std::iter::once((Ms::MAX, Ms::MAX)))
                    {
                        sessions.push(Session {
                            dss_id: next_id,
                            role: link.role,
                            source: link.source,
                            ds_dbid: link.ds_dbid,
                            ds2_dbid: link.switch,
                            from,
                            to: (g0 != Ms::MAX).then_some(g0),
                            conn_type,
                            first_event: None,
                            last_event: None,
                            events: 0,
                        });
                        next_id += 1;
                        from = g1;
                        conn_type = 2;
                    }
                }
                ReplicaCtl {
                    spec,
                    counters: Default::default(),
                    evicted_before: i64::MIN,
                    late: [0; 5],
                    max_seq: [0; 5],
                    max_time: [0; 5],
                    sessions,
                }
            })
            .collect();
        Stamper {
            icon_start,
            replicas,
        }
    }

    /// Replicas (IDBs) of the site.
    pub fn replica_count(&self) -> usize {
        self.replicas.len()
    }

    /// The stamps of one row in every replica.
    pub fn stamp(&mut self, s: &RowStamp) -> Stamps {
        let mut out = [ReplicaStamp::default(); MAX_REPLICAS];
        let icon_start = self.icon_start;
        for (r, rep) in self.replicas.iter_mut().enumerate() {
            if s.only.is_some_and(|o| o != r) {
                continue;
            }
            let in_gap = !s.gap_exempt
                && s.source == Source::TServer
                && rep
                    .spec
                    .gaps
                    .iter()
                    .any(|&(g0, g1)| s.span.0 < g1 && s.span.1 >= g0);
            if in_gap {
                continue;
            }
            let Some(role) = s.role else {
                out[r].keep = true;
                continue;
            };
            let session = rep.sessions.iter_mut().find(|x| {
                x.role == role && x.source == s.source && x.to.is_none_or(|to| s.changed < to)
            });
            let domain = session.map(|x| {
                x.first_event = Some(x.first_event.map_or(s.created, |f| f.min(s.created)));
                x.last_event = Some(x.last_event.map_or(s.changed, |l| l.max(s.changed)));
                x.events += 1;
                x.dss_id
            });
            let seq = rep.next_seq(role, s.created, icon_start);
            let useq = if s.changed == s.created {
                seq
            } else {
                rep.next_seq(role, s.changed, icon_start)
            };
            out[r] = ReplicaStamp {
                keep: true,
                domain,
                seq: Some(seq),
                useq: Some(useq),
            };
        }
        out
    }

    /// Forgets per-millisecond counters before `clock`. Rows stamped later for an earlier
    /// millisecond (written once their unit is complete) draw from the upper half of that
    /// millisecond's range, so sequences stay unique.
    pub fn advance(&mut self, clock: Ms) {
        let key = clock - self.icon_start;
        for rep in &mut self.replicas {
            rep.evicted_before = rep.evicted_before.max(key);
            for c in &mut rep.counters {
                c.retain(|ms, _| *ms >= key);
            }
        }
    }

    /// Sessions of replica `r`.
    pub fn sessions(&self, r: usize) -> &[Session] {
        &self.replicas[r].sessions
    }

    /// Writes every replica's G_DSS_*_PROVIDER, G_PROV_CONTROL and dictionary rows.
    pub fn write_control(&mut self, t: &mut SiteTables) {
        let stamps = self.stamp(&RowStamp::plain());
        for d in DICTIONARY {
            t.dict_type
                .rows
                .row(&stamps)
                .int(t.dict_type.c.type_id, d.id)
                .str(t.dict_type.c.name, d.name);
            for (value, name) in d.values {
                let c = t.dictionary.c;
                t.dictionary
                    .rows
                    .row(&stamps)
                    .int(c.type_id, d.id)
                    .int(c.value, *value)
                    .str(c.name, name);
            }
        }
        for r in 0..self.replicas.len() {
            let stamps = self.stamp(&RowStamp::replica_only(r));
            let rep = &self.replicas[r];
            for s in &rep.sessions {
                let out = match s.role {
                    Role::Cfg => &mut t.dss_cfg,
                    Role::Gcc => &mut t.dss_gcc,
                    Role::Gud => &mut t.dss_gud,
                    Role::Gls => &mut t.dss_gls,
                    Role::Gos => &mut t.dss_gos,
                };
                write_session(out, &stamps, rep.spec.icon_dbid, self.icon_start, s);
            }
            let c = t.prov_control.c;
            for role in Role::ALL {
                let i = role.index();
                if rep.max_seq[i] == 0 {
                    continue;
                }
                let current = seq_at(rep.spec.seq_base, self.icon_start, rep.max_time[i] - MIN)
                    .min(rep.max_seq[i]);
                let counter = (rep.max_seq[i] / SEQ_PER_MS + 1) * SEQ_PER_MS;
                t.prov_control
                    .rows
                    .row(&stamps)
                    .int(c.domainid, 0)
                    .int(c.primaryid, rep.spec.icon_dbid)
                    .int(c.providertag, role as i64)
                    .int(c.seqcounter, counter)
                    .int(c.seqcurrent, current);
            }
        }
    }
}

impl ReplicaCtl {
    fn next_seq(&mut self, role: Role, t: Ms, icon_start: Ms) -> i64 {
        let i = role.index();
        let key = t - icon_start;
        let n = if key < self.evicted_before {
            self.late[i] = self.late[i].wrapping_add(1);
            LATE_OFFSET + i64::from(self.late[i]) % LATE_OFFSET
        } else {
            let n = self.counters[i].entry(key).or_insert(0);
            *n += 1;
            i64::from(*n - 1)
        };
        let seq = seq_at(self.spec.seq_base, icon_start, t) - (SEQ_PER_MS - 1) + n;
        if seq > self.max_seq[i] {
            self.max_seq[i] = seq;
            self.max_time[i] = self.max_time[i].max(t);
        }
        seq
    }
}

/// The greatest sequence a provider can have stamped on an event at `t`.
fn seq_at(base: i64, icon_start: Ms, t: Ms) -> i64 {
    base + (t - icon_start).max(0) * SEQ_PER_MS + (SEQ_PER_MS - 1)
}

fn write_session(
    out: &mut Out<DssCols>,
    stamps: &Stamps,
    icon_dbid: i64,
    icon_start: Ms,
    s: &Session,
) {
    let c = out.c;
    let first = s.first_event.unwrap_or(s.from);
    let mut r = out.rows.row(stamps);
    r.int(c.dss_id, i64::from(s.dss_id))
        .int(c.icon_dbid, icon_dbid)
        .int(c.ds_dbid, s.ds_dbid)
        .int(c.ds_dbid_prim, s.ds_dbid)
        .opt_int(c.ds2_dbid, s.ds2_dbid)
        .int(c.ds_type, s.source as i64)
        .at(c.icon_stime, icon_start)
        .at(c.dsconn_stime, s.from)
        .at(c.dsconn_sdstime, s.from)
        .int(c.dsconn_sdsts, epoch_secs(s.from))
        .int(c.dsconn_type, s.conn_type)
        .at(c.fevent_itime, first)
        .at(c.fevent_dstime, first)
        .str(c.fevent_dsseq, "1")
        .int(c.providertag, s.role as i64);
    if let Some(to) = s.to {
        r.at(c.dsconn_etime, to);
    }
    if let Some(last) = s.last_event {
        r.at(c.levent_itime, last)
            .at(c.levent_dstime, last)
            .str(c.levent_dsseq, &s.events.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamper(gaps: Vec<(Ms, Ms)>) -> Stamper {
        let links = [SourceLink {
            role: Role::Gcc,
            source: Source::TServer,
            ds_dbid: 1001,
            switch: Some(201),
        }];
        Stamper::new(
            0,
            &links,
            vec![
                ReplicaSpec {
                    icon_dbid: 1,
                    first_dss_id: 11,
                    seq_base: 0,
                    gaps: vec![],
                },
                ReplicaSpec {
                    icon_dbid: 2,
                    first_dss_id: 51,
                    seq_base: 1 << 50,
                    gaps,
                },
            ],
        )
    }

    #[test]
    fn sequences_increase_with_time_and_differ_per_replica() {
        let mut s = stamper(vec![]);
        let a = s.stamp(&RowStamp::event(
            Role::Gcc,
            Source::TServer,
            5000,
            (5000, 5000),
        ));
        let b = s.stamp(&RowStamp::event(
            Role::Gcc,
            Source::TServer,
            5000,
            (5000, 5000),
        ));
        let c = s.stamp(&RowStamp::state(
            Role::Gcc,
            Source::TServer,
            4000,
            9000,
            (4000, 9000),
        ));
        assert!(a[0].seq < b[0].seq);
        assert!(c[0].seq < a[0].seq && c[0].useq > b[0].seq);
        assert_eq!(a[0].domain, Some(11));
        assert_eq!(a[1].domain, Some(51));
        assert_ne!(a[0].seq, a[1].seq);
    }

    #[test]
    fn gaps_drop_voice_units_and_reopen_sessions() {
        let mut s = stamper(vec![(10_000, 20_000)]);
        let inside = s.stamp(&RowStamp::event(
            Role::Gcc,
            Source::TServer,
            9000,
            (9000, 12_000),
        ));
        assert!(inside[0].keep && !inside[1].keep);
        let after = s.stamp(&RowStamp::event(
            Role::Gcc,
            Source::TServer,
            25_000,
            (25_000, 25_000),
        ));
        assert_eq!(after[1].domain, Some(52));
        let sessions = s.sessions(1);
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions[0].to, Some(10_000));
        assert_eq!(sessions[1].conn_type, 2);
    }
}
