//! ETL bookkeeping and lineage tables (operations.md §2.1–§2.8, CTL_DS, CTL_PROCESSING_STATUS
//! of §2.9) and the scheduler's CTL_JOB_SCHEDULE. Timestamps hold UTC (operations.md §0.3).
//! The partitioned ones range over an epoch-seconds column, so their partition bounds are
//! epoch seconds like the DATE_TIME keys of the facts.

use crate::table::{SqlType, TableDef, TableFamily};

/// A control table.
pub(super) fn ctl(name: &str, doc: &'static str) -> TableDef {
    TableDef::new(name, TableFamily::MartControl, doc)
}

/// `JOB_ID varchar(64) M`: the run (→ CTL_ETL_HISTORY).
pub(super) fn job_id(table: TableDef) -> TableDef {
    table.req(
        "JOB_ID",
        SqlType::Varchar(64),
        "run that wrote the row (CTL_ETL_HISTORY.JOB_ID)",
    )
}

/// `CREATED_TS integer M`: epoch seconds of creation, the purge (and partition) key.
pub(super) fn created_ts(table: TableDef) -> TableDef {
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

/// The ETL bookkeeping, lineage and staging tables, in creation order.
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
    ]
}
