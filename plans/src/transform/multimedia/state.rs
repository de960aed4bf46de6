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

use crate::transform::config::WINDOW;
use crate::transform::View;

use super::inputs::{
    MM_CALLS, MM_FIRST_USERDATA, MM_PARTIES, MM_PARTY_HISTORY, MM_SECURE_USERDATA_HISTORY,
    MM_SETTINGS, MM_USERDATA_HISTORY, MM_USER_EVENTS, MM_VIRTUAL_QUEUES,
};

/// View of the covered calls of the state a chunk hands on: `callid`.
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
            "select distinct t.callid from mx_call_thread t \
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
