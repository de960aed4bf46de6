//! Multi-site voice (ISCC): an inbound call routed from one switch to an agent on the
//! other is recorded as one call in each site's IDB, the two joined by G_IS_LINK halves
//! with the same LinkID (source on the origin, target on the destination). Some calls go
//! to a switch no ICON monitors (listed in GSYS_DNPREMOTELOCATION, never paired) and some
//! IS-link requests fail (State 3) before the call is routed locally (idb.md §5.4).

use rand::Rng;

use super::dict::{
    call_type, cc_event as ev, link_type, misc, party_role as role, party_state as st,
    party_type as pt,
};
use super::ids::{Draw, Guid, Ms, SEC};
use super::recorder::{Ep, LinkHalf, RouteResult, VqStay};
use super::stamp::Source;
use super::truth::Summary;
use super::voice::spec;
use super::world::World;

impl World {
    /// Routes inbound call `c1` (customer `p1`, routing point party `p2`) to an agent of the
    /// other site; false (nothing recorded) when no agent there is free.
    pub fn route_remote(
        &mut self,
        c1: usize,
        p1: usize,
        p2: usize,
        rp: (usize, usize),
        vq_in: Ms,
        seq: u64,
    ) -> bool {
        let (site, service) = rp;
        let remote = (site + 1) % self.cfg.sites.len();
        let group = self.cfg.services[service].group;
        let route_at = vq_in + self.rng.between(SEC, 3 * SEC);
        let Some((b, tr)) = self.acquire(remote, group, route_at, route_at + 2 * SEC) else {
            return false;
        };
        let number: u64 = self.cfg.agents[b].dn.number.parse().unwrap_or(0);
        let ani = self.recs[0].parties[p1].ep;
        let link = Guid::new(&mut self.rng);
        let rec = &mut self.recs[0];
        rec.vqs.push(VqStay {
            call: c1,
            party: p2,
            vq: rp,
            from: vq_in,
            to: tr,
            cause: misc::VQ_DIVERTED,
            target: Some(b),
        });
        rec.routes.push(RouteResult {
            call: c1,
            party: p2,
            rp,
            agent: Some(b),
            at: tr,
            duration: tr - rec.calls[c1].created,
        });
        rec.end(p2, tr, ev::DIVERTED);
        let px = rec.add_party(
            &mut self.rng,
            c1,
            tr,
            spec(
                pt::EXTERNAL,
                role::DESTINATION,
                Ep::Remote(remote, number),
                None,
                Some(p2),
                link_type::DISTRIBUTION,
                (st::ALERTING, ev::RINGING),
            ),
        );

        let t7 = tr + 100;
        self.recs[1].reset(remote, Source::TServer);
        let rng = &mut self.rng;
        let other = &mut self.recs[1];
        let c7 = other.open_call(rng, t7, call_type::INBOUND, "voice", None);
        let q1 = other.add_party(
            rng,
            c7,
            t7,
            spec(
                pt::EXTERNAL,
                role::ORIGINATOR,
                ani,
                None,
                None,
                link_type::NONE,
                (st::CONNECTED, ev::INITIATED),
            ),
        );
        other.parties[q1].transfer_from = Some(site);
        let q2 = other.add_party(
            rng,
            c7,
            t7,
            spec(
                pt::INTERNAL,
                role::DESTINATION,
                Ep::Agent(b),
                Some(b),
                Some(q1),
                link_type::DISTRIBUTION,
                (st::ALERTING, ev::RINGING),
            ),
        );
        other.attach(
            c7,
            Some(q2),
            t7,
            "OriginSite",
            self.cfg.sites[site].name.clone(),
            false,
        );

        let ta = t7 + self.knobs.ring(&mut self.rng);
        self.recs[0].change(px, ta, st::CONNECTED, ev::ESTABLISHED);
        self.recs[1].change(q2, ta, st::CONNECTED, ev::ESTABLISHED);
        let mut end = ta + self.knobs.talk(&mut self.rng, 1.0);
        if self.rng.chance(self.knobs.hold) {
            let at = ta + (end - ta) / 2;
            let hold = self.knobs.hold_length(&mut self.rng);
            self.recs[1].change(q2, at, st::HELD, ev::HELD);
            self.recs[1].change(q2, at + hold, st::CONNECTED, ev::RETRIEVED);
            end += hold;
        }
        self.recs[0].release_all(c1, end, ev::RELEASED);
        self.recs[1].release_all(c7, end, ev::RELEASED);
        self.recs[0].links.push(LinkHalf {
            id: link,
            call: c1,
            link_type: misc::LINK_SOURCE,
            remote,
            from: tr,
            to: end,
            failed: false,
        });
        self.recs[1].links.push(LinkHalf {
            id: link,
            call: c7,
            link_type: misc::LINK_TARGET,
            remote: site,
            from: t7,
            to: end,
            failed: false,
        });
        let summary = Summary {
            seq,
            media: "voice",
            interaction_type: "inbound",
            scenario: "multi_site_route",
            outcome: "answered",
        };
        self.commit(2, summary, true);
        true
    }

    /// Routes inbound call `c1` to a number on a switch no simulated ICON monitors.
    pub fn route_unmonitored(
        &mut self,
        c1: usize,
        p2: usize,
        rp: (usize, usize),
        vq_in: Ms,
        seq: u64,
    ) {
        let tr = vq_in + self.rng.between(SEC, 3 * SEC);
        let number = 9_000_000 + self.rng.random_range(0..100_000u64);
        let rec = &mut self.recs[0];
        rec.vqs.push(VqStay {
            call: c1,
            party: p2,
            vq: rp,
            from: vq_in,
            to: tr,
            cause: misc::VQ_DIVERTED,
            target: None,
        });
        rec.routes.push(RouteResult {
            call: c1,
            party: p2,
            rp,
            agent: None,
            at: tr,
            duration: tr - rec.calls[c1].created,
        });
        rec.end(p2, tr, ev::DIVERTED);
        let px = rec.add_party(
            &mut self.rng,
            c1,
            tr,
            spec(
                pt::EXTERNAL,
                role::DESTINATION,
                Ep::Remote(usize::MAX, number),
                None,
                Some(p2),
                link_type::DISTRIBUTION,
                (st::ALERTING, ev::RINGING),
            ),
        );
        let ta = tr + self.knobs.ring(&mut self.rng);
        self.recs[0].change(px, ta, st::CONNECTED, ev::ESTABLISHED);
        let end = ta + self.knobs.talk(&mut self.rng, 1.0);
        self.recs[0].release_all(c1, end, ev::RELEASED);
        let link = Guid::new(&mut self.rng);
        self.recs[0].links.push(LinkHalf {
            id: link,
            call: c1,
            link_type: misc::LINK_SOURCE,
            remote: usize::MAX,
            from: tr,
            to: end,
            failed: false,
        });
        let summary = Summary {
            seq,
            media: "voice",
            interaction_type: "inbound",
            scenario: "unmonitored_remote",
            outcome: "answered",
        };
        self.commit(1, summary, false);
    }

    /// Records an IS-link request for `c1` towards the other site that failed (State 3).
    pub fn failed_link(&mut self, c1: usize, site: usize, at: Ms) {
        let remote = (site + 1) % self.cfg.sites.len();
        let link = Guid::new(&mut self.rng);
        self.recs[0].links.push(LinkHalf {
            id: link,
            call: c1,
            link_type: misc::LINK_SOURCE,
            remote,
            from: at + 500,
            to: at + 1500,
            failed: true,
        });
    }
}
