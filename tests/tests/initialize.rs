//! Job_InitializeGIM against real PostgreSQL and SQLite Info Marts: the full schema, seeded
//! dimensions, calendar, partitions, CTL_SCHEMA_INFO, history; idempotent re-runs; the IDB
//! extraction indexes.

use std::sync::Arc;

use tidemark::config::Config;
use tidemark::jobs::{names, runner, Trigger};
use tidemark_schemas::{ddl, idb, mart};
use tidemark_sinks::database::{self, Database};
use tidemark_tests::{fresh_postgres, fresh_sqlite};
use tokio_util::sync::CancellationToken;

/// An Info Mart, one DAP of every domain, and a custom local-time calendar.
fn config_with(infomart_url: &str, idb_url: &str, dir: &std::path::Path) -> Arc<Config> {
    let text = format!(
        "[infomart]\nurl = \"{infomart_url}\"\n\n[gidb]\nurl = \"{}\"\n\n\
         [date-time-local]\ndate-time-tz = \"Europe/Berlin\"\ndate-time-table-name = \"DATE_TIME_LOCAL\"\n\n\
         [[dap]]\nname = \"idb\"\nrole = \"ICON_CFG,ICON_CORE,ICON_MM,ICON_OCS\"\nurl = \"{idb_url}\"\n",
        dir.join("gidb").display()
    );
    Arc::new(Config::from_toml_str(&text).expect("test configuration is valid"))
}

async fn initialize(config: &Arc<Config>) -> runner::RunReport {
    let mut reports = runner::run_job(
        config.clone(),
        names::INITIALIZE,
        Trigger::Manual,
        CancellationToken::new(),
    )
    .await
    .expect("Job_InitializeGIM runs");
    assert_eq!(reports.len(), 1);
    reports.remove(0)
}

/// Creates the IDB tables of every domain without their extraction indexes.
async fn bare_idb(url: &str) -> Box<dyn Database> {
    let db = database::connect(url).await.unwrap();
    let statements: Vec<String> = idb::tables()
        .iter()
        .map(|t| ddl::create_table(t, db.dialect()))
        .collect();
    db.execute_all(&statements).await.unwrap();
    db
}

/// Extraction indexes of the tables the demo DAP (all four domains) reads.
fn extraction_index_count() -> usize {
    idb::tables()
        .iter()
        .filter(|t| t.extraction.is_some())
        .map(|t| t.indexes.len())
        .sum()
}

async fn check_initialized(db: &dyn Database, history_rows: usize) {
    let version = db
        .query_strings("select schema_version from ctl_schema_info where schema_name = 'INFOMART'")
        .await
        .unwrap();
    assert_eq!(
        version,
        vec![tidemark_schemas::INFOMART_SCHEMA_VERSION.to_string()]
    );
    for table in mart::tables() {
        assert!(
            db.table_exists(&table.sql_name()).await.unwrap(),
            "{} missing",
            table.name
        );
    }
    for view in mart::views() {
        db.query(&format!("select * from {}", view.sql_name()))
            .await
            .unwrap();
    }
    for (table, batch) in mart::seed::seed_batches(1) {
        let n = db
            .query_i64(&format!("select count(*) from {}", table.sql_name()))
            .await
            .unwrap();
        assert_eq!(n, batch.num_rows() as i64, "seed rows of {}", table.name);
    }
    let sentinel = db
        .query_i64("select count(*) from date_time where date_time_key = 2145916800")
        .await
        .unwrap();
    assert_eq!(sentinel, 1);
    // Every quarter-hour from the first key to the last real key is present exactly once.
    let min = db
        .query_i64("select min(date_time_key) from date_time")
        .await
        .unwrap();
    let max = db
        .query_i64("select max(date_time_key) from date_time where date_time_key < 2145916800")
        .await
        .unwrap();
    let n = db
        .query_i64("select count(*) from date_time where date_time_key < 2145916800")
        .await
        .unwrap();
    assert_eq!((max - min) / 900 + 1, n);
    // The custom calendar has the same keys; its roll-ups follow Berlin local time.
    let local_rows = db
        .query_i64("select count(*) from date_time_local where date_time_key < 2145916800")
        .await
        .unwrap();
    assert!(local_rows > 35_000, "{local_rows}");
    let berlin_day = db
        .query_i64("select date_time_day_key from date_time_local where date_time_key = 1767225600") // 2026-01-01 00:00 UTC
        .await
        .unwrap();
    assert_eq!(berlin_day, 1_767_222_000); // 2025-12-31 23:00 UTC = 2026-01-01 00:00 in Berlin
    let states = db
        .query_strings("select table_name from ctl_calendar_state order by table_name")
        .await
        .unwrap();
    assert_eq!(
        states,
        vec!["DATE_TIME".to_string(), "DATE_TIME_LOCAL".to_string()]
    );
    let status = db
        .query_strings("select status from ctl_etl_history where job_name = 'Job_InitializeGIM' order by start_time")
        .await
        .unwrap();
    assert_eq!(status.len(), history_rows);
    assert!(status.iter().all(|s| s == "COMPLETE"), "{status:?}");
}

#[tokio::test]
async fn initializes_sqlite_infomart_once() {
    let dir = tempfile::tempdir().unwrap();
    let mart_db = fresh_sqlite();
    let idb_db = fresh_sqlite();
    let idb = bare_idb(&idb_db.url).await;
    let config = config_with(&mart_db.url, &idb_db.url, dir.path());

    let first = initialize(&config).await;
    assert!(first.outcome.changed);
    let db = database::connect(&mart_db.url).await.unwrap();
    check_initialized(db.as_ref(), 1).await;
    let expected = extraction_index_count();
    assert!(
        first
            .outcome
            .messages
            .iter()
            .any(|m| m.contains(&format!("0 extraction indexes present, {expected} created"))),
        "{:?}",
        first.outcome.messages
    );
    let g_call_indexes = idb.index_names("g_call").await.unwrap();
    for ix in &idb::table("G_CALL").unwrap().indexes {
        assert!(g_call_indexes.contains(&ix.name), "{} not created", ix.name);
    }
    let date_rows = db
        .query_i64("select count(*) from date_time")
        .await
        .unwrap();

    let second = initialize(&config).await;
    assert!(!second.outcome.changed, "{:?}", second.outcome.messages);
    assert!(second.outcome.messages[0].contains("already initialized"));
    assert!(second
        .outcome
        .messages
        .iter()
        .any(|m| m.contains(&format!("{expected} extraction indexes present, 0 created"))));
    check_initialized(db.as_ref(), 2).await;
    assert_eq!(
        db.query_i64("select count(*) from date_time")
            .await
            .unwrap(),
        date_rows
    );
    assert_eq!(
        db.query_i64("select count(*) from ctl_schema_info")
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn initializes_partitioned_postgres_infomart() {
    let dir = tempfile::tempdir().unwrap();
    let mart_db = fresh_postgres().await;
    let idb_db = fresh_postgres().await;
    bare_idb(&idb_db.url).await;
    let config = config_with(&mart_db.url, &idb_db.url, dir.path());

    let first = initialize(&config).await;
    assert!(first.outcome.changed);
    let db = database::connect(&mart_db.url).await.unwrap();
    check_initialized(db.as_ref(), 1).await;
    assert_eq!(
        db.query_i64("select partitioned from ctl_schema_info")
            .await
            .unwrap(),
        1
    );

    // Every partitioned table is partitioned in the catalog, today … today + ahead, daily.
    let expected_parts = config.gim_etl.partitioning_ahead_range as i64 + 1;
    let partitioned: Vec<_> = mart::tables()
        .iter()
        .filter(|t| t.partition_key.is_some())
        .collect();
    assert!(
        partitioned.len() >= 12,
        "facts and control tables are partitioned"
    );
    for table in &partitioned {
        let parts = db
            .query_i64(&format!(
                "select count(*) from pg_inherits i join pg_class p on p.oid = i.inhparent where p.relname = '{}'",
                table.sql_name()
            ))
            .await
            .unwrap();
        assert_eq!(parts, expected_parts, "partitions of {}", table.name);
    }
    let info = db
        .query_i64("select count(*) from ctl_partition_info")
        .await
        .unwrap();
    assert_eq!(info, partitioned.len() as i64 * expected_parts);

    let second = initialize(&config).await;
    assert!(!second.outcome.changed);
    check_initialized(db.as_ref(), 2).await;
    assert_eq!(
        db.query_i64("select count(*) from ctl_partition_info")
            .await
            .unwrap(),
        info
    );
}

#[tokio::test]
async fn unknown_job_names_the_job_and_lists_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with(&fresh_sqlite().url, &fresh_sqlite().url, dir.path());
    let err = runner::run_job(
        config,
        "Job_NoSuchJob",
        Trigger::Manual,
        CancellationToken::new(),
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("Job_NoSuchJob") && text.contains("Job_InitializeGIM"),
        "{text}"
    );
}

#[tokio::test]
async fn creates_only_the_missing_extraction_indexes_in_a_mariadb_idb() {
    let dir = tempfile::tempdir().unwrap();
    let mart_db = fresh_sqlite();
    let idb_db = tidemark_tests::fresh_mysql().await;
    let idb = bare_idb(&idb_db.url).await;
    let config = config_with(&mart_db.url, &idb_db.url, dir.path());
    let expected = extraction_index_count();

    let first = initialize(&config).await;
    assert!(
        first
            .outcome
            .messages
            .iter()
            .any(|m| m.contains(&format!("0 extraction indexes present, {expected} created"))),
        "{:?}",
        first.outcome.messages
    );

    // An operator dropped one index: the next run puts back exactly that one.
    let table = idb::table("G_PARTY_HISTORY").unwrap();
    let dropped = &table.indexes[0].name;
    idb.execute(&format!("drop index {dropped} on {}", table.sql_name()))
        .await
        .unwrap();
    assert!(!idb
        .index_names(&table.sql_name())
        .await
        .unwrap()
        .contains(dropped));
    let second = initialize(&config).await;
    assert!(second.outcome.changed, "re-creating an index is a change");
    assert!(
        second.outcome.messages.iter().any(|m| m.contains(&format!(
            "{} extraction indexes present, 1 created",
            expected - 1
        ))),
        "{:?}",
        second.outcome.messages
    );
    assert!(idb
        .index_names(&table.sql_name())
        .await
        .unwrap()
        .contains(dropped));
}

#[tokio::test]
async fn a_run_killed_before_it_finished_is_completed_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let mart_db = fresh_sqlite();
    let config = config_with(&mart_db.url, &fresh_sqlite().url, dir.path());
    initialize(&config).await;
    let db = database::connect(&mart_db.url).await.unwrap();
    let calendar_rows = db
        .query_i64("select count(*) from date_time")
        .await
        .unwrap();
    let descriptors = db
        .query_i64("select count(*) from technical_descriptor")
        .await
        .unwrap();

    // The state a kill leaves after the seeds but before the calendar and CTL_SCHEMA_INFO.
    db.execute_all(&[
        "delete from date_time".to_string(),
        "delete from ctl_calendar_state".to_string(),
        "delete from ctl_schema_info".to_string(),
    ])
    .await
    .unwrap();

    let resumed = initialize(&config).await;
    assert!(resumed.outcome.changed);
    check_initialized(db.as_ref(), 2).await;
    assert_eq!(
        db.query_i64("select count(*) from date_time")
            .await
            .unwrap(),
        calendar_rows
    );
    assert_eq!(
        db.query_i64("select count(*) from technical_descriptor")
            .await
            .unwrap(),
        descriptors,
        "seeds are not written twice"
    );
}
