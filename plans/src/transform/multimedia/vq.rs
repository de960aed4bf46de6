//! Multimedia virtual-queue stays (infomart.md §2.3, §4.4, §4.7): the G_VIRTUAL_QUEUE rows
//! of an interaction a routing strategy queued in virtual queues while it worked on it.
//!
//! A stay's PartyID names the party that was queued — the interaction-queue (or workbin)
//! party, or the strategy working on it — so each virtual-queue stay belongs to the stay
//! that party holds (its `via_stay`). Each is an MSF of the virtual queue's DN: distributed
//! (Cause 1) to the agent that stay delivered the interaction to, abandoned (Cause 2), or
//! cleared (any other cause). The agent's IRF counts the virtual-queue stays of its attempt
//! (those entered before its party was created) in `MEDIATION_COUNT` and names the last of
//! them in `LAST_VQUEUE_RESOURCE_KEY`; its `MEDIATION_SEGMENT_ID` stays that of the
//! interaction queue, where the interaction waited.

use crate::transform::codes::*;
use crate::transform::voice::resource_join;
use crate::transform::View;

use super::inputs::{MM_VIRTUAL_QUEUES, SCRIPT_RESOURCES};
use super::threads::{closed_at, latest};

/// View of every mediation stay that is an MSF: interaction-queue and workbin stays and
/// virtual-queue stays, each with its resource and the stay it belongs to (`via_stay`, its
/// own id for a queue or workbin).
pub const MEDIATION: &str = "mx_mediation";

/// View of the virtual-queue stays of each IRF's attempt: `irf_guid`, `vq_count`,
/// `last_vq_resource_key`.
pub const IRF_VQ: &str = "mx_irf_vq";

/// The views of this module, in dependency order (after the stays and deliveries).
pub fn views() -> Vec<View> {
    let last_vq = "first_value(v.resource_key order by v.start_ts desc, v.stay_id desc)";
    vec![
        View::new(
            "mx_vq",
            format!(
                "select 'vq:' || cast(v.id as varchar) as stay_id, h.stay_id as via_stay, \
                 q.if_guid, q.callid, 'vq' as kind, q.parentlinktype, v.created_ts as start_ts, \
                 q.horizon_ts, {left} as left_ts, \
                 case when v.cause = {VQ_ABANDONED} then 1 else 0 end as abandoned, \
                 0 as routed, case when v.cause = {VQ_DIVERTED} then 1 else 0 end as distributed, \
                 coalesce(r.resource_key, {UNKNOWN_KEY}) as resource_key \
                 from {vqs} v join mx_party p on p.partyid = v.partyid \
                 join mx_stay_holder h on h.holder_id = v.partyid \
                 join mx_stay q on q.stay_id = h.stay_id \
                 {r} \
                 where p.cut_ts is null or v.created_ts <= p.cut_ts",
                left = closed_at("v.terminated_ts", "p.cut_ts"),
                vqs = latest(
                    MM_VIRTUAL_QUEUES,
                    "id",
                    "coalesce(t.terminated_ts, t.created_ts)"
                ),
                r = resource_join("r", CFG_DN, "v.endpointid"),
            ),
        ),
        View::new(
            MEDIATION,
            format!(
                "select s.stay_id, s.stay_id as via_stay, s.if_guid, s.callid, s.kind, \
                 s.parentlinktype, s.start_ts, s.horizon_ts, s.left_ts, s.abandoned, s.routed, \
                 1 as distributed, coalesce(r.resource_key, {UNKNOWN_KEY}) as resource_key \
                 from mx_stay s left join (select resource_name, min(resource_key) as resource_key \
                      from {SCRIPT_RESOURCES} group by resource_name) r \
                 on r.resource_name = s.endpointdn \
                 union all select stay_id, via_stay, if_guid, callid, kind, parentlinktype, \
                 start_ts, horizon_ts, left_ts, abandoned, routed, distributed, resource_key \
                 from mx_vq"
            ),
        ),
        View::new(
            IRF_VQ,
            format!(
                "select d.partyid as irf_guid, count(*) as vq_count, \
                 {last_vq} as last_vq_resource_key \
                 from mx_delivery d join mx_vq v on v.via_stay = d.stay_id \
                 and v.start_ts <= d.created_ts group by d.partyid \
                 union all select s.stay_id, count(*), {last_vq} \
                 from mx_stay s join mx_vq v on v.via_stay = s.stay_id \
                 where s.abandoned = 1 group by s.stay_id"
            ),
        ),
    ]
}
