//! The `tidemark` command line: parsing, logging set-up and dispatch to the subcommands.

mod commands;
mod job_run;
mod plan;
mod server_commands;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::LazyLock;

use clap::{Parser, Subcommand};

pub use commands::CliError;
pub use job_run::JobRunArgs;
pub use plan::{ExplainArgs, ParamArgs, PlanCommand, RunArgs, TablesArgs};
pub use server_commands::{JobsArgs, ServeArgs, ServerArgs};

/// Release, Info Mart schema version and the oldest IDB schema this build reads (what Info
/// Mart's `-v` option shows).
pub static VERSION_TEXT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} (Info Mart schema {}; reads IDB schema {} or later)",
        env!("CARGO_PKG_VERSION"),
        tidemark_schemas::INFOMART_SCHEMA_VERSION,
        tidemark_schemas::MIN_IDB_SCHEMA_VERSION
    )
});

/// Tidemark: columnar contact-center reporting ETL. Extracts Interaction Concentrator
/// databases, transforms them into the Info Mart model and keeps it running.
#[derive(Debug, Parser)]
#[command(name = "tidemark", version = VERSION_TEXT.as_str(), propagate_version = true)]
pub struct Cli {
    /// Configuration file (TOML with Info Mart section and option names).
    #[arg(
        long,
        global = true,
        default_value = "./tidemark.toml",
        value_name = "FILE"
    )]
    pub config: PathBuf,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands of `tidemark`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a realistic contact center into one or more IDBs (SQLite, PostgreSQL, MariaDB).
    Simulate(crate::simulate::SimulateArgs),
    /// Check or show the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Run or list Info Mart jobs.
    #[command(subcommand)]
    Job(JobCommand),
    /// Try Tidemark with no database server: simulate a small IDB, build a SQLite Info Mart
    /// under a demo folder, run every job and show what came out.
    Demo(crate::demo::DemoArgs),
    /// Run the scheduler with the HTTP API, `/metrics` and the management page until SIGTERM
    /// or Ctrl-C; needs `[server] token` (or TIDEMARK_SERVER_TOKEN).
    Serve(ServeArgs),
    /// Show the job history, from the running server or else the Info Mart.
    Jobs(JobsArgs),
    /// Show the ETL latency per functional area and data source, from the running server or
    /// else the Info Mart.
    Status(ServerArgs),
    /// Run analyst plan files: SQL over the Info Mart, GIDB and the Parquet export.
    #[command(subcommand)]
    Plan(PlanCommand),
}

/// `tidemark config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration file (and TIDEMARK_… environment overrides); exits
    /// non-zero naming every bad option.
    Check,
    /// Print the effective configuration: every option with its value or default,
    /// passwords masked.
    Show,
    /// Print the option reference (Markdown) generated from the configuration model.
    Docs,
}

/// `tidemark job …`
#[derive(Debug, Subcommand)]
pub enum JobCommand {
    /// Run one job now, e.g. `tidemark job run Job_InitializeGIM`: through the running
    /// server when one answers (followed to its end unless --detach), else in this process.
    Run(JobRunArgs),
    /// List the Info Mart jobs and which of them this build implements.
    List,
    /// Stop a running run, or cancel a scheduled one, on the running server.
    Stop {
        /// JOB_ID of the run (see `tidemark jobs`).
        id: String,
        /// The server to ask.
        #[command(flatten)]
        server: ServerArgs,
    },
}

/// Parses the command line, sets up logging and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Logs to stderr at the level `TIDEMARK_LOG` sets (`warn` without it); with
/// `TIDEMARK_LOG_SPANS=1` every enabled span also logs, when it closes, how long it was open
/// and busy. Colours only on a terminal.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TIDEMARK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let spans = match std::env::var("TIDEMARK_LOG_SPANS").as_deref() {
        Ok("1" | "true" | "close") => tracing_subscriber::fmt::format::FmtSpan::CLOSE,
        _ => tracing_subscriber::fmt::format::FmtSpan::NONE,
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(spans)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}
