//! Control tables of the service jobs: maintenance (operations.md §2.9, §5), export (§3.1,
//! §2.9), GDPR (§4.5, §2.9), aggregation (§6.4, §2.9), migration (§7.2), and the user-data
//! mapping tables of the transform (infomart.md §3.28).

use crate::table::{SqlType, TableDef};

use super::control::{created_ts, ctl, job_id};

/// CTL_PURGE_HISTORY (§2.9): one row per table and purge method per maintenance run.
pub fn ctl_purge_history() -> TableDef {
    let t = job_id(ctl(
        "CTL_PURGE_HISTORY",
        "what one maintenance run purged from one table",
    ))
    .req("TABLE_NAME", SqlType::Varchar(255), "table purged")
    .req(
        "PURGE_METHOD",
        SqlType::Varchar(16),
        "DELETE, DROP_PARTITION or TRUNCATE",
    )
    .col(
        "THRESHOLD_TS",
        SqlType::Integer,
        "rows older than this were eligible, epoch seconds",
    )
    .col("ROW_COUNT", SqlType::BigInt, "rows deleted")
    .col("PARTITIONS_DROPPED", SqlType::Integer, "partitions dropped")
    .req("START_TIME", SqlType::Timestamp, "start")
    .col("END_TIME", SqlType::Timestamp, "end")
    .req("STATUS", SqlType::Varchar(16), "COMPLETE or FAILED");
    created_ts(t).pk(&["JOB_ID", "TABLE_NAME", "PURGE_METHOD"])
}

/// CTL_PARTITION_INFO (§2.9): the database partitions that exist.
pub fn ctl_partition_info() -> TableDef {
    let t = ctl("CTL_PARTITION_INFO", "one partition of a partitioned table")
        .req("TABLE_NAME", SqlType::Varchar(255), "partitioned table")
        .req(
            "PARTITION_NAME",
            SqlType::Varchar(255),
            "partition (a table name, unique in the database)",
        )
        .req(
            "LOW_KEY",
            SqlType::BigInt,
            "inclusive lower bound, epoch seconds",
        )
        .req(
            "HIGH_KEY",
            SqlType::BigInt,
            "exclusive upper bound, epoch seconds",
        );
    created_ts(t)
        .pk(&["PARTITION_NAME"])
        .index("table", &["TABLE_NAME", "LOW_KEY"])
}

/// CTL_GDPR_HISTORY (§4.5): what GDPR processing found or removed, including the PII.
pub fn ctl_gdpr_history() -> TableDef {
    let t = ctl(
        "CTL_GDPR_HISTORY",
        "one field a GDPR request exported or forgot",
    )
    .req("GDPR_HISTORY_ID", SqlType::BigInt, "sequence")
    .req(
        "REQUEST_ID",
        SqlType::Varchar(255),
        "request, from the file or generated",
    )
    .req("REQUEST_TYPE", SqlType::Varchar(16), "EXPORT or FORGET")
    .req("SUBJECT_TYPE", SqlType::Varchar(16), "CONSUMER or EMPLOYEE")
    .req(
        "PII_TYPE",
        SqlType::Varchar(32),
        "phone, email, chat-name, gim-attached-data:<key>, username, employee-id",
    )
    .req("PII_VALUE", SqlType::Varchar(1024), "identifier searched")
    .req("TABLE_NAME", SqlType::Varchar(255), "table inspected")
    .req("COLUMN_NAME", SqlType::Varchar(255), "column inspected")
    .col(
        "ROW_ID",
        SqlType::Varchar(255),
        "primary key of the matched row, as text",
    )
    .req(
        "FIELD_VALUE",
        SqlType::Varchar(4000),
        "value found or removed; literal NULL when empty",
    )
    .col("FILE_NAME", SqlType::Varchar(255), "source JSON file");
    created_ts(job_id(t))
        .pk(&["GDPR_HISTORY_ID"])
        .index("request", &["REQUEST_ID"])
}

/// CTL_GDPR_REQUEST (§2.9): one processed request.
pub fn ctl_gdpr_request() -> TableDef {
    let t = ctl("CTL_GDPR_REQUEST", "one processed GDPR request")
        .req("REQUEST_ID", SqlType::Varchar(255), "request id")
        .col("FILE_NAME", SqlType::Varchar(255), "request file")
        .req("REQUEST_TYPE", SqlType::Varchar(16), "EXPORT or FORGET")
        .req(
            "STATUS",
            SqlType::Varchar(16),
            "ACCEPTED, COMPLETED, INVALID or FAILED",
        )
        .req(
            "RECEIVED_TS",
            SqlType::Integer,
            "when the request was read, epoch seconds",
        )
        .col(
            "PROCESSED_TS",
            SqlType::Integer,
            "when processing finished, epoch seconds",
        )
        .col("MATCH_COUNT", SqlType::Integer, "fields matched")
        .col("JOB_ID", SqlType::Varchar(64), "maintenance run");
    created_ts(t).pk(&["REQUEST_ID"])
}

/// CTL_EXPORT_HISTORY (§2.9): one exported chunk.
pub fn ctl_export_history() -> TableDef {
    let t = ctl("CTL_EXPORT_HISTORY", "one chunk written by Job_ExportGIM")
        .req("CHUNK_ID", SqlType::BigInt, "chunk sequence")
        .req(
            "FOLDER_NAME",
            SqlType::Varchar(255),
            "export_<HWM>_<YYYY_MM_DD_HH_MI_SS>",
        )
        .req(
            "LOW_AUDIT_KEY",
            SqlType::BigInt,
            "exclusive lower audit key",
        )
        .req(
            "HIGH_AUDIT_KEY",
            SqlType::BigInt,
            "inclusive upper audit key",
        )
        .col(
            "LOW_TS",
            SqlType::Integer,
            "smallest INSERTED of the chunk, epoch seconds",
        )
        .col(
            "HIGH_TS",
            SqlType::Integer,
            "largest INSERTED of the chunk, epoch seconds",
        )
        .col("TABLE_COUNT", SqlType::Integer, "tables written")
        .col("ROW_COUNT", SqlType::BigInt, "rows written")
        .req("STATUS", SqlType::Varchar(16), "COMPLETE or FAILED");
    created_ts(job_id(t)).pk(&["CHUNK_ID"])
}

/// CTL_CALENDAR_STATE (§2.9): fingerprint and horizon of each calendar.
pub fn ctl_calendar_state() -> TableDef {
    ctl(
        "CTL_CALENDAR_STATE",
        "fingerprint and horizon of one calendar table",
    )
    .req(
        "TABLE_NAME",
        SqlType::Varchar(255),
        "calendar table (DATE_TIME or a custom calendar)",
    )
    .req(
        "SECTION_NAME",
        SqlType::Varchar(255),
        "configuration section of the calendar",
    )
    .req(
        "OPTION_FINGERPRINT",
        SqlType::Varchar(255),
        "fingerprint of the structural calendar options",
    )
    .col("MIN_KEY", SqlType::Integer, "first DATE_TIME_KEY generated")
    .col("MAX_KEY", SqlType::Integer, "last DATE_TIME_KEY generated")
    .req(
        "UPDATED_TS",
        SqlType::Integer,
        "last extension, epoch seconds",
    )
    .pk(&["TABLE_NAME"])
}

/// CTL_AGG_THRESHOLD_OVERRIDE (§2.9): per-object aggregation thresholds.
pub fn ctl_agg_threshold_override() -> TableDef {
    ctl(
        "CTL_AGG_THRESHOLD_OVERRIDE",
        "aggregation thresholds of one object in one hierarchy",
    )
    .req("RESOURCE_KEY", SqlType::Integer, "object (RESOURCE_)")
    .req("HIERARCHY", SqlType::Varchar(64), "hierarchy, e.g. H_QUEUE")
    .req(
        "THRESHOLDS",
        SqlType::Varchar(1024),
        "comma-separated thresholds in seconds",
    )
    .pk(&["RESOURCE_KEY", "HIERARCHY"])
}

/// CTL_AGG_PENDING (§6.4): aggregation work notified by the transform in its transaction.
pub fn ctl_agg_pending() -> TableDef {
    ctl("CTL_AGG_PENDING", "one pending aggregation notification")
        .req("PENDING_ID", SqlType::BigInt, "sequence")
        .req("SOURCE", SqlType::Varchar(32), "fact family touched")
        .req(
            "LOW_DATE_TIME_KEY",
            SqlType::Integer,
            "first interval touched",
        )
        .req(
            "HIGH_DATE_TIME_KEY",
            SqlType::Integer,
            "last interval touched",
        )
        .col(
            "AUDIT_KEY",
            SqlType::BigInt,
            "audit row of the transform chunk",
        )
        .req(
            "ZONE",
            SqlType::SmallInt,
            "1 = recent data, 2 = older data / back-fill",
        )
        .req("STATUS", SqlType::Varchar(16), "NEW, CLAIMED or DONE")
        .default_value("'NEW'")
        .req(
            "CREATED_TS",
            SqlType::Integer,
            "when notified, epoch seconds",
        )
        .col(
            "CLAIMED_BY",
            SqlType::Varchar(64),
            "writer that claimed the row",
        )
        .col(
            "CLAIMED_TS",
            SqlType::Integer,
            "when claimed, epoch seconds",
        )
        .pk(&["PENDING_ID"])
        .index("status", &["STATUS", "ZONE"])
}

/// CTL_SCHEMA_MIGRATION (§7.2): applied migration steps.
pub fn ctl_schema_migration() -> TableDef {
    ctl("CTL_SCHEMA_MIGRATION", "one migration step")
        .req("STEP_ID", SqlType::Varchar(64), "step id")
        .req(
            "FROM_VERSION",
            SqlType::Varchar(32),
            "schema version before the step",
        )
        .req(
            "TO_VERSION",
            SqlType::Varchar(32),
            "schema version after the step",
        )
        .req(
            "STATUS",
            SqlType::Varchar(16),
            "RUNNING, COMPLETE or FAILED",
        )
        .col("START_TIME", SqlType::Timestamp, "start")
        .col("END_TIME", SqlType::Timestamp, "end")
        .col("JOB_ID", SqlType::Varchar(64), "migrate run")
        .pk(&["STEP_ID"])
}

/// CTL_EXPORT_TABLES (§3.1): the tables Job_ExportGIM exports, as data.
pub fn ctl_export_tables() -> TableDef {
    ctl(
        "CTL_EXPORT_TABLES",
        "one table or view Job_ExportGIM exports",
    )
    .req(
        "TABLE_NAME",
        SqlType::Varchar(255),
        "exported name (file name stem)",
    )
    .req(
        "SOURCE_OBJECT",
        SqlType::Varchar(255),
        "table or export view read",
    )
    .req(
        "INCREMENTAL_MODE",
        SqlType::Varchar(16),
        "AUDIT_KEYS, FULL or NONE",
    )
    .default_value("'AUDIT_KEYS'")
    .req("ENABLED", SqlType::SmallInt, "1 = exported")
    .default_value("1")
    .pk(&["TABLE_NAME"])
}

/// CTL_UD_TO_UDE_MAPPING (infomart.md §3.28): where each user-data key is stored.
pub fn ctl_ud_to_ude_mapping() -> TableDef {
    ctl(
        "CTL_UD_TO_UDE_MAPPING",
        "one user-data key mapped to a table column",
    )
    .req("ID", SqlType::Integer, "key")
    .req("UD_KEY_NAME", SqlType::Varchar(255), "KVP key")
    .req(
        "UDE_TABLE_NAME",
        SqlType::Varchar(30),
        "target extension or dimension table",
    )
    .req("UDE_COLUMN_NAME", SqlType::Varchar(30), "target column")
    .req(
        "PROPAGATION_RULE",
        SqlType::Varchar(16),
        "CALL, PARTY, IRF, IRF_FIRST_UPDATE, IRF_INITIAL or IRF_ROUTE",
    )
    .col(
        "DEFAULT_VALUE",
        SqlType::Varchar(255),
        "value stored when the key has none",
    )
    .req("ACTIVE_FLAG", SqlType::SmallInt, "1 = mapping in use")
    .col(
        "CONVERT_EXPRESSION",
        SqlType::Varchar(255),
        "expression applied to the raw value before storing",
    )
    .pk(&["ID"])
}

/// CTL_UDE_KEYS_TO_DIM_MAPPING (infomart.md §3.28): which dimension each CUSTOM_KEY_n of
/// IRF_USER_DATA_KEYS references.
pub fn ctl_ude_keys_to_dim_mapping() -> TableDef {
    ctl(
        "CTL_UDE_KEYS_TO_DIM_MAPPING",
        "one key column of IRF_USER_DATA_KEYS and the dimension it references",
    )
    .req("ID", SqlType::Integer, "key")
    .req(
        "UDE_TABLE_NAME",
        SqlType::Varchar(30),
        "table holding the key column",
    )
    .default_value("'IRF_USER_DATA_KEYS'")
    .req(
        "UDE_COLUMN_NAME",
        SqlType::Varchar(30),
        "key column, e.g. CUSTOM_KEY_1",
    )
    .req(
        "DIM_TABLE_NAME",
        SqlType::Varchar(30),
        "dimension referenced, e.g. USER_DATA_CUST_DIM_1",
    )
    .req("ACTIVE_FLAG", SqlType::SmallInt, "1 = mapping in use")
    .default_value("1")
    .pk(&["ID"])
}

/// The maintenance, export, GDPR, aggregation and user-data mapping tables, in creation
/// order.
pub fn tables() -> Vec<TableDef> {
    vec![
        ctl_purge_history(),
        ctl_partition_info(),
        ctl_calendar_state(),
        ctl_gdpr_request(),
        ctl_gdpr_history(),
        ctl_export_tables(),
        ctl_export_history(),
        ctl_agg_pending(),
        ctl_agg_threshold_override(),
        ctl_schema_migration(),
        ctl_ud_to_ude_mapping(),
        ctl_ude_keys_to_dim_mapping(),
    ]
}
