//! Which multimedia interactions a chunk transforms, and their calls, parties and
//! mediation stays (infomart.md §2.1, §4.1, §4.11).
//!
//! *Interactions.* A reply (an outbound interaction whose ParentCallID is another
//! interaction) created while its parent was still open, and a consultation (CallType 4, an
//! agent inviting another agent into a chat), belong to their parent's INTERACTION_FACT; any other interaction — a new inbound one, an inbound reply, a late
//! outbound reply — has its own. `if_guid` names the interaction an INTERACTION_FACT stands
//! for (the CallID of its first call); `root_guid` the root of the thread (ParentCallID
//! followed up to two levels).
//!
//! *Touched.* An interaction is (re)transformed from all its rows when one of its calls,
//! parties or party-history rows changed in the chunk window, or when the Info Mart holds
//! it active past `days-to-keep-active-facts`. An interaction whose G_CALL row has not been
//! extracted yet waits: its call row brings it in.
//!
//! *IRFs and contexts.* An agent party is an IRF, and a party that moved in from another
//! call of the interaction (a chat consultation completed as a transfer or conference:
//! same PartyGUID) continues it. Its time is in the primary context, except on a
//! consultation call — the inviting agent's (originator) is `cons_init`, the invited
//! agent's `cons_rcv` — after it moved into the chat (`post_xfer` when moved by transfer,
//! `conf_join` by conference), and the inviting agent's own chat after it completed the
//! conference (`conf_init`).
//!
//! *Artificial termination.* An interaction that started more than `active_keep_seconds`
//! before the window end is transformed as it stood at `start + active_keep_seconds` (the
//! cut): rows created later are left out and everything still open ends at the cut.

use crate::transform::codes::*;
use crate::transform::config::WINDOW;
use crate::transform::View;

use super::inputs::{
    MM_CALLS, MM_COVERED, MM_INTERACTIONS, MM_PARTIES, MM_PARTY_HISTORY,
    MM_SECURE_USERDATA_HISTORY, MM_SETTINGS, MM_STOP_QUEUES, MM_TOUCHED_ROOTS, MM_USERDATA_HISTORY,
    MM_USER_EVENTS, MM_VIRTUAL_QUEUES,
};

/// View of the earliest time (`since_ts`) the interactions a window touches can have rows
/// at, other than those the active-thread state covers: the job reads GIDB day folders from
/// that day on.
pub const TOUCHED_SINCE: &str = "mm_touched_since";

/// View of the GUIDs of the interactions a window may touch: `guid`.
pub const TOUCHED_GUIDS: &str = "mm_touched_guids";

/// View of the calls with a row changed in the window: `callid` ([`touched_calls`]),
/// computed once for the views that read it several times.
pub const TOUCHED_CALLS: &str = "mm_touched_calls";

/// View of the roots of what a window touches (`guid`): the calls of [`TOUCHED_CALLS`] and
/// the interactions of the Info Mart due for artificial termination by the window's end.
pub const TOUCHED_ROOTS: &str = "mm_touched_roots";

/// View of the calls of the interactions a chunk transforms (`callid`): every call whose
/// interaction (`if_guid`) is that of a root call of [`MM_TOUCHED_ROOTS`] or of a covered
/// call, or is a root.
pub const TOUCHED_MEMBERS: &str = "mm_touched_members";

/// View of the agent IRFs that completed a chat consultation as a conference: `irf_guid`,
/// `conf_ts`.
pub const CONFERENCES: &str = "mx_conference";

/// `ts` closed at the cut: the cut when `ts` is open or later than it, else `ts`.
pub(super) fn closed_at(ts: &str, cut: &str) -> String {
    format!(
        "case when {cut} is not null and ({ts} is null or {ts} > {cut}) then {cut} else {ts} end"
    )
}

/// The latest version of each row of `table` by `key` (version time = last change, else
/// the fallback columns), as `select <columns> from …`.
pub(super) fn latest(table: &str, key: &str, version: &str) -> String {
    format!(
        "(select * from (select t.*, row_number() over (partition by t.{key} \
         order by {version} desc, t.id desc) as version_rank from {table} t) versions \
         where version_rank = 1)"
    )
}

/// Whether call `c` is folded into the interaction of its parent `p`: a consultation, or a
/// reply created while its parent was open.
fn folded(c: &str, p: &str) -> String {
    format!(
        "({p}.callid is not null and ({c}.calltype = {CALL_CONSULT} \
         or ({c}.calltype = {CALL_OUTBOUND} \
         and ({p}.terminated_ts is null or {c}.created_ts <= {p}.terminated_ts))))"
    )
}

/// The calls whose rows changed in the window (attached data and CustomReporting KVPs
/// included; a KVP without a CallID touches the calls of its PartyGUID).
fn touched_calls() -> String {
    let within = |ts: &str| format!("{ts} > w.window_from and {ts} <= w.window_to");
    format!(
        "select c.callid from {MM_CALLS} c cross join {WINDOW} w \
         where {call} \
         union select p.callid from {MM_PARTIES} p cross join {WINDOW} w where {party} \
         union select h.callid from {MM_PARTY_HISTORY} h cross join {WINDOW} w where {history} \
         union select v.callid from {MM_VIRTUAL_QUEUES} v cross join {WINDOW} w where {vq} \
         union select u.callid from {MM_USERDATA_HISTORY} u cross join {WINDOW} w where {data} \
         union select u.callid from {MM_SECURE_USERDATA_HISTORY} u cross join {WINDOW} w \
         where {data} \
         union select coalesce(u.callid, p.callid) from {MM_USER_EVENTS} u \
         cross join {WINDOW} w left join {MM_PARTIES} p on u.callid is null \
         and p.partyguid = u.partyid where {data}",
        call = within("coalesce(c.lastchange_ts, c.terminated_ts, c.created_ts)"),
        party = within("coalesce(p.lastchange_ts, p.terminated_ts, p.created_ts)"),
        history = within("h.added_ts"),
        vq = within("coalesce(v.terminated_ts, v.created_ts)"),
        data = within("u.added_ts"),
    )
}

/// Active interactions of the Info Mart that are due for artificial termination.
fn expired() -> String {
    format!(
        "select i.media_server_ixn_guid, i.start_ts from {MM_INTERACTIONS} i \
         cross join {WINDOW} w cross join {MM_SETTINGS} s \
         where i.active_flag = 1 and i.start_ts + s.active_keep_seconds <= w.window_to"
    )
}

/// [`TOUCHED_CALLS`].
pub fn touched_calls_view() -> View {
    View::new(TOUCHED_CALLS, touched_calls())
}

/// The interactions a window touches may be those of its touched calls, of their parents
/// or of their grandparents: their GUIDs (`guid`), whose Info Mart rows the job reads.
pub fn touched_guids() -> View {
    View::new(
        TOUCHED_GUIDS,
        format!(
            "select distinct guid from (\
               select callid as guid from {TOUCHED_CALLS} t \
               union select c.parentcallid from {MM_CALLS} c \
               join {TOUCHED_CALLS} x on x.callid = c.callid \
               union select p.parentcallid from {MM_CALLS} c \
               join {TOUCHED_CALLS} x on x.callid = c.callid \
               join {MM_CALLS} p on p.callid = c.parentcallid) g \
             where guid is not null"
        ),
    )
}

/// [`TOUCHED_ROOTS`], once [`TOUCHED_CALLS`] and the Info Mart interactions are in.
pub fn touched_roots() -> View {
    View::new(
        TOUCHED_ROOTS,
        format!(
            "select callid as guid from {TOUCHED_CALLS} \
             union select e.media_server_ixn_guid from ({expired}) e",
            expired = expired()
        ),
    )
}

/// [`TOUCHED_MEMBERS`], over `mx_call_thread` ([`thread_views`]), [`MM_TOUCHED_ROOTS`] and
/// the covered calls the chunk transforms again ([`MM_COVERED`]). Each row of an interaction
/// [`views`] transforms belongs to one of these calls: the interaction has a touched call
/// (a root), is due (a root) or is one of the state's that the chunk transforms again.
pub fn touched_members() -> View {
    View::new(
        TOUCHED_MEMBERS,
        format!(
            "select distinct t.callid from mx_call_thread t join (\
               select c.if_guid as guid from mx_call_thread c \
               join (select guid from {MM_TOUCHED_ROOTS} \
                     union select callid from {MM_COVERED}) r on r.guid = c.callid \
               union select guid from {MM_TOUCHED_ROOTS}) i on i.guid = t.if_guid"
        ),
    )
}

/// The view telling the job how far back the touched interactions reach (`since_ts`),
/// leaving out those the active-thread state covers, and whether anything is touched at all
/// (`touched`, a count); it reads only the inputs and [`TOUCHED_CALLS`], so the job can run
/// it over the window's own day folders and the state.
pub fn touched_since() -> View {
    let covered = |alias: &str, guid: &str| {
        format!(
            "left join (select distinct callid from {MM_COVERED}) {alias} \
             on {alias}.callid = {guid}"
        )
    };
    View::new(
        TOUCHED_SINCE,
        format!(
            "select min(case when uncovered then ts end) as since_ts, count(*) as touched \
             from (\
               select c.created_ts as ts, v.callid is null as uncovered from {MM_CALLS} c \
               join {TOUCHED_CALLS} x on x.callid = c.callid {call} \
               union all select i.start_ts, v.callid is null from {MM_INTERACTIONS} i \
               join (select callid as guid from {TOUCHED_CALLS} t \
                     union select c.parentcallid from {MM_CALLS} c \
                     join {TOUCHED_CALLS} x on x.callid = c.callid) g \
               on g.guid = i.media_server_ixn_guid {interaction} \
               union all select e.start_ts, v.callid is null from ({expired}) e {expired_guid}\
             ) times",
            expired = expired(),
            call = covered("v", "c.callid"),
            interaction = covered("v", "i.media_server_ixn_guid"),
            expired_guid = covered("v", "e.media_server_ixn_guid"),
        ),
    )
}

/// The threading views: `mx_call_latest` (latest version of each call) and
/// `mx_call_thread` (each call with its `if_guid` and `root_guid`).
pub fn thread_views() -> Vec<View> {
    let call_version = "coalesce(t.lastchange_ts, t.terminated_ts, t.created_ts)";
    vec![
        View::new(
            "mx_call_latest",
            format!(
                "select callid, parentcallid, calltype, lower(mediatype) as mediatype, tenantid, \
                 data_source_key, created_ts, terminated_ts from {calls}",
                calls = latest(MM_CALLS, "callid", call_version)
            ),
        ),
        View::new(
            "mx_call_thread",
            format!(
                "select c.*, \
                 case when {c_p1} then case when {p1_p2} then p2.callid else p1.callid end \
                      else c.callid end as if_guid, \
                 coalesce(p2.callid, p1.callid, c.callid) as root_guid \
                 from mx_call_latest c \
                 left join mx_call_latest p1 on p1.callid = c.parentcallid \
                 left join mx_call_latest p2 on p2.callid = p1.parentcallid",
                c_p1 = folded("c", "p1"),
                p1_p2 = folded("p1", "p2"),
            ),
        ),
    ]
}

/// The views of this module, in dependency order.
pub fn views() -> Vec<View> {
    let mut views = thread_views();
    views.extend([
        // The calls of the touched interactions, with the cut of those due for artificial
        // termination.
        View::new(
            "mx_call",
            format!(
                "select c.callid, c.parentcallid, c.calltype, c.mediatype, c.tenantid, \
                 c.data_source_key, c.created_ts, {end} as end_ts, c.if_guid, c.root_guid, c.cut_ts, \
                 coalesce(c.cut_ts, c.window_to) as horizon_ts \
                 from (select t.*, w.window_to, \
                       case when min(t.created_ts) over (partition by t.if_guid) \
                            + k.active_keep_seconds <= w.window_to \
                            then min(t.created_ts) over (partition by t.if_guid) \
                            + k.active_keep_seconds end as cut_ts, \
                       max(case when x.callid is not null or e.media_server_ixn_guid is not null \
                           then 1 else 0 end) over (partition by t.if_guid) as touched \
                       from mx_call_thread t cross join {WINDOW} w cross join {MM_SETTINGS} k \
                       left join ({touched}) x on x.callid = t.callid \
                       left join ({expired}) e on e.media_server_ixn_guid = t.if_guid) c \
                 where c.touched = 1 and (c.cut_ts is null or c.created_ts <= c.cut_ts)",
                end = closed_at("c.terminated_ts", "c.cut_ts"),
                touched = touched_calls(),
                expired = expired(),
            ),
        ),
        View::new(
            "mx_party",
            format!(
                "select p.partyid, p.partyguid, \
                 case when p.type = {PARTY_MM_PLACE} and p.partyguid is not null \
                      then first_value(p.partyid) over (partition by c.if_guid, p.partyguid \
                           order by p.created_ts, p.partyid) \
                      else p.partyid end as irf_guid, p.type as party_type, \
                 p.prole, p.parentpartyid, \
                 coalesce(p.parentlinktype, 0) as parentlinktype, p.callid, p.endpointdn, \
                 coalesce(p.agentid, 0) as agentid, p.placeid, p.data_source_key, p.created_ts, \
                 {end} as end_ts, \
                 case when p.terminated_ts is not null \
                      and (c.cut_ts is null or p.terminated_ts <= c.cut_ts) \
                      then coalesce(p.ccevent, 0) else 0 end as ccevent, \
                 c.if_guid, c.root_guid, c.calltype, c.tenantid, c.cut_ts, c.horizon_ts, \
                 case p.type when {PARTY_MM_PLACE} then 'agent' \
                      when {PARTY_MM_QUEUE} then case when sq.queue_name is null then 'queue' \
                           else 'stop' end \
                      when {PARTY_MM_WORKBIN} then 'workbin' \
                      when {PARTY_MM_STRATEGY} then 'strategy' \
                      when {PARTY_EXTERNAL} then 'customer' else 'other' end as kind \
                 from {parties} p join mx_call c on c.callid = p.callid \
                 left join (select distinct queue_name from {MM_STOP_QUEUES}) sq on sq.queue_name = p.endpointdn \
                 where c.cut_ts is null or p.created_ts <= c.cut_ts",
                end = closed_at("p.terminated_ts", "c.cut_ts"),
                parties = latest(
                    MM_PARTIES,
                    "partyid",
                    "coalesce(t.lastchange_ts, t.terminated_ts, t.created_ts)"
                ),
            ),
        ),
        // A stay in an interaction queue or workbin, held on by the strategies that work on
        // it: it lasts until the last of them let the interaction go.
        View::new(
            "mx_stay_holder",
            "select partyid as holder_id, partyid as stay_id, end_ts, ccevent from mx_party \
             where kind in ('queue', 'workbin') \
             union all select s.partyid, s.parentpartyid, s.end_ts, s.ccevent \
             from mx_party s join mx_party q on q.partyid = s.parentpartyid \
             and q.kind in ('queue', 'workbin') where s.kind = 'strategy'",
        ),
        View::new(
            "mx_stay",
            format!(
                "select q.partyid as stay_id, q.if_guid, q.callid, q.kind, q.endpointdn, \
                 q.parentlinktype, q.created_ts as start_ts, q.horizon_ts, q.tenantid, \
                 case when h.open_holders > 0 then null else h.left_ts end as left_ts, \
                 h.abandoned, case when r.stay_id is null then 0 else 1 end as routed \
                 from mx_party q \
                 join (select stay_id, max(end_ts) as left_ts, \
                       sum(case when end_ts is null then 1 else 0 end) as open_holders, \
                       max(case when ccevent = {EVENT_ABANDONED} then 1 else 0 end) as abandoned \
                       from mx_stay_holder group by stay_id) h on h.stay_id = q.partyid \
                 left join (select distinct h.stay_id from mx_stay_holder h join mx_party m \
                            on m.parentpartyid = h.holder_id \
                            and m.kind in ('queue', 'workbin')) r on r.stay_id = q.partyid"
            ),
        ),
        // The stay that delivered each agent IRF's first party (its parent, or the queue of
        // the strategy that is its parent) and the agent IRF it came from (its parent's, or
        // that of the agent that put it into that stay). A party that moved in from another
        // call of the interaction (same PartyGUID) continues the IRF of its first party.
        View::new(
            "mx_delivery",
            "select a.*, par.kind as parent_kind, \
             case when par.kind in ('queue', 'workbin') then par.partyid \
                  when par.kind = 'strategy' and gp.kind in ('queue', 'workbin') \
                  then gp.partyid end as stay_id, \
             case when par.kind = 'agent' then par.irf_guid \
                  when gp.kind = 'agent' then gp.irf_guid end as from_irf_guid \
             from mx_party a left join mx_party par on par.partyid = a.parentpartyid \
             left join mx_party gp on gp.partyid = par.parentpartyid \
             and par.kind in ('queue', 'workbin', 'strategy') \
             where a.kind = 'agent' and a.partyid = a.irf_guid",
        ),
        // When each agent IRF completed a chat consultation it initiated as a conference:
        // the end of its consultation party that ended with CCEvent Conferenced.
        View::new(
            CONFERENCES,
            format!(
                "select a.irf_guid, min(k.end_ts) as conf_ts from mx_party k \
                 join mx_party a on a.partyid = k.parentpartyid and a.kind = 'agent' \
                 where k.kind = 'agent' and k.calltype = {CALL_CONSULT} \
                 and k.prole = {ROLE_ORIGINATOR} and k.ccevent = {EVENT_CONFERENCED} \
                 group by a.irf_guid"
            ),
        ),
        // State segments of each agent party, with the context of the IRF's time they
        // count in; an open party's last state runs to the chunk horizon (or the cut) and is
        // `open`. A segment is entered when the party's state or context changed.
        View::new(
            "mx_segment",
            format!(
                "select s.interaction_guid, s.irf_guid, s.partyid, s.pseq, s.state, s.t0, s.t1, \
                 s.t1 - s.t0 as dur, s.open, \
                 (s.prev_state is null or s.prev_state <> s.state \
                      or s.prev_context <> s.leg_context) as entered, \
                 s.calltype in ({CALL_INBOUND}, {CALL_OUTBOUND}) as cust_present, s.leg_context \
                 from (select r.*, \
                       lag(r.state) over (partition by r.partyid order by r.t0, r.pseq) \
                            as prev_state, \
                       lag(r.leg_context) over (partition by r.partyid order by r.t0, r.pseq) \
                            as prev_context \
                       from (select a.if_guid as interaction_guid, a.irf_guid, a.partyid, h.pseq, \
                             h.state, h.added_ts as t0, a.calltype, \
                             case when a.calltype = {CALL_CONSULT} then \
                                       case when a.prole = {ROLE_ORIGINATOR} then 'cons_init' \
                                       else 'cons_rcv' end \
                                  when a.partyid <> a.irf_guid \
                                       and a.parentlinktype = {LINK_CONFERENCE} then 'conf_join' \
                                  when a.partyid <> a.irf_guid then 'post_xfer' \
                                  when cf.conf_ts is not null and h.added_ts >= cf.conf_ts \
                                       then 'conf_init' \
                                  else 'primary' end as leg_context, \
                             coalesce(lead(h.added_ts) over (partition by h.partyid \
                                      order by h.added_ts, h.pseq), a.end_ts, a.horizon_ts) as t1, \
                             (lead(h.added_ts) over (partition by h.partyid \
                                      order by h.added_ts, h.pseq) is null and a.end_ts is null) \
                                  as open \
                             from {MM_PARTY_HISTORY} h join mx_party a on a.partyid = h.partyid \
                             left join {CONFERENCES} cf on cf.irf_guid = a.irf_guid \
                             where a.kind = 'agent' \
                             and h.added_ts <= coalesce(a.end_ts, a.horizon_ts)) r) s \
                 where s.t1 >= s.t0"
            ),
        ),
    ]);
    views
}
