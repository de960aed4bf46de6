//! `Database::write_all` against the real servers: SQL, inserts and upserts commit in one
//! transaction, an upsert keeps its `keep` columns, a failing step rolls every earlier step
//! back, and repeating an upsert changes nothing.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{Field, Schema};
use tidemark_schemas::ddl::{create_partition, create_table_with_indexes};
use tidemark_schemas::{Dialect, SqlType, TableDef, TableFamily};
use tidemark_sinks::database::{Database, DatabaseError, WriteStep};
use tidemark_tests::TestDb;

/// A dimension as the transform job writes it: audit keys of the insert and the last update.
fn resource() -> TableDef {
    TableDef::new("TM_RESOURCE", TableFamily::MartDimension, "test dimension")
        .req("RESOURCE_KEY", SqlType::BigInt, "key")
        .col("RESOURCE_NAME", SqlType::Varchar(64), "name")
        .col(
            "RESOURCE_STATE",
            SqlType::Varchar(16),
            "not in the upsert batches",
        )
        .default_value("'ACTIVE'")
        .req(
            "CREATE_AUDIT_KEY",
            SqlType::BigInt,
            "audit key of the insert",
        )
        .req(
            "UPDATE_AUDIT_KEY",
            SqlType::BigInt,
            "audit key of the last update",
        )
        .pk(&["RESOURCE_KEY"])
}

/// A fact with a NOT NULL column the failing steps leave empty.
fn fact() -> TableDef {
    TableDef::new("TM_FACT", TableFamily::MartControl, "test fact")
        .req("FACT_ID", SqlType::BigInt, "key")
        .req("RESOURCE_KEY", SqlType::BigInt, "dimension key")
        .col("START_TS", SqlType::Timestamp, "start")
        .pk(&["FACT_ID"])
}

const CONTROL: &str = "create table tm_control (name varchar(32) primary key, hwm bigint)";

fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .expect("valid batch")
}

/// Resources `(key, name)` written under one audit key (both audit columns).
fn resources(rows: &[(i64, &str)], audit_key: i64) -> RecordBatch {
    let keys: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let names: Vec<&str> = rows.iter().map(|r| r.1).collect();
    let audit = vec![audit_key; rows.len()];
    batch(vec![
        (
            "update_audit_key",
            Arc::new(Int64Array::from(audit.clone())),
        ),
        ("RESOURCE_KEY", Arc::new(Int64Array::from(keys))),
        ("resource_name", Arc::new(StringArray::from(names))),
        ("create_audit_key", Arc::new(Int64Array::from(audit))),
    ])
}

fn upsert(batch: RecordBatch) -> WriteStep {
    WriteStep::Upsert {
        table: resource(),
        batch,
        keep: vec!["CREATE_AUDIT_KEY".into()],
    }
}

/// Facts `(id, resource key)`; a `None` resource key violates NOT NULL.
fn facts(rows: &[(i64, Option<i64>)]) -> WriteStep {
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let keys: Vec<Option<i64>> = rows.iter().map(|r| r.1).collect();
    // 2024-03-01 00:00:00 plus the id in seconds.
    let starts: Vec<i64> = ids
        .iter()
        .map(|id| 1_709_251_200_000_000 + id * 1_000_000)
        .collect();
    WriteStep::Insert {
        table: fact(),
        batch: batch(vec![
            ("fact_id", Arc::new(Int64Array::from(ids))),
            ("resource_key", Arc::new(Int64Array::from(keys))),
            (
                "start_ts",
                Arc::new(TimestampMicrosecondArray::from(starts)),
            ),
        ]),
    }
}

async fn create_tables(db: &dyn Database) {
    let mut ddl = create_table_with_indexes(&resource(), db.dialect());
    ddl.extend(create_table_with_indexes(&fact(), db.dialect()));
    for sql in ddl.iter().chain([&CONTROL.to_owned()]) {
        db.execute(sql).await.expect("creates a test table");
    }
}

/// Every row of the query, values joined by `|`.
async fn rows(db: &dyn Database, sql: &str) -> Vec<String> {
    db.query(sql)
        .await
        .expect("reads")
        .iter()
        .map(|row| {
            row.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

const RESOURCES: &str = "select resource_key, resource_name, resource_state, create_audit_key, \
                         update_audit_key from tm_resource order by resource_key";
const FACTS: &str = "select fact_id, resource_key, start_ts from tm_fact order by fact_id";
const CONTROLS: &str = "select name, hwm from tm_control order by name";

async fn mixed_steps_commit_together(test_db: TestDb) {
    let db = test_db.connect().await;
    create_tables(db.as_ref()).await;
    let affected = db
        .write_all(vec![
            WriteStep::Sql("insert into tm_control values ('transform', 10)".into()),
            upsert(resources(&[(1, "alice"), (2, "bob")], 7)),
            facts(&[(100, Some(1)), (101, Some(2))]),
            WriteStep::Insert {
                table: fact(),
                batch: RecordBatch::new_empty(fact().arrow_schema()),
            },
            // The same table twice in one transaction: the second upsert updates a row the
            // first one inserted.
            upsert(resources(&[(2, "bobby"), (3, "carol")], 8)),
            WriteStep::Sql("update tm_control set hwm = 20 where name = 'transform'".into()),
        ])
        .await
        .expect("commits");
    let bob_updated = if db.dialect() == Dialect::MySql { 3 } else { 2 };
    assert_eq!(affected, [0, 2, 2, 0, bob_updated, 0]);
    assert_eq!(
        rows(db.as_ref(), RESOURCES).await,
        [
            "1|alice|ACTIVE|7|7",
            "2|bobby|ACTIVE|7|8",
            "3|carol|ACTIVE|8|8"
        ]
    );
    assert_eq!(
        rows(db.as_ref(), FACTS).await,
        ["100|1|2024-03-01 00:01:40", "101|2|2024-03-01 00:01:41"]
    );
    assert_eq!(rows(db.as_ref(), CONTROLS).await, ["transform|20"]);
}

async fn upsert_keeps_keep_columns(test_db: TestDb) {
    let db = test_db.connect().await;
    create_tables(db.as_ref()).await;
    db.write_all(vec![upsert(resources(&[(1, "alice"), (2, "bob")], 7))])
        .await
        .expect("inserts");
    db.execute("update tm_resource set resource_state = 'RETIRED' where resource_key = 2")
        .await
        .expect("marks bob");
    db.write_all(vec![upsert(resources(&[(2, "robert"), (4, "dave")], 9))])
        .await
        .expect("upserts");
    assert_eq!(
        rows(db.as_ref(), RESOURCES).await,
        [
            "1|alice|ACTIVE|7|7",
            // The name and update audit key change; the create audit key is kept, and the
            // state, which the batch does not hold, keeps its stored value.
            "2|robert|RETIRED|7|9",
            "4|dave|ACTIVE|9|9"
        ]
    );
}

async fn failing_step_rolls_back_every_step(test_db: TestDb) {
    let db = test_db.connect().await;
    create_tables(db.as_ref()).await;
    db.write_all(vec![
        upsert(resources(&[(1, "alice")], 7)),
        WriteStep::Sql("insert into tm_control values ('transform', 10)".into()),
    ])
    .await
    .expect("commits the starting rows");

    let err = db
        .write_all(vec![
            WriteStep::Sql("update tm_control set hwm = 20".into()),
            upsert(resources(&[(1, "alicia"), (2, "bob")], 8)),
            facts(&[(100, Some(1))]),
            facts(&[(101, Some(2)), (102, None)]),
        ])
        .await
        .expect_err("resource_key is NOT NULL");
    assert!(
        matches!(err, DatabaseError::Step { number: 4, .. }),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.starts_with("insert into tm_fact (step 4 of 4, transaction rolled back)"),
        "{message}"
    );
    assert!(message.contains("resource_key"), "{message}");
    assert_eq!(rows(db.as_ref(), RESOURCES).await, ["1|alice|ACTIVE|7|7"]);
    assert!(rows(db.as_ref(), FACTS).await.is_empty());
    assert_eq!(rows(db.as_ref(), CONTROLS).await, ["transform|10"]);

    if db.dialect() != Dialect::MySql {
        // PostgreSQL and SQLite roll DDL back too; MySQL commits it implicitly.
        db.write_all(vec![
            WriteStep::Sql("create table tm_new (a integer)".into()),
            upsert(resources(&[(2, "bob")], 8)),
            upsert(batch(vec![
                ("resource_key", Arc::new(Int64Array::from(vec![3]))),
                ("create_audit_key", Arc::new(Int64Array::from(vec![None]))),
                ("update_audit_key", Arc::new(Int64Array::from(vec![8]))),
            ])),
        ])
        .await
        .expect_err("create_audit_key is NOT NULL");
        assert!(!db.table_exists("tm_new").await.expect("looks up"));
        assert_eq!(rows(db.as_ref(), RESOURCES).await, ["1|alice|ACTIVE|7|7"]);
    }

    // The connection is usable after the rollback.
    db.write_all(vec![facts(&[(100, Some(1))])])
        .await
        .expect("commits after a rollback");
    assert_eq!(
        rows(db.as_ref(), FACTS).await,
        ["100|1|2024-03-01 00:01:40"]
    );
}

async fn repeated_upsert_leaves_the_same_rows(test_db: TestDb) {
    let db = test_db.connect().await;
    create_tables(db.as_ref()).await;
    let steps = || {
        vec![upsert(resources(
            &[(1, "alice"), (2, "bob"), (3, "carol")],
            7,
        ))]
    };
    db.write_all(steps()).await.expect("first run");
    let first = rows(db.as_ref(), RESOURCES).await;
    assert_eq!(first.len(), 3);
    let again = db.write_all(steps()).await.expect("second run");
    // MySQL counts a row an update leaves unchanged as not affected.
    let unchanged = if db.dialect() == Dialect::MySql { 0 } else { 3 };
    assert_eq!(again, [unchanged]);
    assert_eq!(rows(db.as_ref(), RESOURCES).await, first);
}

/// Resources `key → name-<key>-<audit>` for every key of `keys`, under one audit key.
fn many_resources(keys: std::ops::RangeInclusive<i64>, audit_key: i64) -> RecordBatch {
    let names: Vec<String> = keys.clone().map(|k| format!("n{k}-{audit_key}")).collect();
    let rows: Vec<(i64, &str)> = keys.zip(names.iter().map(String::as_str)).collect();
    resources(&rows, audit_key)
}

/// A large upsert whose first rows are stored and whose last rows are new: the stored ones
/// are updated (keeping their `keep` columns), the new ones added, none twice; a later
/// upsert of new rows into the same table is written too.
async fn large_upsert_over_stored_rows(test_db: TestDb) {
    let db = test_db.connect().await;
    create_tables(db.as_ref()).await;
    let count = "select count(*), count(distinct resource_key) from tm_resource";
    db.write_all(vec![upsert(many_resources(1..=20_000, 7))])
        .await
        .expect("first rows");
    let written = db
        .write_all(vec![
            upsert(many_resources(10_001..=30_000, 8)),
            upsert(many_resources(30_001..=30_010, 9)),
        ])
        .await
        .expect("upserts over stored rows");
    // MySQL counts an updated row twice.
    let updated = if db.dialect() == Dialect::MySql { 2 } else { 1 };
    assert_eq!(written, [10_000 * updated + 10_000, 10]);
    assert_eq!(rows(db.as_ref(), count).await, ["30010|30010"]);
    let sample = "select resource_key, resource_name, create_audit_key, update_audit_key \
                  from tm_resource where resource_key in (1, 10001, 20000, 30000, 30010) \
                  order by resource_key";
    assert_eq!(
        rows(db.as_ref(), sample).await,
        [
            "1|n1-7|7|7",
            "10001|n10001-8|7|8",
            "20000|n20000-8|7|8",
            "30000|n30000-8|8|8",
            "30010|n30010-9|9|9",
        ]
    );
}

/// PostgreSQL facts are range-partitioned: the conflict target is the primary key plus the
/// partition key, and staged rows are routed to their partition.
#[tokio::test]
async fn postgres_upserts_into_partitioned_facts() {
    let test_db = tidemark_tests::fresh_postgres().await;
    let db = test_db.connect().await;
    let table = TableDef::new("TM_PART_FACT", TableFamily::MartFact, "partitioned fact")
        .req("FACT_ID", SqlType::BigInt, "key")
        .req("START_DATE_TIME_KEY", SqlType::BigInt, "partition key")
        .col("STATE", SqlType::Varchar(16), "state")
        .pk(&["FACT_ID"])
        .partition_by("START_DATE_TIME_KEY");
    let mut ddl = create_table_with_indexes(&table, Dialect::Postgres);
    ddl.push(create_partition(&table, 0, 100));
    ddl.push(create_partition(&table, 100, 200));
    db.execute_all(&ddl).await.expect("creates");
    let step = |states: [&str; 2]| WriteStep::Upsert {
        table: table.clone(),
        batch: batch(vec![
            ("fact_id", Arc::new(Int64Array::from(vec![1, 2]))),
            (
                "start_date_time_key",
                Arc::new(Int64Array::from(vec![50, 150])),
            ),
            ("state", Arc::new(StringArray::from(states.to_vec()))),
        ]),
        keep: vec![],
    };
    db.write_all(vec![step(["NEW", "NEW"]), step(["OPEN", "DONE"])])
        .await
        .expect("upserts");
    assert_eq!(
        rows(
            db.as_ref(),
            "select tableoid::regclass::text, fact_id, state from tm_part_fact order by fact_id"
        )
        .await,
        ["tm_part_fact_p19700101|1|OPEN", "tm_part_fact_k100|2|DONE"]
    );
}

/// One test per flavour for each check: `postgres::<check>`, `mysql::<check>`, `sqlite::<check>`.
macro_rules! on_every_flavour {
    ($($test:ident),* $(,)?) => {
        on_every_flavour!(@flavour postgres, tidemark_tests::fresh_postgres().await, $($test),*);
        on_every_flavour!(@flavour mysql, tidemark_tests::fresh_mysql().await, $($test),*);
        on_every_flavour!(@flavour sqlite, tidemark_tests::fresh_sqlite(), $($test),*);
    };
    (@flavour $flavour:ident, $fresh:expr, $($test:ident),*) => {
        mod $flavour {
            $(#[tokio::test] async fn $test() { super::$test($fresh).await })*
        }
    };
}

on_every_flavour!(
    mixed_steps_commit_together,
    large_upsert_over_stored_rows,
    upsert_keeps_keep_columns,
    failing_step_rolls_back_every_step,
    repeated_upsert_leaves_the_same_rows,
);
