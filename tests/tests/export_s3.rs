//! GIDB and the Parquet export on an S3-compatible object store (moto's server): simulate →
//! extract into `s3://…/gidb` → transform → export to `s3://…/warehouse`, twice with new
//! data in between. pyarrow reads the bucket through its own S3 client: every batch has its
//! `_SUCCESS`, the files on the store are exactly those the manifests list, and the rows
//! equal the mart. `tidemark plan` queries the exported table on the bucket.

mod extract_common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use extract_common::*;
use tidemark::config::Config;
use tidemark::jobs::names;
use tidemark_sinks::database;
use tidemark_tests::fresh_sqlite;
use tidemark_tests::s3::{S3Server, ACCESS_KEY, REGION, SECRET_KEY};

/// Reads `<prefix>/<table>` from the bucket with pyarrow's S3 filesystem after checking
/// that every batch is complete and the table's objects are exactly those listed.
const READ_S3: &str = r#"
import json, sys
import pyarrow.dataset as ds, pyarrow.fs as fs
endpoint, access, secret, region, root, table, key = sys.argv[1:8]
s3 = fs.S3FileSystem(access_key=access, secret_key=secret, region=region,
                     endpoint_override=endpoint, scheme='http')
listed = set()
batches = s3.get_file_info(fs.FileSelector(root + '/_batches'))
for batch in batches:
    names = {i.base_name for i in s3.get_file_info(fs.FileSelector(batch.path))}
    assert '_SUCCESS' in names, 'partial batch ' + batch.path
    with s3.open_input_stream(batch.path + '/manifest.json') as f:
        for t in json.load(f)['tables']:
            listed.update(e['path'] for e in t.get('files', []))
objects = {i.path[len(root) + 1:]
           for i in s3.get_file_info(fs.FileSelector(root + '/' + table, recursive=True))
           if i.type == fs.FileType.File}
assert objects == {p for p in listed if p.startswith(table + '/')}, (objects, listed)
data = ds.dataset(root + '/' + table, filesystem=s3, format='parquet',
                  partitioning='hive').to_table()
print(json.dumps({'batches': len(batches),
                  'keys': sorted(data.column(key).to_pylist()),
                  'days': sorted({str(d) for d in data.column('date_key').to_pylist()})}))
"#;

fn read_s3(s3: &S3Server, table: &str, key: &str) -> serde_json::Value {
    let root = format!("{}/warehouse", s3.bucket);
    let out = Command::new("python3")
        .args(["-c", READ_S3, &s3.endpoint, ACCESS_KEY, SECRET_KEY, REGION])
        .args([root.as_str(), table, key])
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "pyarrow on S3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn s3_config(s3: &S3Server, mart: &str, idb: &str, dir: &Path) -> (String, Arc<Config>) {
    let export = format!(
        "[gim-export]\noutput-directory = \"{}\"\nparquet-url = \"{}\"\n\
         chunk-size-seconds = 1\nretry-delay-seconds = 0\n",
        dir.join("csv").display(),
        s3.url("warehouse")
    );
    let gidb = s3.url("gidb");
    let text = config_text(mart, Path::new(&gidb), &[all_roles(idb)], &export);
    let config = Arc::new(Config::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}")));
    (text, config)
}

async fn cycle(config: &Arc<Config>, as_of: &str) -> Vec<String> {
    extract(config, as_of).await;
    run_job(config, names::TRANSFORM).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    run_job(config, names::EXPORT).await
}

#[tokio::test]
async fn gidb_and_parquet_export_on_s3_equal_the_mart() {
    let s3 = S3Server::start("tidemark");
    for (name, value) in s3.env() {
        // SAFETY: each test runs in its own process (nextest) and sets the environment
        // before any job thread starts.
        unsafe { std::env::set_var(name, value) };
    }
    let (idb, mart) = (fresh_sqlite(), fresh_sqlite());
    let dir = tempfile::tempdir().unwrap();
    simulate(&sim_args(&[&idb.url], 41, 200)).await;
    let (text, config) = s3_config(&s3, &mart.url, &idb.url, dir.path());

    let first = cycle(&config, "2024-03-05T12:00:00Z").await;
    assert!(first.iter().any(|l| l.starts_with("export_")), "{first:?}");
    let after_first = read_s3(&s3, "interaction_fact", "interaction_id")["batches"]
        .as_u64()
        .unwrap();
    let second = cycle(&config, DAY_END).await;
    assert!(
        second.iter().any(|l| l.starts_with("export_")),
        "{second:?}"
    );

    let db = database::connect(&mart.url).await.unwrap();
    for (table, key) in [
        ("interaction_fact", "interaction_id"),
        ("interaction_resource_fact", "interaction_resource_id"),
    ] {
        let exported = read_s3(&s3, table, key);
        let keys: Vec<i64> = serde_json::from_value(exported["keys"].clone()).unwrap();
        let mut expected: Vec<i64> = db
            .query(&format!("select {key} from {table}"))
            .await
            .unwrap()
            .iter()
            .map(|r| r[0].as_i64().unwrap())
            .collect();
        expected.sort();
        assert!(expected.len() > 50, "{table}: {} rows", expected.len());
        assert_eq!(keys, expected, "{table}: each row once on S3");
        assert!(exported["batches"].as_u64().unwrap() > after_first);
        assert!(!exported["days"].as_array().unwrap().is_empty());
    }

    let path = write_config(dir.path(), &text);
    let plan = dir.path().join("count.sql");
    std::fs::write(&plan, "select count(*) as n from export.interaction_fact").unwrap();
    let out = Command::new(tidemark_binary())
        .arg("--config")
        .arg(&path)
        .args(["plan", "run"])
        .arg(&plan)
        .args(["--format", "csv"])
        .envs(s3.env())
        .output()
        .expect("tidemark plan");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let interactions = db
        .query_i64("select count(*) from interaction_fact")
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("n\n{interactions}")
    );
}
