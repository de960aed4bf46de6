//! The voice agents' IXN_RESOURCE_STATE_FACT rows (infomart.md §2.4, §4.12): the state
//! segments of every leg of each kept agent IRF, and Wrap for the after-call work credited
//! to the IRF. Voice states are written once complete.

use crate::transform::resource_states::{self, irf_role, StateSource};
use crate::transform::View;

use super::facts::IRF;
use super::metrics::{measured_segment, CONSULT_ONLY_ACW};

/// Output view of IXN_RESOURCE_STATE_FACT rows.
pub const IXN_RESOURCE_STATE_FACT: &str = "voice_ixn_resource_state_fact";

/// The views of this module, in dependency order.
pub fn views() -> Vec<View> {
    let kept = "join vx_irf_kept i on i.root_data_source_key = s.root_data_source_key \
                and i.interaction_guid = s.interaction_guid and i.irf_guid = s.irf_guid";
    resource_states::views(&StateSource {
        prefix: "vx",
        segments: format!(
            "select i.interaction_resource_id, i.resource_role, \
             s.data_source_key as leg_source, s.partyid as leg_party, s.pseq, s.t0, s.t1, \
             s.state, s.ctx, ({measured}) as measured, false as open \
             from vx_segment s {kept} where i.kind = 'agent'",
            measured = measured_segment("s"),
        ),
        extra: Some(format!(
            "select i.interaction_resource_id, 'WRAP' as state_code, {role} as role_code, \
             case when {CONSULT_ONLY_ACW} then 'CONSULT' else 'CUSTOMER' end \
                  as descriptor_code, s.acw_from as start_ts, s.acw_to as end_ts \
             from vx_irf_acw_interval s {kept}",
            role = irf_role("i"),
        )),
        irf: IRF,
        known: None,
        output: IXN_RESOURCE_STATE_FACT,
    })
}
