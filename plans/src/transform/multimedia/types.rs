//! The media and interaction types of multimedia calls (infomart.md §3.8, §3.9): each call's
//! MEDIA_TYPE and INTERACTION_TYPE keys, adding the types the Info Mart does not have yet.
//!
//! * A media type is the upper-cased G_CALL.MediaType; an unknown one is added as offline
//!   (`IS_ONLINE` 0), named by the lower-cased MediaType.
//! * An interaction type is the CallType's type with the subtype of GM_F_USERDATA.G_SUB_TYPE
//!   (`<Type>New` without one), compared by code (upper case, letters and digits only); an
//!   unknown subtype is added with `IGNORE` 0. A call of unknown type without a subtype, or
//!   without a media type, takes the `-1` row.
//! * `ignore_type` is 1 when the call's INTERACTION_TYPE row has `IGNORE` 1: the facts leave
//!   such interactions out.
//! * New rows get keys after the greatest in use, in code order, and are written with the
//!   chunk; a re-run finds them and adds nothing.

use tidemark_schemas::mart;
use tidemark_schemas::table::SqlType;

use crate::transform::codes::UNKNOWN_KEY;
use crate::transform::inputs::{IDS, INTERACTION_TYPES, MEDIA_TYPES};
use crate::transform::View;

use super::inputs::MM_FIRST_USERDATA;

/// Output view of the new MEDIA_TYPE rows.
pub const MEDIA_TYPE: &str = "mm_media_type";
/// Output view of the new INTERACTION_TYPE rows.
pub const INTERACTION_TYPE: &str = "mm_interaction_type";

/// Interaction type label of a multimedia CallType.
const TYPE_LABEL: &str = "case c.calltype when 1 then 'Internal' when 2 then 'Inbound' \
     when 3 then 'Outbound' else 'Unknown' end";

/// The length of text column `column` of Info Mart table `table`.
fn length(table: &str, column: &str) -> u16 {
    let def = mart::table(table).expect("type dimension in the Info Mart model");
    match def
        .columns
        .iter()
        .find(|c| c.name == column)
        .map(|c| &c.sql_type)
    {
        Some(SqlType::Varchar(len)) => *len,
        other => panic!("{table}.{column} is not a text column: {other:?}"),
    }
}

/// `expr` cut to the length of `table`.`column`.
fn cut(expr: &str, table: &str, column: &str) -> String {
    format!("substr({expr}, 1, {})", length(table, column))
}

/// The compact code of a label: upper case, letters and digits only (as the seed's codes).
fn compact(expr: &str) -> String {
    format!("upper(regexp_replace({expr}, '[^A-Za-z0-9]', '', 'g'))")
}

/// The views of this module, in dependency order; `mx_call_type` gives each call's keys.
pub fn views() -> Vec<View> {
    vec![
        // Per call: its media and type labels and codes, subject and addresses.
        View::new(
            "mx_call_kind",
            format!(
                "select k.callid, k.media_name, {media_code} as media_name_code, \
                 k.type_label, upper(k.type_label) as type_code, k.subtype_label, \
                 {subtype_code} as subtype_code, k.subject, k.source_address, \
                 k.target_address \
                 from (select c.callid, nullif(trim(c.mediatype), '') as media_name, \
                       {TYPE_LABEL} as type_label, \
                       coalesce(nullif(trim(u.g_sub_type), ''), \
                                case when c.calltype in (1, 2, 3) \
                                then {TYPE_LABEL} || 'New' end) as subtype_label, \
                       u.g_subject as subject, u.g_from_address as source_address, \
                       u.g_to_address as target_address \
                       from mx_call c \
                       left join (select * from (select u.*, row_number() over \
                             (partition by u.callid order by u.id desc) as version_rank \
                             from {MM_FIRST_USERDATA} u) v where version_rank = 1) u \
                       on u.callid = c.callid) k",
                media_code = cut("upper(k.media_name)", "MEDIA_TYPE", "MEDIA_NAME_CODE"),
                subtype_code = cut(
                    &compact("k.subtype_label"),
                    "INTERACTION_TYPE",
                    "INTERACTION_SUBTYPE_CODE"
                ),
            ),
        ),
        View::new(
            "mx_media_type_new",
            format!(
                "select n.media_name_code, n.media_name, \
                 b.base + cast(row_number() over (order by n.media_name_code) as bigint) \
                      as media_type_key \
                 from (select media_name_code, min(media_name) as media_name \
                       from mx_call_kind where media_name_code is not null \
                       group by media_name_code) n \
                 cross join (select greatest(coalesce(max(media_type_key), 0), 0) as base \
                             from {MEDIA_TYPES}) b \
                 left join {MEDIA_TYPES} m on m.media_name_code = n.media_name_code \
                 where m.media_type_key is null"
            ),
        ),
        View::new(
            "mx_interaction_type_new",
            format!(
                "select n.type_code, n.type_label, n.subtype_code, n.subtype_label, \
                 b.base + cast(row_number() over (order by n.type_code, n.subtype_code) \
                      as bigint) as interaction_type_key \
                 from (select type_code, min(type_label) as type_label, subtype_code, \
                       min(subtype_label) as subtype_label \
                       from mx_call_kind where subtype_code <> '' \
                       group by type_code, subtype_code) n \
                 cross join (select greatest(coalesce(max(interaction_type_key), 0), 0) \
                             as base from {INTERACTION_TYPES}) b \
                 left join {INTERACTION_TYPES} t on t.interaction_type_code = n.type_code \
                 and t.interaction_subtype_code = n.subtype_code \
                 where t.interaction_type_key is null"
            ),
        ),
        View::new(
            "mx_call_type",
            format!(
                "select k.callid, \
                 coalesce(t.interaction_type_key, nt.interaction_type_key, {UNKNOWN_KEY}) \
                      as interaction_type_key, \
                 coalesce(m.media_type_key, nm.media_type_key, {UNKNOWN_KEY}) \
                      as media_type_key, \
                 coalesce(t.\"ignore\", 0) as ignore_type, \
                 k.subject, k.source_address, k.target_address \
                 from mx_call_kind k \
                 left join (select interaction_type_code, interaction_subtype_code, \
                       min(interaction_type_key) as interaction_type_key, \
                       max(\"ignore\") as \"ignore\" \
                       from {INTERACTION_TYPES} \
                       group by interaction_type_code, interaction_subtype_code) t \
                 on t.interaction_type_code = k.type_code \
                 and t.interaction_subtype_code = k.subtype_code \
                 left join mx_interaction_type_new nt on nt.type_code = k.type_code \
                 and nt.subtype_code = k.subtype_code \
                 left join (select media_name_code, min(media_type_key) as media_type_key \
                       from {MEDIA_TYPES} group by media_name_code) m \
                 on m.media_name_code = k.media_name_code \
                 left join mx_media_type_new nm on nm.media_name_code = k.media_name_code"
            ),
        ),
        View::new(
            MEDIA_TYPE,
            format!(
                "select n.media_type_key, {name} as media_name, n.media_name_code, \
                 cast(0 as smallint) as is_online, ids.audit_key as create_audit_key, \
                 ids.audit_key as update_audit_key \
                 from mx_media_type_new n cross join {IDS} ids",
                name = cut("n.media_name", "MEDIA_TYPE", "MEDIA_NAME"),
            ),
        ),
        View::new(
            INTERACTION_TYPE,
            format!(
                "select n.interaction_type_key, {label} as interaction_type, \
                 n.type_code as interaction_type_code, {sublabel} as interaction_subtype, \
                 n.subtype_code as interaction_subtype_code, cast(0 as smallint) as \"ignore\", \
                 ids.audit_key as create_audit_key, ids.audit_key as update_audit_key \
                 from mx_interaction_type_new n cross join {IDS} ids",
                label = cut("n.type_label", "INTERACTION_TYPE", "INTERACTION_TYPE"),
                sublabel = cut("n.subtype_label", "INTERACTION_TYPE", "INTERACTION_SUBTYPE"),
            ),
        ),
    ]
}
