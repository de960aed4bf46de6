//! Configuration dimensions (infomart.md §3.2–§3.7, §4.1 step 2): TENANT, RESOURCE_ (agents,
//! DNs, scripts), GROUP_, PLACE and SKILL from the GIDB configuration tables changed in the
//! chunk's window, then the configuration-history facts over them ([`config_facts`]).
//! Surrogate keys stay stable: an object already in the Info Mart keeps its key; a new one
//! gets the next key after the greatest in use.

use crate::transform::codes::*;
use crate::transform::config_facts::{
    self, GROUP_AGENTS, GROUP_PLACES, PLACE_GROUP_FACT, RESOURCE_GROUP_FACT, RESOURCE_SKILL_FACT,
    SKILL_LEVELS,
};
use crate::transform::inputs::{GROUPS, IDS, PLACES, RESOURCES, SKILLS, TENANTS};
use crate::transform::View;

/// GIDB configuration inputs (latest versions, whole tables): name and IDB table.
pub const GIDB_INPUTS: [(&str, &str); 11] = [
    ("tx_gc_tenant", "GC_TENANT"),
    ("tx_gc_agent", "GC_AGENT"),
    ("tx_gc_endpoint", "GC_ENDPOINT"),
    ("tx_gc_switch", "GC_SWITCH"),
    ("tx_gc_script", "GC_SCRIPT"),
    ("tx_gc_group", "GC_GROUP"),
    ("tx_gc_place", "GC_PLACE"),
    ("tx_gc_skill", "GC_SKILL"),
    (GROUP_AGENTS, "GCX_GROUP_AGENT"),
    (SKILL_LEVELS, "GCX_SKILL_LEVEL"),
    (GROUP_PLACES, "GCX_GROUP_PLACE"),
];

/// One row `(window_from, window_to)`: configuration changes with `LASTCHANGE_TS` in
/// `(window_from, window_to]` are transformed.
pub const WINDOW: &str = "tx_window";

/// Output views: Info Mart table and view.
pub const OUTPUTS: [(&str, &str); 8] = [
    ("TENANT", "cfg_tenant"),
    ("RESOURCE_", "cfg_resource"),
    ("GROUP_", "cfg_group"),
    ("PLACE", "cfg_place"),
    ("SKILL", "cfg_skill"),
    ("RESOURCE_GROUP_FACT_", RESOURCE_GROUP_FACT),
    ("RESOURCE_SKILL_FACT_", RESOURCE_SKILL_FACT),
    ("PLACE_GROUP_FACT_", PLACE_GROUP_FACT),
];

/// CfgDNType → RESOURCE_TYPE, RESOURCE_TYPE_CODE, RESOURCE_SUBTYPE.
const DN_TYPES: [(i32, &str, &str, &str); 5] = [
    (DN_EXTENSION, "Extension", "EXTENSION", "Extension"),
    (DN_ACD_QUEUE, "Queue", "QUEUE", "ACDQueue"),
    (
        DN_ROUTING_POINT,
        "Routing Point",
        "ROUTINGPOINT",
        "RoutingPoint",
    ),
    (DN_VIRTUAL_QUEUE, "Queue", "QUEUE", "VirtualQueue"),
    (DN_IVR_PORT, "IVR Port", "IVRPORT", "VoiceTreatmentPort"),
];

/// CfgScriptType (project codes, docs/simulator.md) → type, code, subtype.
const SCRIPT_TYPES: [(i32, &str, &str, &str); 3] = [
    (1, "Queue", "QUEUE", "InteractionQueue"),
    (2, "Workbin", "WORKBIN", "Workbin"),
    (3, "Strategy", "STRATEGY", "RoutingStrategy"),
];

/// CfgGroupType (dict 540) → GROUP_TYPE, GROUP_TYPE_CODE and the configuration object type.
const GROUP_TYPES: [(i32, &str, &str, i32); 3] = [
    (1, "Agent Group", "AGENTGROUP", CFG_AGENT_GROUP),
    (2, "Place Group", "PLACEGROUP", CFG_PLACE_GROUP),
    (3, "DN Group", "DNGROUP", CFG_DN_GROUP),
];

/// A `case <column> when … end` mapping codes to the `pick`-th text of `table`.
fn case_of<const N: usize>(
    column: &str,
    table: &[(i32, &str, &str, &str); N],
    pick: usize,
    default: &str,
) -> String {
    let arms: Vec<String> = table
        .iter()
        .map(|row| {
            let text = [row.1, row.2, row.3][pick];
            format!("when {} then '{text}'", row.0)
        })
        .collect();
    format!("case {column} {} else '{default}' end", arms.join(" "))
}

/// Rows of `table` changed in the window.
fn changed(table: &str, alias: &str) -> String {
    format!(
        "{table} {alias} cross join {WINDOW} w where coalesce({alias}.lastchange_ts, \
         {alias}.created_ts) > w.window_from and coalesce({alias}.lastchange_ts, \
         {alias}.created_ts) <= w.window_to"
    )
}

/// A new or kept surrogate key: `existing` when the object is known, else the next free key.
pub(super) fn key(existing: &str, base: &str, order: &str) -> String {
    format!(
        "coalesce({existing}, {base} + row_number() over (partition by {existing} is null \
         order by {order}))"
    )
}

/// The audit, validity and purge columns every configuration dimension ends with.
const TAIL: &str = "ids.audit_key as create_audit_key, ids.audit_key as update_audit_key, \
     0 as purge_flag";

/// The views of the configuration transform, in dependency order.
pub fn views() -> Vec<View> {
    let tenant_key = "coalesce(tk.tenant_key, -1) as tenant_key";
    let tenant_join = "left join cfg_tenant_keys tk on tk.tenant_cfg_dbid = g.tenantid";
    let mut views = vec![
        View::new(
            "cfg_tenant",
            format!(
                "select {key} as tenant_key, g.name as tenant_name, g.id as tenant_cfg_dbid, \
                 g.created_ts as start_ts, g.deleted_ts as end_ts, {TAIL} \
                 from ({rows}) g cross join {IDS} ids \
                 cross join (select greatest(coalesce(max(tenant_key), 0), 0) as base \
                             from {TENANTS}) b \
                 left join {TENANTS} e on e.tenant_cfg_dbid = g.id",
                key = key("e.tenant_key", "b.base", "g.id"),
                rows = select_changed("tx_gc_tenant"),
            ),
        ),
        View::new(
            "cfg_tenant_keys",
            format!(
                "select tenant_key, tenant_cfg_dbid from {TENANTS} where tenant_key > 0 \
                 union select tenant_key, tenant_cfg_dbid from cfg_tenant"
            ),
        ),
        View::new(
            "cfg_resource_source",
            format!(
                "select {CFG_PERSON} as cfg_type, g.id as dbid, g.tenantid, 'Agent' as resource_type, \
                 'AGENT' as resource_type_code, 'Agent' as resource_subtype, \
                 g.username as resource_name, g.firstname, g.lastname, g.employeeid, \
                 cast(null as varchar) as switch_name, g.created_ts, g.deleted_ts \
                 from ({agents}) g \
                 union all \
                 select {CFG_DN}, g.id, g.tenantid, {dn_type}, {dn_code}, {dn_sub}, g.dn, \
                 null, null, null, s.name, g.created_ts, g.deleted_ts \
                 from ({dns}) g left join tx_gc_switch s on s.id = g.switchid \
                 union all \
                 select {CFG_SCRIPT}, g.id, g.tenantid, {sc_type}, {sc_code}, {sc_sub}, g.name, \
                 null, null, null, null, g.created_ts, g.deleted_ts from ({scripts}) g",
                agents = select_changed("tx_gc_agent"),
                dns = select_changed("tx_gc_endpoint"),
                scripts = select_changed("tx_gc_script"),
                dn_type = case_of("g.type", &DN_TYPES, 0, "Unknown"),
                dn_code = case_of("g.type", &DN_TYPES, 1, "UNKNOWN"),
                dn_sub = case_of("g.type", &DN_TYPES, 2, "Unknown"),
                sc_type = case_of("g.type", &SCRIPT_TYPES, 0, "Unknown"),
                sc_code = case_of("g.type", &SCRIPT_TYPES, 1, "UNKNOWN"),
                sc_sub = case_of("g.type", &SCRIPT_TYPES, 2, "Unknown"),
            ),
        ),
        View::new(
            "cfg_resource",
            format!(
                "select {key} as resource_key, {tenant_key}, g.switch_name, \
                 g.resource_type, g.resource_type_code, g.resource_subtype, g.resource_name, \
                 g.dbid as resource_cfg_dbid, g.cfg_type as resource_cfg_type_id, \
                 g.firstname as agent_first_name, g.lastname as agent_last_name, \
                 g.employeeid as employee_id, 0 as network_resource_flag, \
                 g.created_ts as start_ts, g.deleted_ts as end_ts, {TAIL} \
                 from cfg_resource_source g cross join {IDS} ids \
                 cross join (select greatest(coalesce(max(resource_key), 0), 0) as base \
                             from {RESOURCES}) b \
                 left join {RESOURCES} e on e.resource_cfg_type_id = g.cfg_type \
                 and e.resource_cfg_dbid = g.dbid {tenant_join}",
                key = key("e.resource_key", "b.base", "g.cfg_type, g.dbid"),
            ),
        ),
        View::new(
            "cfg_group",
            format!(
                "select {key} as group_key, {tenant_key}, g.name as group_name, \
                 {gtype} as group_type, {gcode} as group_type_code, \
                 case when g.script is not null and g.script <> '' then 1 else 0 end \
                      as virtual_group_flag, \
                 g.id as group_cfg_dbid, {gcfg} as group_cfg_type_id, {TAIL} \
                 from ({groups}) g cross join {IDS} ids \
                 cross join (select greatest(coalesce(max(group_key), 0), 0) as base \
                             from {GROUPS}) b \
                 left join {GROUPS} e on e.group_cfg_type_id = {gcfg} and e.group_cfg_dbid = g.id \
                 {tenant_join}",
                key = key("e.group_key", "b.base", "g.id"),
                groups = select_changed("tx_gc_group"),
                gtype = group_case(1),
                gcode = group_case(2),
                gcfg = group_case(3),
            ),
        ),
    ];
    for (view, table, prefix, input) in [
        ("cfg_place", "tx_gc_place", "place", PLACES),
        ("cfg_skill", "tx_gc_skill", "skill", SKILLS),
    ] {
        views.push(View::new(
            view,
            format!(
                "select {key} as {prefix}_key, {tenant_key}, g.name as {prefix}_name, \
                 g.id as {prefix}_cfg_dbid, {TAIL} \
                 from ({rows}) g cross join {IDS} ids \
                 cross join (select greatest(coalesce(max({prefix}_key), 0), 0) as base \
                             from {input}) b \
                 left join {input} e on e.{prefix}_cfg_dbid = g.id {tenant_join}",
                key = key(&format!("e.{prefix}_key"), "b.base", "g.id"),
                rows = select_changed(table),
            ),
        ));
    }
    views.extend(config_facts::views());
    views
}

/// `select * from <table>` limited to the rows changed in the window.
fn select_changed(table: &str) -> String {
    format!("select g.* from {}", changed(table, "g"))
}

/// `case g.type …` over [`GROUP_TYPES`]: 1 type name, 2 code, 3 configuration object type.
fn group_case(pick: usize) -> String {
    let arms: Vec<String> = GROUP_TYPES
        .iter()
        .map(|(code, name, type_code, cfg)| match pick {
            1 => format!("when {code} then '{name}'"),
            2 => format!("when {code} then '{type_code}'"),
            _ => format!("when {code} then {cfg}"),
        })
        .collect();
    let default = if pick == 3 {
        "0".to_string()
    } else {
        "'Unknown'".to_string()
    };
    format!("case g.type {} else {default} end", arms.join(" "))
}
