//! The active-thread state (docs/transform.md, "Active-thread state"): the GIDB rows a
//! multimedia chunk hands on to the next one, so that the next chunk reads the day folders of
//! its own window plus this state, not GIDB from the start of its oldest open thread.
//!
//! *Open* interactions have a call or a party that is not terminated and are not yet
//! artificially terminated at the window end. The state holds every input row of the open
//! interactions and the G_CALL rows of their calls' parents and grandparents, so that their
//! threading (`if_guid`, `root_guid`) is rebuilt as it was, and lists the calls of the open
//! interactions as *covered*: a change to a covered call needs no GIDB read before the
//! window. A change to any other call reads GIDB from that call's interaction's start.
//!
//! The state a chunk hands on is complete when the state it received was: an interaction
//! open at the chunk's end was open at its start (so it was in the state received) or started
//! in the chunk's window (so its rows are in the window's day folders).
//!
//! A chunk transforms again only the open interactions of the state it received that its
//! window touches (a call among [`TOUCHED_GUIDS`]: a touched call, its parent or
//! grandparent) or that are due for artificial termination by the window's end. The others
//! are *passed on*: nothing of them changed, so their facts stand and they are still open
//! at the window's end; their state rows go to the next state as they came
//! ([`split_views`]).

use crate::transform::config::WINDOW;
use crate::transform::View;

use super::inputs::{
    state_table, MM_CALLS, MM_COVERED, MM_FIRST_USERDATA, MM_INTERACTIONS, MM_PARTIES,
    MM_PARTY_HISTORY, MM_SECURE_USERDATA_HISTORY, MM_SETTINGS, MM_STATE_INPUTS,
    MM_USERDATA_HISTORY, MM_USER_EVENTS, MM_VIRTUAL_QUEUES,
};
use super::TOUCHED_GUIDS;

/// View of the covered calls of the state a chunk hands on: `callid`, `if_guid`.
pub const STATE_COVERED: &str = "mm_state_covered";

/// The state views of the GIDB inputs: (input, view of the input's rows the state keeps).
pub const STATE_ROWS: [(&str, &str); 8] = [
    (MM_CALLS, "mm_state_call"),
    (MM_PARTIES, "mm_state_party"),
    (MM_PARTY_HISTORY, "mm_state_party_history"),
    (MM_FIRST_USERDATA, "mm_state_f_userdata"),
    (MM_VIRTUAL_QUEUES, "mm_state_virtual_queue"),
    (MM_USERDATA_HISTORY, "mm_state_userdata_history"),
    (
        MM_SECURE_USERDATA_HISTORY,
        "mm_state_secure_userdata_history",
    ),
    (MM_USER_EVENTS, "mm_state_user_event"),
];

/// The views of the state, in dependency order (after `mx_call_thread`, see
/// [`super::thread_views`]).
pub fn views() -> Vec<View> {
    let covered = format!("(select callid from {STATE_COVERED})");
    let mut views = vec![
        View::new(
            "ms_open",
            format!(
                "select t.if_guid from mx_call_thread t cross join {WINDOW} w \
                 cross join {MM_SETTINGS} k \
                 left join (select distinct callid from {MM_PARTIES} \
                            where terminated_ts is null) p on p.callid = t.callid \
                 group by t.if_guid, w.window_to, k.active_keep_seconds \
                 having sum(case when t.terminated_ts is null or p.callid is not null \
                            then 1 else 0 end) > 0 \
                 and min(t.created_ts) + k.active_keep_seconds > w.window_to"
            ),
        ),
        View::new(
            STATE_COVERED,
            "select distinct t.callid, t.if_guid from mx_call_thread t \
             join ms_open o on o.if_guid = t.if_guid",
        ),
        View::new(
            "ms_kept_call",
            format!(
                "select callid from {STATE_COVERED} \
                 union select t.parentcallid from mx_call_thread t \
                 join {STATE_COVERED} c on c.callid = t.callid \
                 union select p.parentcallid from mx_call_thread t \
                 join {STATE_COVERED} c on c.callid = t.callid \
                 join mx_call_thread p on p.callid = t.parentcallid"
            ),
        ),
    ];
    for (input, view) in STATE_ROWS {
        let rows = match input {
            MM_CALLS => {
                format!("select * from {input} where callid in (select callid from ms_kept_call)")
            }
            MM_USER_EVENTS => format!(
                "select * from {input} where callid in {covered} or (callid is null and \
                 partyid in (select partyguid from {MM_PARTIES} where callid in {covered}))"
            ),
            _ => format!("select * from {input} where callid in {covered}"),
        };
        views.push(View::new(view, rows));
    }
    views
}

/// The state views a job keeps after the views are computed: [`STATE_COVERED`] and the
/// rows of [`STATE_ROWS`].
pub fn outputs() -> Vec<&'static str> {
    let mut outputs = vec![STATE_COVERED];
    outputs.extend(STATE_ROWS.iter().map(|(_, view)| *view));
    outputs
}

/// View of the interactions of the state received that the chunk transforms again
/// (`if_guid`): touched by the window, or due for artificial termination by its end.
pub const SPLIT_HOT: &str = "ms_split_hot";

/// The views splitting the state received: (covered view, [(input, view of its rows)]) of
/// the part transformed again and of the part passed on.
pub struct StateSplit {
    /// The covered calls and rows the chunk reads with its day folders.
    pub transformed: (&'static str, Vec<(&'static str, String)>),
    /// The covered calls and rows handed on as they came.
    pub passed_on: (&'static str, Vec<(&'static str, String)>),
}

/// The covered calls of the state received that the chunk passes on.
const PASSED_COVERED: &str = "ms_split_passed_covered";

/// The covered calls of the state received that the chunk transforms again.
const TRANSFORMED_COVERED: &str = "ms_split_transformed_covered";

/// The split of the state received (the state tables of [`MM_STATE_INPUTS`] and
/// [`MM_COVERED`]), over [`TOUCHED_GUIDS`] and the due interactions of [`MM_INTERACTIONS`]:
/// the views in dependency order, and which hold what. A covered call without its `if_guid`
/// is always transformed again.
pub fn split_views() -> (Vec<View>, StateSplit) {
    let calls = state_table(MM_CALLS);
    let parties = state_table(MM_PARTIES);
    let passed = format!("(select callid from {PASSED_COVERED})");
    let mut views = vec![
        View::new(
            SPLIT_HOT,
            format!(
                "select v.if_guid from {MM_COVERED} v join {TOUCHED_GUIDS} g on g.guid = v.callid \
                 union select i.media_server_ixn_guid from {MM_INTERACTIONS} i \
                 cross join {WINDOW} w cross join {MM_SETTINGS} k where i.active_flag = 1 \
                 and i.start_ts + k.active_keep_seconds <= w.window_to \
                 union select v.if_guid from {MM_COVERED} v join {calls} c on c.callid = v.callid \
                 cross join {WINDOW} w cross join {MM_SETTINGS} k \
                 group by v.if_guid, w.window_to, k.active_keep_seconds \
                 having min(c.created_ts) + k.active_keep_seconds <= w.window_to"
            ),
        ),
        View::new(
            PASSED_COVERED,
            format!(
                "select v.callid, v.if_guid from {MM_COVERED} v \
                 left join (select distinct if_guid from {SPLIT_HOT}) h on h.if_guid = v.if_guid \
                 where v.if_guid is not null and h.if_guid is null"
            ),
        ),
        View::new(
            TRANSFORMED_COVERED,
            format!(
                "select v.callid, v.if_guid from {MM_COVERED} v \
                 left join {PASSED_COVERED} p on p.callid = v.callid where p.callid is null"
            ),
        ),
        View::new(
            "ms_split_passed_kept",
            format!(
                "select callid from {PASSED_COVERED} \
                 union select c.parentcallid from {calls} c join {passed} x on x.callid = c.callid \
                 union select p.parentcallid from {calls} c join {passed} x on x.callid = c.callid \
                 join {calls} p on p.callid = c.parentcallid"
            ),
        ),
    ];
    let (mut transformed, mut passed_on) = (Vec::new(), Vec::new());
    for (input, table) in MM_STATE_INPUTS {
        let suffix = input.trim_start_matches("tx_mm_");
        let passed_view = format!("ms_split_passed_{suffix}");
        let transformed_view = format!("ms_split_transformed_{suffix}");
        let passed_rows = match input {
            MM_CALLS => format!(
                "select * from {table} where callid in (select callid from ms_split_passed_kept)"
            ),
            MM_USER_EVENTS => format!(
                "select * from {table} where callid in {passed} or (callid is null and \
                 partyid in (select partyguid from {parties} where callid in {passed}))"
            ),
            _ => format!("select * from {table} where callid in {passed}"),
        };
        views.push(View::new(&passed_view, passed_rows));
        views.push(View::new(
            &transformed_view,
            format!(
                "select s.* from {table} s left join {PASSED_COVERED} p on p.callid = s.callid \
                 where p.callid is null"
            ),
        ));
        transformed.push((input, transformed_view));
        passed_on.push((input, passed_view));
    }
    let split = StateSplit {
        transformed: (TRANSFORMED_COVERED, transformed),
        passed_on: (PASSED_COVERED, passed_on),
    };
    (views, split)
}
