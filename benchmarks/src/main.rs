//! `benchmarks`: Tidemark's benchmark harness (see `benchmarks/README.md`).

use anyhow::Result;
use clap::{Parser, Subcommand};
use tidemark_benchmarks::backlog::{self, BacklogArgs};
use tidemark_benchmarks::extract::{self, ExtractArgs};
use tidemark_benchmarks::spans;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// The allocator of the `tidemark` binary, so that the figures are those users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Tidemark benchmarks: each measures a stage against the physical limit of the same rows
/// on the same machine, in the same run.
#[derive(Debug, Parser)]
#[command(name = "benchmarks", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Job_ExtractICON from a simulated PostgreSQL IDB against binary COPY of the same rows.
    Extract(ExtractArgs),
    /// A full catch-up of a simulated backlog (or a sweep of backlog sizes) against COPY
    /// and peer engines, then one steady-state cycle.
    Backlog(BacklogArgs),
}

#[tokio::main]
async fn main() -> Result<()> {
    // `RUST_LOG=tidemark=info` also logs each extraction span with its busy and idle time;
    // whatever it prints, every stage adds up the busy time of Tidemark's spans.
    let log = tracing_subscriber::fmt::layer()
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .with_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")));
    tracing_subscriber::registry()
        .with(log)
        .with(spans::layer())
        .init();
    match Cli::parse().command {
        Command::Extract(args) => {
            let (report, written) = extract::run(&args).await?;
            println!("{}", report.to_markdown());
            println!(
                "written: {} and {}",
                written.json.display(),
                written.markdown.display()
            );
        }
        Command::Backlog(args) if args.sweep_member.is_some() => {
            let run = backlog::run_sweep_member(&args).await?;
            println!("{}", serde_json::to_string(&run)?);
        }
        Command::Backlog(args) => {
            let (report, written) = backlog::run(&args).await?;
            println!("{}", report.to_markdown());
            println!(
                "written: {}, {} and {}",
                written.report.json.display(),
                written.report.markdown.display(),
                written.chart.display()
            );
        }
    }
    Ok(())
}
