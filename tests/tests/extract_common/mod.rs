//! Shared by the extraction tests: configurations over simulated IDBs, running
//! Job_ExtractICON, and reading GIDB back with DataFusion.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::util::display::array_value_to_string;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use tidemark::config::Config;
use tidemark::jobs::{names, runner, Trigger};
use tidemark::simulate::{run, SimulateArgs, SimulationReport};
use tidemark_sinks::database::{self, Database};
use tokio_util::sync::CancellationToken;

/// Start of every simulated day.
pub const START: &str = "2024-03-05T00:00:00Z";
/// The moment after the simulated day: everything is written by then.
pub const DAY_END: &str = "2024-03-06T02:00:00Z";

/// One DAP of a test configuration.
pub struct TestDap<'a> {
    /// DAP name.
    pub name: &'a str,
    /// IDB URL.
    pub url: &'a str,
    /// Roles (`ICON_CORE,ICON_MM`).
    pub roles: &'a str,
    /// HA group, if any.
    pub ha_group: Option<&'a str>,
}

/// Simulation arguments for `urls`.
pub fn sim_args(urls: &[&str], seed: u64, per_day: u64) -> SimulateArgs {
    SimulateArgs {
        idb: urls.iter().map(|u| u.to_string()).collect(),
        days: 1,
        interactions_per_day: per_day,
        seed,
        sites: 1,
        ha: false,
        agents: None,
        start: Some(START.to_string()),
        end: None,
        truth: None,
        ha_gap_minutes: None,
        no_progress: true,
    }
}

/// Runs the simulator.
pub async fn simulate(args: &SimulateArgs) -> SimulationReport {
    match run(args).await {
        Ok(r) => r,
        Err(e) => panic!("simulate failed: {e:#}"),
    }
}

/// The TOML of a configuration with an Info Mart, a GIDB folder and DAPs.
pub fn config_text(infomart_url: &str, gidb: &Path, daps: &[TestDap<'_>], extra: &str) -> String {
    let mut text = format!(
        "[infomart]\nurl = \"{infomart_url}\"\n\n[gidb]\nurl = \"{}\"\n\n{extra}\n",
        gidb.display()
    );
    for dap in daps {
        text.push_str(&format!(
            "[[dap]]\nname = \"{}\"\nrole = \"{}\"\nurl = \"{}\"\n",
            dap.name, dap.roles, dap.url
        ));
        if let Some(group) = dap.ha_group {
            text.push_str(&format!("ha-group = \"{group}\"\n"));
        }
        text.push('\n');
    }
    text
}

/// A parsed configuration.
pub fn config(infomart_url: &str, gidb: &Path, daps: &[TestDap<'_>]) -> Arc<Config> {
    let text = config_text(infomart_url, gidb, daps, "");
    Arc::new(Config::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}")))
}

/// Every domain from one IDB.
pub fn all_roles(url: &str) -> TestDap<'_> {
    TestDap {
        name: "idb",
        url,
        roles: "ICON_CFG,ICON_CORE,ICON_MM,ICON_OCS",
        ha_group: None,
    }
}

/// Runs Job_ExtractICON as of `as_of` (RFC 3339) and returns its report lines.
pub async fn extract(config: &Arc<Config>, as_of: &str) -> Vec<String> {
    // SAFETY: each test runs in its own process (nextest), and no other thread reads the
    // environment while it is set.
    unsafe { std::env::set_var("TIDEMARK_AS_OF", as_of) };
    run_job(config, names::EXTRACT).await
}

/// Runs `job` in-process and returns its report lines; panics when it fails.
pub async fn run_job(config: &Arc<Config>, job: &str) -> Vec<String> {
    runner::run_job(
        Arc::clone(config),
        job,
        Trigger::Manual,
        CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("{job} failed: {e}"))
    .into_iter()
    .flat_map(|r| r.outcome.messages)
    .collect()
}

/// `tidemark --config <config> job run <job>`, for tests that kill or re-run the binary.
pub fn job_command(config: &Path, job: &str) -> std::process::Command {
    let mut command = std::process::Command::new(tidemark_binary());
    command
        .arg("--config")
        .arg(config)
        .args(["job", "run", job]);
    command
}

/// The GIDB folders under `gidb`.
pub fn folders(gidb: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(gidb)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Every row of every GIDB folder as text, sorted, with `create_audit_key` left out (it
/// depends on the order chunks committed in).
pub async fn gidb_rows(gidb: &Path) -> BTreeMap<String, Vec<String>> {
    gidb_rows_of(gidb, |_| true).await
}

/// The rows of the GIDB folders extraction writes (not the voice-merge folders), as
/// [`gidb_rows`] gives them.
pub async fn extracted_rows(gidb: &Path) -> BTreeMap<String, Vec<String>> {
    gidb_rows_of(gidb, |f| !f.starts_with("gidb_voice_merge")).await
}

async fn gidb_rows_of(gidb: &Path, keep: impl Fn(&str) -> bool) -> BTreeMap<String, Vec<String>> {
    let mut all = BTreeMap::new();
    for folder in folders(gidb).into_iter().filter(|f| keep(f)) {
        // A folder whose files were all replaced or consumed (the merge's waiting calls)
        // holds no rows, like one never written.
        let rows = folder_rows(&gidb.join(&folder)).await;
        if !rows.is_empty() {
            all.insert(folder, rows);
        }
    }
    all
}

/// Whether `dir` or a folder under it holds a Parquet file.
fn holds_parquet(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|entry| {
            let path = entry.path();
            if path.is_dir() {
                holds_parquet(&path)
            } else {
                path.extension().is_some_and(|e| e == "parquet")
            }
        })
}

/// The rows of one GIDB folder as sorted text lines (without `create_audit_key`).
pub async fn folder_rows(folder: &Path) -> Vec<String> {
    if !holds_parquet(folder) {
        return Vec::new();
    }
    let ctx = SessionContext::new();
    let path = format!("{}/", folder.display());
    let df = ctx
        .read_parquet(
            path,
            ParquetReadOptions::default().file_extension(".parquet"),
        )
        .await
        .expect("read GIDB folder");
    let batches = df.collect().await.expect("collect");
    let mut lines = Vec::new();
    for batch in &batches {
        let schema = batch.schema();
        for row in 0..batch.num_rows() {
            let mut cells = Vec::new();
            for (i, field) in schema.fields().iter().enumerate() {
                if field.name() == "create_audit_key" || field.name() == "day" {
                    continue;
                }
                cells.push(array_value_to_string(batch.column(i), row).expect("cell"));
            }
            lines.push(cells.join("|"));
        }
    }
    lines.sort();
    lines
}

/// The extraction marks (CTL_HWM rows `extract:…`) as `name=value`.
pub async fn marks(infomart_url: &str) -> Vec<String> {
    let db = database::connect(infomart_url).await.expect("info mart");
    let rows = db
        .query("select hwm_name, hwm_value from ctl_hwm where hwm_name like 'extract:%' order by hwm_name")
        .await
        .expect("marks");
    rows.iter().map(|r| format!("{}={}", r[0], r[1])).collect()
}

/// An integer query on any database.
pub async fn scalar(db: &dyn Database, sql: &str) -> i64 {
    db.query_i64(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The key column (lower case) of an IDB table.
pub fn key_of(table: &str) -> String {
    let def = tidemark_schemas::idb::table(table).unwrap_or_else(|| panic!("no IDB table {table}"));
    def.primary_key[0].to_ascii_lowercase()
}

/// Keys of an IDB table's rows with a non-null value in `column`.
pub async fn idb_ids(db: &dyn Database, table: &str, column: &str) -> Vec<i64> {
    let key = key_of(table);
    idb_ids_where(
        db,
        &format!("select {key} from {table} where {column} is not null order by {key}"),
    )
    .await
}

/// Keys in the GIDB folders given (all copies of one IDB table).
pub async fn gidb_ids(gidb: &Path, folders: &[&str]) -> Vec<i64> {
    let base = folders[0].trim_start_matches("gidb_");
    let table = [
        base,
        base.trim_end_matches("_mm"),
        base.trim_end_matches("_v"),
    ]
    .into_iter()
    .find(|t| tidemark_schemas::idb::table(t).is_some())
    .unwrap_or(base);
    gidb_key(gidb, folders, &key_of(table)).await
}

/// Values of an integer key column in the GIDB folders given, sorted.
pub async fn gidb_key(gidb: &Path, folders: &[&str], key: &str) -> Vec<i64> {
    let ctx = SessionContext::new();
    let mut ids = Vec::new();
    for folder in folders {
        let path: PathBuf = gidb.join(folder);
        if !path.exists() {
            continue;
        }
        let df = ctx
            .read_parquet(
                format!("{}/", path.display()),
                ParquetReadOptions::default().file_extension(".parquet"),
            )
            .await
            .expect("read");
        for batch in df
            .select_columns(&[key])
            .expect("id")
            .collect()
            .await
            .expect("collect")
        {
            let column = datafusion::arrow::compute::cast(
                batch.column(0),
                &datafusion::arrow::datatypes::DataType::Int64,
            )
            .expect("cast");
            let column = column
                .as_any()
                .downcast_ref::<datafusion::arrow::array::Int64Array>()
                .expect("int64");
            ids.extend(column.iter().flatten());
        }
    }
    ids.sort_unstable();
    ids
}

/// Ids returned by a query.
pub async fn idb_ids_where(db: &dyn Database, sql: &str) -> Vec<i64> {
    let rows = db.query(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.iter().map(|r| r[0].as_i64().expect("id")).collect()
}

/// Text values returned by a query.
pub async fn texts(db: &dyn Database, sql: &str) -> Vec<String> {
    let rows = db.query(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.iter()
        .map(|r| r[0].as_str().unwrap_or_default().to_string())
        .collect()
}

/// One column of a GIDB folder as sorted text.
pub async fn gidb_column(gidb: &Path, folder: &str, column: &str) -> Vec<String> {
    let ctx = SessionContext::new();
    let df = ctx
        .read_parquet(
            format!("{}/", gidb.join(folder).display()),
            ParquetReadOptions::default().file_extension(".parquet"),
        )
        .await
        .expect("read");
    let mut values = Vec::new();
    for batch in df
        .select_columns(&[column])
        .expect("column")
        .collect()
        .await
        .expect("collect")
    {
        for row in 0..batch.num_rows() {
            values.push(array_value_to_string(batch.column(0), row).expect("cell"));
        }
    }
    values.sort();
    values
}

/// The `tidemark` binary built beside the test executables.
pub fn tidemark_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target profile folder");
    let binary = dir.join("tidemark");
    assert!(
        binary.exists(),
        "{} is not built; run the tests through cargo",
        binary.display()
    );
    binary
}

/// Writes `text` as `tidemark.toml` in `dir` and returns its path.
pub fn write_config(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("tidemark.toml");
    std::fs::write(&path, text).expect("write configuration");
    path
}

/// One SQL expression over a GIDB folder (registered as `t`) as sorted text.
pub async fn gidb_column_expr(gidb: &Path, folder: &str, expr: &str) -> Vec<String> {
    let ctx = SessionContext::new();
    ctx.register_parquet(
        "t",
        format!("{}/", gidb.join(folder).display()),
        ParquetReadOptions::default().file_extension(".parquet"),
    )
    .await
    .expect("register");
    let df = ctx
        .sql(&format!("select {expr} from t"))
        .await
        .expect("query");
    let mut values = Vec::new();
    for batch in df.collect().await.expect("collect") {
        for row in 0..batch.num_rows() {
            values.push(array_value_to_string(batch.column(0), row).expect("cell"));
        }
    }
    values.sort();
    values
}
