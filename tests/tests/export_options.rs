//! Job_ExportGIM options on a freshly initialized SQLite Info Mart (its seeded dimensions
//! are the first thing to export): export views keep their frozen column set after the table
//! gains a column, `start-date` skips what was committed before it, and an unknown
//! `output-files-encoding` is refused by the configuration.

mod extract_common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use extract_common::{config_text, run_job};
use tidemark::config::Config;
use tidemark::jobs::names;
use tidemark_sinks::database::{self, Database};
use tidemark_tests::fresh_sqlite;

fn export_config(mart: &str, dir: &Path, extra: &str) -> Arc<Config> {
    let section = format!(
        "[gim-export]\noutput-directory = \"{}\"\nchunk-size-seconds = 1\n{extra}",
        dir.join("csv").display()
    );
    let text = config_text(mart, &dir.join("gidb"), &[], &section);
    Arc::new(Config::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}")))
}

/// Runs `job` once the current one-second export window has closed.
async fn run(config: &Arc<Config>, job: &str) -> Vec<String> {
    tokio::time::sleep(Duration::from_millis(1100)).await;
    run_job(config, job).await
}

/// Per complete batch, in order: the CSV header of `table` and its data rows.
fn csv_batches(csv: &Path, table: &str) -> Vec<(String, usize)> {
    let program = r#"
import csv, io, json, os, sys, zipfile
root, table, out = sys.argv[1], sys.argv[2], []
for name in sorted(os.listdir(root)):
    with zipfile.ZipFile(os.path.join(root, name, name + '.zip')) as z:
        rows = list(csv.reader(io.TextIOWrapper(z.open(table + '.csv'), 'utf-8', newline='')))
    out.append([','.join(rows[0]), len(rows) - 1])
print(json.dumps(out))
"#;
    let output = Command::new("python3")
        .args(["-c", program, csv.to_str().unwrap(), table])
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("json")
}

/// Commits an audit row and marks one MEDIA_TYPE row as updated by it.
async fn update_media_type(db: &dyn Database) {
    let key = db
        .query_i64("select max(audit_key) + 1 from ctl_audit_log")
        .await
        .unwrap();
    db.execute_all(&[
        tidemark::jobs::audit::insert_sql(key, "test", &Default::default()),
        format!("update media_type set update_audit_key = {key} where media_type_key = 1"),
    ])
    .await
    .unwrap();
}

#[tokio::test]
async fn export_views_keep_their_columns_when_the_table_gains_one() {
    let mart = fresh_sqlite();
    let dir = tempfile::tempdir().unwrap();
    let config = export_config(&mart.url, dir.path(), "use-export-views = true\n");
    run(&config, names::INITIALIZE).await;
    run(&config, names::EXPORT).await;
    let db = database::connect(&mart.url).await.unwrap();
    assert!(db.table_exists("exp_media_type").await.unwrap());
    let first = csv_batches(&dir.path().join("csv"), "media_type");
    assert_eq!(first.len(), 1);
    let columns: Vec<String> = tidemark_schemas::mart::table("MEDIA_TYPE")
        .unwrap()
        .columns
        .iter()
        .map(|c| c.sql_name())
        .collect();
    assert_eq!(first[0].0, columns.join(","));
    assert!(first[0].1 > 10, "seeded media types exported: {first:?}");

    db.execute("alter table media_type add column note varchar(10)")
        .await
        .unwrap();
    update_media_type(db.as_ref()).await;
    let report = run(&config, names::EXPORT).await;
    let batches = csv_batches(&dir.path().join("csv"), "media_type");
    assert_eq!(batches.len(), 2, "{report:?}");
    assert_eq!(
        batches[1],
        (columns.join(","), 1),
        "the frozen columns, the updated row"
    );
}

#[tokio::test]
async fn start_date_skips_what_was_committed_before_it() {
    let mart = fresh_sqlite();
    let dir = tempfile::tempdir().unwrap();
    run(&export_config(&mart.url, dir.path(), ""), names::INITIALIZE).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let start = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S");
    let config = export_config(
        &mart.url,
        dir.path(),
        &format!("start-date = \"{start}\"\n"),
    );
    let db = database::connect(&mart.url).await.unwrap();
    update_media_type(db.as_ref()).await;
    let report = run(&config, names::EXPORT).await;
    let batches = csv_batches(&dir.path().join("csv"), "media_type");
    assert_eq!(batches.len(), 1, "{report:?}");
    assert_eq!(
        batches[0].1, 1,
        "only the row updated after the start: {report:?}"
    );
    let technical = csv_batches(&dir.path().join("csv"), "technical_descriptor");
    assert_eq!(
        technical[0].1, 0,
        "seeded rows were committed before the start"
    );
}

#[test]
fn an_unknown_encoding_is_a_configuration_error() {
    let text = "[gim-export]\noutput-files-encoding = \"klingon\"\n";
    let err = Config::from_toml_str(text)
        .expect_err("unknown encoding")
        .to_string();
    assert!(
        err.contains("output-files-encoding") && err.contains("klingon"),
        "{err}"
    );
}
