//! The running simulation: configuration, agents, per-site tables and stamps, the
//! recorders scenarios fill, and [`World::commit`], which books the agents an interaction
//! used and writes its rows and truth.

use super::agents::{Break, Ctx, Roster};
use super::config::Config;
use super::dict::party_state;
use super::emit::{emit, finalize};
use super::ids::{Draw, Ms, SimRng, MIN};
use super::knobs::Knobs;
use super::recorder::Recorder;
use super::stamp::Stamper;
use super::tables::SiteTables;
use super::truth::{interaction, Summary, Truth};

/// One site's output: its tables and the stamper of its IDB replicas.
pub struct SiteOut {
    /// Rows waiting to be written.
    pub tables: SiteTables,
    /// Control data of the site's ICON(s).
    pub stamper: Stamper,
}

/// The whole simulation state.
pub struct World {
    /// Configuration.
    pub cfg: Config,
    /// Realism knobs.
    pub knobs: Knobs,
    /// The one random generator.
    pub rng: SimRng,
    /// Agent availability and activity.
    pub roster: Roster,
    /// Per-site output.
    pub sites: Vec<SiteOut>,
    /// Recorders: the originating site and, for multi-site calls, the other one.
    pub recs: [Recorder; 2],
    /// Agents acquired for the interaction being generated.
    pub involved: Vec<usize>,
    /// Truth output.
    pub truth: Truth,
    /// Simulated period `[start, end)`.
    pub period: (Ms, Ms),
    /// Interactions committed.
    pub committed: u64,
    /// E-mails that arrived while no e-mail agent was logged in: (arrival, ordinal).
    pub pending_email: std::collections::VecDeque<(Ms, u64)>,
    scratch: Vec<(Ms, usize, usize)>,
    buf: String,
}

impl World {
    /// A world ready to generate.
    pub fn new(
        cfg: Config,
        knobs: Knobs,
        rng: SimRng,
        sites: Vec<SiteOut>,
        truth: Truth,
        period: (Ms, Ms),
    ) -> World {
        World {
            roster: Roster::new(&cfg),
            cfg,
            knobs,
            rng,
            sites,
            recs: [Recorder::default(), Recorder::default()],
            involved: Vec::new(),
            truth,
            period,
            committed: 0,
            pending_email: Default::default(),
            scratch: Vec::new(),
            buf: String::new(),
        }
    }

    /// The roster and a bookkeeping context on `site`'s tables.
    pub fn split(&mut self, site: usize) -> (&mut Roster, Ctx<'_>) {
        let out = &mut self.sites[site];
        (
            &mut self.roster,
            Ctx {
                cfg: &self.cfg,
                tables: &mut out.tables,
                stamper: &mut out.stamper,
                rng: &mut self.rng,
                truth: &mut self.truth,
            },
        )
    }

    /// Takes an agent of `group` at `site` free between `t` and `deadline`, remembering it
    /// for [`World::commit`].
    pub fn acquire(
        &mut self,
        site: usize,
        group: usize,
        t: Ms,
        deadline: Ms,
    ) -> Option<(usize, Ms)> {
        let got = self.roster.acquire(site, group, t, deadline);
        if let Some((a, _)) = got {
            self.involved.push(a);
        }
        got
    }

    /// Takes any agent of `site` (other than `except`) free at `t`.
    pub fn acquire_any(&mut self, site: usize, t: Ms, except: Option<usize>) -> Option<usize> {
        let groups = self.cfg.services.len();
        let first = self.rng.between(0, groups as Ms) as usize;
        for k in 0..groups {
            let g = (first + k) % groups;
            if let Some((a, _)) = self.roster.acquire(site, g, t, t) {
                if Some(a) == except {
                    self.roster.give_back(&self.cfg, a);
                    continue;
                }
                self.involved.push(a);
                return Some(a);
            }
        }
        None
    }

    fn draw_break(&mut self) -> Option<Break> {
        if !self.rng.chance(self.knobs.break_after) {
            return None;
        }
        let reason = self.rng.weighted(&[0.5, 0.15, 0.15, 0.2]);
        let length = match reason {
            1 => self.rng.between(25 * MIN, 40 * MIN),
            _ => self.rng.between(3 * MIN, 15 * MIN),
        };
        Some(Break {
            reason,
            length,
            dnd: reason == 3,
        })
    }

    /// Finishes the interaction held in the first `n` recorders: books its agents, writes its
    /// rows and its truth record.
    pub fn commit(&mut self, n: usize, summary: Summary, paired: bool) {
        for r in 0..n {
            finalize(&mut self.recs[r], &mut self.scratch);
        }
        let mut agents = std::mem::take(&mut self.involved);
        agents.dedup();
        let mut acws = Vec::with_capacity(agents.len());
        for (i, &a) in agents.iter().enumerate() {
            if agents[..i].contains(&a) {
                continue;
            }
            let found = self.recs[..n].iter().find_map(|rec| {
                let busy = rec.agent_busy(a)?;
                let first = rec.parties.iter().find(|p| p.agent == Some(a))?;
                let talked = rec.parties.iter().any(|p| {
                    p.agent == Some(a) && p.events.iter().any(|e| e.state == party_state::CONNECTED)
                });
                Some((busy, rec.calls[first.call].id, first.id, talked, rec.source))
            });
            let Some((busy, callid, partyid, talked, source)) = found else {
                self.roster.give_back(&self.cfg, a);
                continue;
            };
            let voice = source == Some(super::stamp::Source::TServer);
            let acw = if talked && voice {
                self.knobs.acw_length(&mut self.rng)
            } else {
                0
            };
            let brk = self.draw_break();
            let site = self.cfg.agents[a].site;
            let (roster, mut ctx) = self.split(site);
            roster.book(
                &mut ctx,
                a,
                busy,
                acw,
                brk,
                (callid.as_str(), partyid.as_str()),
            );
            acws.push((a, acw));
        }
        for r in 0..n {
            let site = self.recs[r].site;
            let out = &mut self.sites[site];
            emit(
                &self.recs[r],
                &self.cfg,
                &mut out.tables,
                &mut out.stamper,
                &mut self.buf,
            );
        }
        if self.truth.enabled() {
            let recs: Vec<&Recorder> = self.recs[..n].iter().collect();
            let record = interaction(&self.cfg, &recs, summary, &acws, paired);
            self.truth.write(&record);
        }
        self.involved = agents;
        self.involved.clear();
        self.committed += 1;
    }
}
