//! Turns a finished [`Recorder`] into IDB rows: G_IR(_HISTORY), G_CALL(_HISTORY),
//! G_PARTY(_HISTORY), G_CALL_STAT, user data, VQ stays, route results, IS-links and the
//! multimedia snapshots, each stamped for every replica of the site.

use std::fmt::Write;

use super::config::{dn_type, Config};
use super::dict::{call_change, cc_event, misc, party_state, party_type};
use super::ids::Ms;
use super::recorder::{Ep, Recorder};
use super::stamp::{Role, RowStamp, Source, Stamper};
use super::tables::SiteTables;

/// An endpoint resolved against the configuration; its text is in the caller's buffer.
#[derive(Debug, Clone, Copy, Default)]
pub struct EpInfo {
    /// GC_ENDPOINT.ID (none for external numbers and multimedia endpoints, which are
    /// named by their script or place).
    pub id: Option<i64>,
    /// DN type.
    pub kind: Option<i64>,
    /// Switch.
    pub switch: Option<i64>,
    /// Place.
    pub place: Option<i64>,
    /// Agent DBID.
    pub agent: Option<i64>,
}

/// Resolves `ep` at `site`, writing its DN text into `buf`.
pub fn resolve(cfg: &Config, site: usize, ep: Ep, buf: &mut String) -> EpInfo {
    buf.clear();
    let dn = |d: &super::config::Dn, buf: &mut String| {
        buf.push_str(&d.number);
        EpInfo {
            id: Some(d.id),
            kind: Some(d.kind),
            switch: Some(d.switch),
            ..Default::default()
        }
    };
    match ep {
        Ep::Agent(a) => {
            let agent = &cfg.agents[a];
            let mut info = if agent.multimedia {
                buf.push_str(&agent.place_name);
                EpInfo::default()
            } else {
                dn(&agent.dn, buf)
            };
            info.place = Some(agent.place);
            info.agent = Some(agent.id);
            info
        }
        Ep::Rp(s, i) => dn(&cfg.sites[s].rps[i], buf),
        Ep::Ivr(s, i) => dn(&cfg.sites[s].ivr[i], buf),
        Ep::Acd(s) => dn(&cfg.sites[s].acd_queue, buf),
        Ep::Phone(n) => {
            let _ = write!(buf, "{n}");
            EpInfo {
                switch: Some(cfg.sites[site].switch),
                ..Default::default()
            }
        }
        Ep::Remote(_, n) => {
            let _ = write!(buf, "{n}");
            EpInfo {
                switch: Some(cfg.sites[site].switch),
                ..Default::default()
            }
        }
        Ep::MmQueue(i) => {
            buf.push_str(&cfg.mm_queues[i].name);
            EpInfo::default()
        }
        Ep::Workbin => {
            buf.push_str(&cfg.workbin.name);
            EpInfo::default()
        }
        Ep::Strategy(i) => {
            buf.push_str(&cfg.mm_strategies[i].name);
            EpInfo::default()
        }
    }
}

/// The location name of a remote site index (`usize::MAX`: the unmonitored switch).
pub fn location(cfg: &Config, site: usize) -> &str {
    cfg.sites
        .get(site)
        .map_or(cfg.unmonitored_switch.as_str(), |s| s.name.as_str())
}

/// Renumbers CSeq per call in time order and places attached-data rows between party
/// changes (idb.md §4.1: user data carries the CSeq the next party change will take).
pub fn finalize(rec: &mut Recorder, scratch: &mut Vec<(Ms, usize, usize)>) {
    for c in 0..rec.calls.len() {
        scratch.clear();
        for (p, party) in rec.parties.iter().enumerate().filter(|(_, x)| x.call == c) {
            scratch.extend(party.events.iter().enumerate().map(|(e, ev)| (ev.at, p, e)));
        }
        scratch.sort_by_key(|&(at, p, e)| (at, rec.parties[p].events[e].cseq));
        for (n, &(_, p, e)) in scratch.iter().enumerate() {
            rec.parties[p].events[e].cseq = n as i64 + 1;
        }
        rec.calls[c].cseq = scratch.len() as i64;
        for ud in rec.userdata.iter_mut().filter(|u| u.call == c) {
            ud.cseq = scratch.iter().filter(|(at, _, _)| *at <= ud.at).count() as i64 + 1;
            if let Some(p) = ud.party {
                ud.pseq = rec.parties[p]
                    .events
                    .iter()
                    .filter(|e| e.at <= ud.at)
                    .count() as i64;
            }
        }
    }
}

/// Writes every row of the recorded interaction.
pub fn emit(rec: &Recorder, cfg: &Config, t: &mut SiteTables, st: &mut Stamper, buf: &mut String) {
    let span = rec.span();
    let src = rec.source.unwrap_or(Source::TServer);
    let site = &cfg.sites[rec.site];
    let voice = src == Source::TServer;
    let event = |role, at| RowStamp::event(role, src, at, span);

    for ir in &rec.irs {
        let changed = ir.ended.unwrap_or(ir.created);
        let s = st.stamp(&RowStamp::state(Role::Gcc, src, ir.created, changed, span));
        let c = t.ir.c;
        let state = match (ir.ended, ir.parent) {
            (Some(_), Some(_)) => call_change::MERGED,
            (Some(_), None) => call_change::TERMINATED,
            _ => 1,
        };
        t.ir.rows
            .row(&s)
            .str(c.irid, ir.id.as_str())
            .int(c.state, state)
            .opt_str(
                c.parentirid,
                ir.parent
                    .map(|p| rec.irs[p].id)
                    .as_ref()
                    .map(|g| g.as_str()),
            )
            .int(c.parentlinktype, 0)
            .str(c.rootcallid, rec.calls[ir.root].id.as_str())
            .str(c.mediatype, ir.media)
            .int(c.mergestate, 0)
            .time(c.created, ir.created)
            .opt_time(c.terminated, ir.ended)
            .time(c.lastchange, changed);
        let h = t.ir_hist.c;
        let s = st.stamp(&event(Role::Gcc, ir.created));
        t.ir_hist
            .rows
            .row(&s)
            .str(h.irid, ir.id.as_str())
            .int(h.changetype, call_change::CREATED)
            .time(h.added, ir.created);
        if let Some(end) = ir.ended {
            let s = st.stamp(&event(Role::Gcc, end));
            let mut r = t.ir_hist.rows.row(&s);
            r.str(h.irid, ir.id.as_str()).time(h.added, end);
            match ir.parent {
                Some(p) => r
                    .int(h.changetype, call_change::MERGED)
                    .str(h.refid, rec.irs[p].id.as_str()),
                None => r.int(h.changetype, call_change::TERMINATED),
            };
        }
    }

    for call in &rec.calls {
        let changed = call.ended.unwrap_or(call.created);
        let s = st.stamp(&RowStamp::state(
            Role::Gcc,
            src,
            call.created,
            changed,
            span,
        ));
        let c = t.call.c;
        let mut r = t.call.rows.row(&s);
        r.str(c.callid, call.id.as_str())
            .opt_str(
                c.parentcallid,
                call.parent
                    .map(|p| rec.calls[p].id)
                    .as_ref()
                    .map(|g| g.as_str()),
            )
            .str(c.irid, rec.irs[call.ir].id.as_str())
            .int(c.calltype, call.call_type)
            .opt_str(c.mediatype, call.media)
            .int(c.state, call.state())
            .int(c.tenantid, cfg.tenant)
            .time(c.created, call.created)
            .opt_time(c.terminated, call.ended)
            .time(c.lastchange, changed);
        if let Some((into, mt)) = call.merged_into {
            r.str(c.mergecallid, rec.calls[into].id.as_str())
                .int(c.mergetype, mt);
        }
        if let Some(conn) = call.conn {
            r.str(c.connid, &conn.hex())
                .int(c.connidnum, conn.0 as i64)
                .int(c.switchcallid, (conn.0 & 0x3fff_ffff) as i64)
                .int(c.switchid, site.switch)
                .int(c.serverid, site.tserver);
        } else {
            r.int(c.serverid, cfg.ixn_server);
        }
        drop(r);
        let h = t.call_hist.c;
        let s = st.stamp(&event(Role::Gcc, call.created));
        t.call_hist
            .rows
            .row(&s)
            .str(h.callid, call.id.as_str())
            .int(h.cseq, 1)
            .int(h.changetype, call_change::CREATED)
            .time(h.added, call.created);
        if let Some(end) = call.ended {
            let s = st.stamp(&event(Role::Gcc, end));
            let mut r = t.call_hist.rows.row(&s);
            r.str(h.callid, call.id.as_str())
                .int(h.cseq, 2)
                .time(h.added, end);
            match call.merged_into {
                Some((into, _)) => r
                    .int(h.changetype, call_change::MERGED)
                    .str(h.refid, rec.calls[into].id.as_str()),
                None => r.int(h.changetype, call_change::TERMINATED),
            };
            drop(r);
            if voice {
                write_call_stat(rec, call, end, t, st, span);
            }
        }
    }

    for party in &rec.parties {
        let info = resolve(cfg, rec.site, party.ep, buf);
        let (first, last) = (
            party.events[0],
            *party.events.last().expect("a party has its creation event"),
        );
        let ended = party.ended();
        let s = st.stamp(&RowStamp::state(Role::Gcc, src, first.at, last.at, span));
        let c = t.party.c;
        let call = &rec.calls[party.call];
        let mut r = t.party.rows.row(&s);
        r.str(c.partyid, party.id.as_str())
            .str(c.partyguid, party.guid.as_str())
            .int(c.type_, party.ptype)
            .int(c.prole, party.role)
            .opt_str(
                c.parentpartyid,
                party
                    .parent
                    .map(|p| rec.parties[p].id)
                    .as_ref()
                    .map(|g| g.as_str()),
            )
            .int(c.parentlinktype, party.link)
            .str(c.callid, call.id.as_str())
            .int(c.state, last.state)
            .int(c.prevstate, last.prev)
            .str(c.endpointdn, buf)
            .int(c.endpointid, info.id.unwrap_or(0))
            .opt_int(c.endpointtype, info.kind)
            .opt_int(c.switchid, info.switch)
            .int(c.tenantid, cfg.tenant)
            .int(c.agentid, info.agent.unwrap_or(0))
            .opt_int(c.placeid, info.place)
            .int(c.pseq, last.pseq)
            .time(c.created, first.at)
            .opt_time(c.terminated, ended)
            .time(c.lastchange, last.at);
        if ended.is_some() {
            r.int(c.ccevent, last.ccevent).int(c.cceventcause, 0);
        }
        if let Some(from) = party.transfer_from {
            r.str(c.trf_location, location(cfg, from));
        }
        if party.ptype == party_type::INTERNAL && info.kind == Some(dn_type::EXTENSION) {
            if let Some(q) = rec
                .parties
                .iter()
                .find(|q| q.call == party.call && matches!(q.ep, Ep::Acd(_)))
            {
                if let Ep::Acd(s) = q.ep {
                    r.int(c.queueid, cfg.sites[s].acd_queue.id);
                }
            }
        }
        drop(r);
        let h = t.party_hist.c;
        for e in &party.events {
            let s = st.stamp(&event(Role::Gcc, e.at));
            t.party_hist
                .rows
                .row(&s)
                .str(h.partyid, party.id.as_str())
                .int(h.pseq, e.pseq)
                .int(h.cseq, e.cseq)
                .int(h.changetype, e.change)
                .int(h.ccevent, e.ccevent)
                .int(h.cceventcause, 0)
                .str(h.callid, call.id.as_str())
                .int(h.state, e.state)
                .int(h.prevstate, e.prev)
                .int(h.endpointid, info.id.unwrap_or(0))
                .int(h.agentid, info.agent.unwrap_or(0))
                .opt_int(h.placeid, info.place)
                .time(h.added, e.at);
        }
    }

    for ud in &rec.userdata {
        let info = ud
            .party
            .map(|p| resolve(cfg, rec.site, rec.parties[p].ep, buf))
            .unwrap_or_default();
        let s = st.stamp(&event(Role::Gud, ud.at));
        let callid = rec.calls[ud.call].id;
        if ud.custom {
            let c = t.custom_data.c;
            let guid = ud.party.map(|p| rec.parties[p].guid);
            t.custom_data
                .rows
                .row(&s)
                .str(c.callid, callid.as_str())
                .opt_str(c.partyid, guid.as_ref().map(|g| g.as_str()))
                .int(c.pseq, ud.pseq)
                .opt_int(c.endpointid, info.id)
                .str(c.endpointdn, buf)
                .int(c.agentid, info.agent.unwrap_or(0))
                .int(c.changetype, 1)
                .str(c.keyname, ud.key)
                .str(c.value, &ud.value)
                .time(c.added, ud.at);
            continue;
        }
        let out = if ud.secure {
            &mut t.secure_userdata
        } else {
            &mut t.userdata
        };
        let c = out.c;
        let party_id = ud.party.map(|p| rec.parties[p].id);
        out.rows
            .row(&s)
            .str(c.callid, callid.as_str())
            .opt_str(c.partyid, party_id.as_ref().map(|g| g.as_str()))
            .opt_int(c.endpointid, info.id)
            .opt_str(c.endpointdn, ud.party.map(|_| buf.as_str()))
            .int(c.agentid, info.agent.unwrap_or(0))
            .int(c.pseq, ud.pseq)
            .int(c.cseq, ud.cseq)
            .int(c.changetype, 1)
            .str(c.keyname, ud.key)
            .str(c.value, &ud.value)
            .int(c.keytype, 0)
            .int(c.valuetype, 0)
            .time(c.added, ud.at);
    }

    for vq in &rec.vqs {
        let s = st.stamp(&RowStamp::state(Role::Gcc, src, vq.from, vq.to, span));
        let c = t.vq.c;
        let call = &rec.calls[vq.call];
        let dn = &cfg.sites[vq.vq.0].vqs[vq.vq.1];
        let mut r = t.vq.rows.row(&s);
        r.str(c.callid, call.id.as_str())
            .str(c.distcallid, call.id.as_str())
            .opt_str(c.connid, call.conn.map(|x| x.hex()).as_deref())
            .str(c.partyid, rec.parties[vq.party].id.as_str())
            .str(c.irid, rec.irs[call.ir].id.as_str())
            .int(c.endpointid, dn.id)
            .str(c.endpointdn, &dn.number)
            .int(c.switchid, dn.switch)
            .int(c.tenantid, cfg.tenant)
            .int(c.cause, vq.cause)
            .time(c.created, vq.from)
            .time(c.terminated, vq.to);
        if let Some(a) = vq.target {
            r.str(c.targetselected, &cfg.agents[a].user_name);
        }
    }

    for rr in &rec.routes {
        let s = st.stamp(&event(Role::Gcc, rr.at));
        let c = t.route.c;
        let call = &rec.calls[rr.call];
        let service = &cfg.services[rr.rp.1];
        let group = &cfg.groups[service.group].name;
        t.route
            .rows
            .row(&s)
            .str(c.callid, call.id.as_str())
            .str(c.connid, &call.conn.map(|x| x.hex()).unwrap_or_default())
            .str(c.partyid, rec.parties[rr.party].id.as_str())
            .str(c.irid, rec.irs[call.ir].id.as_str())
            .int(c.endpointid, cfg.sites[rr.rp.0].rps[rr.rp.1].id)
            .str(c.rule, "Rule_1")
            .str(c.object, group)
            .int(c.target_type, misc::TARGET_AGENT_GROUP)
            .str(
                c.agent,
                rr.agent.map_or("", |a| cfg.agents[a].user_name.as_str()),
            )
            .str(
                c.place,
                rr.agent.map_or("", |a| cfg.agents[a].place_name.as_str()),
            )
            .str(c.strategy, &service.strategy)
            .str(c.rtenant, "Environment")
            .int(c.result, i64::from(rr.agent.is_some()))
            .int(c.duration, rr.duration / 1000)
            .time(c.created, rr.at);
    }

    for (n, link) in rec.links.iter().enumerate() {
        let s = st.stamp(&RowStamp::state(Role::Gcc, src, link.from, link.to, span));
        let c = t.is_link.c;
        let callid = rec.calls[link.call].id;
        let state = if link.failed {
            misc::LINK_FAILED
        } else {
            misc::LINK_ACTIVE
        };
        t.is_link
            .rows
            .row(&s)
            .str(c.linkid, link.id.as_str())
            .str(c.callid, callid.as_str())
            .int(c.islinktype, link.link_type)
            .str(c.remotelocation, location(cfg, link.remote))
            .int(c.state, state)
            .int(c.mergestate, 0)
            .str(c.event_seq, &(n + 1).to_string())
            .time(c.initiated, link.from)
            .time(c.terminated, link.to)
            .time(c.lastchange, link.to);
        let h = t.is_link_hist.c;
        for (seq, (change, at)) in [(misc::LINK_ADDED, link.from), (misc::LINK_DELETED, link.to)]
            .into_iter()
            .enumerate()
        {
            let s = st.stamp(&event(Role::Gcc, at));
            t.is_link_hist
                .rows
                .row(&s)
                .str(h.linkid, link.id.as_str())
                .int(h.seq, seq as i64 + 1)
                .int(h.changetype, change)
                .int(h.state, state)
                .str(h.callid, callid.as_str())
                .time(h.added, at);
        }
    }

    for snap in &rec.mm {
        let call = &rec.calls[snap.call];
        if let Some((from, subject, sub_type)) = &snap.first {
            let s = st.stamp(&event(Role::Gud, call.created));
            let c = t.mm_first.c;
            t.mm_first
                .rows
                .row(&s)
                .str(c.callid, call.id.as_str())
                .str(c.from_name, from)
                .str(c.subject, subject)
                .str(c.origin_source, call.media.unwrap_or("email"))
                .str(
                    c.from_address,
                    &format!("{}@example.net", from.to_lowercase().replace(' ', ".")),
                )
                .str(c.sub_type, sub_type);
        }
        if let (Some(reason), Some(end)) = (snap.stop_reason, call.ended) {
            let s = st.stamp(&event(Role::Gud, end));
            let c = t.mm_last.c;
            t.mm_last
                .rows
                .row(&s)
                .str(c.callid, call.id.as_str())
                .str(c.stop_reason, reason);
        }
    }
}

fn write_call_stat(
    rec: &Recorder,
    call: &super::recorder::Call,
    end: Ms,
    t: &mut SiteTables,
    st: &mut Stamper,
    span: (Ms, Ms),
) {
    let c = t.call_stat.c;
    let call_idx = rec.calls.iter().position(|x| x.id == call.id).unwrap_or(0);
    let events = rec
        .parties
        .iter()
        .filter(|p| p.call == call_idx)
        .flat_map(|p| p.events.iter().map(move |e| (p, e)));
    let (mut conn, mut extn, mut abnd, mut hold, mut divert) = (0, 0, 0, 0, 0);
    for (p, e) in events {
        if e.ccevent == cc_event::ESTABLISHED && e.state == party_state::CONNECTED {
            conn = 1;
            if matches!(p.ep, Ep::Agent(_)) {
                extn = 1;
            }
        }
        abnd |= i64::from(e.ccevent == cc_event::ABANDONED);
        hold += i64::from(e.ccevent == cc_event::HELD);
        divert += i64::from(e.ccevent == cc_event::DIVERTED);
    }
    let s = st.stamp(&RowStamp::event(Role::Gcc, Source::TServer, end, span));
    t.call_stat
        .rows
        .row(&s)
        .str(c.callid, call.id.as_str())
        .int(c.f_conn, conn)
        .int(c.f_conn_extn, extn)
        .int(c.f_te_abnd, abnd)
        .int(c.cnt_hold, hold)
        .int(c.cnt_divert, divert)
        .int(c.cnt_transfer, call.counters.transfers)
        .int(c.cnt_conference, call.counters.conferences)
        .time(c.added, end);
}
