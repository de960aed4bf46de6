//! RESOURCE_GROUP_COMBINATION (infomart.md §3.5) for the voice IRFs: the set of agent groups
//! the IRF's agent belonged to at IRF start, from RESOURCE_GROUP_FACT_ as the Info Mart holds
//! it (the configuration stream commits before the voice stream reaches the same time). A
//! set the Info Mart already has keeps its combination key; a new one gets the next key after
//! the greatest in use, and its member rows are written with the chunk. An agent in no group
//! (and any resource that is not an agent) has the `-1` combination.
//!
//! The sets are built per *segment* of an agent's membership history (between two
//! consecutive starts or ends of its memberships, where the set cannot change), limited to
//! the agents of the chunk and the time their interactions span; the IRF view then picks the
//! segment holding its start. Reading the IRFs here instead would plan the whole IRF
//! pipeline a second time.

use crate::transform::codes::*;
use crate::transform::inputs::{GROUP_COMBINATIONS, IDS, RESOURCES, RESOURCE_GROUP_FACTS};
use crate::transform::View;

/// Output view of the new RESOURCE_GROUP_COMBINATION rows.
pub const RESOURCE_GROUP_COMBINATION: &str = "voice_resource_group_combination";

/// View of `resource_key`, `seg_from`, `seg_to` (NULL: open) and `group_combination_key`.
pub const SEGMENT_COMBINATIONS: &str = "vx_segment_combination";

/// `string_agg` of the group keys in key order: the text that identifies a set of groups.
const GROUP_SET: &str = "string_agg(cast(group_key as varchar), ',' order by group_key)";

/// The views of this module, in dependency order; they read `vx_party`.
pub fn views() -> Vec<View> {
    views_over("vx", "vx_party", RESOURCE_GROUP_COMBINATION)
}

/// The combination views of a transform whose views are named `<prefix>_…`, over its party
/// view `parties` (`root_data_source_key`, `interaction_guid`, `kind`, `agentid`,
/// `created_ts`); the new rows are view `output`, the segments
/// `<prefix>_segment_combination`.
pub(crate) fn views_over(prefix: &str, parties: &str, output: &str) -> Vec<View> {
    let p = prefix;
    vec![
        // An IRF starts no earlier than its interaction's first party and no later than its
        // agent's last party.
        View::new(
            format!("{p}_chunk_agent"),
            format!(
                "select r.resource_key, min(x.first_ts) as span_from, \
                 max(p.created_ts) as span_to \
                 from {parties} p \
                 join (select root_data_source_key, interaction_guid, \
                       min(created_ts) as first_ts from {parties} \
                       group by root_data_source_key, interaction_guid) x \
                 on x.root_data_source_key = p.root_data_source_key \
                 and x.interaction_guid = p.interaction_guid \
                 join {RESOURCES} r on r.resource_cfg_type_id = {CFG_PERSON} \
                 and r.resource_cfg_dbid = p.agentid \
                 where p.kind = 'agent' group by r.resource_key"
            ),
        ),
        View::new(
            format!("{p}_group_membership"),
            format!(
                "select f.resource_key, f.group_key, f.tenant_key, f.start_ts, f.end_ts, \
                 a.span_from, a.span_to \
                 from {RESOURCE_GROUP_FACTS} f \
                 join {p}_chunk_agent a on a.resource_key = f.resource_key \
                 where f.group_key > 0"
            ),
        ),
        View::new(
            format!("{p}_group_segment"),
            format!(
                "select resource_key, seg_from, seg_to, span_from, span_to \
             from (select resource_key, at_ts as seg_from, \
                   lead(at_ts) over (partition by resource_key order by at_ts) as seg_to, \
                   span_from, span_to \
                   from (select resource_key, start_ts as at_ts, span_from, span_to \
                         from {p}_group_membership \
                         union select resource_key, end_ts, span_from, span_to \
                         from {p}_group_membership where end_ts is not null) bounds) segments \
             where (seg_to is null or seg_to > span_from) and seg_from <= span_to"
            ),
        ),
        View::new(
            format!("{p}_segment_group"),
            format!(
                "select s.resource_key, s.seg_from, s.seg_to, m.group_key, \
             min(m.tenant_key) as tenant_key \
             from {p}_group_segment s join {p}_group_membership m \
             on m.resource_key = s.resource_key and m.start_ts <= s.seg_from \
             and (m.end_ts is null or m.end_ts > s.seg_from) \
             group by s.resource_key, s.seg_from, s.seg_to, m.group_key"
            ),
        ),
        View::new(
            format!("{p}_segment_set"),
            format!(
                "select resource_key, seg_from, seg_to, {GROUP_SET} as group_set, \
                 min(tenant_key) as tenant_key from {p}_segment_group \
                 group by resource_key, seg_from, seg_to"
            ),
        ),
        View::new(
            format!("{p}_known_combination"),
            format!(
                "select group_set, min(group_combination_key) as group_combination_key \
                 from (select group_combination_key, {GROUP_SET} as group_set \
                       from {GROUP_COMBINATIONS} where group_combination_key > 0 \
                       group by group_combination_key) sets group by group_set"
            ),
        ),
        View::new(
            format!("{p}_new_combination"),
            format!(
                "select s.group_set, s.tenant_key, \
                 b.base + row_number() over (order by s.group_set) as group_combination_key \
                 from (select group_set, min(tenant_key) as tenant_key from {p}_segment_set \
                       group by group_set) s \
                 cross join (select greatest(coalesce(max(group_combination_key), 0), 0) as base \
                             from {GROUP_COMBINATIONS}) b \
                 left join {p}_known_combination k on k.group_set = s.group_set \
                 where k.group_set is null"
            ),
        ),
        View::new(
            format!("{p}_segment_combination"),
            format!(
                "select s.resource_key, s.seg_from, s.seg_to, \
             coalesce(k.group_combination_key, n.group_combination_key) as group_combination_key \
             from {p}_segment_set s \
             left join {p}_known_combination k on k.group_set = s.group_set \
             left join {p}_new_combination n on n.group_set = s.group_set"
            ),
        ),
        View::new(
            output,
            format!(
                "select distinct n.group_combination_key, g.group_key, n.tenant_key, \
                 ids.audit_key as create_audit_key, ids.audit_key as update_audit_key, \
                 0 as purge_flag \
                 from {p}_new_combination n \
                 join {p}_segment_set s on s.group_set = n.group_set \
                 join {p}_segment_group g on g.resource_key = s.resource_key \
                 and g.seg_from = s.seg_from \
                 cross join {IDS} ids"
            ),
        ),
    ]
}
