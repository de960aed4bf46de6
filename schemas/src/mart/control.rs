//! Control (`CTL_*`) and staging (`STG_*`) tables (operations.md §2, §3.1, §4.5, §6.4, §7.2;
//! infomart.md §3.28). Timestamps hold UTC (operations.md §0.3). The partitioned ones range
//! over an epoch-seconds column, so their partition bounds are epoch seconds like the
//! DATE_TIME keys of the facts.

use crate::table::{SqlType, TableDef, TableFamily};

/// A control table.
fn ctl(name: &str, doc: &'static str) -> TableDef {
    TableDef::new(name, TableFamily::MartControl, doc)
}

/// `JOB_ID varchar(64) M`: the run (→ CTL_ETL_HISTORY).
fn job_id(table: TableDef) -> TableDef {
    table.req(
        "JOB_ID",
        SqlType::Varchar(64),
        "run that wrote the row (CTL_ETL_HISTORY.JOB_ID)",
    )
}

/// `CREATED_TS integer M`: epoch seconds of creation, the purge (and partition) key.
fn created_ts(table: TableDef) -> TableDef {
    table.req(
        "CREATED_TS",
        SqlType::Integer,
        "creation time, UTC epoch seconds; the purge key",
    )
}

/// CTL_AUDIT_LOG (§2.1): one row per logical transaction committed by any job.
pub fn ctl_audit_log() -> TableDef {
    let t = ctl(
        "CTL_AUDIT_LOG",
        "one logical transaction committed by a job",
    )
    .req(
        "AUDIT_KEY",
        SqlType::BigInt,
        "monotonic surrogate key, never reused",
    );
    let t = job_id(t)
        .req("CREATED", SqlType::Timestamp, "row creation time")
        .col(
            "INSERTED",
            SqlType::Timestamp,
            "time the transaction committed; export chunks by it",
        )
        .req(
            "PROCESSING_STATUS_KEY",
            SqlType::Integer,
            "reserved reference to CTL_PROCESSING_STATUS; 0",
        )
        .req(
            "MIN_START_DATE_TIME_KEY",
            SqlType::Integer,
            "smallest START_DATE_TIME_KEY written",
        )
        .req(
            "MAX_START_DATE_TIME_KEY",
            SqlType::Integer,
            "largest START_DATE_TIME_KEY written",
        )
        .col(
            "MAX_CHUNK_TS",
            SqlType::Integer,
            "largest source timestamp of the chunk the transaction covers",
        )
        .col(
            "DATA_SOURCE_KEY",
            SqlType::Integer,
            "source server (CTL_DS)",
        )
        .col("ROW_COUNT", SqlType::Integer, "rows written");
    created_ts(t)
        .col(
            "PRODUCER_INFO_KEY",
            SqlType::Integer,
            "reserved (8.5.116.12); NULL",
        )
        .pk(&["AUDIT_KEY"])
        .partition_by("CREATED_TS")
}

/// CTL_ETL_HISTORY (§2.2): one row per job run.
pub fn ctl_etl_history() -> TableDef {
    let t = ctl("CTL_ETL_HISTORY", "one execution of a job");
    let t = job_id(t)
        .req(
            "JOB_NAME",
            SqlType::Varchar(32),
            "job name (operations.md §0.2)",
        )
        .req("JOB_VERSION", SqlType::Varchar(64), "server build version")
        .req(
            "STATUS",
            SqlType::Varchar(16),
            "SCHEDULED, RUNNING, COMPLETE, FAILED or STOPPED",
        )
        .req(
            "TRIGGER_TYPE",
            SqlType::Varchar(16),
            "SCHEDULED, MANUAL or AUTOMATIC",
        )
        .col(
            "CYCLE_ID",
            SqlType::Varchar(64),
            "ETL cycle shared by its extract and transform runs",
        )
        .req("START_TIME", SqlType::Timestamp, "start, UTC")
        .col(
            "END_TIME",
            SqlType::Timestamp,
            "end, UTC; NULL while running",
        )
        .col(
            "DURATION_SEC",
            SqlType::Integer,
            "END_TIME - START_TIME, seconds",
        )
        .col(
            "HOST_NAME",
            SqlType::Varchar(255),
            "host of the server process",
        )
        .col(
            "ERROR_CODE",
            SqlType::Integer,
            "log event id of the failure",
        )
        .col("ERROR_TEXT", SqlType::Varchar(1024), "short failure reason")
        .col(
            "ROW_COUNT",
            SqlType::BigInt,
            "rows processed (job-specific)",
        );
    created_ts(t)
        .pk(&["JOB_ID"])
        .index("job_start", &["JOB_NAME", "START_TIME"])
}

/// CTL_EXTRACT_HISTORY (§2.3): one row per committed extraction chunk.
pub fn ctl_extract_history() -> TableDef {
    let t = ctl(
        "CTL_EXTRACT_HISTORY",
        "one committed extraction chunk of one IDB table from one data source",
    )
    .req("TABLE_NAME", SqlType::Varchar(255), "IDB table extracted")
    .req(
        "DATA_SOURCE_KEY",
        SqlType::Integer,
        "original data source (CTL_DS)",
    )
    .col(
        "DATA_SOURCE_TYPE",
        SqlType::Integer,
        "1 T-Server, 2 Interaction Server, 3 OCS, 4 Configuration Server",
    )
    .col("ROW_COUNT", SqlType::Integer, "rows extracted in the chunk")
    .col("MAX_TIME", SqlType::Timestamp, "MAX_TS as a UTC timestamp")
    .col(
        "MAX_TS",
        SqlType::Integer,
        "high-water mark: upper bound of the chunk's window, epoch seconds",
    )
    .req(
        "ICON_DBID",
        SqlType::Integer,
        "ICON instance / IDB the chunk was read from",
    )
    .default_value("0")
    .col(
        "DSS_ID",
        SqlType::Integer,
        "data-source session reported by ICON",
    )
    .col("PROVIDERTAG", SqlType::Integer, "ICON provider tag")
    .col(
        "EXTRACT_START_TIME",
        SqlType::Timestamp,
        "start of the extraction step",
    )
    .col(
        "EXTRACT_END_TIME",
        SqlType::Timestamp,
        "end of the extraction step",
    );
    let t = job_id(t)
        .col("JOB_NAME", SqlType::Varchar(32), "Job_ExtractICON")
        .col("JOB_VERSION", SqlType::Varchar(64), "server build version")
        .col("DAP_NAME", SqlType::Varchar(255), "DB access point used")
        .req(
            "CREATE_AUDIT_KEY",
            SqlType::BigInt,
            "audit row of the chunk (CTL_AUDIT_LOG)",
        );
    created_ts(t)
        .pk(&[
            "TABLE_NAME",
            "DATA_SOURCE_KEY",
            "ICON_DBID",
            "JOB_ID",
            "CREATE_AUDIT_KEY",
        ])
        .partition_by("CREATED_TS")
        .index("mark", &["TABLE_NAME", "DATA_SOURCE_KEY", "MAX_TS"])
}

/// CTL_TRANSFORM_HISTORY (§2.4): one row per transform mark advanced by a committed chunk.
pub fn ctl_transform_history() -> TableDef {
    let t = job_id(ctl(
        "CTL_TRANSFORM_HISTORY",
        "one transform mark advanced by a committed chunk",
    ))
    .col("JOB_VERSION", SqlType::Varchar(64), "server build version")
    .req(
        "HWM_NAME",
        SqlType::Varchar(255),
        "primary GIDB table of the transform stream (operations.md §8.3)",
    )
    .req(
        "HWM_VALUE",
        SqlType::BigInt,
        "epoch second up to which the stream's facts are final",
    )
    .col(
        "HWM_VALUE2",
        SqlType::Varchar(255),
        "supplementary non-numeric context",
    )
    .col("TRANSFORM_START_TIME", SqlType::Timestamp, "start")
    .col("TRANSFORM_END_TIME", SqlType::Timestamp, "end")
    .col("ROW_COUNT", SqlType::Integer, "records processed");
    created_ts(t)
        .req(
            "AUDIT_KEY",
            SqlType::BigInt,
            "audit row of the chunk (CTL_AUDIT_LOG)",
        )
        .pk(&["JOB_ID", "HWM_NAME", "HWM_VALUE"])
        .partition_by("CREATED_TS")
        .index("mark", &["HWM_NAME", "HWM_VALUE"])
}

/// CTL_HWM (§2.5): the current value of every mark, written with its history row.
pub fn ctl_hwm() -> TableDef {
    let t = ctl("CTL_HWM", "current value of one high-water mark")
        .req(
            "HWM_NAME",
            SqlType::Varchar(255),
            "extract:<DATA_SOURCE_KEY>:<table>, transform:<name>, agg:<hierarchy>, export:audit",
        )
        .req(
            "HWM_VALUE",
            SqlType::BigInt,
            "epoch seconds, or an audit key for export:audit",
        )
        .col("HWM_VALUE2", SqlType::Varchar(255), "context")
        .req(
            "UPDATED_TS",
            SqlType::Integer,
            "last advance, epoch seconds",
        );
    job_id(t).pk(&["HWM_NAME"])
}

/// CTL_SCHEMA_INFO (§2.6): version and shape of each schema part.
pub fn ctl_schema_info() -> TableDef {
    ctl("CTL_SCHEMA_INFO", "version and shape of one schema part")
        .req(
            "SCHEMA_NAME",
            SqlType::Varchar(64),
            "INFOMART, AGGREGATES or EXPORT_VIEWS",
        )
        .req(
            "SCHEMA_VERSION",
            SqlType::Varchar(32),
            "version compared with the server's",
        )
        .req(
            "MIGRATION_STATE",
            SqlType::Varchar(16),
            "CURRENT, MIGRATING or FAILED",
        )
        .req(
            "APPLIED_TS",
            SqlType::Integer,
            "when the version was applied, epoch seconds",
        )
        .col(
            "APPLIED_BY_JOB_ID",
            SqlType::Varchar(64),
            "initialize or migrate run",
        )
        .req(
            "PARTITIONED",
            SqlType::SmallInt,
            "1 = created as a partitioned database",
        )
        .req("MULTI_LANGUAGE", SqlType::SmallInt, "1 = Unicode columns")
        .req(
            "SENTINEL_DATE_TIME_KEY",
            SqlType::Integer,
            "DATE_TIME_KEY that ends active facts",
        )
        .pk(&["SCHEMA_NAME"])
}

/// STG_TRANSFORM_DISCARDS (§2.7): interactions the transform could not process.
pub fn stg_transform_discards() -> TableDef {
    TableDef::new(
        "STG_TRANSFORM_DISCARDS",
        TableFamily::MartStaging,
        "one interaction discarded by the transform",
    )
    .req(
        "TABLE_NAME",
        SqlType::Varchar(255),
        "primary GIDB table (folder) of the failing step",
    )
    .req(
        "INTERACTION_ID",
        SqlType::BigInt,
        "id kept in INTERACTION_FACT; -2 reserved",
    )
    .default_value("-2")
    .col(
        "GUID",
        SqlType::Varchar(50),
        "media-server GUID of the interaction",
    )
    .req(
        "CREATE_AUDIT_KEY",
        SqlType::BigInt,
        "audit row of the transaction (CTL_AUDIT_LOG)",
    )
    .req("CODE", SqlType::Integer, "error code")
    .req("REASON", SqlType::Varchar(255), "error text")
    .req(
        "ETL_TS",
        SqlType::Integer,
        "when discarded, epoch seconds; the purge and partition key",
    )
    .req(
        "ETL_DATE_TIME_KEY",
        SqlType::Integer,
        "15-minute interval of ETL_TS",
    )
    .pk(&["TABLE_NAME", "INTERACTION_ID", "CREATE_AUDIT_KEY"])
    .partition_by("ETL_TS")
}

/// STG_IDB_FK_VIOLATION (§2.8): extracted rows whose parent row is missing.
pub fn stg_idb_fk_violation() -> TableDef {
    TableDef::new(
        "STG_IDB_FK_VIOLATION",
        TableFamily::MartStaging,
        "one extracted IDB row whose parent is missing",
    )
    .req("TABLE_NAME", SqlType::Varchar(255), "child IDB table")
    .req(
        "PARENT_TABLE_NAME",
        SqlType::Varchar(255),
        "expected parent table",
    )
    .req("KEY_VALUE", SqlType::Varchar(255), "child row key, as text")
    .req(
        "PARENT_KEY_VALUE",
        SqlType::Varchar(255),
        "missing parent key, as text",
    )
    .col(
        "DATA_SOURCE_KEY",
        SqlType::Integer,
        "source server (CTL_DS)",
    )
    .req(
        "CREATE_AUDIT_KEY",
        SqlType::BigInt,
        "audit row of the detection (CTL_AUDIT_LOG)",
    )
    .req(
        "FIRST_SEEN_TS",
        SqlType::Integer,
        "first detection, epoch seconds",
    )
    .req(
        "LAST_CHECK_TS",
        SqlType::Integer,
        "last re-check, epoch seconds",
    )
    .pk(&["TABLE_NAME", "KEY_VALUE", "CREATE_AUDIT_KEY"])
}

/// CTL_DS (§2.9): one original source server, shared by the IDBs of an HA pair.
pub fn ctl_ds() -> TableDef {
    ctl("CTL_DS", "one original data source: T-Server of a switch, Interaction Server, OCS, Configuration Server")
        .req("DATA_SOURCE_KEY", SqlType::Integer, "surrogate key")
        .req("DATA_SOURCE_TYPE", SqlType::Integer, "1 T-Server, 2 Interaction Server, 3 OCS, 4 Configuration Server")
        .col("DS_DBID", SqlType::Integer, "DBID of the source application")
        .col("SWITCH_DBID", SqlType::Integer, "switch of a T-Server source")
        .col("DS_NAME", SqlType::Varchar(255), "display name")
        .req("ACTIVE_FLAG", SqlType::SmallInt, "1 = configured as active")
        .default_value("1")
        .col("LAST_DATA_TS", SqlType::Integer, "time of the newest data seen from the source, epoch seconds")
        .pk(&["DATA_SOURCE_KEY"])
}

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

/// CTL_PROCESSING_STATUS (§2.9): reserved dimension referenced by the audit log.
pub fn ctl_processing_status() -> TableDef {
    ctl(
        "CTL_PROCESSING_STATUS",
        "reserved processing status of audit rows",
    )
    .req(
        "PROCESSING_STATUS_KEY",
        SqlType::Integer,
        "key; 0 = DEFAULT",
    )
    .req("NAME", SqlType::Varchar(64), "status name")
    .pk(&["PROCESSING_STATUS_KEY"])
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

/// CTL_JOB_SCHEDULE: scheduler state per job, shown by ADMIN_ETL_JOB_STATUS.
pub fn ctl_job_schedule() -> TableDef {
    ctl(
        "CTL_JOB_SCHEDULE",
        "scheduler state of one job, written by the scheduler",
    )
    .req(
        "JOB_NAME",
        SqlType::Varchar(32),
        "job name (operations.md §0.2)",
    )
    .req(
        "IS_ENABLED",
        SqlType::SmallInt,
        "1 = the scheduler launches the job",
    )
    .col(
        "NEXT_SCHEDULED_TIME",
        SqlType::Timestamp,
        "next launch, UTC; NULL when none is due",
    )
    .req("UPDATED_TS", SqlType::Integer, "last update, epoch seconds")
    .pk(&["JOB_NAME"])
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

/// The control and staging tables, in creation order.
pub fn tables() -> Vec<TableDef> {
    vec![
        ctl_schema_info(),
        ctl_processing_status(),
        ctl_ds(),
        ctl_audit_log(),
        ctl_etl_history(),
        ctl_job_schedule(),
        ctl_extract_history(),
        ctl_transform_history(),
        ctl_hwm(),
        stg_transform_discards(),
        stg_idb_fk_violation(),
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
