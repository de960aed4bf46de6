//! The voice transform (infomart.md §4.2–§4.9, §4.12): the interactions the merge stage
//! emitted, turned into INTERACTION_FACT, INTERACTION_RESOURCE_FACT, MEDIATION_SEGMENT_FACT
//! and IXN_RESOURCE_STATE_FACT rows, with the RESOURCE_GROUP_COMBINATION rows their IRFs
//! need.
//! Project decisions on the rules the spec leaves open are listed in docs/transform.md.

mod checks;
mod combination;
mod facts;
mod irf;
pub mod late;
mod legs;
mod metrics;
mod resource_states;
mod user_data;

pub use checks::DISCARDS;
pub(crate) use combination::views_over as group_combination_views;
pub use combination::RESOURCE_GROUP_COMBINATION;
pub(crate) use facts::resource as resource_join;
pub use facts::{INTERACTION_FACT, IRF, MSF};
pub use resource_states::IXN_RESOURCE_STATE_FACT;
pub use user_data::USER_DATA_OUTPUTS;

use super::View;

/// Every view of the voice transform, in dependency order; the outputs are
/// [`INTERACTION_FACT`], [`IRF`], [`MSF`], [`IXN_RESOURCE_STATE_FACT`],
/// [`RESOURCE_GROUP_COMBINATION`], the user-data tables of [`USER_DATA_OUTPUTS`] and
/// [`DISCARDS`].
pub fn views() -> Vec<View> {
    let mut views = legs::views();
    views.extend(checks::views());
    views.extend(metrics::views());
    views.extend(irf::views());
    views.extend(combination::views());
    views.extend(facts::views());
    views.extend(resource_states::views());
    views.extend(user_data::views());
    views.push(checks::output());
    views
}
