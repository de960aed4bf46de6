//! Outbound (OCS): campaign sessions loaded, started and unloaded each day
//! (GO_CAMPAIGN, GO_CAMPAIGNHISTORY), and chain attempts whose dialed calls are voice calls
//! linked by GOX_CHAIN_CALL, with their record history (GO_CHAIN, GO_CHAINREC_HIST,
//! GO_FIELDHIST) (idb.md §2.5).

use rand::Rng;

use super::dict::{
    call_type, cc_event as ev, link_type, misc, party_role as role, party_state as st,
    party_type as pt,
};
use super::ids::{Draw, Guid, Ms, DAY, HOUR, MIN, SEC};
use super::recorder::Ep;
use super::stamp::{Role, RowStamp, Source};
use super::truth::Summary;
use super::voice::{phone, spec};
use super::world::World;

/// Agent group that takes campaign calls.
const OUTBOUND_GROUP: usize = 4;
/// OCS call result for an answered call no agent was free for (dropped).
const CALL_RESULT_DROPPED: i64 = 26;

/// One GO_FIELDHIST change: field index, old and new value, time, Seq, ChainHistSeq.
struct FieldChange<'a>(usize, Option<&'a str>, &'a str, Ms, i64, i64);

/// One load/unload cycle of a campaign.
#[derive(Debug, Clone, Copy)]
pub struct CampaignSession {
    /// Campaign index.
    pub campaign: usize,
    /// SessID.
    pub sess: Guid,
    /// Loaded.
    pub load: Ms,
    /// Started (dialing).
    pub start: Ms,
    /// Unloading.
    pub unload: Ms,
    /// Terminated.
    pub end: Ms,
}

/// Daily campaign sessions 07:00–21:00 UTC within `period`.
pub fn plan_sessions(w: &mut World) -> Vec<CampaignSession> {
    let (from, to) = w.period;
    let mut out = Vec::new();
    let mut day = from - from.rem_euclid(DAY);
    while day < to {
        for campaign in 0..w.cfg.campaigns.len() {
            let load = (day + 7 * HOUR + campaign as Ms * MIN).max(from);
            let unload = (day + 21 * HOUR).min(to);
            if load + 2 * MIN < unload {
                out.push(CampaignSession {
                    campaign,
                    sess: Guid::new(&mut w.rng),
                    load,
                    start: load + MIN,
                    unload,
                    end: unload + 2 * MIN,
                });
            }
        }
        day += DAY;
    }
    out
}

impl World {
    /// Writes a campaign session's rows (its final GO_CAMPAIGN state and its history).
    pub fn write_campaign_session(&mut self, s: &CampaignSession) {
        let camp = &self.cfg.campaigns[s.campaign];
        let group = self.cfg.groups[camp.group].id;
        let out = &mut self.sites[0];
        let span = (s.load, s.end);
        let st = out.stamper.stamp(&RowStamp::state(
            Role::Gos,
            Source::Ocs,
            s.load,
            s.end,
            span,
        ));
        let c = out.tables.campaign.c;
        out.tables
            .campaign
            .rows
            .row(&st)
            .str(c.sessid, s.sess.as_str())
            .int(c.campaignid, camp.id)
            .int(c.groupid, group)
            .int(c.state, 0)
            .int(c.ocsid, self.cfg.ocs)
            .int(c.dialmode, 2)
            .int(c.optimmode, 1)
            .int(c.optimvalue, 80)
            .time(c.created, s.load)
            .time(c.terminated, s.end)
            .time(c.lastchange, s.end);
        let steps = [
            (1, 0, s.load, s.load),
            (2, 1, s.start, s.load),
            (3, 2, s.unload, s.start),
            (0, 3, s.end, s.unload),
        ];
        let c = out.tables.campaign_hist.c;
        for (seq, (state, prev, at, prev_enter)) in steps.into_iter().enumerate() {
            let stamp = out
                .stamper
                .stamp(&RowStamp::event(Role::Gos, Source::Ocs, at, span));
            out.tables
                .campaign_hist
                .rows
                .row(&stamp)
                .str(c.sessid, s.sess.as_str())
                .int(c.state, state)
                .int(c.prevstate, prev)
                .int(c.cause, 0)
                .int(c.seq, seq as i64 + 1)
                .time(c.prevsenter, prev_enter)
                .time(c.added, at);
        }
    }

    /// A campaign call dialed at `t0`; an agent-dialed call when no campaign is running.
    pub fn campaign_call(&mut self, t0: Ms, seq: u64, sessions: &[CampaignSession]) {
        let running: Vec<&CampaignSession> = sessions
            .iter()
            .filter(|s| s.start <= t0 && t0 < s.unload)
            .collect();
        if running.is_empty() {
            return self.agent_outbound(t0, seq);
        }
        let sess = *running[self.rng.random_range(0..running.len())];
        self.recs[0].reset(0, Source::TServer);
        let number = phone(self);
        let rng = &mut self.rng;
        let rec = &mut self.recs[0];
        let c = rec.open_call(rng, t0, call_type::OUTBOUND, "voice", None);
        let pq = rec.add_party(
            rng,
            c,
            t0,
            spec(
                pt::INTERNAL,
                role::ORIGINATOR,
                Ep::Acd(0),
                None,
                None,
                link_type::NONE,
                (st::INITIATED, ev::DIALING),
            ),
        );
        let pc = rec.add_party(
            rng,
            c,
            t0 + 500,
            spec(
                pt::EXTERNAL,
                role::DESTINATION,
                Ep::Phone(number),
                None,
                Some(pq),
                link_type::NONE,
                (st::ALERTING, ev::RINGING),
            ),
        );
        let weights = self.knobs.campaign_results;
        let (result, outcome, end) = match self.rng.weighted(&weights) {
            0 => {
                let ta = t0 + 500 + self.rng.between(3 * SEC, 15 * SEC);
                self.recs[0].change(pc, ta, st::CONNECTED, ev::ESTABLISHED);
                match self.acquire(0, OUTBOUND_GROUP, ta + 300, ta + 3 * SEC) {
                    Some((a, tr)) => {
                        let rec = &mut self.recs[0];
                        rec.end(pq, tr, ev::DIVERTED);
                        let pa = rec.add_party(
                            &mut self.rng,
                            c,
                            tr,
                            spec(
                                pt::INTERNAL,
                                role::DESTINATION,
                                Ep::Agent(a),
                                Some(a),
                                Some(pq),
                                link_type::DISTRIBUTION,
                                (st::ALERTING, ev::RINGING),
                            ),
                        );
                        let tc = tr + self.rng.between(SEC, 3 * SEC);
                        self.recs[0].change(pa, tc, st::CONNECTED, ev::ESTABLISHED);
                        let len = self.knobs.talk(&mut self.rng, 0.8);
                        let end = self.talk(pa, tc, len);
                        self.recs[0].attach(
                            c,
                            Some(pa),
                            tc + SEC,
                            "GSW_CALL_RESULT",
                            "33".to_string(),
                            false,
                        );
                        self.recs[0].release_all(c, end, ev::RELEASED);
                        (misc::CALL_RESULT_ANSWER, "answered", end)
                    }
                    None => {
                        let gone = ta + 3 * SEC;
                        self.recs[0].release_all(c, gone, ev::ABANDONED);
                        (CALL_RESULT_DROPPED, "dropped", gone)
                    }
                }
            }
            1 => {
                let end = t0 + 25 * SEC;
                self.recs[0].release_all(c, end, ev::RELEASED);
                (misc::CALL_RESULT_NO_ANSWER, "no_answer", end)
            }
            2 => {
                let rec = &mut self.recs[0];
                rec.change(pc, t0 + SEC, st::FAILED, ev::FAILED);
                rec.end(pc, t0 + SEC, ev::FAILED);
                rec.release_all(c, t0 + 2 * SEC, ev::RELEASED);
                (misc::CALL_RESULT_BUSY, "busy", t0 + 2 * SEC)
            }
            _ => {
                let rec = &mut self.recs[0];
                rec.change(pc, t0 + 5 * SEC, st::CONNECTED, ev::ESTABLISHED);
                rec.release_all(c, t0 + 8 * SEC, ev::RELEASED);
                (misc::CALL_RESULT_MACHINE, "answering_machine", t0 + 8 * SEC)
            }
        };
        let callid = self.recs[0].calls[c].id;
        self.write_chain(&sess, callid, number, t0, end, result);
        let summary = Summary {
            seq,
            media: "voice",
            interaction_type: "campaign",
            scenario: "campaign_call",
            outcome,
        };
        self.commit(1, summary, false);
    }

    /// GO_CHAIN, GO_CHAINREC_HIST, GO_FIELDHIST and GOX_CHAIN_CALL of one attempt.
    fn write_chain(
        &mut self,
        sess: &super::outbound::CampaignSession,
        callid: Guid,
        number: u64,
        t0: Ms,
        end: Ms,
        result: i64,
    ) {
        let camp = &self.cfg.campaigns[sess.campaign];
        let group = self.cfg.groups[camp.group].id;
        let chain = Guid::new(&mut self.rng);
        let attempt = Guid::new(&mut self.rng);
        let handle = self.rng.random_range(1..1_000_000i64);
        let (loaded, done) = (t0 - 2 * SEC, end + SEC);
        let span = (loaded, done);
        let out = &mut self.sites[0];
        let stamp = out
            .stamper
            .stamp(&RowStamp::state(Role::Gos, Source::Ocs, loaded, done, span));
        let c = out.tables.chain.c;
        out.tables
            .chain
            .rows
            .row(&stamp)
            .str(c.chainguid, chain.as_str())
            .str(c.sessid, sess.sess.as_str())
            .int(c.campaignid, camp.id)
            .int(c.groupid, group)
            .int(c.callinglistid, camp.list)
            .int(c.chainid, handle)
            .int(c.recordhandle, handle)
            .int(c.state, 3)
            .int(c.callresult, result)
            .time(c.created, loaded)
            .time(c.terminated, done)
            .time(c.lastchange, done);
        let phone = number.to_string();
        let steps = [
            (1, 0, loaded, loaded, None),
            (2, 1, t0, loaded, None),
            (3, 2, done, t0, Some(result)),
        ];
        let c = out.tables.chain_rec.c;
        for (seq, (state, prev, at, prev_enter, res)) in steps.into_iter().enumerate() {
            let stamp = out
                .stamper
                .stamp(&RowStamp::event(Role::Gos, Source::Ocs, at, span));
            let mut r = out.tables.chain_rec.rows.row(&stamp);
            r.str(c.chainguid, chain.as_str())
                .int(c.recordhandle, handle)
                .int(c.state, state)
                .int(c.prevstate, prev)
                .int(c.seq, seq as i64 + 1)
                .int(c.recordtype, 2)
                .str(c.phone, &phone)
                .opt_int(c.callresult, res)
                .time(c.prevsenter, prev_enter)
                .time(c.added, at);
            if seq > 0 {
                r.str(c.callattid, attempt.as_str());
            }
        }
        let fields = &self.cfg.fields;
        let customer = format!("CU{}", number % 10_000_000);
        let result_text = result.to_string();
        // (field, old value, new value, time, Seq, ChainHistSeq): record fields at load,
        // call result and attempt count when the attempt is processed.
        let changes = [
            FieldChange(0, None, &phone, loaded, 1, 1),
            FieldChange(1, None, "28", loaded, 1, 1),
            FieldChange(2, None, "0", loaded, 1, 1),
            FieldChange(3, None, &customer, loaded, 1, 1),
            FieldChange(1, Some("28"), &result_text, done, 2, 3),
            FieldChange(2, Some("0"), "1", done, 2, 3),
        ];
        let c = out.tables.field_hist.c;
        for FieldChange(field, old, new, at, seq, hist_seq) in changes {
            let stamp = out
                .stamper
                .stamp(&RowStamp::event(Role::Gos, Source::Ocs, at, span));
            let mut r = out.tables.field_hist.rows.row(&stamp);
            r.str(c.chainguid, chain.as_str())
                .int(c.recordhandle, handle)
                .int(c.fieldid, fields[field].0)
                .opt_str(c.oldvalue, old)
                .str(c.newvalue, new)
                .int(c.seq, seq)
                .int(c.chainhistseq, hist_seq)
                .time(c.added, at);
            if hist_seq > 1 {
                r.str(c.callattid, attempt.as_str())
                    .time(c.preventer, loaded);
            }
        }
        let stamp = out
            .stamper
            .stamp(&RowStamp::event(Role::Gos, Source::Ocs, t0, span));
        let c = out.tables.chain_call.c;
        out.tables
            .chain_call
            .rows
            .row(&stamp)
            .str(c.callid, callid.as_str())
            .str(c.chainguid, chain.as_str())
            .str(c.callattid, attempt.as_str())
            .time(c.added, t0);
    }
}
