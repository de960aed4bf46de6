//! The ground truth of a run as JSON Lines (one record per line, with a `kind`): what
//! each interaction really was and how long each party rang, talked, held and wrapped up,
//! and each agent's login sessions and state intervals. Format: docs/simulator.md.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use super::config::Config;
use super::dict::party_state;
use super::emit::{location, resolve};
use super::ids::{Guid, Ms};
use super::recorder::Recorder;

/// One state interval of an agent.
#[derive(Debug, Clone, Serialize)]
pub struct StateTruth {
    /// `login`, `ready`, `not_ready`, `after_call_work`, `busy`.
    pub state: &'static str,
    /// Start (epoch ms).
    #[serde(rename = "from_ms")]
    pub from: Ms,
    /// End (epoch ms).
    #[serde(rename = "to_ms")]
    pub to: Option<Ms>,
    /// Reason code of a Not Ready state.
    pub reason: Option<&'static str>,
}

/// One agent login session.
#[derive(Debug, Serialize)]
pub struct AgentSessionTruth<'a> {
    /// Always `agent_session`.
    pub kind: &'static str,
    /// Site number (1-based).
    pub site: usize,
    /// GC_AGENT.ID.
    pub agent_id: i64,
    /// User name.
    pub user_name: &'a str,
    /// G_LOGIN_SESSION.LoginSessionID.
    pub login_session_id: Guid,
    /// `voice` or `multimedia`.
    pub media: &'static str,
    /// Login (epoch ms).
    #[serde(rename = "login_ms")]
    pub login: Ms,
    /// Logout (epoch ms).
    #[serde(rename = "logout_ms")]
    pub logout: Ms,
    /// State intervals covering the session.
    pub states: Vec<StateTruth>,
}

/// One call (leg) of an interaction.
#[derive(Debug, Serialize)]
pub struct LegTruth {
    /// Site number.
    pub site: usize,
    /// CallID.
    pub call_id: Guid,
    /// IRID.
    pub irid: Guid,
    /// CallType.
    pub call_type: i64,
    /// Parent call (consultations).
    pub parent_call_id: Option<Guid>,
    /// Call merged into.
    pub merged_into: Option<Guid>,
    /// Created (epoch ms).
    pub created_ms: Ms,
    /// Ended (epoch ms).
    pub ended_ms: Option<Ms>,
}

/// Time one party spent in each state, in seconds (millisecond precision).
#[derive(Debug, Serialize)]
pub struct PartyTruth {
    /// Site number.
    pub site: usize,
    /// PartyID.
    pub party_id: Guid,
    /// PartyGUID.
    pub party_guid: Guid,
    /// CallID.
    pub call_id: Guid,
    /// Party type.
    pub party_type: i64,
    /// Party role.
    pub role: i64,
    /// EndPointDN.
    pub endpoint: String,
    /// Agent (GC_AGENT.ID).
    pub agent_id: Option<i64>,
    /// Created (epoch ms).
    pub created_ms: Ms,
    /// Ended (epoch ms); `None` while still active.
    pub ended_ms: Option<Ms>,
    /// CCEvent that ended it.
    pub end_event: Option<i64>,
    /// Seconds dialing (state 1).
    pub dial_s: f64,
    /// Seconds ringing (state 2).
    pub ring_s: f64,
    /// Seconds connected (state 3).
    pub talk_s: f64,
    /// Seconds held (state 4).
    pub hold_s: f64,
    /// Seconds queued (state 5).
    pub queued_s: f64,
    /// Seconds of after-call work that followed this party (the agent's last party).
    pub acw_s: f64,
}

/// A virtual-queue stay.
#[derive(Debug, Serialize)]
pub struct RouteTruth {
    /// Site number.
    pub site: usize,
    /// VQ DN.
    pub vq: String,
    /// Entered (epoch ms).
    pub entered_ms: Ms,
    /// Left (epoch ms).
    pub left_ms: Ms,
    /// 1 distributed, 2 abandoned, 3 cleared.
    pub cause: i64,
    /// Agent chosen.
    pub agent_id: Option<i64>,
}

/// An IS-link half.
#[derive(Debug, Serialize)]
pub struct LinkTruth {
    /// Site number.
    pub site: usize,
    /// LinkID.
    pub link_id: Guid,
    /// CallID carrying it.
    pub call_id: Guid,
    /// Remote location.
    pub remote: String,
    /// 2 source, 3 target.
    pub link_type: i64,
    /// Whether the other half exists in another simulated IDB.
    pub paired: bool,
    /// Whether the link failed.
    pub failed: bool,
}

/// One interaction.
#[derive(Debug, Serialize)]
pub struct InteractionTruth<'a> {
    /// Always `interaction`.
    pub kind: &'static str,
    /// Ordinal of the interaction in the run.
    pub seq: u64,
    /// Root IRID at the originating site.
    pub irid: Guid,
    /// `voice`, `email`, `chat`.
    pub media: &'static str,
    /// `inbound`, `internal`, `outbound`, `campaign`.
    pub interaction_type: &'static str,
    /// Scenario simulated (see docs/simulator.md).
    pub scenario: &'a str,
    /// Outcome: `answered`, `abandoned_in_queue`, `abandoned_ringing`, `transferred`,
    /// `conferenced`, `self_service`, `no_answer`, `busy`, `active`, …
    pub outcome: &'a str,
    /// Start (epoch ms).
    pub start_ms: Ms,
    /// End (epoch ms); `None` while active.
    pub end_ms: Option<Ms>,
    /// Calls.
    pub legs: Vec<LegTruth>,
    /// Parties.
    pub parties: Vec<PartyTruth>,
    /// Virtual-queue stays.
    pub routing: Vec<RouteTruth>,
    /// IS-link halves.
    pub links: Vec<LinkTruth>,
}

/// The truth file (or nothing, when no path was given).
pub struct Truth {
    out: Option<BufWriter<File>>,
    error: Option<std::io::Error>,
    records: u64,
}

impl Truth {
    /// Opens `path` for writing, or discards records when `None`.
    pub fn open(path: Option<&Path>) -> std::io::Result<Truth> {
        let out = path
            .map(File::create)
            .transpose()?
            .map(|f| BufWriter::with_capacity(1 << 20, f));
        Ok(Truth {
            out,
            error: None,
            records: 0,
        })
    }

    /// Whether records are written anywhere.
    pub fn enabled(&self) -> bool {
        self.out.is_some()
    }

    /// Writes one record.
    pub fn write<T: Serialize>(&mut self, record: &T) {
        let Some(out) = self.out.as_mut() else { return };
        if self.error.is_some() {
            return;
        }
        let res = serde_json::to_writer(&mut *out, record)
            .map_err(std::io::Error::other)
            .and_then(|_| out.write_all(b"\n"));
        match res {
            Ok(()) => self.records += 1,
            Err(e) => self.error = Some(e),
        }
    }

    /// Writes an agent session record.
    pub fn agent_session(&mut self, s: &AgentSessionTruth<'_>) {
        self.write(s);
    }

    /// Flushes the file; reports the first write error.
    pub fn finish(mut self) -> std::io::Result<u64> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if let Some(out) = self.out.as_mut() {
            out.flush()?;
        }
        Ok(self.records)
    }
}

/// What a scenario says about an interaction besides its rows.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// Ordinal.
    pub seq: u64,
    /// Media.
    pub media: &'static str,
    /// Interaction type.
    pub interaction_type: &'static str,
    /// Scenario name.
    pub scenario: &'static str,
    /// Outcome.
    pub outcome: &'static str,
}

/// Builds the truth record of an interaction recorded by `recs` (one per site touched);
/// `acw` lists (agent index, ACW ms) of the agents involved; `paired` says whether
/// IS-links found their other half.
pub fn interaction(
    cfg: &Config,
    recs: &[&Recorder],
    summary: Summary,
    acw: &[(usize, Ms)],
    paired: bool,
) -> InteractionTruth<'static> {
    let mut buf = String::new();
    let mut legs = Vec::new();
    let mut parties = Vec::new();
    let mut routing = Vec::new();
    let mut links = Vec::new();
    let (mut start, mut end) = (Ms::MAX, Some(Ms::MIN));
    for rec in recs {
        let site = rec.site + 1;
        for call in &rec.calls {
            start = start.min(call.created);
            end = match (end, call.ended) {
                (Some(e), Some(x)) => Some(e.max(x)),
                _ => None,
            };
            legs.push(LegTruth {
                site,
                call_id: call.id,
                irid: rec.irs[call.ir].id,
                call_type: call.call_type,
                parent_call_id: call.parent.map(|p| rec.calls[p].id),
                merged_into: call.merged_into.map(|(c, _)| rec.calls[c].id),
                created_ms: call.created,
                ended_ms: call.ended,
            });
        }
        let acw_party: Vec<(usize, Ms)> = acw
            .iter()
            .filter_map(|&(agent, ms)| {
                let last = rec
                    .parties
                    .iter()
                    .enumerate()
                    .filter(|(_, q)| q.agent == Some(agent))
                    .max_by_key(|(i, q)| (q.ended().unwrap_or(Ms::MAX), *i))?;
                Some((last.0, ms))
            })
            .collect();
        for (index, party) in rec.parties.iter().enumerate() {
            let info = resolve(cfg, rec.site, party.ep, &mut buf);
            let mut secs = [0f64; 7];
            for w in party.events.windows(2) {
                if let Some(slot) = secs.get_mut(w[0].state as usize) {
                    *slot += (w[1].at - w[0].at) as f64 / 1000.0;
                }
            }
            let ended = party.ended();
            let acw_s = acw_party
                .iter()
                .find(|(p, _)| *p == index)
                .map_or(0.0, |(_, ms)| *ms as f64 / 1000.0);
            parties.push(PartyTruth {
                site,
                party_id: party.id,
                party_guid: party.guid,
                call_id: rec.calls[party.call].id,
                party_type: party.ptype,
                role: party.role,
                endpoint: buf.clone(),
                agent_id: info.agent,
                created_ms: party.created(),
                ended_ms: ended,
                end_event: ended.and(party.events.last().map(|e| e.ccevent)),
                dial_s: secs[party_state::INITIATED as usize],
                ring_s: secs[party_state::ALERTING as usize],
                talk_s: secs[party_state::CONNECTED as usize],
                hold_s: secs[party_state::HELD as usize],
                queued_s: secs[party_state::QUEUED as usize],
                acw_s,
            });
        }
        for vq in &rec.vqs {
            routing.push(RouteTruth {
                site,
                vq: cfg.sites[vq.vq.0].vqs[vq.vq.1].number.clone(),
                entered_ms: vq.from,
                left_ms: vq.to,
                cause: vq.cause,
                agent_id: vq.target.map(|a| cfg.agents[a].id),
            });
        }
        for l in &rec.links {
            links.push(LinkTruth {
                site,
                link_id: l.id,
                call_id: rec.calls[l.call].id,
                remote: location(cfg, l.remote).to_string(),
                link_type: l.link_type,
                paired: paired && !l.failed && l.remote != usize::MAX,
                failed: l.failed,
            });
        }
    }
    InteractionTruth {
        kind: "interaction",
        seq: summary.seq,
        irid: recs
            .first()
            .and_then(|r| r.irs.first())
            .map(|i| i.id)
            .unwrap_or_default(),
        media: summary.media,
        interaction_type: summary.interaction_type,
        scenario: summary.scenario,
        outcome: summary.outcome,
        start_ms: start,
        end_ms: end,
        legs,
        parties,
        routing,
        links,
    }
}
