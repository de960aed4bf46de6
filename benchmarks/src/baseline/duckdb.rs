//! The voice views in DuckDB (the Python package, run as `python3 -c`): the input rows
//! written as Parquet and loaded as tables (untimed), then the views created and each output
//! materialized by `CREATE TABLE … AS`, timed inside the script, which prints its wall time,
//! rows and integer sums per output as JSON.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use tidemark_plans::transform::View;

use super::{dialect, InputTable, OutputRows, OUTPUTS};

/// The script: `argv[1]` is a [`Spec`] as JSON; prints a [`ScriptReport`] as JSON on its
/// last line. The sums are those of `super::sums_sql` over the columns DuckDB types as
/// integers. DuckDB's progress bar (drawn on stdout for long statements) is off.
const SCRIPT: &str = r#"
import json, sys, time
import duckdb

spec = json.load(open(sys.argv[1]))
report = {"wall_s": 0.0, "outputs": [], "error": None}
con = duckdb.connect()
con.execute("set enable_progress_bar = false")
step = "setup"
try:
    for statement in spec["setup"]:
        con.execute(statement)
    for name, path in spec["inputs"]:
        step = "loading " + name
        con.execute(f"create table {name} as select * from read_parquet('{path}')")
    started = time.perf_counter()
    for name, sql, shared in spec["views"]:
        step = "view " + name
        kind = "table" if shared else "view"
        con.execute(f"create {kind} {name} as {sql}")
    for name in spec["outputs"]:
        step = "materializing " + name
        con.execute(f"create table out_{name} as select * from {name}")
    report["wall_s"] = time.perf_counter() - started
    for name in spec["outputs"]:
        step = "summing " + name
        columns = [row[0] for row in con.execute(
            "select column_name from information_schema.columns where table_name = ? "
            "and data_type in ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', "
            "'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT') "
            "order by ordinal_position", [f"out_{name}"]).fetchall()]
        items = ["count(*)"] + [f"coalesce(cast(sum({c}) as bigint), 0)" for c in columns]
        row = con.execute(f"select {', '.join(items)} from out_{name}").fetchone()
        report["outputs"].append(
            {"output": name, "rows": row[0], "sums": dict(zip(columns, row[1:]))})
except Exception as e:
    report["error"] = f"{step}: {e}"
print(json.dumps(report))
"#;

/// What the script runs: setup statements, input tables and their Parquet files, the views
/// (name, DuckDB SQL, materialized as a table) and the outputs.
#[derive(Debug, Serialize)]
struct Spec {
    setup: Vec<String>,
    inputs: Vec<(String, String)>,
    views: Vec<(String, String, bool)>,
    outputs: Vec<String>,
}

/// What the script prints.
#[derive(Debug, Deserialize)]
struct ScriptReport {
    wall_s: f64,
    outputs: Vec<ScriptOutput>,
    error: Option<String>,
}

/// One output as the script reports it.
#[derive(Debug, Deserialize)]
struct ScriptOutput {
    output: String,
    rows: u64,
    sums: BTreeMap<String, i64>,
}

/// Writes `inputs` as Parquet under `scratch`, runs the views in DuckDB and returns the
/// script's wall time and outputs; the Parquet files are removed afterwards.
pub async fn run(
    scratch: &Path,
    inputs: &[InputTable],
    views: &[View],
    shared: &BTreeSet<String>,
) -> Result<(f64, Vec<OutputRows>)> {
    let folder = scratch.join("duckdb-baseline");
    std::fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;
    let result = run_in(&folder, inputs, views, shared).await;
    if let Err(e) = std::fs::remove_dir_all(&folder) {
        tracing::warn!("removing {}: {e}", folder.display());
    }
    result
}

async fn run_in(
    folder: &Path,
    inputs: &[InputTable],
    views: &[View],
    shared: &BTreeSet<String>,
) -> Result<(f64, Vec<OutputRows>)> {
    let mut files = Vec::new();
    for input in inputs {
        let path = folder.join(format!("{}.parquet", input.name));
        write_parquet(&path, input).with_context(|| format!("writing {}", path.display()))?;
        let path = path.to_str().context("a UTF-8 scratch path")?;
        files.push((input.name.clone(), path.replace('\'', "''")));
    }
    let spec = Spec {
        setup: dialect::duckdb_setup(),
        inputs: files,
        views: views
            .iter()
            .map(|v| {
                let sql = dialect::duckdb(&v.sql);
                (v.name.clone(), sql, shared.contains(&v.name))
            })
            .collect(),
        outputs: OUTPUTS.iter().map(|o| o.to_string()).collect(),
    };
    let spec_path = folder.join("spec.json");
    std::fs::write(&spec_path, serde_json::to_vec(&spec)?)?;
    let output = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg("-c")
            .arg(SCRIPT)
            .arg(&spec_path)
            .output()
    })
    .await?
    .context("running python3 (is the duckdb package installed?)")?;
    if !output.status.success() {
        bail!(
            "the DuckDB script failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last_line = stdout.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
    let report: ScriptReport = serde_json::from_str(last_line)
        .with_context(|| format!("the DuckDB script printed {stdout}"))?;
    if let Some(error) = report.error {
        bail!("DuckDB: {error}");
    }
    let outputs = report
        .outputs
        .into_iter()
        .map(|o| OutputRows {
            output: o.output,
            rows: o.rows,
            sums: o.sums,
        })
        .collect();
    Ok((report.wall_s, outputs))
}

/// Writes the rows of `input` as one Parquet file (its schema even without rows).
fn write_parquet(path: &Path, input: &InputTable) -> Result<()> {
    let file = std::fs::File::create(path)?;
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, input.schema.clone(), None)?;
    for batch in &input.batches {
        writer.write(batch)?;
    }
    writer.close()?;
    Ok(())
}
