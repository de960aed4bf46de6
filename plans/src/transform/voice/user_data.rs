//! User data of the voice IRFs (infomart.md §2.13, §4.15): the attached-data history of
//! every call of each kept interaction, picked for each new IRF.

use crate::transform::inputs::{SECURE_USERDATA_HISTORY, USERDATA_HISTORY};
use crate::transform::user_data::{self, UserDataOutputs, UserDataSource};
use crate::transform::View;

/// The voice user-data outputs: Info Mart table and view.
pub const USER_DATA_OUTPUTS: UserDataOutputs = [
    ("IRF_USER_DATA_GEN_1", "voice_irf_user_data_gen_1"),
    ("IRF_USER_DATA_CUST_1", "voice_irf_user_data_cust_1"),
    ("IRF_USER_DATA_KEYS", "voice_irf_user_data_keys"),
    ("INTERACTION_DESCRIPTOR", "voice_interaction_descriptor"),
    ("USER_DATA_CUST_DIM_1", "voice_user_data_cust_dim_1"),
];

/// The views of this module, in dependency order; they read `vx_call`, `vx_leg` and
/// `vx_irf_kept`.
pub fn views() -> Vec<View> {
    user_data::views(&UserDataSource {
        prefix: "vx",
        calls: "select root_data_source_key, interaction_guid, data_source_key, callid \
                from vx_call"
            .into(),
        parties: "select root_data_source_key, interaction_guid, irf_guid, data_source_key, \
                  partyid from vx_leg"
            .into(),
        irfs: "select interaction_resource_id, tenant_key, audit_key, root_data_source_key, \
               interaction_guid, irf_guid, ordinal, technical_result, start_ts, end_ts, \
               first_created from vx_irf_kept"
            .into(),
        history: [USERDATA_HISTORY, SECURE_USERDATA_HISTORY],
        outputs: USER_DATA_OUTPUTS,
    })
}
