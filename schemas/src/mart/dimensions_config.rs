//! Dimensions filled from configuration or from interaction data at run time (infomart.md
//! §3.2–§3.7, §3.10–§3.12, §3.15, §3.18–§3.20). Each starts life holding only its `-1`
//! ("unknown") and `-2` ("no value") rows (§1.2).

use crate::table::{SqlType, TableDef, TableFamily};

use super::columns::MartColumns;
use super::facts_interaction::CUSTOM_USER_DATA_TABLES;

/// Attributes of a user-data dimension (§3.11).
const DIM_ATTRIBUTES: usize = 5;

/// A tenant-scoped dimension: `<key> integer P M` and `TENANT_KEY`.
fn tenant_dim(name: &str, key: &str, doc: &'static str) -> TableDef {
    TableDef::new(name, TableFamily::MartDimension, doc)
        .req(key, SqlType::Integer, "surrogate key")
        .tenant()
        .pk(&[key])
}

/// Audit keys and PURGE_FLAG, which every configuration-driven dimension ends with (§3).
fn config_tail(table: TableDef) -> TableDef {
    table.audit_keys().purge_flag()
}

/// A configuration object's dimension: name, Configuration Server DBID, audit, purge flag.
fn named_config_dim(name: &str, prefix: &str, doc: &'static str) -> TableDef {
    let t = tenant_dim(name, &format!("{prefix}_KEY"), doc)
        .col(
            &format!("{prefix}_NAME"),
            SqlType::Varchar(255),
            "name in configuration",
        )
        .col(
            &format!("{prefix}_CFG_DBID"),
            SqlType::Integer,
            "Configuration Server DBID of the object",
        );
    config_tail(t)
}

/// TENANT (§3.2): one row per configuration tenant.
pub fn tenant() -> TableDef {
    let t = TableDef::new(
        "TENANT",
        TableFamily::MartDimension,
        "one configuration tenant",
    )
    .req("TENANT_KEY", SqlType::Integer, "surrogate key")
    .col(
        "TENANT_NAME",
        SqlType::Varchar(255),
        "name in configuration",
    )
    .col(
        "TENANT_CFG_DBID",
        SqlType::Integer,
        "Configuration Server DBID of the tenant",
    )
    .span_ts()
    .pk(&["TENANT_KEY"]);
    config_tail(t)
}

/// RESOURCE_ (§3.3): one addressable resource of interest (agent, DN, queue, strategy …).
pub fn resource() -> TableDef {
    let t = tenant_dim(
        "RESOURCE_",
        "RESOURCE_KEY",
        "one addressable resource: agent, DN, queue, routing point, IVR port, strategy, workbin",
    )
    .col(
        "SWITCH_NAME",
        SqlType::Varchar(255),
        "switch of a DN resource",
    )
    .col("IVR_NAME", SqlType::Varchar(255), "IVR of an IVR port")
    .label_code(
        "RESOURCE_TYPE",
        255,
        32,
        "display type (Agent, Queue, RoutingPoint, …)",
    )
    .col(
        "RESOURCE_SUBTYPE",
        SqlType::Varchar(255),
        "finer type (Agent, ACDQueue, VirtualQueue, …)",
    )
    .col(
        "RESOURCE_NAME",
        SqlType::Varchar(255),
        "agent user name, DN number or queue name",
    )
    .col(
        "RESOURCE_CFG_DBID",
        SqlType::Integer,
        "Configuration Server DBID of the object",
    )
    .col(
        "RESOURCE_CFG_TYPE_ID",
        SqlType::Integer,
        "Configuration Server object type",
    )
    .col(
        "AGENT_FIRST_NAME",
        SqlType::Varchar(64),
        "first name of an agent",
    )
    .col(
        "AGENT_LAST_NAME",
        SqlType::Varchar(64),
        "last name of an agent",
    )
    .col(
        "EMPLOYEE_ID",
        SqlType::Varchar(255),
        "employee id of an agent",
    )
    .col(
        "EXTERNAL_RESOURCE_ID",
        SqlType::Varchar(255),
        "external or network id",
    )
    .col(
        "NETWORK_RESOURCE_FLAG",
        SqlType::SmallInt,
        "1 = the resource belongs to a network (network routing)",
    )
    .span_ts()
    .index(
        "cfg",
        &["TENANT_KEY", "RESOURCE_CFG_TYPE_ID", "RESOURCE_CFG_DBID"],
    );
    config_tail(t)
}

/// GROUP_ (§3.4): an agent, place or DN group; also the campaign group of outbound facts.
pub fn group() -> TableDef {
    let t = tenant_dim(
        "GROUP_",
        "GROUP_KEY",
        "one agent, place or DN group; the campaign group of outbound facts",
    )
    .col("GROUP_NAME", SqlType::Varchar(255), "name in configuration")
    .label_code(
        "GROUP_TYPE",
        255,
        32,
        "kind of group: agent, place, DN (queue) or access group",
    )
    .col(
        "VIRTUAL_GROUP_FLAG",
        SqlType::SmallInt,
        "1 = virtual (skill-expression) group, 0 = static",
    )
    .col(
        "GROUP_CFG_DBID",
        SqlType::Integer,
        "Configuration Server DBID of the group",
    )
    .col(
        "GROUP_CFG_TYPE_ID",
        SqlType::Integer,
        "Configuration Server object type",
    );
    config_tail(t)
}

/// RESOURCE_GROUP_COMBINATION (§3.5): one row per member group of each distinct set of groups.
pub fn resource_group_combination() -> TableDef {
    let t = TableDef::new(
        "RESOURCE_GROUP_COMBINATION",
        TableFamily::MartDimension,
        "one member group of a distinct set of groups a resource belonged to",
    )
    .req(
        "GROUP_COMBINATION_KEY",
        SqlType::Integer,
        "combination id that facts store as RESOURCE_GROUP_COMBINATION_KEY",
    )
    .req("GROUP_KEY", SqlType::Integer, "member group (GROUP_)")
    .tenant()
    .pk(&["GROUP_COMBINATION_KEY", "GROUP_KEY"])
    .index("group", &["GROUP_KEY"]);
    config_tail(t)
}

/// SKILL (§3.6).
pub fn skill() -> TableDef {
    named_config_dim("SKILL", "SKILL", "one skill from configuration")
}

/// PLACE (§3.7).
pub fn place() -> TableDef {
    named_config_dim("PLACE", "PLACE", "one place from configuration")
}

/// CAMPAIGN (§3.20).
pub fn campaign() -> TableDef {
    named_config_dim(
        "CAMPAIGN",
        "CAMPAIGN",
        "one outbound campaign from configuration",
    )
}

/// CALLING_LIST (§3.20).
pub fn calling_list() -> TableDef {
    named_config_dim(
        "CALLING_LIST",
        "CALLING_LIST",
        "one calling list from configuration",
    )
}

/// STRATEGY (§3.12): a routing strategy named in router user data.
pub fn strategy() -> TableDef {
    let t = tenant_dim(
        "STRATEGY",
        "STRATEGY_KEY",
        "one routing strategy, from RStrategyName/RStrategyDBID",
    )
    .col("STRATEGY_NAME", SqlType::Varchar(255), "strategy name")
    .label_code(
        "STRATEGY_TYPE",
        255,
        32,
        "kind of strategy (routing strategy, ORS application)",
    )
    .col(
        "STRATEGY_CFG_DBID",
        SqlType::Integer,
        "Configuration Server DBID of the script",
    );
    config_tail(t)
}

/// REQUESTED_SKILL (§3.12): a skill combination requested by the router.
pub fn requested_skill() -> TableDef {
    let t = tenant_dim(
        "REQUESTED_SKILL",
        "REQUESTED_SKILL_KEY",
        "one skill combination requested by the router",
    )
    .col(
        "SKILL_COMBINATION",
        SqlType::Varchar(1024),
        "normalized RRequestedSkillCombination: skill name and minimum level pairs, sorted",
    );
    config_tail(t)
}

/// ROUTING_TARGET (§3.12): a distinct routing target seen in attached data.
pub fn routing_target() -> TableDef {
    let t = tenant_dim(
        "ROUTING_TARGET",
        "ROUTING_TARGET_KEY",
        "one distinct target chosen by the router",
    )
    .label_code(
        "ROUTING_TARGET_TYPE",
        64,
        64,
        "kind of target: AGENT GROUP, PLACE GROUP, SKILL EXPRESSION, …",
    )
    .col(
        "TARGET_OBJECT_SELECTED",
        SqlType::Varchar(255),
        "object the router selected (RTargetObjectSelected)",
    )
    .col(
        "AGENT_GROUP_NAME",
        SqlType::Varchar(255),
        "target agent group (RTargetAgentGroup)",
    )
    .col(
        "PLACE_GROUP_NAME",
        SqlType::Varchar(255),
        "target place group (RTargetPlaceGroup)",
    )
    .col(
        "SKILL_EXPRESSION",
        SqlType::Varchar(255),
        "target skill expression",
    );
    config_tail(t)
}

/// WORKBIN (§3.18).
pub fn workbin() -> TableDef {
    let t = tenant_dim("WORKBIN", "WORKBIN_KEY", "one workbin from configuration")
        .col(
            "WORKBIN_NAME",
            SqlType::Varchar(255),
            "name in configuration",
        )
        .label_code(
            "WORKBIN_TYPE",
            64,
            32,
            "owner kind: agent, place, agent group or place group workbin",
        )
        .col(
            "OWNER_NAME",
            SqlType::Varchar(255),
            "name of the owning agent, place or group",
        )
        .col(
            "OWNER_CFG_DBID",
            SqlType::Integer,
            "Configuration Server DBID of the owner",
        )
        .col(
            "WORKBIN_CFG_DBID",
            SqlType::Integer,
            "Configuration Server DBID of the workbin script",
        );
    config_tail(t)
}

/// TIME_ZONE (§3.19): a configuration time zone (record time zone of outbound attempts).
pub fn time_zone() -> TableDef {
    let t = tenant_dim("TIME_ZONE", "TIME_ZONE_KEY", "one configuration time zone")
        .col(
            "TIME_ZONE_NAME",
            SqlType::Varchar(255),
            "name in configuration",
        )
        .col(
            "TIME_ZONE_CFG_DBID",
            SqlType::Integer,
            "Configuration Server DBID (OCS tz_dbid)",
        )
        .col(
            "GMT_OFFSET",
            SqlType::Integer,
            "standard offset from UTC, minutes east",
        )
        .col(
            "DST_FLAG",
            SqlType::SmallInt,
            "1 = observes daylight saving time",
        );
    config_tail(t)
}

/// RESOURCE_STATE_REASON (§3.15): a hardware or software reason with a work mode.
pub fn resource_state_reason() -> TableDef {
    let t = tenant_dim(
        "RESOURCE_STATE_REASON",
        "RESOURCE_STATE_REASON_KEY",
        "one hardware or software state reason with a work mode, created on first sight",
    )
    .label_code("REASON_TYPE", 64, 32, "HARDWARE, SOFTWARE or UNKNOWN")
    .col(
        "HARDWARE_REASON",
        SqlType::Varchar(255),
        "T-Server ReasonCode of a hardware reason",
    )
    .col(
        "SOFTWARE_REASON_KEY",
        SqlType::Varchar(255),
        "key path of a software reason",
    )
    .col(
        "SOFTWARE_REASON_VALUE",
        SqlType::Varchar(255),
        "value of a software reason",
    )
    .label_code(
        "WORKMODE",
        64,
        32,
        "agent work mode (AUTO_IN, MANUAL_IN, AFTER_CALL_WORK, …)",
    );
    config_tail(t)
}

/// INTERACTION_DESCRIPTOR (§3.10): a combination of four business attributes from user data.
pub fn interaction_descriptor() -> TableDef {
    let attrs = [
        ("CUSTOMER_SEGMENT", "customer segment (CustomerSegment KVP)"),
        ("SERVICE_TYPE", "service type (ServiceType KVP)"),
        ("SERVICE_SUBTYPE", "service subtype (ServiceSubType KVP)"),
        ("BUSINESS_RESULT", "business result (BusinessResult KVP)"),
    ];
    let t = tenant_dim(
        "INTERACTION_DESCRIPTOR",
        "INTERACTION_DESCRIPTOR_KEY",
        "one distinct combination of four business attributes from user data",
    )
    .create_audit_key();
    attrs
        .iter()
        .fold(t, |t, (name, doc)| {
            t.req(name, SqlType::Varchar(170), doc)
                .default_value("'none'")
        })
        .purge_flag()
}

/// A user-data dimension (`USER_DATA_CUST_DIM_n`, `USER_DATA_GEN_DIM_n`, §3.11): one row per
/// distinct combination of five attributes.
pub fn user_data_dim(name: &str) -> TableDef {
    let t = TableDef::new(
        name,
        TableFamily::MartDimension,
        "one distinct combination of five user-data attributes",
    )
    .req(
        "ID",
        SqlType::Integer,
        "surrogate key, stored in IRF_USER_DATA_KEYS",
    )
    .tenant();
    (1..=DIM_ATTRIBUTES)
        .fold(t, |t, n| {
            t.req(
                &format!("DIM_ATTRIBUTE_{n}"),
                SqlType::Varchar(255),
                "attribute mapped by CTL_UD_TO_UDE_MAPPING",
            )
            .default_value("'none'")
        })
        .create_audit_key()
        .pk(&["ID"])
}

/// The configuration- and data-driven dimensions, in creation order.
pub fn tables() -> Vec<TableDef> {
    let mut tables = vec![
        tenant(),
        resource(),
        group(),
        resource_group_combination(),
        skill(),
        place(),
        strategy(),
        requested_skill(),
        routing_target(),
        workbin(),
        time_zone(),
        campaign(),
        calling_list(),
        resource_state_reason(),
        interaction_descriptor(),
    ];
    tables.extend(
        (1..=CUSTOM_USER_DATA_TABLES).map(|n| user_data_dim(&format!("USER_DATA_CUST_DIM_{n}"))),
    );
    tables.extend((1..=2).map(|n| user_data_dim(&format!("USER_DATA_GEN_DIM_{n}"))));
    tables
}
