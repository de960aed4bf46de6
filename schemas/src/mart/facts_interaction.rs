//! Interaction facts (infomart.md §2.1–§2.4) and the user-data extension tables (§2.13).
//!
//! IRF and MSF ids share one id space: the extension tables key on `INTERACTION_RESOURCE_ID`,
//! which holds either (§1.2).

use crate::table::{SqlType, TableDef, TableFamily};

use super::columns::{EndKey, MartColumns};

/// Number of `IRF_USER_DATA_CUST_n` tables and `USER_DATA_CUST_DIM_n` dimensions (and so of
/// `CUSTOM_KEY_n` columns in IRF_USER_DATA_KEYS) this build creates.
pub const CUSTOM_USER_DATA_TABLES: usize = 1;

/// Number of `CUSTOM_DATA_n` columns of an `IRF_USER_DATA_CUST_n` table (§2.13).
const CUSTOM_DATA_COLUMNS: usize = 16;

/// IRF measure families (infomart.md §2.2): a column prefix and the states it counts; each
/// state gets `<prefix><state>_COUNT` and `<prefix><state>_DURATION`.
const IRF_MEASURE_FAMILIES: &[(&str, &[&str], &str)] = &[
    (
        "",
        &["DIAL", "RING", "TALK", "HOLD", "AFTER_CALL_WORK"],
        "resource's own leg in the context the IRF was created in",
    ),
    (
        "CUSTOMER_",
        &["DIAL", "RING", "TALK", "HOLD", "ACW"],
        "state while the customer is a party with the resource",
    ),
    (
        "CONS_INIT_",
        &["DIAL", "TALK", "HOLD"],
        "consultation leg the resource started",
    ),
    (
        "CONS_RCV_",
        &["RING", "TALK", "HOLD", "ACW"],
        "resource was the consultation target",
    ),
    (
        "POST_CONS_XFER_",
        &["RING", "TALK", "HOLD"],
        "consultation target after the consult became a transfer",
    ),
    (
        "CONF_INIT_",
        &["TALK", "HOLD"],
        "initiator side of a conference",
    ),
    (
        "CONF_JOIN_",
        &["RING", "TALK", "HOLD"],
        "invited side of a conference",
    ),
    (
        "AGENT_TO_AGENT_",
        &["CONS"],
        "consultations between agents without the customer",
    ),
    (
        "",
        &["FOCUS_TIME"],
        "time the multimedia interaction had focus on the desktop (8.5.004)",
    ),
];

/// INTERACTION_FACT (§2.1): one interaction as the customer experienced it.
pub fn interaction_fact() -> TableDef {
    TableDef::new(
        "INTERACTION_FACT",
        TableFamily::MartFact,
        "one interaction as the customer experienced it",
    )
    .req(
        "INTERACTION_ID",
        SqlType::BigInt,
        "surrogate id of the interaction",
    )
    .tenant()
    .refs_req(&["INTERACTION_TYPE_KEY", "MEDIA_TYPE_KEY"])
    .col(
        "MEDIA_SERVER_ROOT_IXN_ID",
        SqlType::Numeric(20, 0),
        "numeric id of the root interaction at the media server",
    )
    .col(
        "MEDIA_SERVER_IXN_ID",
        SqlType::Numeric(20, 0),
        "numeric id of this interaction at the media server",
    )
    .col(
        "MEDIA_SERVER_ROOT_IXN_GUID",
        SqlType::Varchar(50),
        "GUID of the root interaction (CallUUID / root IR id)",
    )
    .col(
        "MEDIA_SERVER_IXN_GUID",
        SqlType::Varchar(50),
        "GUID of this interaction",
    )
    .col(
        "SOURCE_ADDRESS",
        SqlType::Varchar(255),
        "originating address (ANI, e-mail from)",
    )
    .col(
        "TARGET_ADDRESS",
        SqlType::Varchar(255),
        "destination address (DNIS, e-mail to)",
    )
    .col(
        "SUBJECT",
        SqlType::Varchar(1024),
        "subject of a multimedia interaction",
    )
    .req(
        "STATUS",
        SqlType::SmallInt,
        "0 = clean; non-zero = kind of data problem met in transformation",
    )
    .default_value("0")
    .span_ts()
    .date_time_keys(EndKey::Optional)
    .audit_keys()
    .active_purge_flags()
    .col(
        "ANCHOR_ID",
        SqlType::BigInt,
        "INTERACTION_RESOURCE_ID of the anchor IRF",
    )
    .col(
        "ANCHOR_SDT_KEY",
        SqlType::Integer,
        "START_DATE_TIME_KEY of the anchor IRF",
    )
    .producer_batch()
    .pk(&["INTERACTION_ID"])
    .partition_by("START_DATE_TIME_KEY")
    // Multimedia chunks and late user data look interactions up by GUID.
    .index("guid", &["MEDIA_SERVER_IXN_GUID"])
    .audit_indexes()
}

/// INTERACTION_RESOURCE_FACT (§2.2): one attempt of a resource to start, handle or mediate
/// and then handle an interaction.
pub fn interaction_resource_fact() -> TableDef {
    let t = TableDef::new(
        "INTERACTION_RESOURCE_FACT",
        TableFamily::MartFact,
        "one attempt of a resource to start, handle, or mediate and then handle an interaction",
    )
    .req(
        "INTERACTION_RESOURCE_ID",
        SqlType::BigInt,
        "IRF id (id space shared with MSF)",
    )
    .tenant()
    .req("INTERACTION_ID", SqlType::BigInt, "owning INTERACTION_FACT")
    .col(
        "INTERACTION_SDT_KEY",
        SqlType::Integer,
        "START_DATE_TIME_KEY of the owning INTERACTION_FACT",
    )
    .refs_req(&[
        "INTERACTION_TYPE_KEY",
        "MEDIA_TYPE_KEY",
        "TECHNICAL_DESCRIPTOR_KEY",
        "RESOURCE_KEY",
        "MEDIA_RESOURCE_KEY",
        "PLACE_KEY",
        "RESOURCE_GROUP_COMBINATION_KEY",
    ])
    .refs(&[
        "STRATEGY_KEY",
        "ROUTING_TARGET_KEY",
        "REQUESTED_SKILL_KEY",
        "LAST_VQUEUE_RESOURCE_KEY",
        "LAST_RP_RESOURCE_KEY",
        "LAST_QUEUE_RESOURCE_KEY",
        "LAST_IVR_RESOURCE_KEY",
        "MEDIATION_RESOURCE_KEY",
        "RES_PREVIOUS_SM_STATE_KEY",
        "ANCHOR_FLAGS_KEY",
    ])
    .span_ts()
    .date_time_keys(EndKey::Required)
    .col(
        "INTERACTION_RESOURCE_ORDINAL",
        SqlType::Integer,
        "1-based creation order of IRFs inside the IF",
    )
    .col(
        "RECEIVED_FROM_IXN_RESOURCE_ID",
        SqlType::BigInt,
        "IRF of the resource this one received the interaction from",
    )
    .col(
        "MEDIATION_SEGMENT_ID",
        SqlType::BigInt,
        "MSF through which the interaction was distributed here",
    )
    .col(
        "MEDIATION_SEGMENT_SDT_KEY",
        SqlType::Integer,
        "START_DATE_TIME_KEY of that MSF",
    )
    .col(
        "MEDIATION_START_DATE_TIME_KEY",
        SqlType::Integer,
        "15-minute interval in which mediation started",
    )
    .col(
        "MEDIATION_COUNT",
        SqlType::Integer,
        "mediation segments traversed within this attempt",
    )
    .col(
        "MEDIATION_DURATION",
        SqlType::Integer,
        "seconds in mediation before the handling resource was alerted",
    )
    .col(
        "ROUTING_POINT_DURATION",
        SqlType::Integer,
        "seconds at routing points within this attempt",
    )
    .col(
        "IRF_ANCHOR",
        SqlType::SmallInt,
        "1 = this IRF is the anchor of the interaction",
    )
    .col(
        "IRF_ANCHOR_TS",
        SqlType::Integer,
        "time the anchor condition was met",
    )
    .col(
        "LAST_INTERACTION_RESOURCE",
        SqlType::SmallInt,
        "1 = last IRF of the interaction",
    )
    .col(
        "STOP_ACTION",
        SqlType::SmallInt,
        "1 = the resource stopped the multimedia interaction",
    )
    .col(
        "TARGET_ADDRESS",
        SqlType::Varchar(255),
        "address dialed or targeted by the resource",
    )
    .col("ORSSESSIONID", SqlType::Varchar(255), "ORS session id");
    irf_measures(t)
        .active_purge_flags()
        .audit_keys()
        .producer_batch()
        .pk(&["INTERACTION_RESOURCE_ID"])
        .partition_by("START_DATE_TIME_KEY")
        .index("interaction_id", &["INTERACTION_ID"])
        .audit_indexes()
}

/// Appends the IRF measure columns (§2.2 "Measures"), all integer with default 0.
fn irf_measures(table: TableDef) -> TableDef {
    let mut t = table;
    for (prefix, states, doc) in IRF_MEASURE_FAMILIES {
        for state in *states {
            t = t
                .measure(&format!("{prefix}{state}_COUNT"), doc)
                .measure(&format!("{prefix}{state}_DURATION"), doc);
        }
    }
    t.measure(
        "CUSTOMER_HANDLE_COUNT",
        "1 when the resource accepted or connected to the customer",
    )
    .measure(
        "CONFERENCE_INITIATED_COUNT",
        "conferences the resource set up",
    )
    .measure(
        "ASM_COUNT",
        "1 if an ASM engage attempt was made (populate-irf-asm-engage-duration)",
    )
    .measure(
        "ASM_ENGAGE_DURATION",
        "ASM engage wait time, removed from talk time",
    )
}

/// MEDIATION_SEGMENT_FACT (§2.3): one stay of an interaction in a mediation DN.
pub fn mediation_segment_fact() -> TableDef {
    TableDef::new(
        "MEDIATION_SEGMENT_FACT",
        TableFamily::MartFact,
        "one stay of an interaction in a virtual queue, ACD queue, interaction queue or workbin",
    )
    .req(
        "MEDIATION_SEGMENT_ID",
        SqlType::BigInt,
        "MSF id (id space shared with IRF)",
    )
    .tenant()
    .req("INTERACTION_ID", SqlType::BigInt, "owning INTERACTION_FACT")
    .col(
        "INTERACTION_SDT_KEY",
        SqlType::Integer,
        "START_DATE_TIME_KEY of the owning INTERACTION_FACT",
    )
    .refs_req(&["INTERACTION_TYPE_KEY", "MEDIA_TYPE_KEY", "RESOURCE_KEY"])
    .refs(&["RESOURCE_GROUP_COMBINATION_KEY", "WORKBIN_KEY"])
    .refs_req(&["TECHNICAL_DESCRIPTOR_KEY"])
    .span_ts()
    .date_time_keys(EndKey::Required)
    .col(
        "MEDIATION_DURATION",
        SqlType::Integer,
        "seconds in the queue until distributed, abandoned or cleared",
    )
    .col(
        "MEDIA_SERVER_IXN_GUID",
        SqlType::Varchar(50),
        "interaction GUID at the media server",
    )
    .col(
        "IXN_RESOURCE_ID",
        SqlType::BigInt,
        "IRF during which this mediation happened",
    )
    .col(
        "IXN_RESOURCE_SDT_KEY",
        SqlType::Integer,
        "START_DATE_TIME_KEY of that IRF",
    )
    .col(
        "TARGET_IXN_RESOURCE_ID",
        SqlType::BigInt,
        "IRF the interaction was distributed to; NULL if not distributed",
    )
    .col(
        "TARGET_IXN_RESOURCE_SDT_KEY",
        SqlType::Integer,
        "START_DATE_TIME_KEY of the target IRF",
    )
    .col(
        "USERDATA_FLAG",
        SqlType::SmallInt,
        "1 = user-data extension rows exist for this MSF",
    )
    .col("ORSSESSIONID", SqlType::Varchar(255), "ORS session id")
    .active_purge_flags()
    .audit_keys()
    .producer_batch()
    .pk(&["MEDIATION_SEGMENT_ID"])
    .partition_by("START_DATE_TIME_KEY")
    .index("interaction_id", &["INTERACTION_ID"])
    .audit_indexes()
}

/// IXN_RESOURCE_STATE_FACT (§2.4): one interaction-related state of an agent.
pub fn ixn_resource_state_fact() -> TableDef {
    TableDef::new(
        "IXN_RESOURCE_STATE_FACT",
        TableFamily::MartFact,
        "one interaction-related state (initiate, alert, connect, hold, wrap) of an agent's IRF",
    )
    .req(
        "IXN_RESOURCE_STATE_FACT_KEY",
        SqlType::BigInt,
        "surrogate id of the state",
    )
    .date_time_keys(EndKey::Required)
    .tenant()
    .refs_req(&[
        "MEDIA_TYPE_KEY",
        "RESOURCE_KEY",
        "MEDIA_RESOURCE_KEY",
        "PLACE_KEY",
        "INTERACTION_RESOURCE_STATE_KEY",
        "INTERACTION_TYPE_KEY",
    ])
    .audit_keys()
    .col(
        "INTERACTION_RESOURCE_SDT_KEY",
        SqlType::Integer,
        "START_DATE_TIME_KEY of the owning IRF",
    )
    .col("INTERACTION_RESOURCE_ID", SqlType::BigInt, "owning IRF")
    .span_ts()
    .clip_durations()
    .col(
        "TARGET_ADDRESS",
        SqlType::Varchar(255),
        "address dialed or targeted in this state",
    )
    .active_purge_flags()
    .producer_batch()
    .pk(&["IXN_RESOURCE_STATE_FACT_KEY"])
    .partition_by("START_DATE_TIME_KEY")
    .index("irf", &["INTERACTION_RESOURCE_ID"])
    .audit_indexes()
}

/// The leading columns every user-data extension table shares (§2.13).
fn user_data_extension(name: &str, doc: &'static str) -> TableDef {
    TableDef::new(name, TableFamily::MartFact, doc)
        .req(
            "INTERACTION_RESOURCE_ID",
            SqlType::BigInt,
            "IRF or MSF id the user data belongs to",
        )
        .req(
            "START_DATE_TIME_KEY",
            SqlType::Integer,
            "START_DATE_TIME_KEY of that IRF or MSF; the partition key",
        )
        .tenant()
        .audit_keys_defaulted()
}

/// Primary key, partitioning and indexes of a user-data extension table.
fn keyed_extension(table: TableDef) -> TableDef {
    table
        .producer_batch()
        .pk(&["INTERACTION_RESOURCE_ID"])
        .partition_by("START_DATE_TIME_KEY")
        .audit_indexes()
}

/// IRF_USER_DATA_KEYS (§2.13): low-cardinality user data as keys to dimensions.
pub fn irf_user_data_keys() -> TableDef {
    let mut t = user_data_extension(
        "IRF_USER_DATA_KEYS",
        "low-cardinality user data of an IRF or MSF, as dimension keys",
    )
    .refs(&["INTERACTION_DESCRIPTOR_KEY"])
    .col(
        "USER_DATA_GEN_DIM_KEY_1",
        SqlType::Integer,
        "predefined user-data dimension (USER_DATA_GEN_DIM_1.ID)",
    )
    .col(
        "USER_DATA_GEN_DIM_KEY_2",
        SqlType::Integer,
        "predefined user-data dimension (USER_DATA_GEN_DIM_2.ID)",
    );
    for n in 1..=CUSTOM_USER_DATA_TABLES {
        t = t.col(
            &format!("CUSTOM_KEY_{n}"),
            SqlType::Integer,
            "custom user-data dimension row (USER_DATA_CUST_DIM_n.ID, per CTL_UDE_KEYS_TO_DIM_MAPPING)",
        );
    }
    keyed_extension(t)
}

/// IRF_USER_DATA_GEN_1 (§2.13): Genesys-predefined high-cardinality KVPs.
pub fn irf_user_data_gen_1() -> TableDef {
    keyed_extension(
        user_data_extension(
            "IRF_USER_DATA_GEN_1",
            "Genesys-predefined high-cardinality user data of an IRF or MSF",
        )
        .col("CASE_ID", SqlType::Varchar(255), "case id KVP")
        .col("CUSTOMER_ID", SqlType::Varchar(255), "customer id KVP")
        .col(
            "GSW_CALL_ATTEMPT_GUID",
            SqlType::Varchar(255),
            "OCS call-attempt GUID; joins CONTACT_ATTEMPT_FACT.CALL_ATTEMPT_ID",
        )
        .col("GSW_CALL_TYPE", SqlType::Varchar(255), "OCS call type")
        .col("GVP_SESSION_ID", SqlType::Varchar(255), "GVP session id")
        .col(
            "REVENUE",
            SqlType::Varchar(255),
            "Revenue KVP, numeric text",
        )
        .col(
            "SATISFACTION",
            SqlType::Varchar(255),
            "Satisfaction KVP, numeric text",
        ),
    )
}

/// IRF_USER_DATA_CUST_`n` (§2.13): deployment-defined high-cardinality user data, 16 text
/// columns filled per CTL_UD_TO_UDE_MAPPING.
pub fn irf_user_data_cust(n: usize) -> TableDef {
    let mut t = user_data_extension(
        &format!("IRF_USER_DATA_CUST_{n}"),
        "deployment-defined high-cardinality user data of an IRF or MSF",
    );
    for i in 1..=CUSTOM_DATA_COLUMNS {
        t = t.col(
            &format!("CUSTOM_DATA_{i}"),
            SqlType::Varchar(1024),
            "custom KVP value mapped by CTL_UD_TO_UDE_MAPPING",
        );
    }
    keyed_extension(t)
}

/// The interaction facts and their extension tables, in creation order.
pub fn tables() -> Vec<TableDef> {
    let mut tables = vec![
        interaction_fact(),
        interaction_resource_fact(),
        mediation_segment_fact(),
        ixn_resource_state_fact(),
        irf_user_data_keys(),
        irf_user_data_gen_1(),
    ];
    tables.extend((1..=CUSTOM_USER_DATA_TABLES).map(irf_user_data_cust));
    tables
}
