//! Multimedia scenarios on the Interaction Server of site 1: e-mails and chats submitted to
//! an interaction queue (party type 4), taken by a routing strategy (type 6), delivered to an
//! agent's place (type 3), parked in a workbin (type 5) and pulled back, transferred,
//! answered with a reply interaction, or still waiting when the period ends (idb.md §2.1,
//! §2.2 GM_F_USERDATA / GM_L_USERDATA). A chat's strategy waits for an agent in a virtual
//! queue (G_VIRTUAL_QUEUE), and the agent may invite another chat agent into a consultation.

use rand::Rng;

use super::dict::{
    call_type, cc_event as ev, link_type, misc, party_role as role, party_state as st,
    party_type as pt,
};
use super::ids::{Draw, Ms, SimRng, MIN, SEC};
use super::recorder::{Ep, MmSnapshot, Recorder, VqStay};
use super::stamp::Source;
use super::truth::Summary;
use super::voice::spec;
use super::world::World;

/// Agent group of e-mail agents.
const EMAIL_GROUP: usize = 5;
/// Agent group of chat agents.
const CHAT_GROUP: usize = 6;
/// Service whose virtual queue (at site 1) the chat strategy waits in.
const CHAT_VQ_SERVICE: usize = 3;

const SENDERS: [&str; 6] = [
    "Ann Baker",
    "Tom Reed",
    "Lena Fox",
    "Omar Diaz",
    "Mia Chen",
    "Raj Patel",
];
const SUBJECTS: [&str; 5] = [
    "Invoice question",
    "Change my plan",
    "Delivery delayed",
    "Password reset",
    "Complaint",
];

impl World {
    /// An e-mail arriving at `t0`; waits for an agent to log in when none is.
    pub fn email(&mut self, t0: Ms, seq: u64) {
        let got = self.acquire(0, EMAIL_GROUP, t0 + 2 * SEC, self.period.1);
        if got.is_none() && self.rng.chance(0.9) {
            self.pending_email.push_back((t0, seq));
            return;
        }
        self.email_with(t0, seq, got);
    }

    /// Delivers waiting e-mails to agents who logged in at `now`.
    pub fn drain_pending_email(&mut self, now: Ms) {
        while let Some(&(t0, seq)) = self.pending_email.front() {
            let Some(got) = self.acquire(0, EMAIL_GROUP, now.max(t0 + 2 * SEC), self.period.1)
            else {
                return;
            };
            self.pending_email.pop_front();
            self.email_with(t0, seq, Some(got));
        }
    }

    /// Writes the e-mails nobody took: still queued when the period ends.
    pub fn flush_pending_email(&mut self) {
        while let Some((t0, seq)) = self.pending_email.pop_front() {
            self.email_with(t0, seq, None);
        }
    }

    /// Records one e-mail; `got` is the agent (and start) taking it from the queue.
    fn email_with(&mut self, t0: Ms, seq: u64, got: Option<(usize, Ms)>) {
        self.recs[0].reset(0, Source::IxnServer);
        let sender = SENDERS[self.rng.random_range(0..SENDERS.len())];
        let subject = SUBJECTS[self.rng.random_range(0..SUBJECTS.len())];
        let rng = &mut self.rng;
        let rec = &mut self.recs[0];
        let c = rec.open_call(rng, t0, call_type::INBOUND, "email", None);
        rec.mm.push(MmSnapshot {
            call: c,
            first: Some((sender.to_string(), subject.to_string(), "InboundNew")),
            stop_reason: None,
        });
        let (s, ts) = queue_then_strategy(rec, rng, c, t0, 0, ("Subject", subject.to_string()));
        let summary = |scenario, outcome| Summary {
            seq,
            media: "email",
            interaction_type: "inbound",
            scenario,
            outcome,
        };
        let Some((a, tr)) = got else {
            return self.commit(1, summary("email_waiting", "active"), false);
        };
        let tr = tr.max(ts + SEC);
        let rec = &mut self.recs[0];
        let pa = strategy_to_agent(rec, &mut self.rng, c, s, tr, a);
        let ta = tr + self.rng.between(3 * SEC, 20 * SEC);
        self.recs[0].change(pa, ta, st::CONNECTED, ev::ESTABLISHED);
        let work = self.rng.lognormal_ms(5 * MIN, 0.6, 30 * SEC, 60 * MIN);
        let r = self.rng.random::<f64>();
        let (handler, party, done, scenario) = if r < self.knobs.email_workbin {
            let tw = ta + work / 3;
            let rec = &mut self.recs[0];
            rec.end(pa, tw, ev::DIVERTED);
            let w = rec.add_party(
                &mut self.rng,
                c,
                tw,
                spec(
                    pt::MM_WORKBIN,
                    role::DISTRIBUTION,
                    Ep::Workbin,
                    None,
                    Some(pa),
                    link_type::TRANSFER,
                    (st::QUEUED, ev::QUEUED),
                ),
            );
            let back = tw + self.rng.between(20 * MIN, 120 * MIN);
            let Some((a2, tp)) = self.acquire(0, EMAIL_GROUP, back, self.period.1) else {
                return self.commit(1, summary("email_workbin", "active"), false);
            };
            let rec = &mut self.recs[0];
            rec.end(w, tp, ev::DIVERTED);
            let p2 = rec.add_party(
                &mut self.rng,
                c,
                tp,
                spec(
                    pt::MM_PLACE,
                    role::DESTINATION,
                    Ep::Agent(a2),
                    Some(a2),
                    Some(w),
                    link_type::DISTRIBUTION,
                    (st::CONNECTED, ev::ESTABLISHED),
                ),
            );
            (a2, p2, tp + work, "email_workbin")
        } else if r < self.knobs.email_workbin + self.knobs.email_transfer {
            let tx = ta + work / 2;
            match self.acquire(0, EMAIL_GROUP, tx, tx + 30 * MIN) {
                Some((b, tb)) => {
                    let rec = &mut self.recs[0];
                    rec.end(pa, tx, ev::TRANSFERRED);
                    let pb = rec.add_party(
                        &mut self.rng,
                        c,
                        tb,
                        spec(
                            pt::MM_PLACE,
                            role::DESTINATION,
                            Ep::Agent(b),
                            Some(b),
                            Some(pa),
                            link_type::TRANSFER,
                            (st::ALERTING, ev::RINGING),
                        ),
                    );
                    let tab = tb + self.rng.between(3 * SEC, 20 * SEC);
                    self.recs[0].change(pb, tab, st::CONNECTED, ev::ESTABLISHED);
                    (b, pb, tab + work / 2, "email_transfer")
                }
                None => (a, pa, ta + work, "email"),
            }
        } else {
            (a, pa, ta + work, "email")
        };
        let replied = self.rng.chance(self.knobs.email_reply);
        let rng = &mut self.rng;
        let rec = &mut self.recs[0];
        if replied {
            let reply = rec.open_call(rng, done, call_type::OUTBOUND, "email", Some(c));
            rec.mm.push(MmSnapshot {
                call: reply,
                first: Some((
                    sender.to_string(),
                    format!("Re: {subject}"),
                    "OutboundReply",
                )),
                stop_reason: Some("Sent"),
            });
            let pr = rec.add_party(
                rng,
                reply,
                done,
                spec(
                    pt::MM_PLACE,
                    role::ORIGINATOR,
                    Ep::Agent(handler),
                    Some(handler),
                    Some(party),
                    link_type::NONE,
                    (st::CONNECTED, ev::INITIATED),
                ),
            );
            rec.end(pr, done + 2 * SEC, ev::RELEASED);
            rec.end_call(reply, done + 2 * SEC);
        }
        rec.end(party, done, ev::RELEASED);
        rec.end_call(c, done);
        rec.mm[0].stop_reason = Some("Processed");
        let outcome = if scenario == "email_transfer" {
            "transferred"
        } else if replied {
            "replied"
        } else {
            "completed"
        };
        self.commit(1, summary(scenario, outcome), false);
    }

    /// A chat arriving at `t0`.
    pub fn chat(&mut self, t0: Ms, seq: u64) {
        let patience = self.rng.exp_ms(self.knobs.chat_patience) + 20 * SEC;
        let got = self.acquire(0, CHAT_GROUP, t0 + 2 * SEC, t0 + patience);
        self.recs[0].reset(0, Source::IxnServer);
        let rng = &mut self.rng;
        let rec = &mut self.recs[0];
        let c = rec.open_call(rng, t0, call_type::INBOUND, "chat", None);
        let sender = SENDERS[rng.random_range(0..SENDERS.len())];
        rec.mm.push(MmSnapshot {
            call: c,
            first: Some((sender.to_string(), "Chat".to_string(), "InboundNew")),
            stop_reason: None,
        });
        let (s, ts) = queue_then_strategy(rec, rng, c, t0, 1, ("isOnline", "1".to_string()));
        let summary = |scenario, outcome| Summary {
            seq,
            media: "chat",
            interaction_type: "inbound",
            scenario,
            outcome,
        };
        let vq = move |to: Ms, cause: i64, target: Option<usize>| VqStay {
            call: c,
            party: s,
            vq: (0, CHAT_VQ_SERVICE),
            from: ts,
            to,
            cause,
            target,
        };
        let Some((a, tr)) = got else {
            let gone = t0 + patience;
            rec.vqs.push(vq(gone, misc::VQ_ABANDONED, None));
            rec.end(s, gone, ev::ABANDONED);
            rec.attach(c, None, gone, "isOnline", "0".to_string(), false);
            rec.end_call(c, gone);
            rec.mm[0].stop_reason = Some("Abandoned");
            return self.commit(1, summary("chat_abandoned", "abandoned_in_queue"), false);
        };
        let tr = tr.max(ts + SEC);
        rec.vqs.push(vq(tr, misc::VQ_DIVERTED, Some(a)));
        let pa = strategy_to_agent(rec, rng, c, s, tr, a);
        let ta = tr + self.rng.between(2 * SEC, 10 * SEC);
        let end = ta + self.rng.lognormal_ms(8 * MIN, 0.5, MIN, 60 * MIN);
        self.recs[0].change(pa, ta, st::CONNECTED, ev::ESTABLISHED);
        let consult = if self.rng.chance(self.knobs.chat_consult) {
            self.chat_consult(c, (a, pa), ta, end)
        } else {
            None
        };
        let (closer, scenario, outcome) = match consult {
            None => (pa, "chat", "answered"),
            Some((ChatConsultEnd::Returned, _)) => (pa, "chat_consult", "answered"),
            Some((ChatConsultEnd::Transferred, pb)) => (pb, "chat_consult_transfer", "transferred"),
            Some((ChatConsultEnd::Conferenced, _)) => {
                (pa, "chat_consult_conference", "conferenced")
            }
        };
        let rec = &mut self.recs[0];
        rec.attach(c, Some(closer), end, "isOnline", "0".to_string(), false);
        rec.end(closer, end, ev::RELEASED);
        rec.end_call(c, end);
        rec.mm[0].stop_reason = Some("Completed");
        self.commit(1, summary(scenario, outcome), false);
    }

    /// Agent `a`, on chat `call` through party `pa` from `ta` until `end`, invites another
    /// chat agent into a consultation once one is free: a CallType 4 call whose parent is the
    /// chat, where `a`'s originating party dials until the invited agent accepts. The
    /// consultation then returns (both leave it), becomes a transfer (the invited agent's
    /// party moves into the chat and `a` leaves) or a conference (it moves into the chat
    /// beside `a`, and leaves before the chat ends), always before `end`. The ending and the
    /// invited agent's party in the chat (its consultation party when it returned); `None`
    /// when no chat agent is free in time.
    fn chat_consult(
        &mut self,
        call: usize,
        (a, pa): (usize, usize),
        ta: Ms,
        end: Ms,
    ) -> Option<(ChatConsultEnd, usize)> {
        let tc = ta + self.rng.between(10 * SEC, 60 * SEC);
        let (b, tb) = self.acquire(0, CHAT_GROUP, tc, end - MIN)?;
        let accept = tb + self.rng.between(2 * SEC, 10 * SEC);
        let talk = self.rng.lognormal_ms(2 * MIN, 0.5, 20 * SEC, 10 * MIN);
        let done = (accept + talk).min(end - SEC);
        if done <= accept {
            return None;
        }
        let [transfer, conference] = self.knobs.chat_consult_completion;
        let ending = [
            ChatConsultEnd::Returned,
            ChatConsultEnd::Transferred,
            ChatConsultEnd::Conferenced,
        ][self
            .rng
            .weighted(&[1.0 - transfer - conference, transfer, conference])];
        let leave = done + self.rng.lognormal_ms(MIN, 0.5, 10 * SEC, 10 * MIN);
        let rng = &mut self.rng;
        let rec = &mut self.recs[0];
        let k = rec.open_call(rng, tb, call_type::CONSULT, "chat", Some(call));
        let pk = rec.add_party(
            rng,
            k,
            tb,
            spec(
                pt::MM_PLACE,
                role::ORIGINATOR,
                Ep::Agent(a),
                Some(a),
                Some(pa),
                link_type::CONSULT,
                (st::INITIATED, ev::DIALING),
            ),
        );
        let pb = rec.add_party(
            rng,
            k,
            tb,
            spec(
                pt::MM_PLACE,
                role::DESTINATION,
                Ep::Agent(b),
                Some(b),
                Some(pk),
                link_type::CONSULT,
                (st::ALERTING, ev::RINGING),
            ),
        );
        for p in [pk, pb] {
            rec.change(p, accept, st::CONNECTED, ev::ESTABLISHED);
        }
        let moved = match ending {
            ChatConsultEnd::Returned => {
                for p in [pb, pk] {
                    rec.end(p, done, ev::RELEASED);
                }
                pb
            }
            ChatConsultEnd::Transferred | ChatConsultEnd::Conferenced => {
                let transferred = matches!(ending, ChatConsultEnd::Transferred);
                let (event, as_role, link) = if transferred {
                    (ev::TRANSFERRED, role::DESTINATION, link_type::TRANSFER)
                } else {
                    (
                        ev::CONFERENCED,
                        role::CONFERENCE_MEMBER,
                        link_type::CONFERENCE,
                    )
                };
                rec.end(pk, done, event);
                let moved = rec.move_party(rng, pb, call, done, (as_role, pa, link));
                if transferred {
                    rec.end(pa, done, ev::TRANSFERRED);
                } else {
                    rec.change(pa, done, st::CONNECTED, ev::CONFERENCED);
                    rec.end(moved, leave.min(end - SEC).max(done), ev::RELEASED);
                }
                moved
            }
        };
        rec.end_call(k, done);
        Some((ending, moved))
    }
}

/// How a chat consultation ended.
#[derive(Clone, Copy)]
enum ChatConsultEnd {
    /// Both agents left it; the inviting agent kept the chat.
    Returned,
    /// The invited agent took the chat over.
    Transferred,
    /// The invited agent joined the chat beside the inviting one.
    Conferenced,
}

/// Puts interaction `call` into interaction queue `queue` at `t0` with one attached key,
/// and a second later hands it to the routing strategy of that queue. Returns the strategy
/// party and the hand-over time.
fn queue_then_strategy(
    rec: &mut Recorder,
    rng: &mut SimRng,
    call: usize,
    t0: Ms,
    queue: usize,
    (key, value): (&'static str, String),
) -> (usize, Ms) {
    let q = rec.add_party(
        rng,
        call,
        t0,
        spec(
            pt::MM_QUEUE,
            role::DISTRIBUTION,
            Ep::MmQueue(queue),
            None,
            None,
            link_type::NONE,
            (st::QUEUED, ev::QUEUED),
        ),
    );
    rec.attach(call, Some(q), t0, key, value, false);
    let ts = t0 + SEC;
    rec.end(q, ts, ev::DIVERTED);
    let s = rec.add_party(
        rng,
        call,
        ts,
        spec(
            pt::MM_STRATEGY,
            role::DISTRIBUTION,
            Ep::Strategy(queue),
            None,
            Some(q),
            link_type::DISTRIBUTION,
            (st::QUEUED, ev::QUEUED),
        ),
    );
    (s, ts)
}

/// The strategy party `strategy` of interaction `call` delivers it at `t` to the place of
/// agent `agent`, which starts alerting. Returns the agent's party.
fn strategy_to_agent(
    rec: &mut Recorder,
    rng: &mut SimRng,
    call: usize,
    strategy: usize,
    t: Ms,
    agent: usize,
) -> usize {
    rec.end(strategy, t, ev::DIVERTED);
    rec.add_party(
        rng,
        call,
        t,
        spec(
            pt::MM_PLACE,
            role::DESTINATION,
            Ep::Agent(agent),
            Some(agent),
            Some(strategy),
            link_type::DISTRIBUTION,
            (st::ALERTING, ev::RINGING),
        ),
    )
}
