//! The figures of `benchmarks backlog`: per backlog size, every stage of the catch-up, the
//! physical limit of the same rows, the peer baselines of the transform and one steady-state
//! cycle; the goals they are judged against; and their Markdown.

use serde::{Deserialize, Serialize};

use crate::baseline::TransformBaselines;
use crate::copy::CopyPass;
use crate::copy_in::CopyInPass;
use crate::extract::export::Exported;
use crate::idb::{IdbSize, PreparedIdb};
use crate::machine::{Machine, Versions};
use crate::measure::{StageCost, MB};
use crate::report::MarkdownTable;
use crate::spans::{self, SpanTime};

/// Goal: catch-up time ÷ (COPY-out + COPY-in of the same rows) at most this.
pub const GOAL_END_TO_END_RATIO: f64 = 1.5;
/// Goal: the in-PostgreSQL transform takes at least this many times longer than Tidemark's.
pub const GOAL_TRANSFORM_SPEEDUP: f64 = 5.0;
/// Goal: peak resident memory of any stage below this many MB, at every backlog size.
pub const GOAL_PEAK_RSS_MB: f64 = 2048.0;
/// Goal: one incremental cycle of a 1M-interaction/day center within this many seconds.
pub const GOAL_CYCLE_S: f64 = 15.0;
/// Span keys listed per stage in the Markdown (the JSON has them all).
const SPANS_LISTED: usize = 10;
/// The span of Job_TransformGIM's voice stream.
const VOICE_STREAM_SPAN: &str = "transform_stream[voice]";

/// Everything one `benchmarks backlog` run measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BacklogReport {
    /// Benchmark name (`backlog`).
    pub benchmark: String,
    /// When the run finished (RFC 3339).
    pub measured_at: String,
    /// The machine.
    pub machine: Machine,
    /// Software versions.
    pub versions: Versions,
    /// One catch-up per backlog size, smallest first.
    pub runs: Vec<BacklogRun>,
    /// Growth across the sizes (meaningful with two sizes or more).
    pub growth: Growth,
}

/// One backlog size caught up.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BacklogRun {
    /// Simulated size.
    pub size: IdbSize,
    /// The IDB read.
    pub idb: PreparedIdb,
    /// `extract-data-max-conn` (also the COPY passes' connections).
    pub connections: usize,
    /// `extract-data-chunk-size`, seconds per extraction window.
    pub chunk_seconds: u32,
    /// The moment the catch-up extracted up to (RFC 3339).
    pub caught_up_to: String,
    /// Hours of simulated activity the catch-up covered.
    pub covered_hours: f64,
    /// Job_InitializeGIM, Job_ExtractICON, Job_TransformGIM and Job_ExportGIM in order.
    pub stages: Vec<Stage>,
    /// INTERACTION_FACT rows after the catch-up.
    pub interactions: u64,
    /// COPY out of exactly the IDB rows extracted.
    pub copy_out: CopyPass,
    /// COPY into bare tables of exactly the mart rows produced.
    pub copy_in: CopyInPass,
    /// Job_ExportGIM's detail (Parquet), when it ran.
    pub export: Option<Exported>,
    /// Catch-up against the physical limit.
    pub end_to_end: EndToEnd,
    /// The voice transform on DataFusion, inside PostgreSQL and on DuckDB.
    pub baselines: Option<Baselines>,
    /// One incremental cycle after the catch-up.
    pub steady_state: Option<SteadyState>,
    /// Highest peak RSS of any stage, MB.
    pub peak_rss_mb: f64,
}

/// One timed stage with its rows and bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stage {
    /// Wall time, CPU and memory.
    pub cost: StageCost,
    /// Rows read.
    pub rows_in: u64,
    /// Rows written.
    pub rows_out: u64,
    /// MB (10^6 bytes) of the binary COPY stream of the rows written.
    pub mb: f64,
    /// Rows written per second.
    pub rows_per_s: f64,
    /// `mb` per second.
    pub mb_per_s: f64,
}

impl Stage {
    /// A stage that wrote `rows_out` rows whose COPY stream is `bytes` long.
    pub fn new(cost: StageCost, rows_in: u64, rows_out: u64, bytes: u64) -> Self {
        let wall = cost.wall_s.max(1e-9);
        let mb = bytes as f64 / MB;
        Stage {
            rows_per_s: rows_out as f64 / wall,
            mb_per_s: mb / wall,
            cost,
            rows_in,
            rows_out,
            mb,
        }
    }
}

/// Catch-up time against COPY-out + COPY-in of the same rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndToEnd {
    /// Job_InitializeGIM + Job_ExtractICON + Job_TransformGIM, wall seconds.
    pub catch_up_s: f64,
    /// The same plus Job_ExportGIM.
    pub with_export_s: f64,
    /// COPY-out + COPY-in wall seconds.
    pub copy_limit_s: f64,
    /// `catch_up_s ÷ copy_limit_s`.
    pub ratio: f64,
    /// Whether `ratio` ≤ [`GOAL_END_TO_END_RATIO`].
    pub goal_met: bool,
}

/// The transform baselines and Tidemark's speed against each.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Baselines {
    /// The three engines over the same inputs.
    pub engines: TransformBaselines,
    /// In-PostgreSQL seconds ÷ Job_TransformGIM seconds (the job includes loading the mart,
    /// and the configuration, multimedia and user-data streams the baseline does not run).
    pub job_vs_postgres: Option<f64>,
    /// In-PostgreSQL seconds ÷ wall seconds of the job's voice stream (its views, loading
    /// the voice facts into the mart and committing them): the same facts on both sides.
    #[serde(default)]
    pub voice_stream_vs_postgres: Option<f64>,
    /// In-PostgreSQL seconds ÷ DataFusion seconds of the same views.
    pub views_vs_postgres: Option<f64>,
    /// DuckDB seconds ÷ DataFusion seconds of the same views.
    pub views_vs_duckdb: Option<f64>,
    /// Whether `job_vs_postgres` ≥ [`GOAL_TRANSFORM_SPEEDUP`].
    pub goal_met: bool,
}

impl Baselines {
    /// The ratios of `engines` against Job_TransformGIM's `transform` cost and its voice
    /// stream's span.
    pub fn new(engines: TransformBaselines, transform: &StageCost) -> Self {
        let ok = |run: &crate::baseline::EngineRun| run.error.is_none().then_some(run.wall_s);
        let over = |num: Option<f64>, den: Option<f64>| match (num, den) {
            (Some(n), Some(d)) if d > 0.0 => Some(n / d),
            _ => None,
        };
        let (df, pg, duck) = (
            ok(&engines.datafusion),
            ok(&engines.postgres),
            ok(&engines.duckdb),
        );
        let job_vs_postgres = over(pg, Some(transform.wall_s));
        let voice_stream = spans::wall_of(&transform.spans, VOICE_STREAM_SPAN);
        Baselines {
            job_vs_postgres,
            voice_stream_vs_postgres: over(pg, voice_stream),
            views_vs_postgres: over(pg, df),
            views_vs_duckdb: over(duck, df),
            goal_met: job_vs_postgres.is_some_and(|r| r >= GOAL_TRANSFORM_SPEEDUP),
            engines,
        }
    }
}

/// One ETL cycle (Job_ExtractICON + Job_TransformGIM) right after the catch-up.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SteadyState {
    /// Minutes of new activity the cycle found (one ETL frequency).
    pub cycle_minutes: u32,
    /// Job_ExtractICON of the cycle.
    pub extract: StageCost,
    /// Job_TransformGIM of the cycle.
    pub transform: StageCost,
    /// IDB rows the cycle extracted.
    pub rows: u64,
    /// INTERACTION_FACT rows the cycle added.
    pub interactions: u64,
    /// Wall seconds of the cycle.
    pub cycle_s: f64,
    /// Worst data latency: an event just after a cycle's window waits one frequency, then
    /// one cycle (seconds).
    pub latency_s: f64,
    /// Interactions per day of the run.
    pub interactions_per_day: u64,
    /// Whether the cycle fits [`GOAL_CYCLE_S`] (judged for 1M interactions/day or more).
    pub goal_met: Option<bool>,
}

/// How time and memory grow with the backlog.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Growth {
    /// Catch-up wall microseconds per IDB row, per size (flat when time is linear).
    pub us_per_row: Vec<(u32, f64)>,
    /// Peak RSS per size, MB (flat when memory does not grow with the backlog).
    pub peak_rss_mb: Vec<(u32, f64)>,
    /// Largest ÷ smallest µs per row.
    pub time_spread: f64,
    /// Largest ÷ smallest peak RSS.
    pub rss_spread: f64,
    /// Whether every size stayed under [`GOAL_PEAK_RSS_MB`].
    pub rss_goal_met: bool,
}

impl Growth {
    /// The growth over `runs`.
    pub fn of(runs: &[BacklogRun]) -> Self {
        let us_per_row: Vec<(u32, f64)> = runs
            .iter()
            .map(|r| {
                let rows = r.copy_out.throughput.rows.max(1) as f64;
                (r.size.days, r.end_to_end.catch_up_s * 1e6 / rows)
            })
            .collect();
        let peak_rss_mb: Vec<(u32, f64)> =
            runs.iter().map(|r| (r.size.days, r.peak_rss_mb)).collect();
        let spread = |v: &[(u32, f64)]| {
            let max = v.iter().map(|(_, x)| *x).fold(0.0, f64::max);
            let min = v.iter().map(|(_, x)| *x).fold(f64::INFINITY, f64::min);
            if min > 0.0 && min.is_finite() {
                max / min
            } else {
                1.0
            }
        };
        Growth {
            time_spread: spread(&us_per_row),
            rss_spread: spread(&peak_rss_mb),
            rss_goal_met: peak_rss_mb.iter().all(|(_, mb)| *mb < GOAL_PEAK_RSS_MB),
            us_per_row,
            peak_rss_mb,
        }
    }
}

/// One stage row: wall seconds, CPU and RSS when measured, rows in and out, COPY MB.
fn cells(
    name: &str,
    cost: Option<&StageCost>,
    wall_s: f64,
    (rows_in, rows_out): (u64, u64),
    mb: f64,
) -> Vec<String> {
    let wall = wall_s.max(1e-9);
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "–".to_string());
    vec![
        name.to_string(),
        format!("{wall_s:.2}"),
        or_dash(cost.map(|c| format!("{:.2}", c.cpu_s))),
        or_dash(cost.map(|c| format!("{:.0}", c.peak_rss_mb))),
        or_dash(cost.map(|c| format!("{:.0}", c.start_rss_mb))),
        rows_in.to_string(),
        rows_out.to_string(),
        format!("{:.0}", rows_out as f64 / wall),
        if mb > 0.0 {
            format!("{:.1}", mb / wall)
        } else {
            "–".to_string()
        },
    ]
}

fn secs(s: f64) -> String {
    format!("{s:.1}")
}

fn ratio(r: Option<f64>) -> String {
    r.map_or("–".to_string(), |r| format!("{r:.1}×"))
}

fn met(goal: bool) -> &'static str {
    if goal {
        "met"
    } else {
        "missed"
    }
}

impl BacklogReport {
    /// The report as Markdown: one summary row per size, then each size's stages.
    pub fn to_markdown(&self) -> String {
        let m = &self.machine;
        let mut text = format!(
            "# Backlog catch-up — {}\n\n\
             - Machine: {} × {}, {} GB RAM, Linux {}; PostgreSQL {} on the same machine\n\
             - Tidemark {}{}\n\
             - Catch-up = Job_InitializeGIM + Job_ExtractICON + Job_TransformGIM into a PostgreSQL \
             Info Mart; limit = COPY out of exactly the IDB rows extracted + COPY into bare tables \
             of exactly the mart rows produced; transform baselines run the same voice views over \
             the same input rows inside PostgreSQL and on DuckDB\n\n",
            self.measured_at,
            m.cores,
            m.cpu_model,
            m.ram_gb.round(),
            m.kernel,
            self.versions.postgres,
            self.versions.tidemark,
            self.versions
                .commit
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default(),
        );
        let mut summary = MarkdownTable::new(&[
            "backlog",
            "interactions",
            "IDB rows",
            "catch-up s",
            "COPY out+in s",
            "÷ COPY",
            "export s",
            "peak RSS MB",
            "PG ÷ job",
            "PG ÷ voice stream",
            "PG ÷ views",
            "DuckDB ÷ views",
            "cycle s",
        ]);
        for run in &self.runs {
            let b = run.baselines.as_ref();
            summary.row(vec![
                format!("{} d × {}", run.size.days, run.size.interactions_per_day),
                run.interactions.to_string(),
                run.copy_out.throughput.rows.to_string(),
                secs(run.end_to_end.catch_up_s),
                secs(run.end_to_end.copy_limit_s),
                format!("{:.2}", run.end_to_end.ratio),
                run.export
                    .as_ref()
                    .map_or("–".into(), |e| secs(e.cost.wall_s)),
                format!("{:.0}", run.peak_rss_mb),
                ratio(b.and_then(|b| b.job_vs_postgres)),
                ratio(b.and_then(|b| b.voice_stream_vs_postgres)),
                ratio(b.and_then(|b| b.views_vs_postgres)),
                ratio(b.and_then(|b| b.views_vs_duckdb)),
                run.steady_state
                    .as_ref()
                    .map_or("–".into(), |s| secs(s.cycle_s)),
            ]);
        }
        text.push_str(&summary.render());
        text.push_str(&self.goals_markdown());
        for run in &self.runs {
            text.push_str(&run.to_markdown());
        }
        text
    }

    fn goals_markdown(&self) -> String {
        let mut lines = String::from("\nGoals (same machine, same run):\n");
        for run in &self.runs {
            let days = run.size.days;
            lines.push_str(&format!(
                "- {days} d: catch-up ÷ COPY {:.2} (goal ≤ {GOAL_END_TO_END_RATIO}: {})",
                run.end_to_end.ratio,
                met(run.end_to_end.goal_met)
            ));
            if let Some(b) = &run.baselines {
                lines.push_str(&format!(
                    "; in-PostgreSQL transform ÷ Job_TransformGIM {} (goal ≥ {GOAL_TRANSFORM_SPEEDUP}×: {}), \
                     ÷ its voice stream {}",
                    ratio(b.job_vs_postgres),
                    met(b.goal_met),
                    ratio(b.voice_stream_vs_postgres)
                ));
            }
            if let Some(s) = &run.steady_state {
                let verdict = s.goal_met.map_or("judged at 1M/day only", met);
                lines.push_str(&format!(
                    "; cycle {:.1} s (goal < {GOAL_CYCLE_S} s at 1M/day: {verdict})",
                    s.cycle_s
                ));
            }
            lines.push('\n');
        }
        let g = &self.growth;
        lines.push_str(&format!(
            "- growth: µs per IDB row spread {:.2}×, peak RSS spread {:.2}× across sizes; \
             peak RSS under {GOAL_PEAK_RSS_MB:.0} MB: {}\n",
            g.time_spread,
            g.rss_spread,
            met(g.rss_goal_met)
        ));
        lines
    }
}

impl BacklogRun {
    /// One size's stages, limits and baselines.
    pub fn to_markdown(&self) -> String {
        let mut table = MarkdownTable::new(&[
            "stage",
            "wall s",
            "CPU s",
            "peak RSS MB",
            "RSS at start MB",
            "rows in",
            "rows out",
            "rows/s",
            "MB/s",
        ]);
        for stage in &self.stages {
            table.row(cells(
                &stage.cost.stage,
                Some(&stage.cost),
                stage.cost.wall_s,
                (stage.rows_in, stage.rows_out),
                stage.mb,
            ));
        }
        let (out, inn) = (&self.copy_out, &self.copy_in);
        table.row(cells(
            &format!("{} ({} conn.)", out.cost.stage, out.connections),
            Some(&out.cost),
            out.cost.wall_s,
            (out.throughput.rows, out.throughput.rows),
            out.throughput.copy_bytes as f64 / MB,
        ));
        table.row(cells(
            &format!("{} ({} conn.)", inn.cost.stage, inn.connections),
            Some(&inn.cost),
            inn.cost.wall_s,
            (inn.throughput.rows, inn.throughput.rows),
            inn.throughput.copy_bytes as f64 / MB,
        ));
        if let Some(b) = &self.baselines {
            for engine in [
                &b.engines.datafusion,
                &b.engines.postgres,
                &b.engines.duckdb,
            ] {
                let rows: u64 = engine.outputs.iter().map(|o| o.rows).sum();
                let label = match &engine.error {
                    Some(e) => format!("voice views on {} (failed: {e})", engine.engine),
                    None => format!("voice views on {}", engine.engine),
                };
                table.row(cells(&label, None, engine.wall_s, (0, rows), 0.0));
            }
        }
        if let Some(s) = &self.steady_state {
            for (part, cost, rows_out) in [
                ("extract", &s.extract, s.rows),
                ("transform", &s.transform, s.interactions),
            ] {
                table.row(cells(
                    &format!("steady-state {} min: {part}", s.cycle_minutes),
                    Some(cost),
                    cost.wall_s,
                    (s.rows, rows_out),
                    0.0,
                ));
            }
        }
        let mut text = format!(
            "\n## {} day(s) × {} interactions/day (seed {})\n\n\
             IDB {} ({} rows, {}); caught up to {} ({:.1} h of activity); \
             {} connection(s) per IDB, extraction windows of {} s.\n\n",
            self.size.days,
            self.size.interactions_per_day,
            self.size.seed,
            self.idb.database,
            self.idb.rows,
            if self.idb.reused {
                "reused"
            } else {
                "simulated"
            },
            self.caught_up_to,
            self.covered_hours,
            self.connections,
            self.chunk_seconds,
        );
        text.push_str(&table.render());
        if let Some(b) = &self.baselines {
            if !b.engines.mismatches.is_empty() {
                text.push_str(&format!(
                    "\nEngines disagree: {}\n",
                    b.engines.mismatches.join("; ")
                ));
            }
        }
        if let Some(s) = &self.steady_state {
            text.push_str(&format!(
                "\nSteady state: {} new interactions in one {}-minute cycle, {:.1} s; \
                 worst data latency {:.0} s.\n",
                s.interactions, s.cycle_minutes, s.cycle_s, s.latency_s
            ));
        }
        let mut timed: Vec<(String, &[SpanTime])> = self
            .stages
            .iter()
            .map(|stage| (stage.cost.stage.clone(), stage.cost.spans.as_slice()))
            .collect();
        if let Some(s) = &self.steady_state {
            for (part, cost) in [("extract", &s.extract), ("transform", &s.transform)] {
                timed.push((format!("steady-state {part}"), cost.spans.as_slice()));
            }
        }
        let busiest = spans::markdown(&timed, SPANS_LISTED);
        if !busiest.is_empty() {
            text.push_str(&format!(
                "\nWhere the time went (seconds Tidemark's spans were open, and entered, \
                 summed per span; nested spans include their children, parallel ones add \
                 up):\n\n{busiest}"
            ));
        }
        text
    }
}
