//! Bulk writes against the real servers: 200,000 rows through PostgreSQL's binary COPY, and
//! MySQL batches that need more than one INSERT chunk (by placeholders and by bytes).

use std::sync::Arc;
use std::time::Instant;

use arrow::array::{
    ArrayRef, Decimal128Array, Float64Array, Int16Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use tidemark_schemas::ddl::create_table_with_indexes;
use tidemark_schemas::{SqlType, TableDef, TableFamily};
use tidemark_sinks::database::Database;
use tidemark_tests::{fresh_mysql, fresh_postgres};

/// Microseconds of 2024-01-01 00:00:00 UTC.
const JAN_2024_MICROS: i64 = 1_704_067_200_000_000;

fn wide_table(note: SqlType) -> TableDef {
    TableDef::new("TM_BULK", TableFamily::MartControl, "bulk write target")
        .req("ID", SqlType::BigInt, "key")
        .col("STATE", SqlType::SmallInt, "small code")
        .col("AMOUNT", SqlType::Numeric(19, 0), "identifier-like decimal")
        .col("AGENT", SqlType::Varchar(32), "name")
        .col("STARTED", SqlType::Timestamp, "start")
        .col("SHARE", SqlType::Double, "ratio")
        .col("NOTE", note, "free text")
        .col("ENDED", SqlType::Timestamp, "end")
        .pk(&["ID"])
}

/// `rows` rows whose values derive from the row number; `note(i)` gives the note text.
fn bulk_batch(
    table: &TableDef,
    rows: usize,
    note: impl Fn(usize) -> Option<String>,
) -> RecordBatch {
    let ids: Vec<i64> = (0..rows as i64).collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(ids.clone())),
        Arc::new(Int16Array::from_iter(
            (0..rows).map(|i| (i % 7 != 0).then_some((i % 300) as i16)),
        )),
        Arc::new(
            Decimal128Array::from_iter_values(ids.iter().map(|i| i128::from(*i) * 1_000_000_007))
                .with_precision_and_scale(19, 0)
                .expect("valid decimal"),
        ),
        Arc::new(StringArray::from_iter_values(
            (0..rows).map(|i| format!("agent-{i}")),
        )),
        Arc::new(TimestampMicrosecondArray::from_iter_values(
            ids.iter().map(|i| JAN_2024_MICROS + i * 1_001),
        )),
        Arc::new(Float64Array::from_iter_values(
            ids.iter().map(|i| *i as f64 / 8.0),
        )),
        Arc::new(StringArray::from_iter((0..rows).map(note))),
        Arc::new(TimestampMicrosecondArray::from(vec![None; rows])),
    ];
    RecordBatch::try_new(table.arrow_schema(), columns).expect("valid batch")
}

async fn create(db: &dyn Database, table: &TableDef) {
    db.execute_all(&create_table_with_indexes(table, db.dialect()))
        .await
        .expect("creates the table");
}

/// Checks the count, a checksum over every row, and one row in full.
async fn assert_bulk(db: &dyn Database, rows: i64) {
    assert_eq!(
        db.query_i64("select count(*) from tm_bulk")
            .await
            .expect("counts"),
        rows
    );
    let id_sum = db
        .query_i64("select sum(id) from tm_bulk")
        .await
        .expect("sums");
    assert_eq!(id_sum, rows * (rows - 1) / 2);
    let amount_sum = db
        .query_strings("select sum(amount) from tm_bulk")
        .await
        .expect("sums");
    assert_eq!(
        amount_sum,
        [(i128::from(id_sum) * 1_000_000_007).to_string()]
    );
    let last = rows - 1;
    let row = db
        .query_strings(&format!(
            "select agent from tm_bulk where id = {last} and amount = {} and share = {} and started = '{}'",
            i128::from(last) * 1_000_000_007,
            last as f64 / 8.0,
            chrono::DateTime::from_timestamp_micros(JAN_2024_MICROS + last * 1_001)
                .expect("in range")
                .naive_utc()
                .format("%Y-%m-%d %H:%M:%S%.6f"),
        ))
        .await
        .expect("finds the last row");
    assert_eq!(row, [format!("agent-{last}")]);
}

#[tokio::test]
async fn postgres_copy_writes_200k_rows() {
    const ROWS: usize = 200_000;
    let test_db = fresh_postgres().await;
    let db = test_db.connect().await;
    let table = wide_table(SqlType::Text);
    create(db.as_ref(), &table).await;
    let batch = bulk_batch(&table, ROWS, |i| {
        (i % 3 == 0).then(|| format!("note {i} ✓"))
    });

    let started = Instant::now();
    let written = db.write_batch(&table, &batch).await.expect("copies");
    let elapsed = started.elapsed();
    eprintln!(
        "binary COPY: {written} rows × {} columns in {elapsed:.2?} = {:.0} rows/s",
        batch.num_columns(),
        written as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(written, ROWS as u64);
    assert_bulk(db.as_ref(), ROWS as i64).await;
    let notes = db
        .query_i64("select count(note) from tm_bulk")
        .await
        .expect("counts notes");
    assert_eq!(notes, ROWS.div_ceil(3) as i64);
}

#[tokio::test]
async fn mysql_splits_batches_by_placeholders() {
    // 8 columns × 20,000 rows = 160,000 values: three statements of at most 65,535.
    const ROWS: usize = 20_000;
    let test_db = fresh_mysql().await;
    let db = test_db.connect().await;
    let table = wide_table(SqlType::Varchar(40));
    create(db.as_ref(), &table).await;
    let batch = bulk_batch(&table, ROWS, |i| Some(format!("note {i} ✓")));
    assert_eq!(
        db.write_batch(&table, &batch).await.expect("inserts"),
        ROWS as u64
    );
    assert_bulk(db.as_ref(), ROWS as i64).await;
}

#[tokio::test]
async fn mysql_splits_batches_by_packet_size() {
    // 150 notes of 60,000 bytes: 9 MB, more than one INSERT may carry.
    const ROWS: usize = 150;
    const NOTE_BYTES: usize = 60_000;
    let test_db = fresh_mysql().await;
    let db = test_db.connect().await;
    let table = wide_table(SqlType::Text);
    create(db.as_ref(), &table).await;
    let batch = bulk_batch(&table, ROWS, |i| {
        Some(format!("{:>width$}", i, width = NOTE_BYTES))
    });
    assert_eq!(
        db.write_batch(&table, &batch).await.expect("inserts"),
        ROWS as u64
    );
    assert_bulk(db.as_ref(), ROWS as i64).await;
    let bytes = db
        .query_i64("select sum(length(note)) from tm_bulk")
        .await
        .expect("sums");
    assert_eq!(bytes, (ROWS * NOTE_BYTES) as i64);
    let note = db
        .query_strings("select trim(note) from tm_bulk where id = 149")
        .await
        .expect("reads");
    assert_eq!(note, ["149"]);
}
