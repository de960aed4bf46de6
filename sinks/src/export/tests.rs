use std::io::Read;
use std::sync::Arc;

use arrow::array::{Int64Array, StringArray};
use arrow::record_batch::RecordBatch;
use chrono::{TimeZone, Utc};
use parquet::file::reader::{FileReader, SerializedFileReader};
use tidemark_schemas::table::{SqlType, TableDef, TableFamily};

use super::*;

fn batch_info(low: i64, high: i64) -> BatchInfo {
    let high_inserted = Utc.with_ymd_and_hms(2024, 3, 5, 10, 0, 0).unwrap();
    BatchInfo {
        name: BatchInfo::name_for(high, high_inserted),
        chunk_id: 1,
        low_audit_key: low,
        high_audit_key: high,
        low_inserted: Utc.with_ymd_and_hms(2024, 3, 5, 9, 0, 0).unwrap(),
        high_inserted,
        source: "tables".into(),
        schema_version: "8.5.118".into(),
    }
}

/// A sample fact table and one batch of rows with the given date-time keys.
fn table_rows(keys: &[i64]) -> (TableSpec, Vec<RecordBatch>) {
    let def = TableDef::new("SAMPLE_FACT", TableFamily::MartFact, "sample")
        .req("START_DATE_TIME_KEY", SqlType::BigInt, "key")
        .col("NOTE", SqlType::Varchar(20), "note");
    let notes: Vec<Option<String>> = keys.iter().map(|k| Some(format!("n{k}, x"))).collect();
    let batch = RecordBatch::try_new(
        def.arrow_schema(),
        vec![
            Arc::new(Int64Array::from(keys.to_vec())),
            Arc::new(StringArray::from(notes)),
        ],
    )
    .expect("batch");
    let spec = TableSpec {
        name: "sample_fact".into(),
        columns: def.columns.clone(),
        day_column: Some("start_date_time_key".into()),
    };
    (spec, vec![batch])
}

fn options(dir: &std::path::Path) -> SinkOptions {
    SinkOptions {
        csv_archive: true,
        output_directory: dir.join("csv"),
        csv_encoding: "utf8".into(),
        parquet_url: Some(dir.join("parquet").display().to_string()),
    }
}

/// Writes one table of the slices' rows as a batch and publishes it.
async fn export(
    sink: &dyn ExportSink,
    batch: &BatchInfo,
    slices: Vec<(TableSpec, Vec<RecordBatch>)>,
) -> Manifest {
    let writer = sink.begin(batch).await.expect("begin");
    let spec = slices[0].0.clone();
    let mut table = writer.begin_table(&spec).await.expect("begin table");
    for (_, rows) in slices {
        table.write(rows).await.expect("write");
    }
    let written = table.finish().await.expect("finish");
    let mut manifest = Manifest::new(batch, sink.format(), "UTF-8");
    manifest.add(&spec, &written);
    writer.publish(&manifest).await.expect("publish");
    manifest
}

#[tokio::test]
async fn csv_archive_folder_holds_zip_checksum_manifest_and_done() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sinks = open_sinks(&options(dir.path())).expect("sinks");
    assert_eq!(
        sinks.iter().map(|s| s.format()).collect::<Vec<_>>(),
        ["csv-zip", "parquet"]
    );
    let csv = &sinks[0];
    let batch = batch_info(0, 7);
    assert_eq!(batch.name, "export_0000000000000000007_2024_03_05_10_00_00");
    std::fs::create_dir_all(dir.path().join("csv/export_0000000000000000003_x.tmp")).expect("tmp");
    assert!(csv.published(&batch).await.expect("check").is_none());
    let manifest = export(
        csv.as_ref(),
        &batch,
        vec![
            table_rows(&[1_709_600_000]),
            table_rows(&[]),
            table_rows(&[1_709_700_000]),
        ],
    )
    .await;
    assert_eq!(manifest.tables[0].rows, 2);
    assert!(csv.published(&batch).await.expect("check").is_some());
    assert!(csv
        .published(&batch_info(1, 7))
        .await
        .expect("other range")
        .is_none());

    let folder = dir.path().join("csv").join(&batch.name);
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("csv"))
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        std::slice::from_ref(&batch.name),
        "leftover .tmp folders are removed"
    );
    let zip_path = folder.join(format!("{}.zip", batch.name));
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(&zip_path).expect("zip")).expect("archive");
    let mut text = String::new();
    archive
        .by_name("sample_fact.csv")
        .expect("entry")
        .read_to_string(&mut text)
        .expect("read");
    assert_eq!(
        text,
        "start_date_time_key,note\r\n1709600000,\"n1709600000, x\"\r\n1709700000,\"n1709700000, x\"\r\n"
    );
    let sha =
        std::fs::read_to_string(folder.join(format!("{}.zip.sha1", batch.name))).expect("sha");
    assert!(sha.ends_with(&format!("  {}.zip\n", batch.name)), "{sha}");
    assert_eq!(sha.split_whitespace().next().map(str::len), Some(40));
    assert!(folder.join(format!("{}.done", batch.name)).exists());
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["done", "manifest.json", "zip", "zip.sha1"].map(|s| format!("{}.{s}", batch.name)),
        "the tables' own archives are gone"
    );

    let old = csv
        .remove_older_than(Utc.with_ymd_and_hms(2024, 3, 6, 0, 0, 0).unwrap())
        .await;
    assert_eq!(old.expect("retention"), std::slice::from_ref(&batch.name));
    assert!(!folder.exists());
}

#[tokio::test]
async fn parquet_batches_use_hive_days_and_a_restarted_batch_drops_its_old_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sinks = open_sinks(&options(dir.path())).expect("sinks");
    let parquet = &sinks[1];
    let batch = batch_info(0, 9);
    let first = parquet.begin(&batch).await.expect("begin");
    let (spec, rows) = table_rows(&[1_709_600_000, 1_709_700_000]);
    let mut table = first.begin_table(&spec).await.expect("begin table");
    table.write(rows).await.expect("write");
    table
        .write(table_rows(&[1_709_700_100]).1)
        .await
        .expect("second slice");
    table.finish().await.expect("finish");
    // Interrupted before publishing: the restarted batch has rows of one day only, in
    // three slices, the second empty.
    let manifest = export(
        parquet.as_ref(),
        &batch,
        vec![
            table_rows(&[1_709_600_000]),
            table_rows(&[]),
            table_rows(&[1_709_600_100, 1_709_600_200]),
        ],
    )
    .await;
    assert!(parquet.published(&batch).await.expect("check").is_some());
    let files = &manifest.tables[0].files;
    let listed: Vec<(&str, u64)> = files.iter().map(|f| (f.path.as_str(), f.rows)).collect();
    let day = "sample_fact/date_key=2024-03-05";
    assert_eq!(
        listed,
        [
            (format!("{day}/part-{}.parquet", batch.name).as_str(), 1),
            (format!("{day}/part-{}-2.parquet", batch.name).as_str(), 2)
        ],
        "a file per day and slice with rows"
    );
    assert_eq!(manifest.tables[0].rows, 3);
    let root = dir.path().join("parquet");
    for entry in files {
        let file = std::fs::read(root.join(&entry.path)).expect("file");
        let reader = SerializedFileReader::new(bytes::Bytes::from(file)).expect("parquet");
        assert_eq!(
            reader.metadata().file_metadata().num_rows() as u64,
            entry.rows
        );
    }
    assert!(!root
        .join("sample_fact/date_key=2024-03-06")
        .read_dir()
        .map(|mut d| d.next().is_some())
        .unwrap_or(false));
    assert!(root
        .join("_batches")
        .join(&batch.name)
        .join("_SUCCESS")
        .exists());
    assert!(!root
        .join("_batches")
        .join(&batch.name)
        .join("_STARTED")
        .exists());
}
