//! Database access against the real servers: every column type written from Arrow and read
//! back exactly, the catalog matching the Arrow schema, defaults for missing columns,
//! all-or-nothing statement lists, and clear refusals.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, Decimal128Array, Float64Array, Int16Array, Int32Array, Int64Array, LargeStringArray,
    RecordBatch, StringArray, TimestampMicrosecondArray, TimestampNanosecondArray,
};
use arrow::datatypes::{Field, Schema};
use chrono::NaiveDateTime;
use tidemark_schemas::catalog_types::arrow_type_of;
use tidemark_schemas::ddl::create_table_with_indexes;
use tidemark_schemas::{Dialect, SqlType, TableDef, TableFamily};
use tidemark_sinks::database::{Database, SqlValue};
use tidemark_tests::TestDb;

/// Just under 10^19: beyond 64 bits, inside `numeric(20,0)`.
const BIG: i128 = 9_999_999_999_999_999_999;

fn all_types() -> TableDef {
    TableDef::new(
        "TM_ALL_TYPES",
        TableFamily::MartControl,
        "one column of every SqlType",
    )
    .req("ID", SqlType::BigSerial, "key")
    .col("C_SMALL", SqlType::SmallInt, "smallint")
    .col("C_INT", SqlType::Integer, "integer")
    .col("C_BIG", SqlType::BigInt, "bigint")
    .col("C_DEC20", SqlType::Numeric(20, 0), "numeric(20,0)")
    .col("C_DEC12_4", SqlType::Numeric(12, 4), "numeric(12,4)")
    .col("C_NAME", SqlType::Varchar(64), "varchar")
    .col("C_NOTE", SqlType::Text, "text")
    .col("C_AT", SqlType::Timestamp, "timestamp")
    .col("C_RATIO", SqlType::Double, "double")
    .req("C_FLAG", SqlType::SmallInt, "flag with a default")
    .default_value("-1")
    .pk(&["ID"])
    .index("at", &["C_AT"])
}

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

fn decimals(values: Vec<Option<i128>>, precision: u8, scale: i8) -> ArrayRef {
    Arc::new(
        Decimal128Array::from(values)
            .with_precision_and_scale(precision, scale)
            .expect("valid decimal"),
    )
}

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").expect("valid timestamp")
}

fn micros(text: &str) -> i64 {
    at(text).and_utc().timestamp_micros()
}

async fn create(db: &dyn Database, table: &TableDef) {
    db.execute_all(&create_table_with_indexes(table, db.dialect()))
        .await
        .expect("creates the table");
}

const NAME: &str = "Zoë 日本語 🚀";
const NOTE: &str = "line 1\nline 2 'single' \"double\" \\ back\ttab ?";
const AT_LEAP: &str = "2024-02-29 23:59:59.123456";
const AT_BEFORE_EPOCH: &str = "1969-12-31 23:59:59.999999";

/// Three rows: minimums and unicode, NULLs, maximums and edge values. SQLite cannot hold
/// [`BIG`] exactly, so it gets the 64-bit extremes in `c_dec20`.
fn every_type_batch(dec20: (i128, i128)) -> RecordBatch {
    batch(vec![
        ("id", Arc::new(Int64Array::from(vec![1, 2, 3]))),
        (
            "c_small",
            Arc::new(Int16Array::from(vec![Some(i16::MIN), None, Some(i16::MAX)])),
        ),
        (
            "c_int",
            Arc::new(Int32Array::from(vec![Some(i32::MIN), None, Some(i32::MAX)])),
        ),
        (
            "c_big",
            Arc::new(Int64Array::from(vec![Some(i64::MIN), None, Some(i64::MAX)])),
        ),
        (
            "c_dec20",
            decimals(vec![Some(dec20.0), None, Some(dec20.1)], 20, 0),
        ),
        (
            "c_dec12_4",
            decimals(vec![Some(-123_456_781_234), None, Some(1)], 12, 4),
        ),
        (
            "c_name",
            Arc::new(StringArray::from(vec![Some(NAME), None, Some("")])),
        ),
        (
            "c_note",
            Arc::new(StringArray::from(vec![Some(NOTE), None, Some("x")])),
        ),
        (
            "c_at",
            Arc::new(TimestampMicrosecondArray::from(vec![
                Some(micros(AT_LEAP)),
                None,
                Some(-1),
            ])),
        ),
        (
            "c_ratio",
            Arc::new(Float64Array::from(vec![
                Some(-1.5e-10),
                None,
                Some(std::f64::consts::PI),
            ])),
        ),
        ("c_flag", Arc::new(Int16Array::from(vec![0, 1, 1]))),
    ])
}

async fn every_type_round_trips(test_db: TestDb) {
    let db = test_db.connect().await;
    let table = all_types();
    create(db.as_ref(), &table).await;
    let sqlite = db.dialect() == Dialect::Sqlite;
    let dec20 = if sqlite {
        (i128::from(i64::MAX), i128::from(i64::MIN))
    } else {
        (BIG, -BIG)
    };
    assert_eq!(
        db.write_batch(&table, &every_type_batch(dec20))
            .await
            .expect("writes"),
        3
    );

    let decimal = |exact: &str, float: f64| {
        if sqlite {
            SqlValue::Float(float)
        } else {
            SqlValue::Decimal(exact.to_owned())
        }
    };
    let dec20_value = |v: i128| match i64::try_from(v) {
        Ok(int) if sqlite => SqlValue::Int(int),
        _ => SqlValue::Decimal(v.to_string()),
    };
    let text = |s: &str| SqlValue::Text(s.to_owned());
    let mut expected = vec![
        vec![
            SqlValue::Int(1),
            SqlValue::Int(i16::MIN.into()),
            SqlValue::Int(i32::MIN.into()),
            SqlValue::Int(i64::MIN),
            dec20_value(dec20.0),
            decimal("-12345678.1234", -12_345_678.123_4),
            text(NAME),
            text(NOTE),
            SqlValue::Timestamp(at(AT_LEAP)),
            SqlValue::Float(-1.5e-10),
            SqlValue::Int(0),
        ],
        vec![SqlValue::Int(2)],
        vec![
            SqlValue::Int(3),
            SqlValue::Int(i16::MAX.into()),
            SqlValue::Int(i32::MAX.into()),
            SqlValue::Int(i64::MAX),
            dec20_value(dec20.1),
            decimal("0.0001", 0.0001),
            text(""),
            text("x"),
            SqlValue::Timestamp(at(AT_BEFORE_EPOCH)),
            SqlValue::Float(std::f64::consts::PI),
            SqlValue::Int(1),
        ],
    ];
    expected[1].extend(std::iter::repeat_n(SqlValue::Null, 9));
    expected[1].push(SqlValue::Int(1));
    let columns: Vec<String> = table.columns.iter().map(|c| c.sql_name()).collect();
    let sql = format!(
        "select {} from tm_all_types order by id",
        columns.join(", ")
    );
    let rows = db.query(&sql).await.expect("reads back");
    for (row, (got, want)) in rows.iter().zip(&expected).enumerate() {
        for (column, (g, w)) in got.iter().zip(want).enumerate() {
            assert_eq!(g, w, "row {row}, column {}", columns[column]);
        }
    }
    assert_eq!(rows, expected);

    if sqlite {
        let too_big = every_type_batch((BIG, 0));
        let err = db
            .write_batch(&table, &too_big)
            .await
            .expect_err("SQLite cannot hold 10^19")
            .to_string();
        assert!(
            err.contains("tm_all_types")
                && err.contains("c_dec20")
                && err.contains("9999999999999999999"),
            "{err}"
        );
        assert_eq!(
            db.query_i64("select count(*) from tm_all_types")
                .await
                .expect("counts"),
            3
        );
    }
}

async fn catalog_matches_arrow_schema(test_db: TestDb) {
    let db = test_db.connect().await;
    let table = all_types();
    assert!(!db.table_exists("tm_all_types").await.expect("looks up"));
    assert!(db
        .table_columns("tm_all_types")
        .await
        .expect("reads catalog")
        .is_empty());
    create(db.as_ref(), &table).await;
    assert!(db.table_exists("TM_ALL_TYPES").await.expect("looks up"));

    let columns = db
        .table_columns("TM_ALL_TYPES")
        .await
        .expect("reads catalog");
    let schema = table.arrow_schema();
    let got: Vec<_> = columns
        .iter()
        .map(|c| (c.name.clone(), arrow_type_of(db.dialect(), c), c.nullable))
        .collect();
    let want: Vec<_> = schema
        .fields()
        .iter()
        .map(|f| {
            (
                f.name().clone(),
                Some(f.data_type().clone()),
                f.is_nullable(),
            )
        })
        .collect();
    assert_eq!(got, want, "catalog {columns:#?}");

    let indexes = db.index_names("tm_all_types").await.expect("lists indexes");
    assert!(
        indexes.contains(&"tm_all_types_at".to_owned()),
        "{indexes:?}"
    );
    assert_eq!(
        indexes.len(),
        2,
        "primary key and one secondary index: {indexes:?}"
    );
}

async fn missing_columns_get_defaults(test_db: TestDb) {
    let db = test_db.connect().await;
    let table = all_types();
    create(db.as_ref(), &table).await;
    let named = batch(vec![
        ("id", Arc::new(Int64Array::from(vec![10, 11]))),
        ("c_name", Arc::new(StringArray::from(vec!["a", "b"]))),
    ]);
    assert_eq!(db.write_batch(&table, &named).await.expect("writes"), 2);
    let rows = db
        .query("select id, c_small, c_name, c_flag from tm_all_types order by id")
        .await
        .expect("reads");
    let row = |id: i64, name: &str| {
        vec![
            SqlValue::Int(id),
            SqlValue::Null,
            SqlValue::Text(name.into()),
            SqlValue::Int(-1),
        ]
    };
    assert_eq!(rows, vec![row(10, "a"), row(11, "b")]);

    if db.dialect() != Dialect::Sqlite {
        let unnumbered = batch(vec![(
            "c_name",
            Arc::new(StringArray::from(vec!["c"])) as ArrayRef,
        )]);
        db.write_batch(&table, &unnumbered)
            .await
            .expect("the sequence fills the key");
        let id = db
            .query_i64("select id from tm_all_types where c_name = 'c'")
            .await
            .expect("one id");
        assert!(id > 0, "generated key {id}");
    }
}

async fn batches_are_matched_by_name_and_cast(test_db: TestDb) {
    let db = test_db.connect().await;
    let table = all_types();
    create(db.as_ref(), &table).await;
    let reordered = batch(vec![
        (
            "C_AT",
            Arc::new(TimestampNanosecondArray::from(vec![
                micros(AT_LEAP) * 1_000 + 999,
            ])),
        ),
        ("C_NOTE", Arc::new(LargeStringArray::from(vec!["large"]))),
        ("C_BIG", Arc::new(Int32Array::from(vec![-7]))),
        ("ID", Arc::new(Int16Array::from(vec![5]))),
        ("C_DEC12_4", decimals(vec![Some(-25)], 5, 1)),
    ]);
    db.write_batch(&table, &reordered).await.expect("writes");
    let rows = db
        .query("select id, c_big, c_note, c_at from tm_all_types")
        .await
        .expect("reads");
    let expected = vec![
        SqlValue::Int(5),
        SqlValue::Int(-7),
        SqlValue::Text("large".into()),
        SqlValue::Timestamp(at(AT_LEAP)),
    ];
    assert_eq!(rows, vec![expected]);
    let dec = db
        .query("select c_dec12_4 from tm_all_types")
        .await
        .expect("reads");
    let want = if db.dialect() == Dialect::Sqlite {
        SqlValue::Float(-2.5)
    } else {
        SqlValue::Decimal("-2.5000".into())
    };
    assert_eq!(dec, vec![vec![want]]);

    let stranger = batch(vec![(
        "nope",
        Arc::new(Int32Array::from(vec![1])) as ArrayRef,
    )]);
    let err = db
        .write_batch(&table, &stranger)
        .await
        .expect_err("unknown column")
        .to_string();
    assert!(
        err.contains("tm_all_types") && err.contains("nope"),
        "{err}"
    );
    let overflow = batch(vec![(
        "c_small",
        Arc::new(Int32Array::from(vec![40_000])) as ArrayRef,
    )]);
    let err = db
        .write_batch(&table, &overflow)
        .await
        .expect_err("does not fit smallint")
        .to_string();
    assert!(
        err.contains("tm_all_types") && err.contains("c_small"),
        "{err}"
    );
}

async fn execute_all_is_all_or_nothing(test_db: TestDb) {
    let db = test_db.connect().await;
    db.execute("create table tm_kept (a integer)")
        .await
        .expect("creates");
    let failing_data = [
        "insert into tm_kept values (1)".to_owned(),
        "insert into tm_missing values (2)".to_owned(),
    ];
    let err = db
        .execute_all(&failing_data)
        .await
        .expect_err("second statement fails")
        .to_string();
    assert!(
        err.contains("statement 2 of 2") && err.contains("tm_missing"),
        "{err}"
    );
    assert_eq!(
        db.query_i64("select count(*) from tm_kept")
            .await
            .expect("counts"),
        0
    );

    if db.dialect() != Dialect::MySql {
        let failing_ddl = [
            "create table tm_new (a integer)".to_owned(),
            "insert into tm_kept values (1)".to_owned(),
            "select * from tm_missing".to_owned(),
        ];
        db.execute_all(&failing_ddl)
            .await
            .expect_err("third statement fails");
        assert!(
            !db.table_exists("tm_new").await.expect("looks up"),
            "DDL rolled back"
        );
        assert_eq!(
            db.query_i64("select count(*) from tm_kept")
                .await
                .expect("counts"),
            0
        );
    }
    db.execute_all(&[
        "insert into tm_kept values (1)".to_owned(),
        "insert into tm_kept values (2)".to_owned(),
    ])
    .await
    .expect("commits");
    assert_eq!(
        db.query_strings("select a from tm_kept order by a")
            .await
            .expect("reads"),
        ["1", "2"]
    );
    assert_eq!(
        db.query_opt_i64("select a from tm_kept where a > 5")
            .await
            .expect("reads"),
        None
    );
}

async fn wide_decimals_round_trip(test_db: TestDb) {
    let db = test_db.connect().await;
    let table = TableDef::new("TM_WIDE", TableFamily::MartControl, "numeric(38,10)").col(
        "V",
        SqlType::Numeric(38, 10),
        "wide decimal",
    );
    create(db.as_ref(), &table).await;
    let values = vec![
        Some(12_345_678_901_234_567_890_123_456_789_012_345_678),
        Some(-1),
        Some(0),
        None,
    ];
    let wide = batch(vec![("v", decimals(values, 38, 10))]);
    if db.dialect() == Dialect::Sqlite {
        let err = db
            .write_batch(&table, &wide)
            .await
            .expect_err("beyond a double")
            .to_string();
        assert!(err.contains("tm_wide") && err.contains("row 0"), "{err}");
        return;
    }
    db.write_batch(&table, &wide).await.expect("writes");
    let got = db
        .query_strings("select v from tm_wide where v is not null order by v desc")
        .await
        .expect("reads");
    assert_eq!(
        got,
        [
            "1234567890123456789012345678.9012345678",
            "0.0000000000",
            "-0.0000000001"
        ]
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
    every_type_round_trips,
    catalog_matches_arrow_schema,
    missing_columns_get_defaults,
    batches_are_matched_by_name_and_cast,
    execute_all_is_all_or_nothing,
    wide_decimals_round_trip,
);

/// Tidemark's PostgreSQL sessions run without JIT compilation; a URL naming its own
/// `options` keeps them.
#[tokio::test]
async fn postgres_sessions_run_without_jit_unless_the_url_sets_options() {
    let test_db = tidemark_tests::fresh_postgres().await;
    let jit = |url: String| async move {
        let db = tidemark_sinks::database::connect(&url)
            .await
            .expect("connects");
        db.query_strings("select current_setting('jit')")
            .await
            .expect("reads the setting")
    };
    assert_eq!(jit(test_db.url.clone()).await, vec!["off".to_string()]);
    let separator = if test_db.url.contains('?') { '&' } else { '?' };
    let own = format!("{}{separator}options=-c%20jit%3Don", test_db.url);
    assert_eq!(jit(own).await, vec!["on".to_string()]);
}
