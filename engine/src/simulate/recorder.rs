//! The interaction model: IRs, calls and parties with their complete state histories, as
//! ICON reconstructs them from T-Server / Interaction Server events (idb.md §2.1, §4).
//! Scenarios drive a [`Recorder`]; when the interaction is over, [`super::emit`] turns it
//! into rows and truth.

use super::dict::{call_state, cc_event, party_change, party_state};
use super::ids::{ConnId, Guid, Ms, SimRng};
use super::stamp::Source;

/// Where a party sits: resolved to EndPointDN / EndPointID / type when rows are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ep {
    /// An agent's extension (voice) or place (multimedia), by agent index.
    Agent(usize),
    /// Routing point of a service at a site.
    Rp(usize, usize),
    /// IVR port at a site.
    Ivr(usize, usize),
    /// Outbound ACD queue of a site.
    Acd(usize),
    /// An external number (customer).
    Phone(u64),
    /// A DN on another switch: (site index or `usize::MAX` for the unmonitored one, number).
    Remote(usize, u64),
    /// Multimedia interaction queue (0 e-mail, 1 chat).
    MmQueue(usize),
    /// Multimedia workbin.
    Workbin,
    /// Multimedia strategy (0 e-mail, 1 chat).
    Strategy(usize),
}

/// One change of a party.
#[derive(Debug, Clone, Copy)]
pub struct PartyEvent {
    /// PSeq.
    pub pseq: i64,
    /// CSeq of the call.
    pub cseq: i64,
    /// ChangeType (§3.5).
    pub change: i64,
    /// CCEvent (§3.6).
    pub ccevent: i64,
    /// New state.
    pub state: i64,
    /// State before.
    pub prev: i64,
    /// Time.
    pub at: Ms,
}

/// A party (one endpoint's participation in one call).
#[derive(Debug, Clone)]
pub struct Party {
    /// PartyID.
    pub id: Guid,
    /// PartyGUID (kept across moves).
    pub guid: Guid,
    /// Call index.
    pub call: usize,
    /// Party type (dict 9).
    pub ptype: i64,
    /// Party role (dict 10).
    pub role: i64,
    /// Parent party index.
    pub parent: Option<usize>,
    /// ParentLinkType (dict 11).
    pub link: i64,
    /// Endpoint.
    pub ep: Ep,
    /// Agent index, when an agent is logged in at the endpoint.
    pub agent: Option<usize>,
    /// History.
    pub events: Vec<PartyEvent>,
    /// Multi-site transfer bookkeeping: the location the party was transferred from.
    pub transfer_from: Option<usize>,
}

impl Party {
    /// Current state.
    pub fn state(&self) -> i64 {
        self.events.last().map_or(party_state::NULL, |e| e.state)
    }

    /// Creation time.
    pub fn created(&self) -> Ms {
        self.events.first().map_or(0, |e| e.at)
    }

    /// Termination time, once the party has ended (terminated or moved away).
    pub fn ended(&self) -> Option<Ms> {
        self.events
            .last()
            .filter(|e| matches!(e.change, party_change::TERMINATED | party_change::MOVED))
            .map(|e| e.at)
    }
}

/// Counters of G_CALL_STAT kept by scenarios.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallCounters {
    /// Transfers seen.
    pub transfers: i64,
    /// Conferences seen.
    pub conferences: i64,
}

/// A call (voice) or interaction (multimedia).
#[derive(Debug, Clone)]
pub struct Call {
    /// CallID.
    pub id: Guid,
    /// IR index.
    pub ir: usize,
    /// Main call of a consultation.
    pub parent: Option<usize>,
    /// Call this one was merged into, with the MergeType.
    pub merged_into: Option<(usize, i64)>,
    /// T-Server connection id (voice).
    pub conn: Option<ConnId>,
    /// CallType.
    pub call_type: i64,
    /// Media name for multimedia calls.
    pub media: Option<&'static str>,
    /// Creation.
    pub created: Ms,
    /// Termination or merge.
    pub ended: Option<Ms>,
    /// Call-level CSeq counter of party changes.
    pub cseq: i64,
    /// Counters for G_CALL_STAT.
    pub counters: CallCounters,
}

impl Call {
    /// State code of G_CALL.
    pub fn state(&self) -> i64 {
        match (self.ended, self.merged_into) {
            (Some(_), Some(_)) => call_state::MERGED,
            (Some(_), None) => call_state::TERMINATED,
            _ => call_state::ACTIVE,
        }
    }
}

/// An interaction record.
#[derive(Debug, Clone)]
pub struct Ir {
    /// IRID.
    pub id: Guid,
    /// Root call index.
    pub root: usize,
    /// Parent IR this one merged into.
    pub parent: Option<usize>,
    /// Creation.
    pub created: Ms,
    /// Termination or merge.
    pub ended: Option<Ms>,
    /// Media name.
    pub media: &'static str,
}

/// Attached data change.
#[derive(Debug, Clone)]
pub struct UserData {
    /// Call index.
    pub call: usize,
    /// Party that made the change.
    pub party: Option<usize>,
    /// Key.
    pub key: &'static str,
    /// Value.
    pub value: String,
    /// Time.
    pub at: Ms,
    /// CSeq the row carries.
    pub cseq: i64,
    /// PSeq of the party.
    pub pseq: i64,
    /// Goes to G_SECURE_USERDATA_HISTORY.
    pub secure: bool,
    /// A UserEvent KVP (G_CUSTOM_DATA_S) instead of attached data.
    pub custom: bool,
}

/// A stay in a virtual queue.
#[derive(Debug, Clone, Copy)]
pub struct VqStay {
    /// Call index.
    pub call: usize,
    /// Routing-point party index.
    pub party: usize,
    /// (site, service) of the VQ.
    pub vq: (usize, usize),
    /// Entered.
    pub from: Ms,
    /// Left.
    pub to: Ms,
    /// Cause (1 diverted, 2 abandoned, 3 cleared).
    pub cause: i64,
    /// Agent selected.
    pub target: Option<usize>,
}

/// A routing result at a routing point.
#[derive(Debug, Clone, Copy)]
pub struct RouteResult {
    /// Call index.
    pub call: usize,
    /// Routing-point party.
    pub party: usize,
    /// (site, service).
    pub rp: (usize, usize),
    /// Agent chosen.
    pub agent: Option<usize>,
    /// Time.
    pub at: Ms,
    /// Seconds spent routing.
    pub duration: Ms,
}

/// One half of an IS-link.
#[derive(Debug, Clone, Copy)]
pub struct LinkHalf {
    /// LinkID.
    pub id: Guid,
    /// Call carrying it.
    pub call: usize,
    /// IsLinkType (2 source, 3 target).
    pub link_type: i64,
    /// Remote location: site index, or `usize::MAX` for the unmonitored switch.
    pub remote: usize,
    /// Initiated.
    pub from: Ms,
    /// Terminated.
    pub to: Ms,
    /// Failed (State 3).
    pub failed: bool,
}

/// A multimedia snapshot (GM_F_USERDATA / GM_L_USERDATA).
#[derive(Debug, Clone)]
pub struct MmSnapshot {
    /// Call index.
    pub call: usize,
    /// Sender, subject, subtype.
    pub first: Option<(String, String, &'static str)>,
    /// Stop reason at termination.
    pub stop_reason: Option<&'static str>,
}

/// Everything one site recorded of one interaction.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Site index.
    pub site: usize,
    /// Data source.
    pub source: Option<Source>,
    /// IRs.
    pub irs: Vec<Ir>,
    /// Calls.
    pub calls: Vec<Call>,
    /// Parties.
    pub parties: Vec<Party>,
    /// Attached data.
    pub userdata: Vec<UserData>,
    /// VQ stays.
    pub vqs: Vec<VqStay>,
    /// Route results.
    pub routes: Vec<RouteResult>,
    /// IS-link halves.
    pub links: Vec<LinkHalf>,
    /// Multimedia snapshots.
    pub mm: Vec<MmSnapshot>,
}

/// What a new party is.
#[derive(Debug, Clone, Copy)]
pub struct PartySpec {
    /// Party type.
    pub ptype: i64,
    /// Party role.
    pub role: i64,
    /// Endpoint.
    pub ep: Ep,
    /// Agent at the endpoint.
    pub agent: Option<usize>,
    /// Parent party.
    pub parent: Option<usize>,
    /// ParentLinkType.
    pub link: i64,
    /// Initial state.
    pub state: i64,
    /// CCEvent of the creation.
    pub ccevent: i64,
}

impl Recorder {
    /// Clears the recorder for the next interaction at `site`, reusing its buffers.
    pub fn reset(&mut self, site: usize, source: Source) {
        self.site = site;
        self.source = Some(source);
        self.irs.clear();
        self.calls.clear();
        self.parties.clear();
        self.userdata.clear();
        self.vqs.clear();
        self.routes.clear();
        self.links.clear();
        self.mm.clear();
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Opens an IR with its root call; returns the call index.
    pub fn open_call(
        &mut self,
        rng: &mut SimRng,
        t: Ms,
        call_type: i64,
        media: &'static str,
        parent: Option<usize>,
    ) -> usize {
        let voice = media == "voice";
        let ir = self.irs.len();
        self.irs.push(Ir {
            id: Guid::new(rng),
            root: self.calls.len(),
            parent: None,
            created: t,
            ended: None,
            media,
        });
        self.calls.push(Call {
            id: if voice {
                Guid::new(rng)
            } else {
                Guid::new_short(rng)
            },
            ir,
            parent,
            merged_into: None,
            conn: voice.then(|| ConnId::new(rng)),
            call_type,
            media: (!voice).then_some(media),
            created: t,
            ended: None,
            cseq: 0,
            counters: CallCounters::default(),
        });
        self.calls.len() - 1
    }

    fn push_event(&mut self, p: usize, t: Ms, change: i64, ccevent: i64, state: i64) {
        let call = self.parties[p].call;
        self.calls[call].cseq += 1;
        let cseq = self.calls[call].cseq;
        let party = &mut self.parties[p];
        let prev = party.state();
        let pseq = party.events.len() as i64 + 1;
        party.events.push(PartyEvent {
            pseq,
            cseq,
            change,
            ccevent,
            state,
            prev,
            at: t,
        });
    }

    /// Adds a party to `call` at `t`.
    pub fn add_party(&mut self, rng: &mut SimRng, call: usize, t: Ms, spec: PartySpec) -> usize {
        let guid = Guid::new(rng);
        self.add_party_with_guid(rng, call, t, spec, guid)
    }

    fn add_party_with_guid(
        &mut self,
        rng: &mut SimRng,
        call: usize,
        t: Ms,
        spec: PartySpec,
        guid: Guid,
    ) -> usize {
        self.parties.push(Party {
            id: Guid::new(rng),
            guid,
            call,
            ptype: spec.ptype,
            role: spec.role,
            parent: spec.parent,
            link: spec.link,
            ep: spec.ep,
            agent: spec.agent,
            events: Vec::with_capacity(6),
            transfer_from: None,
        });
        let p = self.parties.len() - 1;
        self.push_event(p, t, party_change::CREATED, spec.ccevent, spec.state);
        p
    }

    /// Changes a party's state.
    pub fn change(&mut self, p: usize, t: Ms, state: i64, ccevent: i64) {
        self.push_event(p, t, party_change::STATE, ccevent, state);
    }

    /// Ends a party.
    pub fn end(&mut self, p: usize, t: Ms, ccevent: i64) {
        if self.parties[p].ended().is_none() {
            self.push_event(p, t, party_change::TERMINATED, ccevent, party_state::NULL);
        }
    }

    /// Moves a party to another call: ChangeType 4 in the old call, a new PartyID with the
    /// same PartyGUID created with CCEvent PartyMoved in the new one (idb.md §6.3 rule 3);
    /// `via` is the new party's (role, parent party, ParentLinkType).
    pub fn move_party(
        &mut self,
        rng: &mut SimRng,
        p: usize,
        to_call: usize,
        t: Ms,
        via: (i64, usize, i64),
    ) -> usize {
        let (role, parent, link) = via;
        let state = self.parties[p].state();
        self.push_event(p, t, party_change::MOVED, cc_event::PARTY_MOVED, state);
        let old = self.parties[p].clone();
        let spec = PartySpec {
            ptype: old.ptype,
            role,
            ep: old.ep,
            agent: old.agent,
            parent: Some(parent),
            link,
            state,
            ccevent: cc_event::PARTY_MOVED,
        };
        self.add_party_with_guid(rng, to_call, t, spec, old.guid)
    }

    /// Merges `from` into `into` (transfer or conference completion), with its IR.
    pub fn merge(&mut self, from: usize, into: usize, t: Ms, merge_type: i64) {
        self.calls[from].merged_into = Some((into, merge_type));
        self.calls[from].ended = Some(t);
        let (ir_from, ir_into) = (self.calls[from].ir, self.calls[into].ir);
        if ir_from != ir_into {
            self.irs[ir_from].parent = Some(ir_into);
            self.irs[ir_from].ended = Some(t);
        }
    }

    /// Terminates a call and, if it is the root of its IR, the IR.
    pub fn end_call(&mut self, c: usize, t: Ms) {
        if self.calls[c].ended.is_none() {
            self.calls[c].ended = Some(t);
            let ir = self.calls[c].ir;
            if self.irs[ir].root == c && self.irs[ir].ended.is_none() {
                self.irs[ir].ended = Some(t);
            }
        }
    }

    /// Ends every party still on `call` and the call itself.
    pub fn release_all(&mut self, call: usize, t: Ms, customer_ccevent: i64) {
        for p in 0..self.parties.len() {
            if self.parties[p].call == call && self.parties[p].ended().is_none() {
                let ev = if self.parties[p].ptype == super::dict::party_type::EXTERNAL {
                    customer_ccevent
                } else {
                    cc_event::RELEASED
                };
                self.end(p, t, ev);
            }
        }
        self.end_call(call, t);
    }

    /// Attaches a KVP to `call`, made by `party`.
    pub fn attach(
        &mut self,
        call: usize,
        party: Option<usize>,
        t: Ms,
        key: &'static str,
        value: String,
        secure: bool,
    ) {
        let cseq = self.calls[call].cseq + 1;
        let pseq = party.map_or(0, |p| self.parties[p].events.len() as i64);
        self.userdata.push(UserData {
            call,
            party,
            key,
            value,
            at: t,
            cseq,
            pseq,
            secure,
            custom: false,
        });
    }

    /// Records a UserEvent KVP sent by `party` (G_CUSTOM_DATA_S).
    pub fn user_event(
        &mut self,
        call: usize,
        party: usize,
        t: Ms,
        key: &'static str,
        value: String,
    ) {
        let cseq = self.calls[call].cseq + 1;
        let pseq = self.parties[party].events.len() as i64;
        self.userdata.push(UserData {
            call,
            party: Some(party),
            key,
            value,
            at: t,
            cseq,
            pseq,
            secure: false,
            custom: true,
        });
    }

    /// First and last event time of everything recorded (the unit's span).
    pub fn span(&self) -> (Ms, Ms) {
        let first = self.calls.iter().map(|c| c.created).min().unwrap_or(0);
        let last = self
            .parties
            .iter()
            .filter_map(|p| p.events.last().map(|e| e.at))
            .chain(self.calls.iter().filter_map(|c| c.ended))
            .chain(self.userdata.iter().map(|u| u.at))
            .chain(self.links.iter().map(|l| l.to))
            .max()
            .unwrap_or(first);
        (first, last.max(first))
    }

    /// The agent's busy interval in this interaction: first party creation to last end.
    pub fn agent_busy(&self, agent: usize) -> Option<(Ms, Ms)> {
        let mut out: Option<(Ms, Ms)> = None;
        for p in self.parties.iter().filter(|p| p.agent == Some(agent)) {
            let (from, to) = (p.created(), p.ended().unwrap_or(p.created()));
            out = Some(out.map_or((from, to), |(a, b)| (a.min(from), b.max(to))));
        }
        out
    }

    /// Agents involved, in order of first appearance.
    pub fn agents(&self) -> Vec<usize> {
        let mut v: Vec<usize> = Vec::new();
        for a in self.parties.iter().filter_map(|p| p.agent) {
            if !v.contains(&a) {
                v.push(a);
            }
        }
        v
    }
}
