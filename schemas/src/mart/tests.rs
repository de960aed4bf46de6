//! Structural checks of the Info Mart model and a run of its DDL and views on SQLite.

use std::collections::HashSet;

use rusqlite::Connection;

use super::{create_statements, table, tables, views};
use crate::ddl::{self, Dialect};
use crate::table::{SqlType, TableFamily};

/// The tables the specs name (infomart.md §2–3, operations.md §2), plus CTL_JOB_SCHEDULE.
const REQUIRED: &[&str] = &[
    "INTERACTION_FACT",
    "INTERACTION_RESOURCE_FACT",
    "MEDIATION_SEGMENT_FACT",
    "IXN_RESOURCE_STATE_FACT",
    "SM_RES_SESSION_FACT",
    "SM_RES_STATE_FACT",
    "SM_RES_STATE_REASON_FACT",
    "SM_MEDIA_NEUTRAL_STATE_FACT",
    "CONTACT_ATTEMPT_FACT",
    "CAMPAIGN_GROUP_STATE_FACT",
    "CAMPAIGN_GROUP_SESSION_FACT",
    "CALLING_LIST_METRIC_FACT",
    "IRF_USER_DATA_KEYS",
    "IRF_USER_DATA_GEN_1",
    "IRF_USER_DATA_CUST_1",
    "RESOURCE_GROUP_FACT_",
    "RESOURCE_SKILL_FACT_",
    "PLACE_GROUP_FACT_",
    "GROUP_TO_CAMPAIGN_FACT_",
    "CALLING_LIST_TO_CAMP_FACT_",
    "GROUP_ANNEX",
    "RESOURCE_ANNEX",
    "DATE_TIME",
    "TENANT",
    "RESOURCE_",
    "GROUP_",
    "RESOURCE_GROUP_COMBINATION",
    "SKILL",
    "PLACE",
    "MEDIA_TYPE",
    "INTERACTION_TYPE",
    "INTERACTION_DESCRIPTOR",
    "USER_DATA_CUST_DIM_1",
    "USER_DATA_GEN_DIM_1",
    "USER_DATA_GEN_DIM_2",
    "STRATEGY",
    "REQUESTED_SKILL",
    "ROUTING_TARGET",
    "TECHNICAL_DESCRIPTOR",
    "RESOURCE_STATE",
    "RESOURCE_STATE_REASON",
    "INTERACTION_RESOURCE_STATE",
    "ANCHOR_FLAGS",
    "WORKBIN",
    "TIME_ZONE",
    "CAMPAIGN",
    "CALLING_LIST",
    "CAMPAIGN_GROUP_STATE",
    "CALL_RESULT",
    "ATTEMPT_DISPOSITION",
    "CONTACT_INFO_TYPE",
    "DIALING_MODE",
    "RECORD_STATUS",
    "RECORD_TYPE",
    "CTL_AUDIT_LOG",
    "CTL_ETL_HISTORY",
    "CTL_EXTRACT_HISTORY",
    "CTL_TRANSFORM_HISTORY",
    "CTL_HWM",
    "CTL_SCHEMA_INFO",
    "STG_TRANSFORM_DISCARDS",
    "STG_IDB_FK_VIOLATION",
    "CTL_DS",
    "CTL_PURGE_HISTORY",
    "CTL_PARTITION_INFO",
    "CTL_GDPR_HISTORY",
    "CTL_GDPR_REQUEST",
    "CTL_EXPORT_HISTORY",
    "CTL_CALENDAR_STATE",
    "CTL_PROCESSING_STATUS",
    "CTL_AGG_THRESHOLD_OVERRIDE",
    "CTL_UD_TO_UDE_MAPPING",
    "CTL_UDE_KEYS_TO_DIM_MAPPING",
    "CTL_JOB_SCHEDULE",
];

/// Control tables operations.md §2 says are partitioned, with their partition key.
const PARTITIONED_CONTROL: &[(&str, &str)] = &[
    ("CTL_AUDIT_LOG", "CREATED_TS"),
    ("CTL_EXTRACT_HISTORY", "CREATED_TS"),
    ("CTL_TRANSFORM_HISTORY", "CREATED_TS"),
    ("STG_TRANSFORM_DISCARDS", "ETL_TS"),
];

#[test]
fn every_required_table_exists() {
    let missing: Vec<_> = REQUIRED.iter().filter(|n| table(n).is_none()).collect();
    assert!(missing.is_empty(), "missing {missing:?}");
}

#[test]
fn table_view_index_and_column_names_are_unique() {
    let mut objects = HashSet::new();
    for name in tables()
        .iter()
        .map(|t| t.sql_name())
        .chain(views().iter().map(|v| v.sql_name()))
    {
        assert!(objects.insert(name.clone()), "{name} defined twice");
    }
    for t in tables() {
        for ix in &t.indexes {
            assert!(objects.insert(ix.name.clone()), "index {} clashes", ix.name);
        }
        let mut columns = HashSet::new();
        for c in &t.columns {
            assert!(
                columns.insert(&c.name),
                "{}.{} defined twice",
                t.name,
                c.name
            );
            assert_eq!(c.name, c.name.to_ascii_uppercase());
        }
    }
}

#[test]
fn keys_and_indexes_name_existing_columns_and_keys_are_not_null() {
    for t in tables() {
        assert!(!t.primary_key.is_empty(), "{} has no primary key", t.name);
        for key in &t.primary_key {
            let column = t
                .column(key)
                .unwrap_or_else(|| panic!("{}: key column {key} missing", t.name));
            assert!(
                !column.nullable,
                "{}.{key} is in the key but nullable",
                t.name
            );
        }
        for ix in &t.indexes {
            for c in &ix.columns {
                assert!(
                    t.column(c).is_some(),
                    "{}: index {} names missing {c}",
                    t.name,
                    ix.name
                );
            }
        }
    }
}

#[test]
fn partitioned_tables_range_over_a_not_null_integer_column() {
    for t in tables() {
        let Some(key) = &t.partition_key else {
            continue;
        };
        let column = t
            .column(key)
            .unwrap_or_else(|| panic!("{}: partition column {key} missing", t.name));
        assert!(
            matches!(
                column.sql_type,
                SqlType::SmallInt | SqlType::Integer | SqlType::BigInt
            ),
            "{}.{key} is not an integer",
            t.name
        );
        assert!(!column.nullable, "{}.{key} is nullable", t.name);
    }
}

#[test]
fn facts_and_history_tables_are_partitioned_and_nothing_else() {
    for t in tables() {
        let expected = match t.family {
            TableFamily::MartFact => Some("START_DATE_TIME_KEY"),
            _ => PARTITIONED_CONTROL
                .iter()
                .find(|(n, _)| *n == t.name)
                .map(|(_, k)| *k),
        };
        assert_eq!(
            t.partition_key.as_deref(),
            expected,
            "partitioning of {}",
            t.name
        );
    }
}

#[test]
fn spec_types_map_as_decided() {
    let irf = table("INTERACTION_RESOURCE_FACT").unwrap();
    assert_eq!(
        irf.column("INTERACTION_RESOURCE_ID").unwrap().sql_type,
        SqlType::BigInt
    );
    assert_eq!(
        irf.column("CREATE_AUDIT_KEY").unwrap().sql_type,
        SqlType::BigInt
    );
    assert_eq!(
        irf.column("IRF_ANCHOR").unwrap().sql_type,
        SqlType::SmallInt
    );
    assert_eq!(irf.column("TALK_DURATION").unwrap().default, Some("0"));
    assert_eq!(
        irf.column("CONS_RCV_ACW_COUNT").unwrap().sql_type,
        SqlType::Integer
    );
    let ixn = table("INTERACTION_FACT").unwrap();
    assert_eq!(
        ixn.column("MEDIA_SERVER_IXN_ID").unwrap().sql_type,
        SqlType::Numeric(20, 0)
    );
    assert_eq!(
        ixn.column("SUBJECT").unwrap().sql_type,
        SqlType::Varchar(1024)
    );
    assert!(ixn.column("END_DATE_TIME_KEY").unwrap().nullable);
    let keys = table("IRF_USER_DATA_KEYS").unwrap();
    assert_eq!(keys.column("CREATE_AUDIT_KEY").unwrap().default, Some("-1"));
    assert_eq!(keys.column("UPDATE_AUDIT_KEY").unwrap().default, Some("0"));
    let audit = table("CTL_AUDIT_LOG").unwrap();
    assert_eq!(
        audit.column("CREATED").unwrap().sql_type,
        SqlType::Timestamp
    );
    assert_eq!(
        table("CONTACT_ATTEMPT_FACT")
            .unwrap()
            .column("RECORD_FIELD_60")
            .unwrap()
            .sql_type,
        SqlType::Varchar(255)
    );
}

#[test]
fn postgres_identifiers_fit_in_63_bytes() {
    let day = 1_764_288_000; // a day-aligned key gives the longer `_pYYYYMMDD` partition name
    for t in tables() {
        assert!(t.sql_name().len() <= 63, "{}", t.name);
        for ix in &t.indexes {
            assert!(ix.name.len() <= 63, "{}", ix.name);
        }
        if t.partition_key.is_some() {
            assert!(ddl::partition_name(t, day).len() <= 63, "{}", t.name);
        }
    }
}

#[test]
fn only_postgres_ddl_partitions() {
    let mut partitioned = 0;
    for t in tables() {
        let pg = ddl::create_table(t, Dialect::Postgres);
        let lite = ddl::create_table(t, Dialect::Sqlite);
        assert!(!lite.contains("partition by"), "{lite}");
        if let Some(key) = &t.partition_key {
            partitioned += 1;
            assert!(
                pg.contains(&format!(
                    "partition by range ({})",
                    key.to_ascii_lowercase()
                )),
                "{pg}"
            );
            assert!(pg.contains(&key.to_ascii_lowercase()));
        } else {
            assert!(!pg.contains("partition by"), "{pg}");
        }
    }
    assert!(partitioned >= 26, "{partitioned} partitioned tables");
}

/// An in-memory SQLite Info Mart with every table and view.
fn sqlite_mart() -> Connection {
    let db = Connection::open_in_memory().unwrap();
    for statement in create_statements(Dialect::Sqlite) {
        db.execute_batch(&statement)
            .unwrap_or_else(|e| panic!("{e}: {statement}"));
    }
    db
}

#[test]
fn schema_and_views_run_on_sqlite() {
    let db = sqlite_mart();
    for t in tables() {
        let n: i64 = db
            .query_row(&format!("select count(*) from {}", t.sql_name()), [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 0);
    }
    for v in views() {
        let sql = format!("select * from {}", v.sql_name());
        let mut statement = db
            .prepare(&sql)
            .unwrap_or_else(|e| panic!("{e}: {}", v.select));
        let rows = statement.query_map([], |_| Ok(())).unwrap().count();
        let expected = if v.name == "ADMIN_ETL_LATENCY" { 6 } else { 0 };
        assert_eq!(rows, expected, "{}", v.name);
    }
}

#[test]
fn postgres_views_bring_their_clock_function() {
    let latency = views()
        .iter()
        .find(|v| v.name == "ADMIN_ETL_LATENCY")
        .unwrap();
    let pg = ddl::create_view(latency, Dialect::Postgres);
    assert!(
        pg.starts_with("create or replace function unixepoch()"),
        "{pg}"
    );
    let lite = ddl::create_view(latency, Dialect::Sqlite);
    assert!(
        lite.starts_with("create view if not exists admin_etl_latency as"),
        "{lite}"
    );
    let history = views()
        .iter()
        .find(|v| v.name == "ADMIN_ETL_JOB_HISTORY")
        .unwrap();
    assert!(ddl::create_view(history, Dialect::Postgres).starts_with("create or replace view"));
}

/// LAST_JOB_ID, LAST_STATUS, LAST_SUCCESS_END_TIME, NEXT_SCHEDULED_TIME, IS_ENABLED.
type JobStatus = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

#[test]
fn job_status_shows_latest_run_last_success_and_schedule() {
    let db = sqlite_mart();
    db.execute_batch(
        "insert into ctl_etl_history (job_id, job_name, job_version, status, trigger_type, start_time, end_time, created_ts) values \
         ('a', 'Job_TransformGIM', 'v', 'COMPLETE', 'SCHEDULED', '2026-01-01 10:00:00', '2026-01-01 10:01:00', 1), \
         ('b', 'Job_TransformGIM', 'v', 'FAILED', 'SCHEDULED', '2026-01-01 11:00:00', '2026-01-01 11:02:00', 2), \
         ('c', 'Job_ExtractICON', 'v', 'RUNNING', 'MANUAL', '2026-01-01 11:30:00', null, 3); \
         insert into ctl_job_schedule (job_name, is_enabled, next_scheduled_time, updated_ts) values \
         ('Job_TransformGIM', 1, '2026-01-01 12:00:00', 4), ('Job_MaintainGIM', 0, null, 4);",
    )
    .unwrap();
    let row = |job: &str| -> JobStatus {
        db.query_row(
            "select last_job_id, last_status, last_success_end_time, next_scheduled_time, is_enabled \
             from admin_etl_job_status where job_name = ?1",
            [job],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap()
    };
    let transform = row("Job_TransformGIM");
    assert_eq!(transform.0.as_deref(), Some("b"));
    assert_eq!(transform.1.as_deref(), Some("FAILED"));
    assert_eq!(transform.2.as_deref(), Some("2026-01-01 10:01:00"));
    assert_eq!(transform.3.as_deref(), Some("2026-01-01 12:00:00"));
    assert_eq!(transform.4, Some(1));
    assert_eq!(row("Job_ExtractICON").1.as_deref(), Some("RUNNING"));
    assert_eq!(row("Job_MaintainGIM"), (None, None, None, None, Some(0)));
}

#[test]
fn latency_reads_marks_per_functional_area() {
    let db = sqlite_mart();
    let now: i64 = db
        .query_row("select unixepoch()", [], |r| r.get(0))
        .unwrap();
    db.execute_batch(&format!(
        "insert into ctl_ds (data_source_key, data_source_type, ds_name, active_flag, last_data_ts) values \
         (1, 1, 'SIP_Switch', 1, {now}), (2, 4, 'confserv', 1, {now}), (3, 3, 'ocs', 0, 0), \
         (4, 2, 'ixn', 1, {now}); \
         insert into ctl_hwm (hwm_name, hwm_value, updated_ts, job_id) values \
         ('extract:1:G_CALL', {e1}, {now}, 'x'), ('extract:1:G_PARTY', {e2}, {now}, 'x'), \
         ('extract:4:G_INTERACTION', {e3}, {now}, 'x'), \
         ('extract:2:GC_AGENT', {e3}, {old}, 'x'), \
         ('transform:GIDB_G_IR_V', {t1}, {now}, 'x'), ('agg:H_AGENT', {a1}, {now}, 'x'), \
         ('transform:GIDB_GC_AGENT', {t2}, {old}, 'x');",
        e1 = now - 100,
        e2 = now - 200,
        e3 = now - 40_000,
        old = now - 40_000,
        t1 = now - 300,
        a1 = now - 3_600,
        t2 = now - 40_000,
    ))
    .unwrap();
    let area = |name: &str| -> (Option<i64>, Option<i64>, i64, String) {
        db.query_row(
            "select extract_latency_sec, transform_latency_sec, agg_latency_sec, status \
             from admin_etl_latency where functional_area = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
    };
    let voice = area("Voice");
    assert!((199..=201).contains(&voice.0.unwrap()), "{voice:?}");
    assert!((299..=301).contains(&voice.1.unwrap()), "{voice:?}");
    assert!((3_599..=3_601).contains(&voice.2), "{voice:?}");
    assert_eq!(voice.3, "OK");
    let config = area("Configuration");
    assert_eq!(config.3, "STUCK", "{config:?}");
    assert_eq!(area("Outbound").3, "IDLE");
    let multimedia = area("Multimedia");
    assert_eq!(
        (multimedia.1, multimedia.3.as_str()),
        (None, "STUCK"),
        "never transformed, extracted beyond the stuck threshold"
    );
    let stuck: i64 = db
        .query_row(
            "select stuck_flag from admin_data_source_status where data_source_key = 2",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stuck, 1);
}
