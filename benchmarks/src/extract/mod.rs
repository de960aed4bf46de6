//! `benchmarks extract`: Job_ExtractICON from a simulated PostgreSQL IDB against the raw
//! binary COPY of exactly the same rows, measured in one run (issue 3, "Performance").
//!
//! The run simulates (or reuses) the IDB, creates a fresh Info Mart database and GIDB
//! folder, times Job_InitializeGIM and Job_ExtractICON, then streams the SELECTs extraction
//! ran for the same window `(initial mark, final mark]` through `COPY … TO STDOUT (FORMAT
//! binary)`, once on one connection and once on `extract-data-max-conn` connections, and
//! finally times Job_TransformGIM over what extraction wrote and Job_ExportGIM writing the
//! resulting mart as Parquet, against the binary COPY out of the same mart rows.

pub mod export;
mod figures;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Args;
use tidemark::jobs::extract::{range_queries, AS_OF_VAR};
use tidemark::jobs::names;
use tidemark_sinks::database::{self, Database};

use crate::idb::{self, IdbSize};
use crate::machine::{Machine, Versions};
use crate::measure::StageCost;
use crate::pg::PgServer;
use crate::stages::{configuration, folder_bytes, run_timed, EtlOptions};
use crate::{copy, report};
pub use figures::{
    ExtractReport, Extraction, Ratio, RowMismatch, Settings, Transformed, GOAL_PERCENT,
};

/// PostgreSQL server used when neither `--pg` nor `TIDEMARK_BENCH_PG_URL` is given.
pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Options of `benchmarks extract`.
#[derive(Debug, Clone, Args)]
pub struct ExtractArgs {
    /// Interactions (voice, e-mail, chat, outbound) simulated per day.
    #[arg(long = "interactions-per-day", value_name = "M")]
    pub interactions_per_day: u64,
    /// Days simulated.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub days: u32,
    /// Seed of the simulation; the IDB of a seed and size is simulated once and reused.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// PostgreSQL server for the IDB and the Info Mart: the URL of any database on it,
    /// whose user may create databases.
    #[arg(long, value_name = "URL", env = "TIDEMARK_BENCH_PG_URL", default_value = DEFAULT_PG_URL)]
    pub pg: String,
    /// Extraction options.
    #[command(flatten)]
    pub etl: EtlOptions,
    /// Folder the JSON and Markdown results are written to.
    #[arg(long, value_name = "DIR", default_value_os_t = report::default_folder())]
    pub results: PathBuf,
    /// Keep the Info Mart database after the run (it is dropped otherwise).
    #[arg(long)]
    pub keep_infomart: bool,
    /// No progress bars.
    #[arg(long)]
    pub no_progress: bool,
    /// Measure extraction only: skip Job_TransformGIM (and the export) after the COPY
    /// passes.
    #[arg(long)]
    pub no_transform: bool,
    /// Skip Job_ExportGIM after the transform.
    #[arg(long)]
    pub no_export: bool,
}

/// Runs the benchmark, writes its results under `args.results` and returns them.
pub async fn run(args: &ExtractArgs) -> Result<(ExtractReport, report::Written)> {
    let server = PgServer::new(&args.pg)?;
    let size = IdbSize {
        seed: args.seed,
        days: args.days,
        interactions_per_day: args.interactions_per_day,
    };
    let postgres = server.version().await?;
    let prepared = idb::prepare(&server, size, !args.no_progress).await?;
    let infomart_name = format!(
        "tmbench_im_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp()
    );
    server.create(&infomart_name).await?;
    let gidb = tempfile::tempdir().context("creating the GIDB folder")?;
    let measured = measure(
        args,
        &server,
        &infomart_name,
        &prepared.url,
        gidb.path(),
        size,
    )
    .await;
    if !args.keep_infomart {
        server.drop_database(&infomart_name).await?;
    }
    let (settings, initialize, extraction, copy_sequential, copy_parallel, transform, export) =
        measured?;
    let ratio = Ratio::of(&extraction.throughput, &copy_sequential, &copy_parallel);
    let report = ExtractReport {
        benchmark: "extract".to_string(),
        measured_at: chrono::Utc::now().to_rfc3339(),
        machine: Machine::current(),
        versions: Versions::current(postgres),
        size,
        idb: prepared,
        settings,
        initialize,
        extraction,
        copy_sequential,
        copy_parallel,
        ratio,
        transform,
        export,
    };
    let written = report::write(&args.results, "extract", &report, &report.to_markdown())?;
    Ok((report, written))
}

type Measured = (
    Settings,
    StageCost,
    Extraction,
    copy::CopyPass,
    copy::CopyPass,
    Option<Transformed>,
    Option<export::Exported>,
);

/// The timed part: both jobs, then both COPY passes over the window extraction covered.
async fn measure(
    args: &ExtractArgs,
    server: &PgServer,
    infomart_name: &str,
    idb_url: &str,
    gidb: &Path,
    size: IdbSize,
) -> Result<Measured> {
    let infomart_url = server.url_of(infomart_name);
    let outputs = tempfile::tempdir().context("creating the export folder")?;
    let parquet = outputs.path().join("parquet");
    let export_section = export::section(&parquet, &outputs.path().join("csv"));
    let config = Arc::new(configuration(
        &infomart_url,
        gidb,
        idb_url,
        args.etl,
        &export_section,
    )?);
    let as_of = size.as_of();
    // Extraction reads the variable when the job starts; nothing else reads it meanwhile.
    std::env::set_var(AS_OF_VAR, as_of.to_rfc3339());
    let initialize = run_timed(&config, names::INITIALIZE).await?;
    let extract_cost = run_timed(&config, names::EXTRACT).await?;
    let infomart = database::connect(&infomart_url).await?;
    let initial_mark = 0;
    let final_mark = infomart
        .query_opt_i64("select max(hwm_value) from ctl_hwm where hwm_name like 'extract:%'")
        .await?
        .unwrap_or(initial_mark);
    let lowest_mark = infomart
        .query_opt_i64("select min(hwm_value) from ctl_hwm where hwm_name like 'extract:%'")
        .await?
        .unwrap_or(initial_mark);
    let queries = range_queries(infomart.as_ref(), &config, initial_mark, final_mark).await?;
    if queries.is_empty() {
        bail!("extraction planned no table to read");
    }
    let connections = config.gim_etl.extract_data_max_conn.max(1) as usize;
    let copy_sequential = copy::run("COPY binary, sequential", &queries, 1).await?;
    let copy_parallel = copy::run("COPY binary, parallel", &queries, connections).await?;
    let extraction = Extraction::read(
        infomart.as_ref(),
        extract_cost,
        copy_sequential.throughput.copy_bytes,
        folder_bytes(gidb)?,
        &copy_sequential.per_table,
    )
    .await?;
    let transform = if args.no_transform {
        None
    } else {
        let cost = run_timed(&config, names::TRANSFORM).await?;
        Some(Transformed::read(infomart.as_ref(), cost).await?)
    };
    // Temporary hook for the transform baselines (to move into `benchmarks backlog`).
    if !args.no_transform && std::env::var_os("TIDEMARK_BENCH_BASELINES").is_some() {
        let scratch = tempfile::tempdir().context("creating the baseline scratch folder")?;
        let baselines =
            crate::baseline::measure(&config, infomart.as_ref(), server, scratch.path()).await?;
        eprintln!("{}", serde_json::to_string_pretty(&baselines)?);
    }
    let export = if args.no_transform || args.no_export {
        None
    } else {
        Some(export::measure(&config, infomart.as_ref(), &infomart_url, &parquet).await?)
    };
    let settings = Settings {
        extract_data_max_conn: config.gim_etl.extract_data_max_conn,
        extract_data_thread_pool_size: config.gim_etl.extract_data_thread_pool_size,
        extract_data_chunk_size: config.gim_etl.extract_data_chunk_size,
        as_of: as_of.to_rfc3339(),
        window_from: initial_mark,
        window_to: final_mark,
        lowest_final_mark: lowest_mark,
    };
    Ok((
        settings,
        initialize,
        extraction,
        copy_sequential,
        copy_parallel,
        transform,
        export,
    ))
}

/// Rows per IDB table in CTL_EXTRACT_HISTORY.
async fn extracted_rows_per_table(infomart: &dyn Database) -> Result<Vec<(String, u64)>> {
    let rows = infomart
        .query("select table_name, sum(row_count)::bigint from ctl_extract_history group by table_name order by table_name")
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap_or_default().to_string(),
                r[1].as_i64().unwrap_or(0).max(0) as u64,
            )
        })
        .collect())
}
