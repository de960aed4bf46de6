//! Agent activity: shifts, login sessions (G_LOGIN_SESSION, GX_SESSION_ENDPOINT), agent
//! states with reason codes (G_AGENT_STATE_HISTORY, G_AGENT_STATE_RC), DND
//! (G_DND_HISTORY), and the availability every routing decision reads.
//!
//! An agent is free from `free_at` on. Routing pops the longest-free agent of a group; a
//! call waits in queue until that agent frees, so queueing, waits and abandons follow from
//! staffing. States are written when an agent is booked, so they always match the calls the
//! agent handles: Busy from ringing to release, ACW after, then Ready or a Not Ready break.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::config::Config;
use super::dict::agent as codes;
use super::ids::{Guid, Ms, SimRng, SEC};
use super::stamp::{Role, RowStamp, Source, Stamper};
use super::tables::SiteTables;
use super::truth::{AgentSessionTruth, StateTruth, Truth};

/// A Not Ready break after a call: reason index and length.
#[derive(Debug, Clone, Copy)]
pub struct Break {
    /// Index into [`Config::reasons`].
    pub reason: usize,
    /// Length.
    pub length: Ms,
    /// Whether DND is switched on during the break.
    pub dnd: bool,
}

struct Session {
    id: Guid,
    login: Ms,
    states: Vec<StateTruth>,
}

struct AgentRt {
    free_at: Ms,
    shift_end: Ms,
    version: u32,
    session: Option<Session>,
    state: i64,
    workmode: i64,
    since: Ms,
    seq: i64,
}

/// Every agent's live state, and the routing queues per (site, group).
pub struct Roster {
    agents: Vec<AgentRt>,
    groups: usize,
    heaps: Vec<BinaryHeap<Reverse<(Ms, u32, u32)>>>,
}

impl Roster {
    /// All agents logged off.
    pub fn new(cfg: &Config) -> Roster {
        Roster {
            agents: (0..cfg.agents.len())
                .map(|_| AgentRt {
                    free_at: 0,
                    shift_end: 0,
                    version: 0,
                    session: None,
                    state: codes::LOGGED_OFF,
                    workmode: 0,
                    since: 0,
                    seq: 0,
                })
                .collect(),
            groups: cfg.groups.len(),
            heaps: (0..cfg.sites.len() * cfg.groups.len())
                .map(|_| BinaryHeap::new())
                .collect(),
        }
    }

    /// When agent `a` is free again.
    pub fn free_at(&self, a: usize) -> Ms {
        self.agents[a].free_at
    }

    /// Whether agent `a` is logged in.
    pub fn logged_in(&self, a: usize) -> bool {
        self.agents[a].session.is_some()
    }

    fn offer(&mut self, cfg: &Config, a: usize) {
        let rt = &mut self.agents[a];
        rt.version = rt.version.wrapping_add(1);
        let entry = Reverse((rt.free_at, a as u32, rt.version));
        let site = cfg.agents[a].site;
        for g in &cfg.agents[a].groups {
            self.heaps[site * self.groups + g].push(entry);
        }
    }

    /// Takes the longest-free agent of `group` at `site` who can start at or after `t` and
    /// no later than `deadline`; returns it with the time it starts.
    pub fn acquire(
        &mut self,
        site: usize,
        group: usize,
        t: Ms,
        deadline: Ms,
    ) -> Option<(usize, Ms)> {
        let heap = &mut self.heaps[site * self.groups + group];
        while let Some(&Reverse((free, a, ver))) = heap.peek() {
            let rt = &self.agents[a as usize];
            if ver != rt.version || rt.session.is_none() || free.max(t) >= rt.shift_end {
                heap.pop();
                continue;
            }
            let start = free.max(t);
            if start > deadline {
                return None;
            }
            heap.pop();
            self.agents[a as usize].version = ver.wrapping_add(1);
            return Some((a as usize, start));
        }
        None
    }

    /// Gives an acquired agent back unused.
    pub fn give_back(&mut self, cfg: &Config, a: usize) {
        self.offer(cfg, a);
    }

    fn set_state(
        &mut self,
        ctx: &mut Ctx<'_>,
        a: usize,
        t: Ms,
        state: i64,
        workmode: i64,
        call: Option<(&str, &str)>,
    ) {
        let agent = &ctx.cfg.agents[a];
        let rt = &mut self.agents[a];
        let Some(session) = rt.session.as_mut() else {
            return;
        };
        if let Some(last) = session.states.last_mut() {
            last.to = Some(t);
        }
        session.states.push(StateTruth {
            state: state_name(state),
            from: t,
            to: None,
            reason: None,
        });
        rt.seq += 1;
        let source = if agent.multimedia {
            Source::IxnServer
        } else {
            Source::TServer
        };
        let s = ctx
            .stamper
            .stamp(&RowStamp::event(Role::Gls, source, t, (t, t)));
        let c = ctx.tables.agent_state.c;
        let mut r = ctx.tables.agent_state.rows.row(&s);
        r.int(c.type_, codes::RECORD_STATE)
            .int(c.state, state)
            .int(c.seq, rt.seq)
            .str(c.loginsessionid, session.id.as_str())
            .int(c.agentid, agent.id)
            .int(c.placeid, agent.place)
            .int(c.endpointid, if agent.multimedia { 0 } else { agent.dn.id })
            .int(c.workmode, workmode)
            .int(c.prevstate, rt.state)
            .int(c.prevworkmode, rt.workmode)
            .time(c.added, t)
            .time(c.prevsenter, rt.since);
        if agent.multimedia {
            r.str(c.mediatype, "email").int(c.mediatypeid, 1);
        }
        if let Some((callid, partyid)) = call {
            r.str(c.callid, callid).str(c.partyid, partyid);
        }
        drop(r);
        rt.state = state;
        rt.workmode = workmode;
        rt.since = t;
    }

    /// Logs agent `a` in at `t` for a shift ending at `shift_end`.
    pub fn login(&mut self, ctx: &mut Ctx<'_>, a: usize, t: Ms, shift_end: Ms) {
        let rt = &mut self.agents[a];
        rt.session = Some(Session {
            id: Guid::new(ctx.rng),
            login: t,
            states: Vec::new(),
        });
        rt.shift_end = shift_end;
        rt.state = codes::LOGGED_OFF;
        rt.since = t;
        self.set_state(ctx, a, t, codes::LOGIN, 0, None);
        let ready = t + 2 * SEC;
        self.set_state(ctx, a, ready, codes::READY, codes::WM_AUTO_IN, None);
        self.agents[a].free_at = ready;
        self.offer(ctx.cfg, a);
    }

    /// Books agent `a` (acquired earlier) for an interaction: busy over `busy`, then
    /// `acw` of after-call work, then Ready or a break. Returns the ACW interval.
    pub fn book(
        &mut self,
        ctx: &mut Ctx<'_>,
        a: usize,
        busy: (Ms, Ms),
        acw: Ms,
        brk: Option<Break>,
        call: (&str, &str),
    ) -> (Ms, Ms) {
        self.set_state(ctx, a, busy.0, codes::BUSY, codes::WM_AUTO_IN, Some(call));
        let acw_end = busy.1 + acw;
        if acw > 0 {
            self.set_state(ctx, a, busy.1, codes::ACW, codes::WM_ACW, None);
        }
        let mut free = acw_end;
        match brk {
            Some(b) if acw_end < self.agents[a].shift_end => {
                self.not_ready(ctx, a, acw_end, b);
                free = acw_end + b.length;
            }
            _ => {}
        }
        self.set_state(ctx, a, free, codes::READY, codes::WM_AUTO_IN, None);
        self.agents[a].free_at = free;
        self.offer(ctx.cfg, a);
        (busy.1, acw_end)
    }

    fn not_ready(&mut self, ctx: &mut Ctx<'_>, a: usize, t: Ms, b: Break) {
        self.set_state(ctx, a, t, codes::NOT_READY, codes::WM_AUX, None);
        let reason = &ctx.cfg.reasons[b.reason];
        let agent = &ctx.cfg.agents[a];
        let end = t + b.length;
        let session_id = self.agents[a]
            .session
            .as_ref()
            .map(|s| s.id)
            .unwrap_or_default();
        if let Some(last) = self.agents[a]
            .session
            .as_mut()
            .and_then(|s| s.states.last_mut())
        {
            last.reason = Some(reason.code);
        }
        let source = if agent.multimedia {
            Source::IxnServer
        } else {
            Source::TServer
        };
        let endpoint = if agent.multimedia { 0 } else { agent.dn.id };
        let s = ctx
            .stamper
            .stamp(&RowStamp::event(Role::Gls, source, end, (end, end)));
        let c = ctx.tables.agent_rc.c;
        ctx.tables
            .agent_rc
            .rows
            .row(&s)
            .str(c.sessionid, session_id.as_str())
            .int(c.endpointid, endpoint)
            .int(c.queueid, 0)
            .int(c.agentstate, codes::NOT_READY)
            .int(c.workmode, codes::WM_AUX)
            .int(c.hwflag, 0)
            .str(c.keyname, "ReasonCode")
            .str(c.value, reason.code)
            .time(c.created, t)
            .time(c.terminated, end)
            .time(c.added, end);
        if b.dnd {
            for (on, at) in [(1, t), (0, end)] {
                let s = ctx
                    .stamper
                    .stamp(&RowStamp::event(Role::Gls, source, at, (at, at)));
                let c = ctx.tables.dnd.c;
                ctx.tables
                    .dnd
                    .rows
                    .row(&s)
                    .str(c.loginsessionid, session_id.as_str())
                    .int(c.agentstate, codes::NOT_READY)
                    .int(c.endpointid, endpoint)
                    .int(c.state, on)
                    .time(c.added, at);
            }
        }
    }

    /// Logs agent `a` out at the end of its shift, or once its last interaction is over.
    /// Returns the logout time.
    pub fn logout(&mut self, ctx: &mut Ctx<'_>, a: usize, shift_end: Ms) -> Ms {
        let t = shift_end.max(self.agents[a].free_at);
        self.set_state(ctx, a, t, codes::LOGGED_OFF, 0, None);
        let rt = &mut self.agents[a];
        rt.version = rt.version.wrapping_add(1);
        let Some(mut session) = rt.session.take() else {
            return t;
        };
        session.states.pop();
        if let Some(last) = session.states.last_mut() {
            last.to = Some(t);
        }
        let agent = &ctx.cfg.agents[a];
        let site = &ctx.cfg.sites[agent.site];
        let source = if agent.multimedia {
            Source::IxnServer
        } else {
            Source::TServer
        };
        let span = (session.login, t);
        let mut stamp = RowStamp::state(Role::Gls, source, session.login, t, span);
        stamp.gap_exempt = true;
        let s = ctx.stamper.stamp(&stamp);
        let c = ctx.tables.login.c;
        let mut r = ctx.tables.login.rows.row(&s);
        r.str(c.loginsessionid, session.id.as_str())
            .int(c.agentid, agent.id)
            .int(c.placeid, agent.place)
            .int(c.state, 2)
            .int(c.tenantid, ctx.cfg.tenant)
            .time(c.created, session.login)
            .time(c.terminated, t)
            .time(c.lastchange, t);
        if agent.multimedia {
            r.str(c.mediatype, "email,chat")
                .str(c.mediatypes, "email,chat");
        } else {
            r.int(c.loginid, agent.login)
                .int(c.primarydeviceid, agent.dn.id)
                .int(c.switchid, site.switch);
        }
        drop(r);
        let s = ctx.stamper.stamp(&stamp);
        let c = ctx.tables.session_ep.c;
        let mut r = ctx.tables.session_ep.rows.row(&s);
        r.int(c.agentid, agent.id)
            .int(c.placeid, agent.place)
            .str(c.loginsessionid, session.id.as_str())
            .int(c.state, 2)
            .time(c.created, session.login)
            .time(c.terminated, t);
        if agent.multimedia {
            r.int(c.endpointid, 0).int(c.endpointtype, 0);
        } else {
            r.int(c.endpointid, agent.dn.id)
                .int(c.endpointtype, agent.dn.kind);
        }
        drop(r);
        ctx.truth.agent_session(&AgentSessionTruth {
            kind: "agent_session",
            site: agent.site + 1,
            agent_id: agent.id,
            user_name: &agent.user_name,
            login_session_id: session.id,
            media: if agent.multimedia {
                "multimedia"
            } else {
                "voice"
            },
            login: session.login,
            logout: t,
            states: session.states,
        });
        t
    }
}

/// What agent bookkeeping writes into: configuration, the site's tables and stamper, the
/// random generator and the truth file.
pub struct Ctx<'a> {
    /// Configuration.
    pub cfg: &'a Config,
    /// Tables of the agent's site.
    pub tables: &'a mut SiteTables,
    /// Stamper of the agent's site.
    pub stamper: &'a mut Stamper,
    /// Random generator.
    pub rng: &'a mut SimRng,
    /// Truth output.
    pub truth: &'a mut Truth,
}

/// Name of an agent state code in truth records.
pub fn state_name(state: i64) -> &'static str {
    match state {
        codes::LOGGED_OFF => "logged_off",
        codes::LOGIN => "login",
        codes::NOT_READY => "not_ready",
        codes::READY => "ready",
        codes::ACW => "after_call_work",
        _ => "busy",
    }
}
