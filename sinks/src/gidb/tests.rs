//! The store against a real local folder, read back with the parquet reader.

use std::sync::Arc;

use arrow::array::{AsArray, Int32Array, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::*;

fn rows(ts: &[i64]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int32, false),
        Field::new("name", DataType::Utf8, true),
        Field::new("key_ts", DataType::Int64, true),
    ]));
    let ids: Vec<i32> = (1..=ts.len() as i32).collect();
    let names: Vec<String> = ids.iter().map(|i| format!("row{i}")).collect();
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int32Array::from(ids)),
            Arc::new(StringArray::from(names)),
            Arc::new(Int64Array::from(ts.to_vec())),
        ],
    )
    .unwrap()
}

fn read(path: &std::path::Path) -> RecordBatch {
    let file = std::fs::File::open(path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap()
}

#[tokio::test]
async fn a_chunk_is_split_by_utc_day_and_rewriting_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = GidbStore::local(dir.path()).unwrap();
    let chunk = ChunkFile {
        folder: "gidb_g_call_v".into(),
        data_source_key: 3,
        lo: 86_400 * 19_000 - 600,
        hi: 86_400 * 19_000 + 300,
    };
    let batch = rows(&[
        86_400 * 19_000 - 10,
        86_400 * 19_000 + 5,
        86_400 * 19_000 + 7,
    ]);
    let written = store
        .write_chunk(&chunk, std::slice::from_ref(&batch), "key_ts", true)
        .await
        .unwrap();
    assert_eq!((written.files, written.rows), (2, 3));
    let again = store
        .write_chunk(&chunk, std::slice::from_ref(&batch), "key_ts", true)
        .await
        .unwrap();
    assert_eq!(again.files, 2);

    let before = dir
        .path()
        .join("gidb_g_call_v/day=2022-01-07")
        .join(format!("ds3_{}_{}.parquet", chunk.lo, chunk.hi));
    let first_day = read(&before);
    assert_eq!(first_day.num_rows(), 1);
    assert_eq!(first_day.num_columns(), 2, "the day column is dropped");
    let second_day = read(
        &dir.path()
            .join("gidb_g_call_v/day=2022-01-08")
            .join(format!("ds3_{}_{}.parquet", chunk.lo, chunk.hi)),
    );
    let names = second_day.column(1).as_string::<i32>();
    assert_eq!(names.value(0), "row2");
    assert_eq!(names.value(1), "row3");
    assert_eq!(store.files("gidb_g_call_v").await.unwrap().len(), 2);
}

#[tokio::test]
async fn files_beyond_the_committed_mark_are_removed_for_their_source_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = GidbStore::local(dir.path()).unwrap();
    let base = 86_400 * 19_000;
    for (dsk, lo, hi) in [
        (1, base, base + 900),
        (1, base + 900, base + 1800),
        (2, base + 900, base + 1800),
    ] {
        let chunk = ChunkFile {
            folder: "gidb_g_ir_v".into(),
            data_source_key: dsk,
            lo,
            hi,
        };
        store
            .write_chunk(&chunk, &[rows(&[hi])], "key_ts", false)
            .await
            .unwrap();
    }
    let removed = store
        .remove_uncommitted("gidb_g_ir_v", 1, base + 900)
        .await
        .unwrap();
    assert_eq!(removed, 1);
    let left: Vec<String> = store
        .files("gidb_g_ir_v")
        .await
        .unwrap()
        .iter()
        .map(|p| p.filename().unwrap().to_string())
        .collect();
    assert_eq!(
        left,
        vec![
            format!("ds1_{}_{}.parquet", base, base + 900),
            format!("ds2_{}_{}.parquet", base + 900, base + 1800)
        ]
    );
}

#[test]
fn chunk_file_names_parse_back() {
    assert_eq!(
        ChunkFile::parse("ds12_100_1000.parquet"),
        Some((12, 100, 1000))
    );
    assert_eq!(
        ChunkFile::parse("ds12_-5_1000.parquet"),
        Some((12, -5, 1000))
    );
    assert_eq!(ChunkFile::parse("state.parquet"), None);
}
