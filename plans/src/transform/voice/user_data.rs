//! User data of the voice IRFs (infomart.md §2.13, §4.15): the attached-data history and
//! UserEvent KVPs of every call of each kept interaction, picked for each new IRF, and for
//! each new MSF while `link-msf-userdata` (or `link-msf-userdata-voice`) is on.

use crate::transform::inputs::{
    PARTIES, SECURE_USERDATA_HISTORY, USERDATA_HISTORY, USER_DATA_SETTINGS, USER_EVENTS,
};
use crate::transform::user_data::{self, msf_guid, UserDataOutputs, UserDataSource};
use crate::transform::View;

/// The voice user-data outputs: Info Mart table and view.
pub const USER_DATA_OUTPUTS: UserDataOutputs = [
    ("IRF_USER_DATA_GEN_1", "voice_irf_user_data_gen_1"),
    ("IRF_USER_DATA_CUST_1", "voice_irf_user_data_cust_1"),
    ("IRF_USER_DATA_KEYS", "voice_irf_user_data_keys"),
    ("INTERACTION_DESCRIPTOR", "voice_interaction_descriptor"),
    ("USER_DATA_CUST_DIM_1", "voice_user_data_cust_dim_1"),
];

/// The views of this module, in dependency order; they read `vx_call`, `vx_leg`,
/// `vx_irf_kept` and `vx_msf_kept`. An MSF's party (rule `PARTY`) is its queue party, or the
/// party routed from its virtual queue.
pub fn views() -> Vec<View> {
    let msf = msf_guid("m.mediation_segment_id");
    user_data::views(&UserDataSource {
        prefix: "vx",
        calls: "select root_data_source_key, interaction_guid, data_source_key, callid, \
                terminated_ts from vx_call"
            .into(),
        parties: format!(
            "select root_data_source_key, interaction_guid, irf_guid, data_source_key, \
             partyid from vx_leg \
             union all select m.root_data_source_key, m.interaction_guid, {msf}, \
             m.data_source_key, m.med_partyid from vx_msf_kept m"
        ),
        irfs: format!(
            "select interaction_resource_id, tenant_key, audit_key, root_data_source_key, \
             interaction_guid, irf_guid, ordinal, technical_result, start_ts, end_ts, \
             first_created from vx_irf_kept \
             union all select m.mediation_segment_id, m.tenant_key, m.audit_key, \
             m.root_data_source_key, m.interaction_guid, {msf}, cast(null as bigint), \
             '', m.start_ts, m.msf_end, m.start_ts as first_created \
             from vx_msf_kept m cross join {USER_DATA_SETTINGS} s where s.link_msf_voice = 1"
        ),
        history: [USERDATA_HISTORY, SECURE_USERDATA_HISTORY],
        user_events: [USER_EVENTS, PARTIES],
        outputs: USER_DATA_OUTPUTS,
    })
}
