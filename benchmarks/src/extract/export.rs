//! The export stage of `benchmarks extract`: Job_ExportGIM writing the transformed mart as
//! Parquet (no CSV archive), against the binary COPY out of exactly the mart rows it
//! exported, in the same run.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use tidemark::config::Config;
use tidemark::jobs::extract::RangeQuery;
use tidemark::jobs::names;
use tidemark_sinks::database::Database;
use tidemark_sinks::export::{Manifest, BATCHES_FOLDER};

use crate::copy::{self, CopyPass};
use crate::measure::StageCost;
use crate::stages::{folder_bytes, run_timed};

/// Chunk width of the benchmark's export: the run waits for the current window to close.
pub const CHUNK_SECONDS: i64 = 60;

/// Goal: Parquet export throughput in MB (binary COPY bytes of the rows) per CPU second.
pub const GOAL_MB_PER_CORE_S: f64 = 100.0;

/// What Job_ExportGIM did and what COPY of the same rows cost.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exported {
    /// Wall time, CPU and memory of the job.
    pub cost: StageCost,
    /// Info Mart rows exported (from the batch manifests).
    pub rows: u64,
    /// GIDB configuration-detail rows exported beside them.
    pub gidb_rows: u64,
    /// Batches written.
    pub batches: u64,
    /// Bytes of Parquet written.
    pub parquet_bytes: u64,
    /// Binary COPY out of the mart tables exported (every row of each, as the first export
    /// exports everything).
    pub copy: CopyPass,
    /// Rows per second.
    pub rows_per_s: f64,
    /// COPY-stream MB of the exported rows per wall second.
    pub mb_per_s: f64,
    /// COPY-stream MB per CPU second of the benchmark process: MB/s per core.
    pub mb_per_core_s: f64,
    /// Export rows/s ÷ COPY-out rows/s.
    pub ratio_to_copy: f64,
    /// Whether `mb_per_core_s` reaches [`GOAL_MB_PER_CORE_S`].
    pub goal_met: bool,
}

/// The `[gim-export]` section of the benchmark configuration.
pub fn section(parquet: &Path, csv: &Path) -> String {
    format!(
        "[gim-export]\ncsv-archive = false\nparquet-url = \"{}\"\noutput-directory = \"{}\"\n\
         chunk-size-seconds = {CHUNK_SECONDS}\n",
        parquet.display(),
        csv.display()
    )
}

/// Waits for the current export window to close, times the export, then COPYs the same
/// tables out of the mart.
pub async fn measure(
    config: &Arc<Config>,
    infomart: &dyn Database,
    infomart_url: &str,
    parquet: &Path,
) -> Result<Exported> {
    let now = chrono::Utc::now().timestamp();
    let wait = CHUNK_SECONDS - now.rem_euclid(CHUNK_SECONDS) + 1;
    tokio::time::sleep(std::time::Duration::from_secs(wait as u64)).await;
    let cost = run_timed(config, names::EXPORT).await?;
    let (rows, gidb_rows) = manifest_rows(parquet)?;
    let batches = infomart
        .query_i64("select count(*) from ctl_export_history")
        .await?
        .max(0) as u64;
    let tables = infomart
        .query_strings(
            "select lower(table_name) from ctl_export_tables where enabled = 1 \
             and incremental_mode <> 'NONE' and table_name not like 'GIDB%' order by 1",
        )
        .await?;
    let queries: Vec<RangeQuery> = tables
        .into_iter()
        .map(|table| RangeQuery {
            url: infomart_url.to_string(),
            sql: format!("select * from {table}"),
            table,
        })
        .collect();
    let copy = copy::run("COPY binary out of the mart", &queries, 1)
        .await
        .context("COPY out of the exported tables")?;
    let parquet_bytes = folder_bytes(parquet)?;
    let wall = cost.wall_s.max(1e-9);
    let mb = copy.throughput.copy_bytes as f64 / 1e6;
    let mb_per_core_s = mb / cost.cpu_s.max(1e-9);
    let rows_per_s = rows as f64 / wall;
    Ok(Exported {
        rows,
        gidb_rows,
        batches,
        parquet_bytes,
        rows_per_s,
        mb_per_s: mb / wall,
        mb_per_core_s,
        ratio_to_copy: rows_per_s / copy.throughput.rows_per_s.max(1e-9),
        goal_met: mb_per_core_s >= GOAL_MB_PER_CORE_S,
        cost,
        copy,
    })
}

/// Info Mart and GIDB rows listed by the published batch manifests.
fn manifest_rows(parquet: &Path) -> Result<(u64, u64)> {
    let (mut mart, mut gidb) = (0, 0);
    let batches = parquet.join(BATCHES_FOLDER);
    for entry in std::fs::read_dir(&batches).with_context(|| format!("{}", batches.display()))? {
        let path = entry?.path().join("manifest.json");
        let text = std::fs::read(&path).with_context(|| format!("{}", path.display()))?;
        let manifest = Manifest::from_json(&text)
            .with_context(|| format!("{} is not a manifest", path.display()))?;
        for table in manifest.tables {
            if table.name.starts_with("gidb_") {
                gidb += table.rows;
            } else {
                mart += table.rows;
            }
        }
    }
    Ok((mart, gidb))
}

impl Exported {
    /// The Markdown lines of the export stage.
    pub fn to_markdown(&self) -> String {
        format!(
            "\nJob_ExportGIM (Parquet, zstd): {} Info Mart rows (+ {} GIDB rows) in {} batch(es), {:.2} s wall, {:.2} s CPU, \
             peak RSS {:.0} MB; {:.0} rows/s; {:.1} MB/s and **{:.1} MB/s per core** (MB of the \
             binary COPY stream of the same rows; goal ≥ {GOAL_MB_PER_CORE_S:.0}: {}); \
             {:.1} MB of Parquet. COPY out of the same tables: {} rows in {:.2} s \
             ({:.0} rows/s); export ÷ COPY = {:.2}.\n",
            self.rows,
            self.gidb_rows,
            self.batches,
            self.cost.wall_s,
            self.cost.cpu_s,
            self.cost.peak_rss_mb,
            self.rows_per_s,
            self.mb_per_s,
            self.mb_per_core_s,
            if self.goal_met { "met" } else { "missed" },
            self.parquet_bytes as f64 / 1e6,
            self.copy.throughput.rows,
            self.copy.cost.wall_s,
            self.copy.throughput.rows_per_s,
            self.ratio_to_copy
        )
    }
}
