//! Configuration-history facts (infomart.md §2.14) and the annex tables (§2.15): time-bounded
//! rows derived from configuration. An open row has ACTIVE_FLAG 1 and the sentinel end key.

use crate::table::{SqlType, TableDef, TableFamily};

use super::columns::{EndKey, MartColumns};

/// A configuration-history fact: surrogate id, tenant, the related objects (`refs`), validity
/// and bookkeeping; `extra` adds the columns particular to the table before the validity.
fn config_fact(
    name: &str,
    id: &str,
    refs: &[&str],
    doc: &'static str,
    extra: fn(TableDef) -> TableDef,
) -> TableDef {
    let t = TableDef::new(name, TableFamily::MartFact, doc)
        .req(id, SqlType::BigInt, "surrogate id of the period")
        .tenant()
        .refs_req(refs);
    extra(t)
        .date_time_keys(EndKey::Required)
        .span_ts()
        .active_purge_flags()
        .audit_keys()
        .pk(&[id])
        .partition_by("START_DATE_TIME_KEY")
        .index("object", &refs[..1])
}

/// No columns beyond the common ones.
fn no_extra(t: TableDef) -> TableDef {
    t
}

/// The Annex option columns of GROUP_ANNEX and RESOURCE_ANNEX.
fn annex_option(t: TableDef) -> TableDef {
    t.req(
        "SECTION_NAME",
        SqlType::Varchar(255),
        "Annex section of the configuration object",
    )
    .req(
        "OPTION_NAME",
        SqlType::Varchar(255),
        "option inside the section",
    )
    .col(
        "OPTION_VALUE",
        SqlType::Varchar(1024),
        "option value during the period",
    )
}

/// RESOURCE_GROUP_FACT_: agent ↔ agent-group membership history.
pub fn resource_group_fact() -> TableDef {
    config_fact(
        "RESOURCE_GROUP_FACT_",
        "RESOURCE_GROUP_FACT_KEY",
        &["RESOURCE_KEY", "GROUP_KEY"],
        "one period during which a resource belonged to a group",
        no_extra,
    )
}

/// RESOURCE_SKILL_FACT_: agent skill assignment and level history.
pub fn resource_skill_fact() -> TableDef {
    config_fact(
        "RESOURCE_SKILL_FACT_",
        "RESOURCE_SKILL_FACT_KEY",
        &["RESOURCE_KEY", "SKILL_KEY"],
        "one period during which an agent had a skill at one level",
        |t| {
            t.col(
                "SKILL_LEVEL",
                SqlType::Integer,
                "skill level during the period",
            )
        },
    )
}

/// PLACE_GROUP_FACT_: place ↔ place-group membership history.
pub fn place_group_fact() -> TableDef {
    config_fact(
        "PLACE_GROUP_FACT_",
        "PLACE_GROUP_FACT_KEY",
        &["PLACE_KEY", "GROUP_KEY"],
        "one period during which a place belonged to a place group",
        no_extra,
    )
}

/// GROUP_TO_CAMPAIGN_FACT_: campaign group (group ↔ campaign) configuration history.
pub fn group_to_campaign_fact() -> TableDef {
    config_fact(
        "GROUP_TO_CAMPAIGN_FACT_",
        "GROUP_TO_CAMPAIGN_FACT_KEY",
        &["GROUP_KEY", "CAMPAIGN_KEY"],
        "one period during which a group was assigned to a campaign",
        no_extra,
    )
}

/// CALLING_LIST_TO_CAMP_FACT_: calling list ↔ campaign configuration history.
pub fn calling_list_to_camp_fact() -> TableDef {
    config_fact(
        "CALLING_LIST_TO_CAMP_FACT_",
        "CALLING_LIST_TO_CAMP_FACT_KEY",
        &["CALLING_LIST_KEY", "CAMPAIGN_KEY"],
        "one period during which a calling list was assigned to a campaign",
        no_extra,
    )
}

/// GROUP_ANNEX: selected Annex options of groups, with validity.
pub fn group_annex() -> TableDef {
    config_fact(
        "GROUP_ANNEX",
        "GROUP_ANNEX_KEY",
        &["GROUP_KEY"],
        "one Annex option of a group during one period",
        annex_option,
    )
}

/// RESOURCE_ANNEX: selected Annex options of persons, with validity.
pub fn resource_annex() -> TableDef {
    config_fact(
        "RESOURCE_ANNEX",
        "RESOURCE_ANNEX_KEY",
        &["RESOURCE_KEY"],
        "one Annex option of a person during one period",
        annex_option,
    )
}

/// The configuration-history facts and annex tables, in creation order.
pub fn tables() -> Vec<TableDef> {
    vec![
        resource_group_fact(),
        resource_skill_fact(),
        place_group_fact(),
        group_to_campaign_fact(),
        calling_list_to_camp_fact(),
        group_annex(),
        resource_annex(),
    ]
}
