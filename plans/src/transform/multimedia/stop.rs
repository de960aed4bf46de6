//! Stopping a multimedia interaction (infomart.md §2.2 STOP_ACTION, §3.13, §4.11).
//!
//! *Stop-interaction queues* (`[gim-etl] stop-ixn-queues`): an interaction placed into one of
//! them ends there. The queue is not a mediation stay (no MSF), and the agent who placed it
//! there completed it: Completed / Unspecified rather than Transferred.
//!
//! *STOP_ACTION* is 1 on the IRF of the agent who stopped the interaction: who placed it into
//! a stop-interaction queue, or whose party's release (CCEvent 11) ended its call (an
//! interaction or a reply, not a consultation). An interaction closed by artificial
//! termination has no stopping resource.

use crate::transform::codes::*;
use crate::transform::View;

/// View of the agent IRFs that stopped their interaction (through one of their parties):
/// `irf_guid`, `into_stop_queue` (placed it into a stop-interaction queue) and
/// `stop_action`.
pub const STOPPERS: &str = "mx_stopper";

/// The views of this module, in dependency order (after the parties).
pub fn views() -> Vec<View> {
    vec![View::new(
        STOPPERS,
        format!(
            "select a.irf_guid, max(case when s.partyid is null then 0 else 1 end) \
             as into_stop_queue, \
             max(case when s.partyid is not null or (a.ccevent = {EVENT_RELEASED} \
                 and a.end_ts = c.end_ts and c.calltype <> {CALL_CONSULT}) then 1 else 0 end) \
             as stop_action \
             from mx_party a join mx_call c on c.callid = a.callid \
             left join mx_party s on s.parentpartyid = a.partyid and s.kind = 'stop' \
             where a.kind = 'agent' group by a.irf_guid"
        ),
    )]
}
