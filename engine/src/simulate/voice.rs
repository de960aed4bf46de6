//! Voice scenarios: inbound calls through a routing point and virtual queue to an agent
//! (ringing, talk, hold, after-call work), blind and consultative transfers, conferences,
//! consultations that return, abandons in queue and while ringing, self-service IVR,
//! internal calls and agent-dialed outbound calls (idb.md §4.2 is the pattern).

use rand::Rng;

use super::dict::{
    call_type, cc_event as ev, link_type, party_role as role, party_state as st, party_type as pt,
};
use super::ids::{Draw, Ms, SEC};
use super::recorder::{Ep, PartySpec, RouteResult, VqStay};
use super::stamp::Source;
use super::truth::Summary;
use super::world::World;

/// How a handled call continues after the first talk segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    Hangup,
    BlindTransfer,
    ConsultTransfer,
    Conference,
    ConsultReturn,
}

/// A new party spec with the usual defaults.
pub fn spec(
    ptype: i64,
    prole: i64,
    ep: Ep,
    agent: Option<usize>,
    parent: Option<usize>,
    link: i64,
    (state, ccevent): (i64, i64),
) -> PartySpec {
    PartySpec {
        ptype,
        role: prole,
        ep,
        agent,
        parent,
        link,
        state,
        ccevent,
    }
}

/// A customer telephone number.
pub fn phone(w: &mut World) -> u64 {
    15_550_000_000 + w.rng.random_range(0..9_999_999u64)
}

impl World {
    /// Agent `a` goes off-hook at `t0` on a new voice call of `call_type`: returns the call
    /// and the dialing originator party.
    fn agent_dials(&mut self, a: usize, t0: Ms, call_type: i64) -> (usize, usize) {
        let rec = &mut self.recs[0];
        let c = rec.open_call(&mut self.rng, t0, call_type, "voice", None);
        let pa = rec.add_party(
            &mut self.rng,
            c,
            t0,
            spec(
                pt::INTERNAL,
                role::ORIGINATOR,
                Ep::Agent(a),
                Some(a),
                None,
                link_type::NONE,
                (st::INITIATED, ev::DIALING),
            ),
        );
        (c, pa)
    }

    /// Talks on `party` from `t` for `length`, with an optional hold; returns the end.
    pub fn talk(&mut self, party: usize, t: Ms, length: Ms) -> Ms {
        if self.rng.chance(self.knobs.hold) {
            let at = t + length / 3 + self.rng.between(0, length / 3 + 1);
            let hold = self.knobs.hold_length(&mut self.rng);
            self.recs[0].change(party, at, st::HELD, ev::HELD);
            self.recs[0].change(party, at + hold, st::CONNECTED, ev::RETRIEVED);
            return t + length + hold;
        }
        t + length
    }

    /// Inbound call at `t0` to a random service of a random site.
    pub fn inbound(&mut self, t0: Ms, seq: u64) {
        let site = self.rng.random_range(0..self.cfg.sites.len());
        let service = self.rng.weighted(&[0.35, 0.3, 0.2, 0.15]);
        self.recs[0].reset(site, Source::TServer);
        let ani = phone(self);
        let rng = &mut self.rng;
        let rec = &mut self.recs[0];
        let c1 = rec.open_call(rng, t0, call_type::INBOUND, "voice", None);
        let p1 = rec.add_party(
            rng,
            c1,
            t0,
            spec(
                pt::EXTERNAL,
                role::ORIGINATOR,
                Ep::Phone(ani),
                None,
                None,
                link_type::NONE,
                (st::CONNECTED, ev::INITIATED),
            ),
        );
        let p2 = rec.add_party(
            rng,
            c1,
            t0,
            spec(
                pt::INTERNAL,
                role::DISTRIBUTION,
                Ep::Rp(site, service),
                None,
                Some(p1),
                link_type::DISTRIBUTION,
                (st::QUEUED, ev::QUEUED),
            ),
        );
        let segment = ["Gold", "Silver", "Bronze"][rng.random_range(0..3)];
        rec.attach(
            c1,
            Some(p2),
            t0 + SEC,
            "Segment",
            segment.to_string(),
            false,
        );
        rec.attach(
            c1,
            Some(p2),
            t0 + SEC,
            "CustomerID",
            format!("CU{}", ani % 10_000_000),
            false,
        );
        if rng.chance(0.2) {
            rec.attach(
                c1,
                Some(p2),
                t0 + SEC,
                "CardLast4",
                format!("{:04}", ani % 10_000),
                true,
            );
        }
        let summary = |scenario, outcome| Summary {
            seq,
            media: "voice",
            interaction_type: "inbound",
            scenario,
            outcome,
        };

        if self.rng.chance(self.knobs.ivr_self_service) {
            let port = self.rng.random_range(0..self.cfg.sites[site].ivr.len());
            let t = t0 + 2 * SEC;
            let rec = &mut self.recs[0];
            rec.end(p2, t, ev::DIVERTED);
            let p3 = rec.add_party(
                &mut self.rng,
                c1,
                t,
                spec(
                    pt::INTERNAL,
                    role::DESTINATION,
                    Ep::Ivr(site, port),
                    None,
                    Some(p2),
                    link_type::DISTRIBUTION,
                    (st::ALERTING, ev::RINGING),
                ),
            );
            rec.change(p3, t + 500, st::CONNECTED, ev::ESTABLISHED);
            let end = t + 500 + self.knobs.ivr_time(&mut self.rng);
            self.recs[0].release_all(c1, end, ev::RELEASED);
            self.commit(1, summary("ivr_self_service", "self_service"), false);
            return;
        }

        let vq_in = t0 + 2 * SEC;
        let patience = self.rng.exp_ms(self.knobs.patience) + 5 * SEC;
        if self.cfg.sites.len() > 1 && self.rng.chance(self.knobs.cross_site) {
            let r = self.rng.random::<f64>();
            let (unmonitored_share, failed_share) =
                (self.knobs.unmonitored, self.knobs.failed_link);
            if r < unmonitored_share {
                self.route_unmonitored(c1, p2, (site, service), vq_in, seq);
                return;
            }
            if r >= unmonitored_share + failed_share
                && self.route_remote(c1, p1, p2, (site, service), vq_in, seq)
            {
                return;
            }
            if r < unmonitored_share + failed_share {
                self.failed_link(c1, site, vq_in);
            }
        }
        let group = self.cfg.services[service].group;
        let route_at = vq_in + self.rng.between(SEC, 4 * SEC);
        let Some((agent, tr)) = self.acquire(site, group, route_at, vq_in + patience) else {
            let gone = vq_in + patience;
            let rec = &mut self.recs[0];
            rec.vqs.push(VqStay {
                call: c1,
                party: p2,
                vq: (site, service),
                from: vq_in,
                to: gone,
                cause: super::dict::misc::VQ_ABANDONED,
                target: None,
            });
            rec.end(p2, gone, ev::ABANDONED);
            rec.end(p1, gone, ev::ABANDONED);
            rec.end_call(c1, gone);
            self.commit(
                1,
                summary("abandoned_in_queue", "abandoned_in_queue"),
                false,
            );
            return;
        };
        let rec = &mut self.recs[0];
        rec.vqs.push(VqStay {
            call: c1,
            party: p2,
            vq: (site, service),
            from: vq_in,
            to: tr,
            cause: super::dict::misc::VQ_DIVERTED,
            target: Some(agent),
        });
        rec.routes.push(RouteResult {
            call: c1,
            party: p2,
            rp: (site, service),
            agent: Some(agent),
            at: tr,
            duration: tr - t0,
        });
        rec.end(p2, tr, ev::DIVERTED);
        let p3 = rec.add_party(
            &mut self.rng,
            c1,
            tr,
            spec(
                pt::INTERNAL,
                role::DESTINATION,
                Ep::Agent(agent),
                Some(agent),
                Some(p2),
                link_type::DISTRIBUTION,
                (st::ALERTING, ev::RINGING),
            ),
        );
        let (scenario, outcome) = self.handle(c1, p1, p3, agent, tr);
        self.commit(1, summary(scenario, outcome), false);
    }

    /// The customer on `c1` (party `p1`) rings agent party `p3` from `tr`: answer or
    /// abandon, talk, then one of the follow-ups. Returns (scenario, outcome).
    pub fn handle(
        &mut self,
        c1: usize,
        p1: usize,
        p3: usize,
        agent: usize,
        tr: Ms,
    ) -> (&'static str, &'static str) {
        let ring = self.knobs.ring(&mut self.rng);
        if self.rng.chance(self.knobs.abandon_ringing) {
            let gone = tr + ring / 2 + 300;
            let rec = &mut self.recs[0];
            rec.end(p1, gone, ev::ABANDONED);
            rec.end(p3, gone, ev::RELEASED);
            rec.end_call(c1, gone);
            return ("abandoned_ringing", "abandoned_ringing");
        }
        let ta = tr + ring;
        self.recs[0].change(p3, ta, st::CONNECTED, ev::ESTABLISHED);
        let k = &self.knobs;
        let weights = [
            1.0 - k.blind_transfer - k.consult_transfer - k.conference - k.consult_return,
            k.blind_transfer,
            k.consult_transfer,
            k.conference,
            k.consult_return,
        ];
        let after = [
            After::Hangup,
            After::BlindTransfer,
            After::ConsultTransfer,
            After::Conference,
            After::ConsultReturn,
        ][self.rng.weighted(&weights)];
        let first = self.knobs.talk(
            &mut self.rng,
            if after == After::Hangup { 1.0 } else { 0.5 },
        );
        let t = self.talk(p3, ta, first);
        let site = self.recs[0].site;
        match after {
            After::Hangup => {
                if self.rng.chance(0.3) {
                    let disposition =
                        ["Resolved", "FollowUp", "Escalated"][self.rng.random_range(0..3)];
                    self.recs[0].user_event(
                        c1,
                        p3,
                        t - SEC,
                        "Disposition",
                        disposition.to_string(),
                    );
                }
                self.recs[0].release_all(c1, t, ev::RELEASED);
                ("answered", "answered")
            }
            After::BlindTransfer => match self.acquire_any(site, t, Some(agent)) {
                Some(b) => {
                    let rec = &mut self.recs[0];
                    rec.end(p3, t, ev::TRANSFERRED);
                    rec.calls[c1].counters.transfers += 1;
                    let p4 = rec.add_party(
                        &mut self.rng,
                        c1,
                        t,
                        spec(
                            pt::INTERNAL,
                            role::DESTINATION,
                            Ep::Agent(b),
                            Some(b),
                            Some(p3),
                            link_type::TRANSFER,
                            (st::ALERTING, ev::RINGING),
                        ),
                    );
                    let tb = t + self.knobs.ring(&mut self.rng);
                    self.recs[0].change(p4, tb, st::CONNECTED, ev::ESTABLISHED);
                    let len = self.knobs.talk(&mut self.rng, 0.7);
                    let end = self.talk(p4, tb, len);
                    self.recs[0].release_all(c1, end, ev::RELEASED);
                    ("blind_transfer", "transferred")
                }
                None => {
                    self.recs[0].release_all(c1, t, ev::RELEASED);
                    ("answered", "answered")
                }
            },
            After::ConsultTransfer | After::Conference | After::ConsultReturn => {
                self.consult(c1, p3, agent, t, after)
            }
        }
    }

    /// Agent `agent` (party `p3` on `c1`) holds the customer at `tc` and consults another
    /// agent; the consultation returns, becomes a transfer or a conference.
    fn consult(
        &mut self,
        c1: usize,
        p3: usize,
        agent: usize,
        tc: Ms,
        after: After,
    ) -> (&'static str, &'static str) {
        let site = self.recs[0].site;
        self.recs[0].change(p3, tc, st::HELD, ev::HELD);
        let Some(b) = self.acquire_any(site, tc + 500, Some(agent)) else {
            let back = tc + self.rng.between(10 * SEC, 30 * SEC);
            self.recs[0].change(p3, back, st::CONNECTED, ev::RETRIEVED);
            let end = back + self.knobs.talk(&mut self.rng, 0.3);
            self.recs[0].release_all(c1, end, ev::RELEASED);
            return ("consult_unavailable", "answered");
        };
        let rng = &mut self.rng;
        let rec = &mut self.recs[0];
        let c2 = rec.open_call(rng, tc, call_type::CONSULT, "voice", Some(c1));
        let p4 = rec.add_party(
            rng,
            c2,
            tc,
            spec(
                pt::INTERNAL,
                role::ORIGINATOR,
                Ep::Agent(agent),
                Some(agent),
                Some(p3),
                link_type::CONSULT,
                (st::INITIATED, ev::DIALING),
            ),
        );
        let p5 = rec.add_party(
            rng,
            c2,
            tc + 500,
            spec(
                pt::INTERNAL,
                role::DESTINATION,
                Ep::Agent(b),
                Some(b),
                Some(p4),
                link_type::CONSULT,
                (st::ALERTING, ev::RINGING),
            ),
        );
        let tb = tc + 500 + self.knobs.ring(&mut self.rng);
        let rec = &mut self.recs[0];
        rec.change(p4, tb, st::CONNECTED, ev::ESTABLISHED);
        rec.change(p5, tb, st::CONNECTED, ev::ESTABLISHED);
        let te = tb + self.rng.lognormal_ms(30 * SEC, 0.5, 5 * SEC, 600 * SEC);
        match after {
            After::ConsultReturn => {
                let rec = &mut self.recs[0];
                rec.end(p5, te, ev::RELEASED);
                rec.end(p4, te, ev::RELEASED);
                rec.end_call(c2, te);
                rec.change(p3, te, st::CONNECTED, ev::RETRIEVED);
                let len = self.knobs.talk(&mut self.rng, 0.4);
                let end = self.talk(p3, te, len);
                self.recs[0].release_all(c1, end, ev::RELEASED);
                ("consult_return", "answered")
            }
            After::ConsultTransfer => {
                let rec = &mut self.recs[0];
                rec.end(p4, te, ev::TRANSFERRED);
                let p6 = rec.move_party(
                    &mut self.rng,
                    p5,
                    c1,
                    te,
                    (role::DESTINATION, p3, link_type::TRANSFER),
                );
                rec.end(p3, te, ev::TRANSFERRED);
                rec.merge(c2, c1, te, super::dict::merge_type::TRANSFER);
                rec.calls[c1].counters.transfers += 1;
                let len = self.knobs.talk(&mut self.rng, 0.7);
                let end = self.talk(p6, te, len);
                self.recs[0].release_all(c1, end, ev::RELEASED);
                ("consult_transfer", "transferred")
            }
            _ => {
                let rec = &mut self.recs[0];
                rec.end(p4, te, ev::CONFERENCED);
                let p6 = rec.move_party(
                    &mut self.rng,
                    p5,
                    c1,
                    te,
                    (role::CONFERENCE_MEMBER, p3, link_type::CONFERENCE),
                );
                rec.change(p3, te, st::CONNECTED, ev::CONFERENCED);
                rec.merge(c2, c1, te, super::dict::merge_type::CONFERENCE);
                rec.calls[c1].counters.conferences += 1;
                let leave = te + self.rng.lognormal_ms(60 * SEC, 0.5, 10 * SEC, 900 * SEC);
                self.recs[0].end(p3, leave, ev::RELEASED);
                let len = self.knobs.talk(&mut self.rng, 0.6);
                let end = self.talk(p6, leave, len);
                self.recs[0].release_all(c1, end, ev::RELEASED);
                ("conference", "conferenced")
            }
        }
    }

    /// Internal call between two agents of one site; falls back to an inbound call when
    /// no agent is free to place it.
    pub fn internal(&mut self, t0: Ms, seq: u64) {
        let site = self.rng.random_range(0..self.cfg.sites.len());
        let Some(a) = self.acquire_any(site, t0, None) else {
            return self.inbound(t0, seq);
        };
        self.recs[0].reset(site, Source::TServer);
        let (c, pa) = self.agent_dials(a, t0, call_type::INTERNAL);
        let summary = |scenario, outcome| Summary {
            seq,
            media: "voice",
            interaction_type: "internal",
            scenario,
            outcome,
        };
        let Some(b) = self.acquire_any(site, t0 + 500, Some(a)) else {
            let others: Vec<usize> = self.cfg.sites[site]
                .agents
                .iter()
                .copied()
                .filter(|x| *x != a)
                .collect();
            if let Some(&b) = others.get(self.rng.random_range(0..others.len().max(1))) {
                let rec = &mut self.recs[0];
                let pb = rec.add_party(
                    &mut self.rng,
                    c,
                    t0 + 500,
                    spec(
                        pt::INTERNAL,
                        role::DESTINATION,
                        Ep::Agent(b),
                        None,
                        Some(pa),
                        link_type::NONE,
                        (st::FAILED, ev::FAILED),
                    ),
                );
                rec.end(pb, t0 + 600, ev::FAILED);
            }
            self.recs[0].release_all(c, t0 + 2 * SEC, ev::RELEASED);
            return self.commit(1, summary("internal_busy", "busy"), false);
        };
        let rec = &mut self.recs[0];
        let pb = rec.add_party(
            &mut self.rng,
            c,
            t0 + 500,
            spec(
                pt::INTERNAL,
                role::DESTINATION,
                Ep::Agent(b),
                Some(b),
                Some(pa),
                link_type::NONE,
                (st::ALERTING, ev::RINGING),
            ),
        );
        let ta = t0 + 500 + self.knobs.ring(&mut self.rng);
        let rec = &mut self.recs[0];
        rec.change(pa, ta, st::CONNECTED, ev::ESTABLISHED);
        rec.change(pb, ta, st::CONNECTED, ev::ESTABLISHED);
        let end = ta + self.knobs.talk(&mut self.rng, 0.4);
        self.recs[0].release_all(c, end, ev::RELEASED);
        self.commit(1, summary("internal", "answered"), false);
    }

    /// An agent dials a customer; falls back to an inbound call when nobody is free.
    pub fn agent_outbound(&mut self, t0: Ms, seq: u64) {
        let site = self.rng.random_range(0..self.cfg.sites.len());
        let Some(a) = self.acquire_any(site, t0, None) else {
            return self.inbound(t0, seq);
        };
        self.recs[0].reset(site, Source::TServer);
        let number = phone(self);
        let (c, pa) = self.agent_dials(a, t0, call_type::OUTBOUND);
        let rng = &mut self.rng;
        let rec = &mut self.recs[0];
        let pc = rec.add_party(
            rng,
            c,
            t0 + SEC,
            spec(
                pt::EXTERNAL,
                role::DESTINATION,
                Ep::Phone(number),
                None,
                Some(pa),
                link_type::NONE,
                (st::ALERTING, ev::RINGING),
            ),
        );
        let summary = |scenario, outcome| Summary {
            seq,
            media: "voice",
            interaction_type: "outbound",
            scenario,
            outcome,
        };
        let r = self.rng.random::<f64>();
        if r < self.knobs.outbound_answer {
            let ta = t0 + SEC + self.rng.between(4 * SEC, 20 * SEC);
            let rec = &mut self.recs[0];
            rec.change(pa, ta, st::CONNECTED, ev::ESTABLISHED);
            rec.change(pc, ta, st::CONNECTED, ev::ESTABLISHED);
            let len = self.knobs.talk(&mut self.rng, 0.8);
            let end = self.talk(pa, ta, len);
            self.recs[0].release_all(c, end, ev::RELEASED);
            self.commit(1, summary("agent_outbound", "answered"), false);
        } else if r < self.knobs.outbound_answer + 0.1 {
            let rec = &mut self.recs[0];
            rec.change(pc, t0 + 2 * SEC, st::FAILED, ev::FAILED);
            rec.end(pc, t0 + 2 * SEC, ev::FAILED);
            rec.release_all(c, t0 + 3 * SEC, ev::RELEASED);
            self.commit(1, summary("agent_outbound", "busy"), false);
        } else {
            self.recs[0].release_all(c, t0 + 26 * SEC, ev::RELEASED);
            self.commit(1, summary("agent_outbound", "no_answer"), false);
        }
    }
}
