//! Configuration-history facts (infomart.md §2.14, §4.1 step 2): RESOURCE_GROUP_FACT_ (agent
//! ↔ agent group, GCX_GROUP_AGENT), RESOURCE_SKILL_FACT_ (agent ↔ skill with its level,
//! GCX_SKILL_LEVEL) and PLACE_GROUP_FACT_ (place ↔ place group, GCX_GROUP_PLACE).
//!
//! One fact row per association: it starts at `CREATED_TS` and ends at `DELETED_TS`, open
//! (ACTIVE_FLAG 1, the sentinel end key, END_TS NULL) while the association holds. An
//! association is transformed when the greater of its `CREATED_TS` and `DELETED_TS` lies in
//! the window (GCX rows have no `LASTCHANGE_TS`). A period is known by its two members and
//! its start: one already in the Info Mart keeps its fact key, a new one gets the next key
//! after the greatest in use. A newer period of the same two members ends an older one the
//! Info Mart still holds open at the newer one's start: GIDB keeps the latest row per member
//! pair, so a skill whose level changed (ICON ends the old row and adds a new one at the
//! same moment) reaches the transform as the new row only.

use tidemark_schemas::version::SENTINEL_DATE_TIME_KEY;

use crate::transform::codes::*;
use crate::transform::inputs::{
    GROUPS, IDS, PLACES, PLACE_GROUP_FACTS, RESOURCES, RESOURCE_GROUP_FACTS, RESOURCE_SKILL_FACTS,
    SKILLS,
};
use crate::transform::View;

use super::config::WINDOW;

/// Output view of RESOURCE_GROUP_FACT_ rows.
pub const RESOURCE_GROUP_FACT: &str = "cfg_resource_group_fact";
/// Output view of RESOURCE_SKILL_FACT_ rows.
pub const RESOURCE_SKILL_FACT: &str = "cfg_resource_skill_fact";
/// Output view of PLACE_GROUP_FACT_ rows.
pub const PLACE_GROUP_FACT: &str = "cfg_place_group_fact";

/// GCX_GROUP_AGENT rows (latest version per member pair).
pub const GROUP_AGENTS: &str = "tx_gcx_group_agent";
/// GCX_SKILL_LEVEL rows (latest version per member pair).
pub const SKILL_LEVELS: &str = "tx_gcx_skill_level";
/// GCX_GROUP_PLACE rows (latest version per member pair).
pub const GROUP_PLACES: &str = "tx_gcx_group_place";

/// One side of an association: the fact's key column, the keys view it resolves through
/// and the join: pairs of a key-view column and the expression over the association row
/// `a` it equals.
struct Member {
    column: &'static str,
    keys: &'static str,
    on: Vec<(&'static str, String)>,
}

impl Member {
    /// `left join` of the keys view as `alias`.
    fn join(&self, alias: &str) -> String {
        let on: Vec<String> = self
            .on
            .iter()
            .map(|(column, value)| format!("{alias}.{column} = {value}"))
            .collect();
        format!("left join {} {alias} on {}", self.keys, on.join(" and "))
    }
}

/// One configuration-history fact.
struct ConfigFact {
    view: &'static str,
    key: &'static str,
    gcx: &'static str,
    mart: &'static str,
    /// The member whose configuration object carries the tenant (`a` column, GIDB table).
    owner: (&'static str, &'static str),
    first: Member,
    second: Member,
    /// A column the period carries besides its members: fact column and GCX column.
    attribute: Option<(&'static str, &'static str)>,
}

impl ConfigFact {
    fn views(&self) -> Vec<View> {
        let ConfigFact {
            view,
            key,
            gcx,
            mart,
            ..
        } = self;
        let (m1, m2) = (self.first.column, self.second.column);
        let (owner_column, owner_table) = self.owner;
        let (attr, attr_source, attr_mart) = match self.attribute {
            Some((column, source)) => (
                format!(", {column}"),
                format!(", a.{source} as {column}"),
                format!(", e.{column}"),
            ),
            None => Default::default(),
        };
        let changed = "greatest(g.created_ts, g.deleted_ts)";
        let source = format!("{view}_source");
        let chunk = format!("{view}_chunk");
        vec![
            // Dedup by the natural key: two data sources may carry the same association.
            View::new(
                source.clone(),
                format!(
                    "select * from (select a.created_ts as start_ts, a.deleted_ts as end_ts \
                     {attr_source}, coalesce(m1.{m1}, {UNKNOWN_KEY}) as {m1}, \
                     coalesce(m2.{m2}, {UNKNOWN_KEY}) as {m2}, \
                     coalesce(tk.tenant_key, {UNKNOWN_KEY}) as tenant_key, \
                     row_number() over (partition by m1.{m1}, m2.{m2}, a.created_ts \
                          order by a.deleted_ts desc nulls first, a.data_source_key, a.id) as copy \
                     from (select g.* from {gcx} g cross join {WINDOW} w \
                           where {changed} > w.window_from and {changed} <= w.window_to) a \
                     {join1} {join2} \
                     left join {owner_table} o on o.data_source_key = a.data_source_key \
                     and o.id = a.{owner_column} \
                     left join cfg_tenant_keys tk on tk.tenant_cfg_dbid = o.tenantid) \
                     where copy = 1",
                    join1 = self.first.join("m1"),
                    join2 = self.second.join("m2"),
                ),
            ),
            View::new(
                chunk.clone(),
                format!(
                    "select s.*, {fact_key} as {key} from {source} s \
                     cross join (select greatest(coalesce(max({key}), 0), 0) as base from {mart}) b \
                     left join {mart} e on e.{m1} = s.{m1} and e.{m2} = s.{m2} \
                     and e.start_ts = s.start_ts",
                    fact_key = super::config::key(
                        &format!("e.{key}"),
                        "b.base",
                        &format!("s.{m1}, s.{m2}, s.start_ts")
                    ),
                ),
            ),
            View::new(
                *view,
                format!(
                    "select c.{key}, c.tenant_key, c.{m1}, c.{m2} {attr}, \
                     date_time_key(c.start_ts) as start_date_time_key, \
                     coalesce(date_time_key(c.end_ts), {SENTINEL_DATE_TIME_KEY}) \
                          as end_date_time_key, \
                     c.start_ts, c.end_ts, \
                     case when c.end_ts is null then 1 else 0 end as active_flag, \
                     0 as purge_flag, ids.audit_key as create_audit_key, \
                     ids.audit_key as update_audit_key \
                     from {chunk} c cross join {IDS} ids \
                     union all \
                     select e.{key}, e.tenant_key, e.{m1}, e.{m2} {attr_mart}, \
                     date_time_key(e.start_ts) as start_date_time_key, \
                     date_time_key(e.next_start) as end_date_time_key, e.start_ts, \
                     e.next_start as end_ts, 0 as active_flag, 0 as purge_flag, \
                     ids.audit_key as create_audit_key, ids.audit_key as update_audit_key \
                     from (select e.{key}, e.tenant_key, e.{m1}, e.{m2} {attr_mart}, e.start_ts, \
                           min(c.start_ts) as next_start \
                           from {mart} e join {chunk} c on c.{m1} = e.{m1} and c.{m2} = e.{m2} \
                           and c.start_ts > e.start_ts \
                           left join {chunk} same on same.{key} = e.{key} \
                           where e.end_ts is null and same.{key} is null \
                           group by e.{key}, e.tenant_key, e.{m1}, e.{m2} {attr_mart}, e.start_ts) e \
                     cross join {IDS} ids"
                ),
            ),
        ]
    }
}

/// The views of the configuration-history facts, after the dimension views: the keys of
/// the Info Mart and of the chunk's new dimension rows, then each fact.
pub fn views() -> Vec<View> {
    let mut views = Vec::new();
    for (name, input, dimension, columns) in [
        (
            "cfg_resource_keys",
            RESOURCES,
            "cfg_resource",
            "resource_key, resource_cfg_type_id, resource_cfg_dbid",
        ),
        (
            "cfg_group_keys",
            GROUPS,
            "cfg_group",
            "group_key, group_cfg_type_id, group_cfg_dbid",
        ),
        (
            "cfg_skill_keys",
            SKILLS,
            "cfg_skill",
            "skill_key, skill_cfg_dbid",
        ),
        (
            "cfg_place_keys",
            PLACES,
            "cfg_place",
            "place_key, place_cfg_dbid",
        ),
    ] {
        let key = columns.split(',').next().unwrap_or_default();
        // `union`, not `union all`: a known object changed in the chunk is in both.
        views.push(View::new(
            name,
            format!(
                "select {columns} from {input} where {key} > 0 \
                 union select {columns} from {dimension}"
            ),
        ));
    }
    let agent = || Member {
        column: "resource_key",
        keys: "cfg_resource_keys",
        on: vec![
            ("resource_cfg_type_id", CFG_PERSON.to_string()),
            ("resource_cfg_dbid", "a.agentid".into()),
        ],
    };
    let group = |cfg_type: i32| Member {
        column: "group_key",
        keys: "cfg_group_keys",
        on: vec![
            ("group_cfg_type_id", cfg_type.to_string()),
            ("group_cfg_dbid", "a.groupid".into()),
        ],
    };
    let facts = [
        ConfigFact {
            view: RESOURCE_GROUP_FACT,
            key: "resource_group_fact_key",
            gcx: GROUP_AGENTS,
            mart: RESOURCE_GROUP_FACTS,
            owner: ("agentid", "tx_gc_agent"),
            first: agent(),
            second: group(CFG_AGENT_GROUP),
            attribute: None,
        },
        ConfigFact {
            view: RESOURCE_SKILL_FACT,
            key: "resource_skill_fact_key",
            gcx: SKILL_LEVELS,
            mart: RESOURCE_SKILL_FACTS,
            owner: ("agentid", "tx_gc_agent"),
            first: agent(),
            second: Member {
                column: "skill_key",
                keys: "cfg_skill_keys",
                on: vec![("skill_cfg_dbid", "a.skillid".into())],
            },
            attribute: Some(("skill_level", "slevel")),
        },
        ConfigFact {
            view: PLACE_GROUP_FACT,
            key: "place_group_fact_key",
            gcx: GROUP_PLACES,
            mart: PLACE_GROUP_FACTS,
            owner: ("placeid", "tx_gc_place"),
            first: Member {
                column: "place_key",
                keys: "cfg_place_keys",
                on: vec![("place_cfg_dbid", "a.placeid".into())],
            },
            second: group(CFG_PLACE_GROUP),
            attribute: None,
        },
    ];
    for fact in &facts {
        views.extend(fact.views());
    }
    views
}
