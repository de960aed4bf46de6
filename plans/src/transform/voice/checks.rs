//! Data-quality checks of a voice interaction (infomart.md §5.1, §5.3): an interaction whose
//! rows cannot be transformed is discarded as a whole — its INTERACTION_FACT row keeps its
//! id, nothing else is written for it — and each check names the GIDB table, the key and the
//! rule. Codes are project codes, listed in docs/transform.md.

use crate::transform::inputs::PARTY_HISTORY;
use crate::transform::View;

/// Output view of the discarded interactions: `table_name`, `interaction_id`, `guid`,
/// `code`, `reason`, `create_audit_key`.
pub const DISCARDS: &str = "voice_discards";

/// The checks: code, GIDB table, and a query returning
/// `(root_data_source_key, interaction_guid, reason)` for each failing interaction.
fn checks() -> Vec<(i32, &'static str, String)> {
    vec![
        (
            1,
            "gidb_g_party_v",
            "select root_data_source_key, interaction_guid, \
             'party ' || partyid || ' has no creation time' as reason from vx_party \
             where created_ts is null"
                .into(),
        ),
        (
            2,
            "gidb_g_party_v",
            "select root_data_source_key, interaction_guid, \
             'party ' || partyid || ' ends (' || cast(terminated_ts as varchar) || \
             ') before it starts (' || cast(created_ts as varchar) || ')' as reason from vx_party \
             where terminated_ts < created_ts"
                .into(),
        ),
        (
            3,
            "gidb_g_party_history_v",
            format!(
                "select l.root_data_source_key, l.interaction_guid, \
                 'party ' || l.partyid || ' history goes back in time at PSeq ' || \
                 cast(h.pseq as varchar) as reason from (select data_source_key, partyid, pseq, added_ts, \
                 lag(added_ts) over (partition by data_source_key, partyid order by pseq) \
                 as previous_ts from {PARTY_HISTORY}) h \
                 join vx_leg l on l.data_source_key = h.data_source_key and l.partyid = h.partyid \
                 where h.added_ts < h.previous_ts"
            ),
        ),
        (
            4,
            "gidb_g_party_history_v",
            format!(
                "select l.root_data_source_key, l.interaction_guid, \
                 'party ' || l.partyid || ' has no state history' as reason from vx_leg l \
                 left join (select distinct data_source_key, partyid from {PARTY_HISTORY}) h \
                 on h.data_source_key = l.data_source_key and h.partyid = l.partyid \
                 where h.partyid is null"
            ),
        ),
    ]
}

/// The views of this module: `vx_discard` (one row per failing interaction, its first
/// failed check) after the legs exist.
pub fn views() -> Vec<View> {
    let failures: Vec<String> = checks()
        .into_iter()
        .map(|(code, table, sql)| {
            format!(
                "select f.root_data_source_key, f.interaction_guid, f.reason, {code} as code, \
                 '{table}' as table_name from ({sql}) f"
            )
        })
        .collect();
    vec![View::new(
        "vx_discard",
        format!(
            "select root_data_source_key, interaction_guid, min(code) as code, \
             first_value(table_name order by code) as table_name, \
             first_value(reason order by code) as reason \
             from ({}) failures group by root_data_source_key, interaction_guid",
            failures.join(" union all ")
        ),
    )]
}

/// The discard rows, once interaction ids exist.
pub fn output() -> View {
    View::new(
        DISCARDS,
        "select d.table_name, x.interaction_id, d.interaction_guid as guid, d.code, d.reason, \
         x.audit_key as create_audit_key from vx_discard d join vx_interaction_ids x \
         on x.root_data_source_key = d.root_data_source_key \
         and x.interaction_guid = d.interaction_guid",
    )
}
