//! `benchmarks backlog`: how fast Tidemark clears a backlog, how the cost grows with it,
//! where the time goes, and how it compares with the physical limit and with peer engines on
//! the same machine in the same run (issue 7).
//!
//! For each backlog size (`--days`, or every size of `--sweep`) the run simulates or reuses
//! a PostgreSQL IDB, then times a catch-up into a fresh PostgreSQL Info Mart
//! (Job_InitializeGIM, Job_ExtractICON, Job_TransformGIM, Job_ExportGIM to Parquet), the
//! binary COPY out of exactly the IDB rows extracted and into bare tables of exactly the mart
//! rows produced, the voice transform's views on DataFusion, inside PostgreSQL and on DuckDB
//! over the same input rows, and finally one incremental ETL cycle.
//!
//! The catch-up stops at the busiest moment of the last simulated day, so that the
//! steady-state cycle that follows meets peak traffic: its window is the next `--cycle-minutes`
//! of activity.

mod chart;
mod figures;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Duration, Utc};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use tidemark::config::Config;
use tidemark::jobs::extract::{range_queries, AS_OF_VAR};
use tidemark::jobs::names;
use tidemark::simulate::knobs::Knobs;
use tidemark_sinks::database::{self, Database};

pub use figures::{
    BacklogReport, BacklogRun, Baselines, EndToEnd, Growth, Stage, SteadyState, GOAL_CYCLE_S,
    GOAL_END_TO_END_RATIO, GOAL_PEAK_RSS_MB, GOAL_TRANSFORM_SPEEDUP,
};

use crate::extract::export;
use crate::extract::{Transformed, DEFAULT_PG_URL};
use crate::idb::{self, IdbSize};
use crate::machine::{Machine, Versions};
use crate::pg::PgServer;
use crate::stages::{configuration, run_timed, EtlOptions};
use crate::{baseline, copy, copy_in, report};

/// Steps the progress bar counts per backlog size.
const STEPS_PER_SIZE: u64 = 8;

/// Options of `benchmarks backlog`.
#[derive(Debug, Clone, Args)]
pub struct BacklogArgs {
    /// Days of backlog (ignored with `--sweep`).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub days: u32,
    /// Interactions (voice, e-mail, chat, outbound) simulated per day.
    #[arg(long = "interactions-per-day", value_name = "M")]
    pub interactions_per_day: u64,
    /// Backlog sizes in days, each caught up in turn (e.g. `1,3,10,30`).
    #[arg(long, value_name = "DAYS", value_delimiter = ',')]
    pub sweep: Vec<u32>,
    /// Seed of the simulation; the IDB of a seed and size is simulated once and reused.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// PostgreSQL server for the IDBs, the Info Marts and the in-database baseline: the URL
    /// of any database on it, whose user may create databases.
    #[arg(long, value_name = "URL", env = "TIDEMARK_BENCH_PG_URL", default_value = DEFAULT_PG_URL)]
    pub pg: String,
    /// Extraction options.
    #[command(flatten)]
    pub etl: EtlOptions,
    /// Minutes of activity in the steady-state cycle (one ETL frequency).
    #[arg(long, value_name = "MIN", default_value_t = 15)]
    pub cycle_minutes: u32,
    /// Folder the JSON, Markdown and SVG results are written to.
    #[arg(long, value_name = "DIR", default_value_os_t = report::default_folder())]
    pub results: PathBuf,
    /// Skip Job_ExportGIM.
    #[arg(long)]
    pub no_export: bool,
    /// Skip the transform baselines (in-PostgreSQL SQL and DuckDB).
    #[arg(long)]
    pub no_baselines: bool,
    /// Skip the steady-state cycle (the catch-up then covers the whole backlog).
    #[arg(long)]
    pub no_steady_state: bool,
    /// Keep each Info Mart database after its run (dropped otherwise).
    #[arg(long)]
    pub keep_infomart: bool,
    /// No progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// Runs only this size and prints its figures as JSON on stdout, writing no report: how
    /// a sweep runs each of its sizes in a process of its own.
    #[arg(long, value_name = "DAYS", hide = true)]
    pub sweep_member: Option<u32>,
}

impl BacklogArgs {
    /// Backlog sizes in days, smallest first.
    pub fn sizes(&self) -> Vec<u32> {
        if let Some(days) = self.sweep_member {
            return vec![days];
        }
        let mut sizes = if self.sweep.is_empty() {
            vec![self.days]
        } else {
            self.sweep.clone()
        };
        sizes.sort_unstable();
        sizes.dedup();
        sizes
    }
}

/// Files one run wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// JSON and Markdown.
    pub report: report::Written,
    /// The SVG chart.
    pub chart: PathBuf,
}

/// Runs every backlog size, writes the results under `args.results` and returns them.
///
/// The sizes of a sweep each run in a process of their own (this program again, with
/// `--sweep-member`), so that a size's peak RSS is that of a process which caught up that
/// backlog alone, as a deployment would, not what earlier sizes left in the heap.
pub async fn run(args: &BacklogArgs) -> Result<(BacklogReport, Written)> {
    let sizes = checked_sizes(args)?;
    let server = PgServer::new(&args.pg)?;
    let postgres = server.version().await?;
    let in_own_process = sizes.len() > 1;
    let progress = progress_bar(
        args.no_progress || in_own_process,
        sizes.len() as u64 * STEPS_PER_SIZE,
    );
    let mut runs = Vec::new();
    for days in sizes {
        if in_own_process {
            runs.push(run_size_in_own_process(days).await?);
        } else {
            runs.push(run_size(args, &server, days, &progress).await?);
        }
    }
    progress.finish_and_clear();
    let report = BacklogReport {
        benchmark: "backlog".to_string(),
        measured_at: Utc::now().to_rfc3339(),
        machine: Machine::current(),
        versions: Versions::current(postgres),
        growth: Growth::of(&runs),
        runs,
    };
    let written = report::write(&args.results, "backlog", &report, &report.to_markdown())?;
    let chart = written.json.with_extension("svg");
    std::fs::write(&chart, chart::svg(&report.runs)?)
        .with_context(|| format!("writing {}", chart.display()))?;
    Ok((
        report,
        Written {
            report: written,
            chart,
        },
    ))
}

/// [`BacklogArgs::sizes`], refused when a size or `--interactions-per-day` is zero.
fn checked_sizes(args: &BacklogArgs) -> Result<Vec<u32>> {
    let sizes = args.sizes();
    if sizes.contains(&0) || args.interactions_per_day == 0 {
        bail!("backlog sizes and --interactions-per-day must be positive");
    }
    Ok(sizes)
}

/// Catches up the one size of `args` (`--sweep-member`, else `--days`) and returns its
/// figures.
pub async fn run_sweep_member(args: &BacklogArgs) -> Result<BacklogRun> {
    let days = checked_sizes(args)?[0];
    let server = PgServer::new(&args.pg)?;
    let progress = progress_bar(args.no_progress, STEPS_PER_SIZE);
    let run = run_size(args, &server, days, &progress).await;
    progress.finish_and_clear();
    run
}

/// Runs this program again with the same arguments and `--sweep-member days`, and reads the
/// figures it prints. Its log and progress go to this process's standard error.
async fn run_size_in_own_process(days: u32) -> Result<BacklogRun> {
    if std::env::args().nth(1).as_deref() != Some("backlog") {
        bail!("a sweep runs each size with the command line of `benchmarks backlog`");
    }
    let program = std::env::current_exe().context("locating the benchmark program")?;
    let mut command = std::process::Command::new(&program);
    command
        .args(std::env::args_os().skip(1))
        .args(["--sweep-member", &days.to_string()])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit());
    let output = tokio::task::spawn_blocking(move || command.output())
        .await?
        .with_context(|| format!("running {}", program.display()))?;
    if !output.status.success() {
        bail!("the {days}-day size failed ({})", output.status);
    }
    let json = String::from_utf8_lossy(&output.stdout);
    let last = json.lines().last().unwrap_or_default();
    serde_json::from_str(last)
        .with_context(|| format!("reading the figures of the {days}-day size: {last:.200}"))
}

fn progress_bar(hidden: bool, steps: u64) -> ProgressBar {
    if hidden {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(steps);
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// The moment the catch-up of `size` extracts up to: half an hour into the busiest hour of
/// the simulated day on its last day, or the end of the backlog without a steady state.
pub fn catch_up_until(size: IdbSize, steady_state: bool) -> DateTime<Utc> {
    if !steady_state {
        return size.as_of();
    }
    let curve = Knobs::default().curve;
    let peak = (0..curve.len())
        .max_by(|a, b| curve[*a].total_cmp(&curve[*b]))
        .unwrap_or(12) as i64;
    idb::start() + Duration::days(i64::from(size.days) - 1) + Duration::minutes(peak * 60 + 30)
}

/// Catches up a backlog of `days` into a fresh Info Mart and measures everything about it.
async fn run_size(
    args: &BacklogArgs,
    server: &PgServer,
    days: u32,
    progress: &ProgressBar,
) -> Result<BacklogRun> {
    let size = IdbSize {
        seed: args.seed,
        days,
        interactions_per_day: args.interactions_per_day,
    };
    let label = format!("{} d", size.days);
    progress.set_message(format!("{label}: IDB"));
    let prepared = idb::prepare(server, size, false).await?;
    progress.inc(1);
    let infomart_name = format!("tmbench_bl_{}_{}", std::process::id(), size.days);
    server.drop_database(&infomart_name).await?;
    server.create(&infomart_name).await?;
    let scratch = tempfile::tempdir().context("creating the scratch folder")?;
    let measured = measure_size(
        args,
        server,
        (size, prepared),
        &infomart_name,
        scratch.path(),
        progress,
    )
    .await;
    if !args.keep_infomart {
        server.drop_database(&infomart_name).await?;
    }
    measured
}

/// The timed part of one size.
async fn measure_size(
    args: &BacklogArgs,
    server: &PgServer,
    (size, prepared): (IdbSize, idb::PreparedIdb),
    infomart_name: &str,
    scratch: &Path,
    progress: &ProgressBar,
) -> Result<BacklogRun> {
    let step = |what: &str| {
        progress.inc(1);
        progress.set_message(format!("{} d: {what}", size.days));
    };
    let infomart_url = server.url_of(infomart_name);
    let (gidb, parquet) = (scratch.join("gidb"), scratch.join("parquet"));
    let section = export::section(&parquet, &scratch.join("csv"));
    let config = Arc::new(configuration(
        &infomart_url,
        &gidb,
        &prepared.url,
        args.etl,
        &section,
    )?);
    let connections = config.gim_etl.extract_data_max_conn.max(1) as usize;
    let steady = !args.no_steady_state;
    let until = catch_up_until(size, steady);
    // Extraction reads the variable when the job starts; nothing else reads it meanwhile.
    std::env::set_var(AS_OF_VAR, until.to_rfc3339());

    progress.set_message(format!("{} d: Job_ExtractICON", size.days));
    let initialize = run_timed(&config, names::INITIALIZE).await?;
    let extract = run_timed(&config, names::EXTRACT).await?;
    let infomart = database::connect(&infomart_url).await?;
    let extracted = extracted_rows(infomart.as_ref()).await?;
    step("Job_TransformGIM");
    let transform_cost = run_timed(&config, names::TRANSFORM).await?;
    let transformed = Transformed::read(infomart.as_ref(), transform_cost.clone()).await?;
    step("Job_ExportGIM");
    let exported = if args.no_export {
        None
    } else {
        Some(export::measure(&config, infomart.as_ref(), &infomart_url, &parquet).await?)
    };
    step("COPY out of the IDB");
    let final_mark = infomart
        .query_opt_i64("select max(hwm_value) from ctl_hwm where hwm_name like 'extract:%'")
        .await?
        .unwrap_or(0);
    let queries = range_queries(infomart.as_ref(), &config, 0, final_mark).await?;
    let copy_out = copy::run("COPY binary out of the IDB", &queries, connections).await?;
    step("COPY into the mart");
    let copy_in = copy_in::run(server, infomart_name, connections).await?;
    step("transform baselines");
    let baselines = if args.no_baselines {
        None
    } else {
        let engines = baseline::measure(
            &config,
            infomart.as_ref(),
            server,
            &scratch.join("baseline"),
        )
        .await?;
        Some(Baselines::new(engines, &transform_cost))
    };
    step("steady-state cycle");
    let steady_state = if steady {
        Some(cycle(args, &config, infomart.as_ref(), size, until).await?)
    } else {
        None
    };
    progress.inc(1);

    let mut stages = vec![
        Stage::new(initialize, 0, 0, 0),
        Stage::new(
            extract,
            extracted,
            extracted,
            copy_out.throughput.copy_bytes,
        ),
        Stage::new(
            transform_cost,
            extracted,
            copy_in.throughput.rows,
            copy_in.throughput.copy_bytes,
        ),
    ];
    if let Some(e) = &exported {
        stages.push(Stage::new(
            e.cost.clone(),
            e.rows,
            e.rows,
            e.copy.throughput.copy_bytes,
        ));
    }
    let catch_up_s: f64 = stages[..3].iter().map(|s| s.cost.wall_s).sum();
    let copy_limit_s = copy_out.cost.wall_s + copy_in.cost.wall_s;
    let end_to_end_ratio = catch_up_s / copy_limit_s.max(1e-9);
    let peak_rss_mb = stages
        .iter()
        .map(|s| s.cost.peak_rss_mb)
        .fold(0.0, f64::max);
    Ok(BacklogRun {
        size,
        idb: prepared,
        connections,
        chunk_seconds: config.gim_etl.extract_data_chunk_size,
        caught_up_to: until.to_rfc3339(),
        covered_hours: (until - idb::start()).num_minutes() as f64 / 60.0,
        interactions: transformed.interactions,
        end_to_end: EndToEnd {
            catch_up_s,
            with_export_s: stages.iter().map(|s| s.cost.wall_s).sum(),
            copy_limit_s,
            ratio: end_to_end_ratio,
            goal_met: end_to_end_ratio <= GOAL_END_TO_END_RATIO,
        },
        stages,
        copy_out,
        copy_in,
        export: exported,
        baselines,
        steady_state,
        peak_rss_mb,
    })
}

/// One ETL cycle over the `--cycle-minutes` of activity after `until`.
async fn cycle(
    args: &BacklogArgs,
    config: &Arc<Config>,
    infomart: &dyn Database,
    size: IdbSize,
    until: DateTime<Utc>,
) -> Result<SteadyState> {
    let (rows_before, interactions_before) = (
        extracted_rows(infomart).await?,
        count(infomart, "interaction_fact").await?,
    );
    let next = until + Duration::minutes(i64::from(args.cycle_minutes));
    std::env::set_var(AS_OF_VAR, next.to_rfc3339());
    let extract = run_timed(config, names::EXTRACT).await?;
    let transform = run_timed(config, names::TRANSFORM).await?;
    let cycle_s = extract.wall_s + transform.wall_s;
    let judged = size.interactions_per_day >= 1_000_000;
    Ok(SteadyState {
        cycle_minutes: args.cycle_minutes,
        rows: extracted_rows(infomart).await? - rows_before,
        interactions: count(infomart, "interaction_fact").await? - interactions_before,
        latency_s: f64::from(args.cycle_minutes) * 60.0 + cycle_s,
        interactions_per_day: size.interactions_per_day,
        goal_met: judged.then_some(cycle_s < GOAL_CYCLE_S),
        extract,
        transform,
        cycle_s,
    })
}

/// IDB rows extracted so far (CTL_EXTRACT_HISTORY).
async fn extracted_rows(infomart: &dyn Database) -> Result<u64> {
    Ok(infomart
        .query_opt_i64("select sum(row_count)::bigint from ctl_extract_history")
        .await?
        .unwrap_or(0)
        .max(0) as u64)
}

async fn count(infomart: &dyn Database, table: &str) -> Result<u64> {
    Ok(infomart
        .query_i64(&format!("select count(*) from {table}"))
        .await?
        .max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catch_up_stops_in_the_busiest_hour_of_the_last_day() {
        let size = IdbSize {
            seed: 1,
            days: 3,
            interactions_per_day: 10,
        };
        let until = catch_up_until(size, true);
        assert_eq!(
            until.date_naive(),
            (idb::start() + Duration::days(2)).date_naive()
        );
        let curve = Knobs::default().curve;
        let hour = until.format("%H").to_string().parse::<usize>().unwrap();
        assert_eq!(curve[hour], curve.iter().copied().fold(0.0, f64::max));
        assert_eq!(catch_up_until(size, false), size.as_of());
    }

    #[test]
    fn a_sweep_runs_each_size_once_smallest_first() {
        let args = BacklogArgs {
            days: 1,
            interactions_per_day: 10,
            sweep: vec![10, 1, 3, 10],
            seed: 1,
            pg: DEFAULT_PG_URL.into(),
            etl: EtlOptions::default(),
            cycle_minutes: 15,
            results: PathBuf::new(),
            no_export: false,
            no_baselines: false,
            no_steady_state: false,
            keep_infomart: false,
            no_progress: true,
            sweep_member: None,
        };
        assert_eq!(args.sizes(), vec![1, 3, 10]);
        let member = BacklogArgs {
            sweep_member: Some(3),
            ..args
        };
        assert_eq!(member.sizes(), vec![3]);
    }
}
