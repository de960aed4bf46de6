//! The state facts and user data of multimedia IRFs (infomart.md §2.4, §2.13, §4.12,
//! §4.15), through the views voice uses: Alert, Connect and Hold rows of each agent IRF,
//! and Initiate for the agent who invited a consultation, with the role and descriptor of
//! the leg's context (its own interaction, or a chat consultation it initiated or received)
//! — active while the agent's party is in the state, upserted under the keys they already
//! have — and the user-data rows of every IRF of the chunk (and of every MSF while
//! `link-msf-userdata` or `link-msf-userdata-mm` is on) from the interaction's attached-data
//! history.

use crate::transform::config::WINDOW;
use crate::transform::inputs::USER_DATA_SETTINGS;
use crate::transform::resource_states::{self, StateSource};
use crate::transform::user_data::{self, msf_guid, UserDataOutputs, UserDataSource};
use crate::transform::View;

use super::facts::IRF;
use super::inputs::{
    MM_PARTIES, MM_SECURE_USERDATA_HISTORY, MM_STATES, MM_USERDATA_HISTORY, MM_USER_EVENTS,
};
use super::irf::measured_segment;

/// Output view of IXN_RESOURCE_STATE_FACT rows.
pub const IXN_RESOURCE_STATE_FACT: &str = "mm_ixn_resource_state_fact";

/// The multimedia user-data outputs: Info Mart table and view.
pub const USER_DATA_OUTPUTS: UserDataOutputs = [
    ("IRF_USER_DATA_GEN_1", "mm_irf_user_data_gen_1"),
    ("IRF_USER_DATA_CUST_1", "mm_irf_user_data_cust_1"),
    ("IRF_USER_DATA_KEYS", "mm_irf_user_data_keys"),
    ("INTERACTION_DESCRIPTOR", "mm_interaction_descriptor"),
    ("USER_DATA_CUST_DIM_1", "mm_user_data_cust_dim_1"),
];

/// The views of this module, in dependency order; they read `mx_call`, `mx_party`,
/// `mx_segment`, `mx_irf_ids` and `mx_msf_outcome`. An MSF's party (rule `PARTY`) is its
/// queue or workbin party; a virtual-queue stay has none.
pub fn views() -> Vec<View> {
    let mut views = resource_states::views(&StateSource {
        prefix: "mx",
        segments: format!(
            "select i.interaction_resource_id, i.resource_role, 0 as leg_source, \
             s.partyid as leg_party, s.pseq, s.t0, s.t1, s.state, s.leg_context as ctx, \
             ({measured}) as measured, s.open \
             from mx_segment s join mx_irf_ids i on i.irf_guid = s.irf_guid \
             where i.kind = 'agent'",
            measured = measured_segment("s"),
        ),
        extra: None,
        irf: IRF,
        known: Some(MM_STATES),
        output: IXN_RESOURCE_STATE_FACT,
    });
    let msf = msf_guid("m.mediation_segment_id");
    views.extend(user_data::views(&UserDataSource {
        prefix: "mx",
        calls: "select 0 as root_data_source_key, if_guid as interaction_guid, \
                data_source_key, callid, end_ts as terminated_ts from mx_call"
            .into(),
        parties: format!(
            "select 0 as root_data_source_key, p.if_guid as interaction_guid, i.irf_guid, \
             p.data_source_key, p.partyid from mx_irf_ids i \
             join mx_party p on p.irf_guid = i.irf_guid \
             union all select 0, m.if_guid, {msf}, p.data_source_key, p.partyid \
             from mx_msf_outcome m join mx_party p on p.partyid = m.stay_id"
        ),
        // An active IRF or MSF reaches the chunk's horizon.
        irfs: format!(
            "select i.interaction_resource_id, i.tenant_key, i.audit_key, \
             0 as root_data_source_key, i.if_guid as interaction_guid, i.irf_guid, i.ordinal, \
             i.technical_result, i.start_ts, coalesce(i.end_ts, w.window_to) as end_ts, \
             i.first_created from mx_irf_ids i cross join {WINDOW} w \
             union all select m.mediation_segment_id, m.tenant_key, m.audit_key, 0, m.if_guid, \
             {msf}, cast(null as bigint), '', m.start_ts, \
             coalesce(m.msf_end, w.window_to), m.start_ts as first_created \
             from mx_msf_outcome m cross join {WINDOW} w cross join {USER_DATA_SETTINGS} s \
             where s.link_msf_mm = 1"
        ),
        history: [MM_USERDATA_HISTORY, MM_SECURE_USERDATA_HISTORY],
        user_events: [MM_USER_EVENTS, MM_PARTIES],
        outputs: USER_DATA_OUTPUTS,
    }));
    views
}
