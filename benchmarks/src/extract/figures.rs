//! The figures of one extraction benchmark: what was measured, derived throughput, the
//! ratio to the COPY limit, and their Markdown table.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;
use tidemark_sinks::database::Database;

use crate::copy::CopyPass;
use crate::idb::{IdbSize, PreparedIdb};
use crate::machine::{Machine, Versions};
use crate::measure::{StageCost, Throughput, MB};
use crate::report::MarkdownTable;

/// Extraction must reach at least this share of the raw COPY speed (issue 3).
pub const GOAL_PERCENT: f64 = 60.0;

/// Everything one `benchmarks extract` run measured.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractReport {
    /// Benchmark name (`extract`).
    pub benchmark: String,
    /// When the run finished (RFC 3339).
    pub measured_at: String,
    /// The machine.
    pub machine: Machine,
    /// Software versions.
    pub versions: Versions,
    /// Simulated size.
    pub size: IdbSize,
    /// The IDB read.
    pub idb: PreparedIdb,
    /// Options and window.
    pub settings: Settings,
    /// Job_InitializeGIM on an empty Info Mart.
    pub initialize: StageCost,
    /// Job_ExtractICON.
    pub extraction: Extraction,
    /// COPY of the same SELECTs on one connection.
    pub copy_sequential: CopyPass,
    /// COPY of the same SELECTs on `extract-data-max-conn` connections.
    pub copy_parallel: CopyPass,
    /// Extraction speed against the faster COPY pass.
    pub ratio: Ratio,
    /// Job_TransformGIM over what extraction wrote (`None` with `--no-transform`).
    pub transform: Option<Transformed>,
    /// Job_ExportGIM to Parquet and the COPY out of the same rows, unless skipped.
    pub export: Option<super::export::Exported>,
}

/// What Job_TransformGIM did after the extraction.
#[derive(Debug, Clone, Serialize)]
pub struct Transformed {
    /// Wall time, CPU and memory.
    pub cost: StageCost,
    /// INTERACTION_FACT rows written.
    pub interactions: u64,
    /// Fact rows written (INTERACTION_FACT, INTERACTION_RESOURCE_FACT, MEDIATION_SEGMENT_FACT).
    pub fact_rows: u64,
    /// Interactions per second.
    pub interactions_per_s: f64,
    /// Fact rows per second.
    pub rows_per_s: f64,
}

impl Transformed {
    /// Reads the facts the transform wrote.
    pub async fn read(infomart: &dyn Database, cost: StageCost) -> Result<Self> {
        let count = |table: &'static str| async move {
            infomart
                .query_i64(&format!("select count(*) from {table}"))
                .await
                .map(|n| n.max(0) as u64)
        };
        let interactions = count("interaction_fact").await?;
        let fact_rows = interactions
            + count("interaction_resource_fact").await?
            + count("mediation_segment_fact").await?;
        let wall = cost.wall_s.max(1e-9);
        Ok(Self {
            interactions_per_s: interactions as f64 / wall,
            rows_per_s: fact_rows as f64 / wall,
            cost,
            interactions,
            fact_rows,
        })
    }
}

/// Extraction options in effect and the window compared.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// `extract-data-max-conn`: connections per IDB, also the parallel COPY's.
    pub extract_data_max_conn: u32,
    /// `extract-data-thread-pool-size`.
    pub extract_data_thread_pool_size: u32,
    /// `extract-data-chunk-size`, seconds per window.
    pub extract_data_chunk_size: u32,
    /// The time extraction took as now.
    pub as_of: String,
    /// Lower bound of the window read by COPY (the initial mark, epoch seconds).
    pub window_from: i64,
    /// Upper bound of the window read by COPY: the highest mark extraction reached.
    pub window_to: i64,
    /// The lowest mark extraction reached (equal to `window_to` when every table and
    /// source reached the horizon).
    pub lowest_final_mark: i64,
}

/// What Job_ExtractICON did.
#[derive(Debug, Clone, Serialize)]
pub struct Extraction {
    /// Wall time, CPU and memory.
    pub cost: StageCost,
    /// Rows (sum of CTL_EXTRACT_HISTORY.ROW_COUNT) against the COPY bytes of the same rows.
    pub throughput: Throughput,
    /// Windows committed (CTL_EXTRACT_HISTORY rows).
    pub windows: u64,
    /// Bytes of the GIDB folder afterwards.
    pub parquet_bytes: u64,
    /// Parquet MB written per second.
    pub parquet_mb_per_s: f64,
    /// Tables whose extracted row count differs from the COPY's (empty when they agree).
    pub mismatches: Vec<RowMismatch>,
}

/// A table extraction and COPY disagree on.
#[derive(Debug, Clone, Serialize)]
pub struct RowMismatch {
    /// IDB table.
    pub table: String,
    /// Rows extracted.
    pub extracted: u64,
    /// Rows COPY streamed.
    pub copied: u64,
}

impl Extraction {
    /// Reads the extraction's rows and windows from the Info Mart and compares them per
    /// table with the COPY pass's.
    pub async fn read(
        infomart: &dyn Database,
        cost: StageCost,
        copy_bytes: u64,
        parquet_bytes: u64,
        copied_per_table: &[(String, u64)],
    ) -> Result<Self> {
        let extracted = super::extracted_rows_per_table(infomart).await?;
        let windows = infomart
            .query_i64("select count(*) from ctl_extract_history")
            .await?
            .max(0) as u64;
        let mut per_table: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for (table, rows) in &extracted {
            per_table.entry(table.to_uppercase()).or_default().0 += rows;
        }
        for (table, rows) in copied_per_table {
            per_table.entry(table.to_uppercase()).or_default().1 += rows;
        }
        let mismatches = per_table
            .into_iter()
            .filter(|(_, (e, c))| e != c)
            .map(|(table, (extracted, copied))| RowMismatch {
                table,
                extracted,
                copied,
            })
            .collect();
        let rows = extracted.iter().map(|(_, r)| r).sum();
        let wall_s = cost.wall_s;
        Ok(Self {
            throughput: Throughput::new(rows, copy_bytes, wall_s),
            cost,
            windows,
            parquet_bytes,
            parquet_mb_per_s: parquet_bytes as f64 / MB / wall_s.max(1e-9),
            mismatches,
        })
    }
}

/// Extraction speed as a share of the COPY limit.
#[derive(Debug, Clone, Serialize)]
pub struct Ratio {
    /// Extraction rows/s ÷ COPY rows/s, percent.
    pub percent: f64,
    /// The COPY pass compared against: the faster of the two.
    pub against: String,
    /// Goal, percent.
    pub goal_percent: f64,
    /// Whether the goal is met.
    pub met: bool,
}

impl Ratio {
    /// Extraction against the faster of the two COPY passes (the stricter comparison).
    pub fn of(extraction: &Throughput, sequential: &CopyPass, parallel: &CopyPass) -> Self {
        let faster = if parallel.throughput.rows_per_s > sequential.throughput.rows_per_s {
            parallel
        } else {
            sequential
        };
        let percent = 100.0 * extraction.rows_per_s / faster.throughput.rows_per_s.max(1e-9);
        Self {
            percent,
            against: faster.cost.stage.clone(),
            goal_percent: GOAL_PERCENT,
            met: percent >= GOAL_PERCENT,
        }
    }
}

impl ExtractReport {
    /// The results as Markdown: context lines, one table row per stage, and the ratio.
    pub fn to_markdown(&self) -> String {
        let mut table = MarkdownTable::new(&[
            "stage",
            "wall s",
            "CPU s",
            "peak RSS MB",
            "rows",
            "rows/s",
            "MB/s (COPY bytes)",
            "Parquet MB",
        ]);
        let ex = &self.extraction;
        table.row(stage_row(
            &self.initialize.stage,
            &self.initialize,
            None,
            None,
        ));
        table.row(stage_row(
            &ex.cost.stage,
            &ex.cost,
            Some(&ex.throughput),
            Some(ex.parquet_bytes),
        ));
        for pass in [&self.copy_sequential, &self.copy_parallel] {
            let label = format!("{} ({} conn.)", pass.cost.stage, pass.connections);
            table.row(stage_row(&label, &pass.cost, Some(&pass.throughput), None));
        }
        let m = &self.machine;
        let mut text = format!(
            "# Extraction throughput — {}\n\n\
             - Machine: {} × {}, {} GB RAM, Linux {}; PostgreSQL {} on the same machine\n\
             - Tidemark {}{}\n\
             - IDB: {} ({} interactions/day × {} day(s), seed {}; {} rows; {})\n\
             - extract-data-max-conn {}, extract-data-thread-pool-size {}, extract-data-chunk-size {} s; \
             window ({}, {}], {} windows committed\n\
             - CPU s is the benchmark process only (the PostgreSQL server's CPU is not counted); \
             MB are 10^6 bytes of the binary COPY stream for the same rows on every line\n\n",
            self.measured_at,
            m.cores,
            m.cpu_model,
            m.ram_gb,
            m.kernel,
            self.versions.postgres,
            self.versions.tidemark,
            self.versions.commit.as_deref().map(|c| format!(" ({c})")).unwrap_or_default(),
            self.idb.database,
            self.size.interactions_per_day,
            self.size.days,
            self.size.seed,
            self.idb.rows,
            match self.idb.simulation_s {
                Some(s) => format!("simulated in {s:.0} s"),
                None => "reused".to_string(),
            },
            self.settings.extract_data_max_conn,
            self.settings.extract_data_thread_pool_size,
            self.settings.extract_data_chunk_size,
            self.settings.window_from,
            self.settings.window_to,
            ex.windows,
        );
        if let Some(tr) = &self.transform {
            table.row(vec![
                tr.cost.stage.clone(),
                fixed(tr.cost.wall_s, 2),
                fixed(tr.cost.cpu_s, 2),
                fixed(tr.cost.peak_rss_mb, 0),
                tr.fact_rows.to_string(),
                fixed(tr.rows_per_s, 0),
                "–".to_string(),
                "–".to_string(),
            ]);
        }
        text.push_str(&table.render());
        if let Some(tr) = &self.transform {
            text.push_str(&format!(
                "\nJob_TransformGIM: {} voice interactions ({:.0}/s), {} fact rows (IF, IRF, MSF).\n",
                tr.interactions, tr.interactions_per_s, tr.fact_rows
            ));
        }
        if let Some(export) = &self.export {
            text.push_str(&export.to_markdown());
        }
        text.push_str(&format!(
            "\nExtraction ÷ COPY: **{:.0} %** of {} rows/s (the faster COPY pass); goal ≥ {:.0} %: {}.\n",
            self.ratio.percent,
            self.ratio.against,
            self.ratio.goal_percent,
            if self.ratio.met { "met" } else { "missed" }
        ));
        if !ex.mismatches.is_empty() {
            text.push_str("\nRow counts differ between extraction and COPY:\n\n");
            for m in &ex.mismatches {
                text.push_str(&format!(
                    "- {}: extracted {}, copied {}\n",
                    m.table, m.extracted, m.copied
                ));
            }
        }
        text
    }
}

/// One table row: the stage's cost, then its throughput and Parquet MB where it has them.
fn stage_row(
    label: &str,
    cost: &StageCost,
    throughput: Option<&Throughput>,
    parquet_bytes: Option<u64>,
) -> Vec<String> {
    let none = || "–".to_string();
    vec![
        label.to_string(),
        fixed(cost.wall_s, 2),
        fixed(cost.cpu_s, 2),
        fixed(cost.peak_rss_mb, 0),
        throughput.map(|t| t.rows.to_string()).unwrap_or_else(none),
        throughput
            .map(|t| fixed(t.rows_per_s, 0))
            .unwrap_or_else(none),
        throughput
            .map(|t| fixed(t.mb_per_s, 1))
            .unwrap_or_else(none),
        parquet_bytes
            .map(|b| fixed(b as f64 / MB, 1))
            .unwrap_or_else(none),
    ]
}

/// `value` with `decimals` decimals.
fn fixed(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}")
}
