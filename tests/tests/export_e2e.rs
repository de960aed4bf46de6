//! Job_ExportGIM end to end: simulate → extract → transform → export, into SQLite and
//! PostgreSQL Info Marts. The CSV archives are read with Python's zipfile and csv modules,
//! the Parquet export with pyarrow and DuckDB; every exported row appears in exactly one
//! batch, the Parquet equals the mart, and a run killed with SIGKILL leaves no partial batch
//! and, once re-run, nothing lost or doubled.

mod extract_common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use extract_common::*;
use tidemark::config::Config;
use tidemark::jobs::names;
use tidemark_sinks::database::{self, Database};
use tidemark_tests::{fresh_postgres, fresh_sqlite};

/// `[gim-export]` of the tests: one-second chunks so a cycle yields several batches.
fn export_section(dir: &Path) -> String {
    format!(
        "[gim-export]\noutput-directory = \"{}\"\nparquet-url = \"{}\"\nchunk-size-seconds = 1\n\
         retry-delay-seconds = 0\n",
        dir.join("csv").display(),
        dir.join("parquet").display()
    )
}

fn export_config(mart: &str, gidb: &Path, idb: &str, dir: &Path) -> Arc<Config> {
    let text = config_text(mart, gidb, &[all_roles(idb)], &export_section(dir));
    Arc::new(Config::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}")))
}

/// Transforms, lets the current one-second export window close, exports.
async fn transform_and_export(config: &Arc<Config>) -> Vec<String> {
    run_job(config, names::TRANSFORM).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    run_job(config, names::EXPORT).await
}

/// Runs a Python program with the given arguments and returns its standard output.
fn python(program: &str, args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(program)
        .args(args)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf8")
}

/// Reads every complete CSV archive (zipfile + csv) and prints, per table, the number of
/// rows and the values of the first column, after checking each archive's SHA-1 file.
const READ_CSV: &str = r#"
import csv, hashlib, io, json, os, sys, zipfile
root, table = sys.argv[1], sys.argv[2]
keys, batches = [], 0
for name in sorted(os.listdir(root)):
    folder = os.path.join(root, name)
    assert not name.endswith('.tmp'), 'leftover ' + name
    assert os.path.exists(os.path.join(folder, name + '.done')), 'no .done in ' + name
    archive = os.path.join(folder, name + '.zip')
    digest, file = open(archive + '.sha1').read().split()
    assert file == name + '.zip' and digest == hashlib.sha1(open(archive, 'rb').read()).hexdigest()
    manifest = json.load(open(os.path.join(folder, name + '.manifest.json')))
    with zipfile.ZipFile(archive) as z:
        rows = list(csv.reader(io.TextIOWrapper(z.open(table + '.csv'), 'utf-8', newline='')))
    listed = [t for t in manifest['tables'] if t['name'] == table][0]
    assert [c['name'] for c in listed['columns']] == rows[0], rows[0]
    assert listed['rows'] == len(rows) - 1
    keys += [r[0] for r in rows[1:]]
    batches += 1
print(json.dumps({'batches': batches, 'keys': keys}))
"#;

/// Checks that every Parquet batch is complete and lists its files, then reads a table with
/// pyarrow (Hive partitions) and DuckDB and prints count, key list and per-column sums.
const READ_PARQUET: &str = r#"
import json, os, sys
import duckdb, pyarrow.dataset as ds
root, table, key = sys.argv[1], sys.argv[2], sys.argv[3]
listed = set()
for batch in os.listdir(os.path.join(root, '_batches')):
    folder = os.path.join(root, '_batches', batch)
    assert os.path.exists(os.path.join(folder, '_SUCCESS')), 'partial batch ' + batch
    for t in json.load(open(os.path.join(folder, 'manifest.json')))['tables']:
        listed.update(f['path'] for f in t.get('files', []))
on_disk = set()
for dirpath, _, files in os.walk(os.path.join(root, table)):
    on_disk.update(os.path.relpath(os.path.join(dirpath, f), root) for f in files)
assert on_disk == {p for p in listed if p.startswith(table + '/')}, (on_disk, listed)
data = ds.dataset(os.path.join(root, table), format='parquet', partitioning='hive').to_table()
assert 'date_key' in data.schema.names
con = duckdb.connect()
glob = os.path.join(root, table, '*', '*.parquet')
scan = f"read_parquet('{glob}', hive_partitioning = true)"
described = con.execute(f"describe select * from {scan}").fetchall()
ints = [r[0] for r in described if r[1] in ('BIGINT', 'INTEGER', 'SMALLINT')]
sums = con.execute(f"select {', '.join(f'coalesce(sum({c}), 0)::varchar' for c in ints)} from {scan}").fetchone()
days = sorted(r[0] for r in con.execute(f"select distinct cast(date_key as varchar) from {scan}").fetchall())
keys = sorted(r[0] for r in con.execute(f"select {key} from {scan}").fetchall())
print(json.dumps({'rows': data.num_rows, 'keys': keys, 'sums': dict(zip(ints, sums)), 'days': days}))
"#;

fn csv_export(dir: &Path, table: &str) -> serde_json::Value {
    let csv = dir.join("csv");
    serde_json::from_str(&python(READ_CSV, &[csv.to_str().unwrap(), table])).unwrap()
}

/// The first-column values of `table` over every CSV batch, as sorted integers.
fn csv_keys(export: &serde_json::Value) -> Vec<i64> {
    let mut keys: Vec<i64> = export["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().parse().unwrap())
        .collect();
    keys.sort();
    keys
}

fn parquet_export(dir: &Path, table: &str, key: &str) -> serde_json::Value {
    let root = dir.join("parquet");
    serde_json::from_str(&python(READ_PARQUET, &[root.to_str().unwrap(), table, key])).unwrap()
}

/// Sorted values of an integer column of the mart.
async fn mart_keys(db: &dyn Database, table: &str, key: &str) -> Vec<i64> {
    let mut keys: Vec<i64> = db
        .query(&format!("select {key} from {table}"))
        .await
        .unwrap()
        .iter()
        .map(|r| r[0].as_i64().unwrap())
        .collect();
    keys.sort();
    keys
}

/// The Parquet copy of `table` equals the mart: same rows by key, same sum of every integer
/// column, one Hive partition per UTC day of its date-time key.
async fn assert_parquet_equals_mart(db: &dyn Database, dir: &Path, table: &str, key: &str) {
    let exported = parquet_export(dir, table, key);
    let keys: Vec<i64> = serde_json::from_value(exported["keys"].clone()).unwrap();
    assert_eq!(keys, mart_keys(db, table, key).await, "{table} keys");
    assert!(!keys.is_empty(), "{table} exported rows");
    for (column, sum) in exported["sums"].as_object().unwrap() {
        let mart = db
            .query_i64(&format!("select coalesce(sum({column}), 0) from {table}"))
            .await
            .unwrap();
        assert_eq!(sum.as_str().unwrap(), mart.to_string(), "{table}.{column}");
    }
    let days: Vec<String> = serde_json::from_value(exported["days"].clone()).unwrap();
    let expected = db
        .query_strings(&format!(
            "select distinct start_date_time_key / 86400 from {table} order by 1"
        ))
        .await
        .unwrap();
    assert_eq!(days.len(), expected.len(), "{table} partitions {days:?}");
}

async fn export_twice_with_new_data_in_between(mart_url: &str) {
    let idb = fresh_sqlite();
    let dir = tempfile::tempdir().unwrap();
    simulate(&sim_args(&[&idb.url], 31, 300)).await;
    let config = export_config(mart_url, &dir.path().join("gidb"), &idb.url, dir.path());
    extract(&config, "2024-03-05T12:00:00Z").await;
    let first = transform_and_export(&config).await;
    assert!(first.iter().any(|l| l.starts_with("export_")), "{first:?}");
    let after_first = csv_export(dir.path(), "interaction_fact")["batches"]
        .as_u64()
        .unwrap();
    extract(&config, DAY_END).await;
    let second = transform_and_export(&config).await;
    assert!(
        second.iter().any(|l| l.starts_with("export_")),
        "{second:?}"
    );

    let db = database::connect(mart_url).await.unwrap();
    let csv = csv_export(dir.path(), "interaction_fact");
    assert!(csv["batches"].as_u64().unwrap() > after_first);
    let ids = csv_keys(&csv);
    let expected = mart_keys(db.as_ref(), "interaction_fact", "interaction_id").await;
    assert!(expected.len() > 100, "{} interactions", expected.len());
    assert_eq!(ids, expected, "each interaction in exactly one CSV batch");
    for (table, key) in [
        ("interaction_fact", "interaction_id"),
        ("interaction_resource_fact", "interaction_resource_id"),
        ("mediation_segment_fact", "mediation_segment_id"),
    ] {
        assert_parquet_equals_mart(db.as_ref(), dir.path(), table, key).await;
    }
    let history = db
        .query_i64("select count(*) from ctl_export_history where status = 'COMPLETE'")
        .await
        .unwrap();
    assert_eq!(history as u64, csv["batches"].as_u64().unwrap());
    let mark = db
        .query_i64("select hwm_value from ctl_hwm where hwm_name = 'export:audit'")
        .await
        .unwrap();
    let last = db
        .query_i64("select max(high_audit_key) from ctl_export_history")
        .await
        .unwrap();
    assert_eq!(mark, last);
    let again = run_job(&config, names::EXPORT).await;
    assert!(
        again.iter().any(|l| l.starts_with("nothing to export")),
        "{again:?}"
    );
}

#[tokio::test]
async fn sqlite_export_twice_each_row_once_and_parquet_equals_the_mart() {
    let mart = fresh_sqlite();
    export_twice_with_new_data_in_between(&mart.url).await;
}

#[tokio::test]
async fn postgres_export_twice_each_row_once_and_parquet_equals_the_mart() {
    let mart = fresh_postgres().await;
    export_twice_with_new_data_in_between(&mart.url).await;
}

#[tokio::test]
async fn sigkill_mid_export_then_rerun_loses_and_doubles_nothing() {
    let (idb, mart) = (fresh_sqlite(), fresh_postgres().await);
    let dir = tempfile::tempdir().unwrap();
    simulate(&sim_args(&[&idb.url], 37, 300)).await;
    let gidb = dir.path().join("gidb");
    let config = export_config(&mart.url, &gidb, &idb.url, dir.path());
    for step in ["2024-03-05T08:00:00Z", "2024-03-05T14:00:00Z", DAY_END] {
        extract(&config, step).await;
        run_job(&config, names::TRANSFORM).await;
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    let text = config_text(
        &mart.url,
        &gidb,
        &[all_roles(&idb.url)],
        &export_section(dir.path()),
    );
    let path = write_config(dir.path(), &text);
    let db = database::connect(&mart.url).await.unwrap();
    let mut kills = 0;
    for delay_ms in [150, 400, 900, 1600] {
        let mut child = job_command(&path, names::EXPORT)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn tidemark");
        let deadline = Instant::now() + Duration::from_millis(delay_ms);
        while Instant::now() < deadline && child.try_wait().unwrap().is_none() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().expect("SIGKILL");
            kills += 1;
        }
        let _ = child.wait();
    }
    assert!(kills >= 1, "at least one run was killed mid-export");
    let rerun = job_command(&path, names::EXPORT).output().expect("re-run");
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );

    let csv = csv_export(dir.path(), "interaction_resource_fact");
    let ids = csv_keys(&csv);
    let expected = mart_keys(
        db.as_ref(),
        "interaction_resource_fact",
        "interaction_resource_id",
    )
    .await;
    assert_eq!(ids, expected, "every IRF in exactly one CSV batch");
    assert_parquet_equals_mart(
        db.as_ref(),
        dir.path(),
        "interaction_resource_fact",
        "interaction_resource_id",
    )
    .await;
    let (history, folders) = (
        db.query_i64("select count(*) from ctl_export_history")
            .await
            .unwrap(),
        csv["batches"].as_i64().unwrap(),
    );
    assert_eq!(history, folders, "one history row per published batch");
}
