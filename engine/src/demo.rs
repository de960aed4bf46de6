//! `tidemark demo`: the whole pipeline on one machine with no database server — a simulated
//! SQLite IDB, a SQLite Info Mart and local GIDB folder under one demo directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use tidemark_sinks::database::{self, Database};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::jobs::{self, runner, Trigger};
use crate::simulate::SimulateArgs;

/// `tidemark demo`
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Folder for the demo's IDB, Info Mart, GIDB and configuration (recreated on each run).
    #[arg(long, default_value = "./tidemark-demo")]
    pub dir: PathBuf,
    /// Interactions per simulated day.
    #[arg(long, default_value_t = 2000)]
    pub interactions_per_day: u64,
    /// Simulated days.
    #[arg(long, default_value_t = 1)]
    pub days: u32,
    /// Seed of the simulation.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// Wraps the simulator's flags so the demo builds them exactly as a user would type them.
#[derive(Parser)]
struct SimulateCommand {
    #[command(flatten)]
    args: SimulateArgs,
}

/// Files of earlier demo runs that a new run replaces.
const DEMO_FILES: [&str; 4] = ["idb.db", "infomart.db", "truth.jsonl", "tidemark.toml"];

/// Folders of earlier demo runs that a new run replaces: GIDB and the export's output.
const DEMO_FOLDERS: [&str; 3] = ["gidb", "export", "warehouse"];

/// Runs the demo and prints what it produced and how to look at it.
pub async fn run(args: &DemoArgs) -> anyhow::Result<()> {
    let dir = &args.dir;
    prepare_dir(dir)?;
    let config = Config::default_for_demo(dir);
    let config_path = dir.join("tidemark.toml");
    std::fs::write(&config_path, config.to_toml())
        .with_context(|| format!("writing {}", config_path.display()))?;
    println!("Tidemark demo in {}", dir.display());

    let idb_url = format!("sqlite://{}", dir.join("idb.db").display());
    let truth = dir.join("truth.jsonl");
    let argv = [
        "simulate".to_string(),
        "--idb".into(),
        idb_url.clone(),
        "--days".into(),
        args.days.to_string(),
        "--interactions-per-day".into(),
        args.interactions_per_day.to_string(),
        "--seed".into(),
        args.seed.to_string(),
        "--truth".into(),
        truth.display().to_string(),
        "--no-progress".into(),
    ];
    let simulate =
        SimulateCommand::try_parse_from(argv).context("building the simulator's arguments")?;
    println!(
        "\n1. Simulating {} day(s) of {} interactions per day into {idb_url}",
        args.days, args.interactions_per_day
    );
    let report = crate::simulate::run(&simulate.args).await?;
    println!("{report}");

    let config = Arc::new(config);
    for job in jobs::registry() {
        if job.name() == jobs::names::EXPORT {
            // The export takes only closed windows of commit time: let the current one end.
            let window = u64::from(config.gim_export.chunk_size_seconds);
            tokio::time::sleep(std::time::Duration::from_millis(window * 1000 + 100)).await;
        }
        println!("\n2. Running {}", job.name());
        let reports = runner::run_job(
            config.clone(),
            job.name(),
            Trigger::Manual,
            CancellationToken::new(),
        )
        .await?;
        for r in reports {
            for line in &r.outcome.messages {
                println!("   {line}");
            }
        }
    }

    let infomart = database::connect(&config.infomart.url).await?;
    println!("\n3. What the Info Mart holds now:");
    print_counts(
        infomart.as_ref(),
        &[
            "date_time",
            "technical_descriptor",
            "media_type",
            "interaction_type",
            "resource_state",
            "tenant",
            "resource_",
            "interaction_fact",
            "interaction_resource_fact",
            "mediation_segment_fact",
            "ctl_etl_history",
            "ctl_audit_log",
        ],
    )
    .await?;
    print_sample_report(infomart.as_ref()).await?;

    let shown = config_path.display();
    let mart = dir.join("infomart.db");
    println!("\n4. Look around:");
    println!("   tidemark --config {shown} config show");
    println!(
        "   tidemark --config {shown} job run Job_InitializeGIM     # runs again, changes nothing"
    );
    println!("   sqlite3 {} 'select job_name, status, start_time, duration_sec from admin_etl_job_history'", mart.display());
    println!(
        "   sqlite3 {} 'select count(*) from g_call'",
        dir.join("idb.db").display()
    );
    println!(
        "   head -3 {}   # ground truth of the simulation",
        truth.display()
    );
    println!(
        "   ls {}   # the export: CSV archives; Parquet under {}",
        dir.join("export").display(),
        dir.join("warehouse").display()
    );
    Ok(())
}

fn prepare_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for name in DEMO_FILES {
        for suffix in ["", "-wal", "-shm"] {
            let path = dir.join(format!("{name}{suffix}"));
            if path.exists() {
                std::fs::remove_file(&path)
                    .with_context(|| format!("removing {}", path.display()))?;
            }
        }
    }
    for folder in DEMO_FOLDERS {
        let path = dir.join(folder);
        if path.exists() {
            std::fs::remove_dir_all(&path)
                .with_context(|| format!("removing {}", path.display()))?;
        }
    }
    Ok(())
}

async fn print_counts(db: &dyn Database, tables: &[&str]) -> anyhow::Result<()> {
    for table in tables {
        let n = db
            .query_i64(&format!("select count(*) from {table}"))
            .await?;
        println!("   {table:<24} {n:>8} rows");
    }
    Ok(())
}

/// A small report over the facts: the busiest agents' handled calls and handle time.
async fn print_sample_report(db: &dyn Database) -> anyhow::Result<()> {
    let rows = db
        .query(
            "select r.resource_name, count(*), sum(i.customer_talk_duration), \
             sum(i.customer_hold_duration), sum(i.after_call_work_duration) \
             from interaction_resource_fact i join resource_ r on r.resource_key = i.resource_key \
             where i.customer_handle_count > 0 and r.resource_type_code = 'AGENT' \
             group by r.resource_name order by count(*) desc, r.resource_name limit 5",
        )
        .await?;
    println!("\n   Busiest agents (handled calls, talk / hold / after-call work in seconds):");
    for row in rows {
        let cell = |i: usize| row.get(i).map(|v| v.to_string()).unwrap_or_default();
        println!(
            "   {:<16} {:>6} calls {:>8} s talk {:>6} s hold {:>6} s wrap",
            cell(0),
            cell(1),
            cell(2),
            cell(3),
            cell(4)
        );
    }
    Ok(())
}
