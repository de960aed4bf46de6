//! The multimedia transform (infomart.md §1.6, §2.1–§2.3, §4.1–§4.8, §4.11): e-mails, chats
//! and their replies from the Interaction Server rows of GIDB, turned into
//! INTERACTION_FACT, INTERACTION_RESOURCE_FACT, MEDIATION_SEGMENT_FACT and
//! IXN_RESOURCE_STATE_FACT rows and the user data of the IRFs — written
//! while the interaction is active and updated in place by later chunks, until it ends or
//! is artificially terminated after `days-to-keep-active-facts` — with the
//! RESOURCE_GROUP_COMBINATION rows their IRFs need.
//! Project decisions on the rules the spec leaves open are listed in docs/transform.md.

mod extensions;
mod facts;
pub mod inputs;
mod irf;
pub mod state;
mod stop;
mod threads;
mod types;
mod vq;

pub use extensions::{IXN_RESOURCE_STATE_FACT, USER_DATA_OUTPUTS};
pub use facts::{INTERACTION_FACT, IRF, MSF};
pub use threads::{TOUCHED_CALLS, TOUCHED_GUIDS, TOUCHED_MEMBERS, TOUCHED_ROOTS, TOUCHED_SINCE};
pub use types::{INTERACTION_TYPE, MEDIA_TYPE};

use super::voice::group_combination_views;
use super::View;

/// Output view of the new RESOURCE_GROUP_COMBINATION rows of multimedia IRFs.
pub const RESOURCE_GROUP_COMBINATION: &str = "mm_resource_group_combination";

/// The outputs: Info Mart table and view, in write order — the four facts first, then the
/// group combinations, the user-data tables of [`USER_DATA_OUTPUTS`] and the new media and
/// interaction types.
pub const OUTPUTS: [(&str, &str); 12] = [
    ("INTERACTION_FACT", INTERACTION_FACT),
    ("INTERACTION_RESOURCE_FACT", IRF),
    ("MEDIATION_SEGMENT_FACT", MSF),
    ("IXN_RESOURCE_STATE_FACT", IXN_RESOURCE_STATE_FACT),
    ("RESOURCE_GROUP_COMBINATION", RESOURCE_GROUP_COMBINATION),
    USER_DATA_OUTPUTS[0],
    USER_DATA_OUTPUTS[1],
    USER_DATA_OUTPUTS[2],
    USER_DATA_OUTPUTS[3],
    USER_DATA_OUTPUTS[4],
    ("MEDIA_TYPE", MEDIA_TYPE),
    ("INTERACTION_TYPE", INTERACTION_TYPE),
];

/// The views the job runs first, over the window's own rows and the active-thread state:
/// [`TOUCHED_CALLS`], then [`TOUCHED_GUIDS`].
pub fn touched_guids_views() -> Vec<View> {
    vec![threads::touched_calls_view(), threads::touched_guids()]
}

/// The view the job runs next, once the Info Mart rows of the touched GUIDs are in:
/// [`TOUCHED_SINCE`].
pub fn touched_since_view() -> View {
    threads::touched_since()
}

/// The view a probe runs last, over [`TOUCHED_CALLS`] and the Info Mart interactions:
/// [`TOUCHED_ROOTS`].
pub fn touched_roots_view() -> View {
    threads::touched_roots()
}

/// The threading views the state views read, for a session that computes the state alone.
pub fn thread_views() -> Vec<View> {
    threads::thread_views()
}

/// [`TOUCHED_MEMBERS`], over the threading views ([`thread_views`]).
pub fn touched_members_view() -> View {
    threads::touched_members()
}

/// The threading views followed by [`TOUCHED_MEMBERS`], for a session that reads only the
/// rows of the interactions it transforms: it runs them over its calls before it reads the
/// rest. [`views`] starts with the same threading views.
pub fn members_views() -> Vec<View> {
    let mut views = threads::thread_views();
    views.push(touched_members_view());
    views
}

/// Every view of the multimedia transform, in dependency order; the outputs are those of
/// [`OUTPUTS`].
pub fn views() -> Vec<View> {
    let mut views = threads::views();
    views.push(View::new(
        "mx_combination_party",
        "select 0 as root_data_source_key, if_guid as interaction_guid, kind, agentid, \
         created_ts from mx_party",
    ));
    views.extend(group_combination_views(
        "mx",
        "mx_combination_party",
        RESOURCE_GROUP_COMBINATION,
    ));
    views.extend(vq::views());
    views.extend(stop::views());
    views.extend(irf::views());
    views.extend(types::views());
    views.extend(facts::views());
    views.extend(extensions::views());
    views
}
