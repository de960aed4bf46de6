//! Calls, parties and legs of the emitted voice interactions, and the state segments of
//! every leg (infomart.md §4.3, §4.5).
//!
//! A *leg* is one party that belongs to an IRF: an agent's party, a DN's party (extension,
//! IVR port) or the mediation party where an abandoned interaction ended. The legs of one
//! IRF share `irf_guid`: a party keeps its PartyGUID when it moves to another call, and an
//! agent's consultation leg belongs to the IRF of the party it consulted from.

use crate::transform::codes::*;
use crate::transform::inputs::{AGENT_STATES, CALLS, PARTIES, PARTY_HISTORY, VOICE_MERGE};
use crate::transform::View;

/// The views of this module, in dependency order.
pub fn views() -> Vec<View> {
    vec![
        View::new(
            "vx_call",
            format!(
                "select c.data_source_key, c.callid, c.calltype, c.tenantid, c.created_ts, \
                 c.terminated_ts, m.interaction_guid, m.root_data_source_key, m.merge_state \
                 from {CALLS} c join {VOICE_MERGE} m \
                 on c.data_source_key = m.data_source_key and c.callid = m.callid"
            ),
        ),
        View::new(
            "vx_party",
            format!(
                "select p.data_source_key, p.partyid, p.partyguid, p.type as party_type, p.prole, \
                 p.parentpartyid, coalesce(p.parentlinktype, 0) as parentlinktype, p.callid, \
                 p.endpointdn, p.endpointid, coalesce(p.endpointtype, 0) as endpointtype, \
                 coalesce(p.agentid, 0) as agentid, p.placeid, coalesce(p.ccevent, 0) as ccevent, \
                 p.created_ts, p.terminated_ts, c.interaction_guid, c.root_data_source_key, \
                 c.calltype, c.tenantid, \
                 case when p.type = {PARTY_EXTERNAL} then 'customer' \
                      when p.type = {PARTY_INTERNAL} and coalesce(p.agentid, 0) <> 0 then 'agent' \
                      when p.type = {PARTY_INTERNAL} and p.endpointtype in \
                           ({DN_ACD_QUEUE}, {DN_ROUTING_POINT}, {DN_VIRTUAL_QUEUE}) then 'mediation' \
                      when p.type = {PARTY_INTERNAL} then 'dn' \
                      else 'other' end as kind \
                 from {PARTIES} p join vx_call c \
                 on p.data_source_key = c.data_source_key and p.callid = c.callid"
            ),
        ),
        View::new(
            "vx_call_customer",
            "select data_source_key, callid, min(created_ts) as cust_from, \
             max(coalesce(terminated_ts, 2147483647)) as cust_to \
             from vx_party where kind = 'customer' group by data_source_key, callid",
        ),
        View::new(
            "vx_call_flags",
            format!(
                "select data_source_key, callid, \
                 max(case when ccevent = {EVENT_FAILED} then 1 else 0 end) as dest_failed \
                 from vx_party group by data_source_key, callid"
            ),
        ),
        View::new(
            "vx_leg_raw",
            format!(
                "select p.*, \
                 case when p.calltype = {CALL_CONSULT} and p.prole = {ROLE_ORIGINATOR} \
                      and p.kind = 'agent' and par.agentid = p.agentid then par.partyguid \
                      else p.partyguid end as irf_guid, \
                 case when p.calltype = {CALL_CONSULT} and p.prole = {ROLE_ORIGINATOR} then 'cons_init' \
                      when p.calltype = {CALL_CONSULT} then 'cons_rcv' \
                      else 'main' end as leg_kind \
                 from vx_party p left join vx_party par \
                 on p.data_source_key = par.data_source_key and p.parentpartyid = par.partyid \
                 where p.kind in ('agent', 'dn') \
                    or (p.kind = 'mediation' and p.ccevent = {EVENT_ABANDONED})"
            ),
        ),
        View::new(
            "vx_leg",
            "select l.*, row_number() over (partition by l.root_data_source_key, \
             l.interaction_guid, l.irf_guid order by l.created_ts, l.partyid) as leg_no \
             from vx_leg_raw l",
        ),
        View::new(
            "vx_irf_origin",
            format!(
                "select o.root_data_source_key, o.interaction_guid, o.irf_guid, \
                 o.data_source_key, o.partyid, o.parentpartyid, o.parentlinktype, o.prole, \
                 o.kind, o.leg_kind as origin_kind, o.agentid, o.endpointid, o.endpointtype, \
                 o.endpointdn, o.placeid, o.tenantid, o.calltype, o.callid, \
                 a.first_created, a.released_ts, a.conf_ts, a.consults_initiated, \
                 a.conference_joined, a.last_event \
                 from vx_leg o join (\
                   select root_data_source_key, interaction_guid, irf_guid, \
                   min(created_ts) as first_created, max(terminated_ts) as released_ts, \
                   min(case when leg_kind = 'cons_init' and ccevent = {EVENT_CONFERENCED} \
                       then terminated_ts end) as conf_ts, \
                   sum(case when leg_kind = 'cons_init' then 1 else 0 end) as consults_initiated, \
                   max(case when leg_kind = 'main' and parentlinktype = {LINK_CONFERENCE} \
                       then 1 else 0 end) as conference_joined, \
                   first_value(ccevent order by terminated_ts desc nulls first, created_ts desc) \
                       as last_event \
                   from vx_leg group by root_data_source_key, interaction_guid, irf_guid) a \
                 on o.root_data_source_key = a.root_data_source_key \
                 and o.interaction_guid = a.interaction_guid and o.irf_guid = a.irf_guid \
                 where o.leg_no = 1"
            ),
        ),
        View::new(
            "vx_leg_context",
            format!(
                "select l.data_source_key, l.partyid, l.callid, l.root_data_source_key, \
                 l.interaction_guid, l.irf_guid, o.conf_ts, \
                 case when l.leg_kind = 'cons_init' then 'cons_init' \
                      when l.leg_kind = 'cons_rcv' then 'cons_rcv' \
                      when o.origin_kind = 'cons_rcv' and l.parentlinktype = {LINK_CONFERENCE} \
                           then 'conf_join' \
                      when o.origin_kind = 'cons_rcv' then 'post_xfer' \
                      else 'primary' end as context \
                 from vx_leg l join vx_irf_origin o \
                 on l.root_data_source_key = o.root_data_source_key \
                 and l.interaction_guid = o.interaction_guid and l.irf_guid = o.irf_guid"
            ),
        ),
        View::new(
            "vx_segment_raw",
            format!(
                "select l.root_data_source_key, l.interaction_guid, l.irf_guid, l.context, \
                 l.conf_ts, l.data_source_key, l.partyid, l.callid, h.pseq, h.state, \
                 h.added_ts as t0, \
                 lead(h.added_ts) over (partition by h.data_source_key, h.partyid \
                      order by h.added_ts, h.pseq) as t1, \
                 lag(h.state) over (partition by h.data_source_key, h.partyid \
                      order by h.added_ts, h.pseq) as prev_state \
                 from {PARTY_HISTORY} h join vx_leg_context l \
                 on h.data_source_key = l.data_source_key and h.partyid = l.partyid"
            ),
        ),
        View::new(
            "vx_segment",
            "select s.root_data_source_key, s.interaction_guid, s.irf_guid, s.data_source_key, \
             s.partyid, s.pseq, s.state, s.t0, s.t1, s.t1 - s.t0 as dur, \
             case when s.context = 'primary' and s.conf_ts is not null and s.t0 >= s.conf_ts \
                  then 'conf_init' else s.context end as ctx, \
             (s.prev_state is null or s.prev_state <> s.state) as entered, \
             case when c.callid is null then 0 \
                  else greatest(0, least(s.t1, c.cust_to) - greatest(s.t0, c.cust_from)) end \
                  as cust_dur, \
             (c.callid is not null and (c.cust_from < s.t1 or c.cust_from <= s.t0) \
                  and s.t0 < c.cust_to) as cust_present \
             from vx_segment_raw s left join vx_call_customer c \
             on s.data_source_key = c.data_source_key and s.callid = c.callid \
             where s.t1 is not null",
        ),
        View::new(
            "vx_acw",
            format!(
                "select agentid, t0 as acw_from, t1 as acw_to from (\
                   select agentid, state, added_ts as t0, \
                   lead(added_ts) over (partition by data_source_key, agentid \
                        order by added_ts, id) as t1 \
                   from {AGENT_STATES} where type = {AGENT_RECORD_STATE}) states \
                 where state = {AGENT_STATE_ACW} and t1 is not null"
            ),
        ),
    ]
}
