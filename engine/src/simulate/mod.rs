//! `tidemark simulate`: a deterministic, seeded contact-center generator that writes real
//! IDBs the way ICON would — configuration, voice and multimedia interactions, agent
//! activity, outbound campaigns, multi-site IS-links, HA pairs and ICON control data —
//! plus, on request, the ground truth of what was simulated (docs/simulator.md).
//!
//! Data flow: [`settings`] validates the flags; [`config`] builds the center; the
//! scenarios ([`voice`], [`multisite`], [`mm`], [`outbound`]) drive a [`recorder`] per
//! interaction and [`agents`] books the agents they use; [`emit`] turns a finished
//! interaction into rows of per-table builders ([`rows`], [`tables`]) stamped per IDB
//! replica by [`stamp`]; [`generate`] walks the period and hands full batches to the
//! [`writer`] tasks; [`truth`] writes the ground truth.

pub mod agents;
pub mod config;
pub mod dict;
pub mod emit;
pub mod generate;
pub mod ids;
pub mod knobs;
pub mod mm;
pub mod multisite;
pub mod outbound;
pub mod recorder;
pub mod rows;
pub mod settings;
pub mod stamp;
pub mod tables;
pub mod truth;
pub mod voice;
pub mod world;
pub mod writer;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use self::settings::Settings;
use self::writer::{redact, Idb};

/// Flags of `tidemark simulate`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimulateArgs {
    /// IDB to write (repeatable): one per site, or HA pairs `site1-A site1-B [site2-A site2-B]`
    /// with `--ha`. `postgres://…`, `mysql://…` or `sqlite://file.db`.
    #[arg(long = "idb", value_name = "URL", required = true)]
    pub idb: Vec<String>,
    /// Days to simulate.
    #[arg(long, value_name = "N")]
    pub days: u32,
    /// Interactions (voice, e-mail, chat, outbound) generated per day.
    #[arg(long = "interactions-per-day", value_name = "M")]
    pub interactions_per_day: u64,
    /// Seed of the random generator: the same seed gives identical data.
    #[arg(long, value_name = "S")]
    pub seed: u64,
    /// Sites (switches), each with its own ICON and IDB: 1 or 2.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub sites: u8,
    /// Write each site into an HA pair of IDBs (two ICONs, identical business rows).
    #[arg(long)]
    pub ha: bool,
    /// Agents configured (default: derived from the interactions per day).
    #[arg(long, value_name = "A")]
    pub agents: Option<usize>,
    /// Start of the period (RFC 3339, UTC); default: midnight UTC `--days` days before today.
    #[arg(long, value_name = "TIME", conflicts_with = "end")]
    pub start: Option<String>,
    /// End of the period (RFC 3339, UTC), instead of `--start`.
    #[arg(long, value_name = "TIME")]
    pub end: Option<String>,
    /// Write the ground truth of the simulation as JSON Lines to this file.
    #[arg(long, value_name = "PATH")]
    pub truth: Option<PathBuf>,
    /// Minutes of T-Server session gap simulated per day in each HA partner B (needs `--ha`).
    #[arg(long = "ha-gap-minutes", value_name = "G")]
    pub ha_gap_minutes: Option<u32>,
    /// No progress bar.
    #[arg(long = "no-progress")]
    pub no_progress: bool,
}

/// What a simulation wrote.
#[derive(Debug, Clone, Default)]
pub struct SimulationReport {
    /// Interactions generated.
    pub interactions: u64,
    /// Rows written per table, summed over all IDBs.
    pub tables: BTreeMap<String, u64>,
    /// Rows written per table, per IDB (URL without password).
    pub per_idb: Vec<(String, BTreeMap<String, u64>)>,
    /// Truth records written (0 without `--truth`).
    pub truth_records: u64,
    /// Wall time of the whole run.
    pub elapsed: Duration,
    /// NOT NULL columns of the catalogue no scenario fills, per table (written with neutral
    /// values; empty unless the catalogue gained columns the simulator does not know).
    pub unset_required: Vec<(String, Vec<String>)>,
}

impl SimulationReport {
    /// Rows written in total.
    pub fn total_rows(&self) -> u64 {
        self.tables.values().sum()
    }
}

impl std::fmt::Display for SimulationReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.elapsed.as_secs_f64();
        writeln!(
            f,
            "simulated {} interactions: {} rows into {} IDB(s) in {:.1} s ({:.0} rows/s)",
            self.interactions,
            self.total_rows(),
            self.per_idb.len(),
            secs,
            self.total_rows() as f64 / secs.max(0.001)
        )?;
        for (table, rows) in &self.tables {
            writeln!(f, "  {table:<28} {rows:>12}")?;
        }
        if self.truth_records > 0 {
            writeln!(f, "truth: {} records", self.truth_records)?;
        }
        Ok(())
    }
}

/// Runs `tidemark simulate`: creates the IDB tables, generates and writes the data and builds
/// the indexes. The report's `Display` is the summary the command prints.
pub async fn run(args: &SimulateArgs) -> anyhow::Result<SimulationReport> {
    let started = Instant::now();
    let today = chrono::Utc::now().timestamp_millis();
    let settings = Settings::from_args(args, today - today.rem_euclid(ids::DAY))?;
    let urls = settings.urls();
    let mut idbs = Vec::with_capacity(urls.len());
    for url in &urls {
        idbs.push(Idb::open(url).await?);
    }
    let written = Arc::new(AtomicU64::new(0));
    let (senders, handles): (Vec<_>, Vec<_>) =
        idbs.iter().map(|i| i.spawn_writer(written.clone())).unzip();
    let total = settings.per_day * u64::from(settings.days);
    let progress = if settings.progress && std::io::stderr().is_terminal() {
        let pb = ProgressBar::new(total);
        pb.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} interactions  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        pb
    } else {
        ProgressBar::hidden()
    };
    let gen_settings = settings.clone();
    let gen_progress = progress.clone();
    let generated = tokio::task::spawn_blocking(move || {
        let out = generate::generate(&gen_settings, &senders, &gen_progress);
        drop(senders);
        out
    });
    let ticker = {
        let (progress, written) = (progress.clone(), written.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                let rows = written.load(std::sync::atomic::Ordering::Relaxed);
                let rate = rows as f64 / started.elapsed().as_secs_f64().max(0.001);
                progress.set_message(format!("{rows} rows written, {rate:.0} rows/s"));
            }
        })
    };
    let generated = generated.await.context("the generator panicked")?;
    let mut report = SimulationReport::default();
    let mut first_error = None;
    for (idb, handle) in idbs.iter().zip(handles) {
        match handle.await.context("an IDB writer panicked")? {
            Ok(counts) => {
                for (t, n) in &counts {
                    *report.tables.entry(t.clone()).or_default() += n;
                }
                report.per_idb.push((redact(&idb.url), counts));
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    ticker.abort();
    if let Some(e) = first_error {
        return Err(e);
    }
    let generated = generated?;
    for (table, columns) in &generated.unset_required {
        tracing::warn!(
            table,
            ?columns,
            "NOT NULL columns no scenario fills were written with neutral values"
        );
    }
    progress.set_message("building indexes");
    for idb in &idbs {
        idb.finish().await?;
    }
    progress.finish_and_clear();
    report.interactions = generated.interactions;
    report.truth_records = generated.truth_records;
    report.unset_required = generated.unset_required;
    report.elapsed = started.elapsed();
    Ok(report)
}
