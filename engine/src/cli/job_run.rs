//! `tidemark job run NAME [PARAMS…]`. When a server answers, the run goes through it so the
//! scheduler's manual-run rules apply (never two instances of one job, a job that a lock
//! excludes waits as SCHEDULED, operations.md §0.4), and the CLI follows it to its end
//! unless `--detach`. When no server runs, the job runs in this process as before.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use clap::Args;
use tokio_util::sync::CancellationToken;

use super::server_commands::{running_server, ServerArgs};
use super::CliError;
use crate::config::{Config, SERVER_TOKEN_VAR};
use crate::jobs::runner::{self, RunRequest};
use crate::jobs::{self, control, Trigger};
use crate::server::client::{ClientError, ServerClient};
use crate::server::history::RunRow;
use crate::server::RunStarted;

/// `tidemark job run`
#[derive(Debug, Args)]
pub struct JobRunArgs {
    /// Job name as Info Mart spells it (Job_InitializeGIM, Job_ExtractICON, …).
    pub name: String,
    /// Job parameters, as separate words after the job name (only Job_AggregateGIM takes
    /// any, e.g. `-insertPendingAgg AGT_QUEUE:1700000000:1700086400`).
    #[arg(
        allow_hyphen_values = true,
        trailing_var_arg = true,
        value_name = "PARAMS"
    )]
    pub params: Vec<String>,
    /// Return as soon as the running server has accepted the run instead of following it
    /// to its end; needs a running server.
    #[arg(long)]
    pub detach: bool,
    /// The server to ask.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// How often a followed run is looked up.
const POLL_EVERY: Duration = Duration::from_millis(500);
/// Failed look-ups in a row after which the server counts as gone (about 5 s).
const POLL_FAILURES: u32 = 10;

/// Statuses a run ends with (operations.md §8.1).
const FINAL_STATUSES: [&str; 3] = ["COMPLETE", "FAILED", "STOPPED"];

/// `tidemark job run`: through the running server, or else in this process.
pub async fn run(config_path: &Path, args: &JobRunArgs) -> Result<(), CliError> {
    let config = Config::load(config_path)?;
    match running_server(&config, &args.server).await? {
        Ok(client) => run_on_server(&client, &config, config_path, args).await,
        Err(why) if args.detach => Err(anyhow!(
            "{why}; --detach needs a running server (tidemark serve); without --detach the \
             job runs in this process"
        )
        .into()),
        Err(why) => {
            eprintln!("({why}: running {} in this process)", args.name);
            run_in_process(Arc::new(config), &args.name, &args.params).await
        }
    }
}

/// Runs the job here with Ctrl-C wired to its cancellation token and prints what it did.
async fn run_in_process(
    config: Arc<Config>,
    name: &str,
    params: &[String],
) -> Result<(), CliError> {
    jobs::find(name)?;
    control::check_params(name, params).map_err(|e| anyhow!(e))?;
    let cancel = CancellationToken::new();
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_signal.cancel();
        }
    });
    let request = RunRequest {
        params: params.to_vec(),
        ..RunRequest::new(Trigger::Manual)
    };
    let reports = runner::run_job_as(config, name, request, cancel).await?;
    for report in reports {
        println!("{} ({}):", report.job_name, report.job_id);
        for line in &report.outcome.messages {
            println!("  {line}");
        }
    }
    Ok(())
}

/// Asks the server to start the run, then follows it unless `--detach`.
async fn run_on_server(
    client: &ServerClient,
    config: &Config,
    config_path: &Path,
    args: &JobRunArgs,
) -> Result<(), CliError> {
    let started = match client.run_job(&args.name, &args.params).await {
        Ok(started) => started,
        Err(e) => return Err(refusal(client, config, config_path, &args.name, e).await),
    };
    println!(
        "{}: job id {} accepted by the server at {} ({})",
        started.job_name,
        started.job_id,
        client.base(),
        started.status
    );
    if args.detach {
        println!(
            "(detached: `tidemark jobs --job {}` shows how it goes, `tidemark job stop {}` \
             stops it)",
            started.job_name, started.job_id
        );
        return Ok(());
    }
    follow(client, &started).await
}

/// The CLI's message for a run request the server refused.
async fn refusal(
    client: &ServerClient,
    config: &Config,
    config_path: &Path,
    name: &str,
    error: ClientError,
) -> CliError {
    let ClientError::Refused { status, message } = error else {
        return anyhow!(error).into();
    };
    let text = match status {
        401 => format!(
            "the server at {} refused the request (401): {}",
            client.base(),
            token_advice(config, config_path)
        ),
        409 => match active_run_of(client, name).await {
            Some((job_id, status)) => format!(
                "the server refused to start {name}: {message} (job id {job_id}, {status}); \
                 `tidemark job stop {job_id}` stops it"
            ),
            None => format!("the server refused to start {name}: {message}"),
        },
        _ => format!("the server refused to start {name} ({status}): {message}"),
    };
    anyhow!(text).into()
}

/// What to do about a token the server did not accept.
fn token_advice(config: &Config, config_path: &Path) -> String {
    let from_env = std::env::var(SERVER_TOKEN_VAR).is_ok_and(|t| !t.trim().is_empty());
    if from_env {
        format!("the token in {SERVER_TOKEN_VAR} is not the server's")
    } else if config.server.effective_token().is_some() {
        format!(
            "the `[server] token` of {} is not the server's ({SERVER_TOKEN_VAR} overrides it)",
            config_path.display()
        )
    } else {
        format!(
            "no token is configured: set {SERVER_TOKEN_VAR} or `[server] token` in {} to the \
             server's token",
            config_path.display()
        )
    }
}

/// JOB_ID and status of the scheduled or running run of `name` on the server.
async fn active_run_of(client: &ServerClient, name: &str) -> Option<(String, String)> {
    let jobs = client.jobs().await.ok()?;
    let run = jobs
        .into_iter()
        .find(|j| j.name == name)?
        .active
        .into_iter()
        .next()?;
    Some((run.job_id, run.status))
}

/// Where a followed run stands.
enum RunState {
    /// SCHEDULED or RUNNING.
    Active(String),
    /// Ended with this history row.
    Ended(Box<RunRow>),
    /// Neither active on the server nor in its history.
    Vanished,
}

/// Looks the run up until it ends; prints status changes and the end, and fails unless
/// the run is COMPLETE. Ctrl-C stops following, not the run.
async fn follow(client: &ServerClient, started: &RunStarted) -> Result<(), CliError> {
    let (name, job_id) = (&started.job_name, &started.job_id);
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    let mut shown = started.status.clone();
    let mut failures = 0;
    loop {
        tokio::select! {
            _ = &mut interrupted => {
                return Err(anyhow!(
                    "stopped following {name} (job id {job_id}); it goes on on the server: \
                     `tidemark job stop {job_id}` stops it"
                )
                .into());
            }
            _ = tokio::time::sleep(POLL_EVERY) => {}
        }
        match run_state(client, job_id).await {
            Ok(RunState::Active(status)) => {
                failures = 0;
                if status != shown {
                    println!("{name} ({job_id}): {status}");
                    shown = status;
                }
            }
            Ok(RunState::Ended(row)) => return ended(&row),
            Ok(RunState::Vanished) => {
                return Err(anyhow!(
                    "{name} (job id {job_id}) no longer runs on the server, which has no \
                     history row for it; see the server's log"
                )
                .into())
            }
            Err(e) => {
                failures += 1;
                if failures >= POLL_FAILURES {
                    return Err(anyhow!(
                        "lost the server while following {name} (job id {job_id}): {e}; \
                         `tidemark jobs --job {name}` shows how the run ended"
                    )
                    .into());
                }
            }
        }
    }
}

/// The run's history row, or its state among the server's active runs while it has no row
/// (a run on an Info Mart without CTL_ETL_HISTORY, i.e. the first Job_InitializeGIM, is
/// recorded when it ends).
async fn run_state(client: &ServerClient, job_id: &str) -> Result<RunState, ClientError> {
    let state = |row: RunRow| {
        if FINAL_STATUSES.contains(&row.status.as_str()) {
            RunState::Ended(Box::new(row))
        } else {
            RunState::Active(row.status)
        }
    };
    if let Some(row) = client.run(job_id).await? {
        return Ok(state(row));
    }
    let active = client
        .jobs()
        .await?
        .into_iter()
        .flat_map(|job| job.active)
        .find(|run| run.job_id == job_id);
    if let Some(run) = active {
        return Ok(RunState::Active(run.status));
    }
    // It may have ended between the two requests.
    Ok(client.run(job_id).await?.map_or(RunState::Vanished, state))
}

/// Prints how the run ended; anything but COMPLETE is an error.
fn ended(row: &RunRow) -> Result<(), CliError> {
    let mut line = format!("{} ({}): {}", row.job_name, row.job_id, row.status);
    if let Some(seconds) = row.duration_sec {
        line.push_str(&format!(" in {seconds} s"));
    }
    if let Some(rows) = row.row_count {
        line.push_str(&format!(", {rows} rows"));
    }
    println!("{line}");
    if row.status == "COMPLETE" {
        return Ok(());
    }
    let reason = row
        .error_text
        .as_deref()
        .map(|e| format!(": {e}"))
        .unwrap_or_default();
    Err(anyhow!(
        "{} (job id {}) ended {}{reason}",
        row.job_name,
        row.job_id,
        row.status
    )
    .into())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::super::{Cli, Command, JobCommand};

    fn job_run(args: &[&str]) -> super::JobRunArgs {
        let cli = Cli::try_parse_from(args).expect("parses");
        match cli.command {
            Command::Job(JobCommand::Run(args)) => args,
            other => panic!("not job run: {other:?}"),
        }
    }

    #[test]
    fn params_follow_the_name_and_flags_may_come_first() {
        let args = job_run(&[
            "tidemark",
            "job",
            "run",
            "--detach",
            "--server",
            "http://127.0.0.1:9",
            "Job_AggregateGIM",
            "-insertPendingAgg",
            "AGT_QUEUE:1:2",
        ]);
        assert_eq!(args.name, "Job_AggregateGIM");
        assert_eq!(args.params, ["-insertPendingAgg", "AGT_QUEUE:1:2"]);
        assert!(args.detach);
        assert_eq!(args.server.server.as_deref(), Some("http://127.0.0.1:9"));
    }

    #[test]
    fn a_flag_right_after_the_name_is_a_flag() {
        let args = job_run(&["tidemark", "job", "run", "Job_InitializeGIM", "--detach"]);
        assert!(args.detach);
        assert!(args.params.is_empty());
        let plain = job_run(&["tidemark", "job", "run", "Job_InitializeGIM"]);
        assert!(!plain.detach && plain.params.is_empty() && plain.server.server.is_none());
    }
}
