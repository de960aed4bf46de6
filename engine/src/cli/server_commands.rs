//! `tidemark serve` and the commands that talk to a running server (`jobs`, `status`,
//! `job stop`, and `job run` in [`super::job_run`]); `jobs` and `status` read the Info Mart
//! directly when no server runs.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Weak};

use anyhow::{anyhow, Context};
use chrono::Utc;
use clap::Args;

use super::CliError;
use crate::config::{Config, SERVER_TOKEN_VAR};
use crate::jobs::runner::open_infomart;
use crate::scheduler::{Scheduler, SystemClock};
use crate::server::client::ServerClient;
use crate::server::history::{self, HistoryFilter, RunRow};
use crate::server::latency::{self, EtlStatus, Thresholds};
use crate::server::{self as http, InfoMartLink, ServerState};

/// `tidemark serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default: `[server] listen`, 127.0.0.1:8000).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
}

/// Where to find a running server.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// URL of the running server (default: http:// + `[server] listen`).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
}

/// `tidemark jobs`
#[derive(Debug, Args)]
pub struct JobsArgs {
    /// Only runs with this status (SCHEDULED, RUNNING, COMPLETE, FAILED, STOPPED; a
    /// comma-separated list is fine).
    #[arg(long)]
    pub status: Option<String>,
    /// Only runs started in the past N days.
    #[arg(long, value_name = "N")]
    pub days: Option<u32>,
    /// Only the N most recent runs.
    #[arg(long, value_name = "N")]
    pub last: Option<u32>,
    /// Only runs of this job.
    #[arg(long, value_name = "NAME")]
    pub job: Option<String>,
    /// The server to ask.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// Runs the server until SIGTERM or Ctrl-C, then stops the scheduler and its jobs.
pub async fn serve(config_path: &Path, args: &ServeArgs) -> Result<(), CliError> {
    let config = Config::load(config_path)?;
    let token = config.server.effective_token().ok_or_else(|| {
        anyhow!(
            "no server token configured: set `[server] token` in {} or the environment \
             variable {SERVER_TOKEN_VAR}; the API and the management page require it",
            config_path.display()
        )
    })?;
    let addr = match args.listen {
        Some(addr) => addr,
        None => config.server.listen_addr().map_err(|e| anyhow!(e))?,
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let scheduler = Arc::new(
        Scheduler::start(config_path.to_path_buf(), Arc::new(SystemClock))
            .await
            .map_err(|e| anyhow!(e))?,
    );
    let weak: Weak<Scheduler> = Arc::downgrade(&scheduler);
    let first = scheduler.config();
    let state = Arc::new(ServerState {
        control: scheduler.control(),
        config: Arc::new(move || weak.upgrade().map_or_else(|| first.clone(), |s| s.config())),
        infomart: InfoMartLink::new(config.infomart.url.clone()),
        token,
    });
    println!("tidemark serve: management page and API on http://{addr}/ (Ctrl-C or SIGTERM stops)");
    let served = http::serve(listener, state, shutdown_signal()).await;
    println!("tidemark serve: stopping the scheduler and its jobs");
    match Arc::try_unwrap(scheduler) {
        Ok(scheduler) => scheduler.shutdown().await,
        Err(_) => tracing::warn!("the scheduler is still in use; its jobs end with the process"),
    }
    served.context("the HTTP server failed")?;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// A client of the running server, or `None` (with the reason) when none answers. An
/// explicit `--server` that does not answer is an error.
pub(super) async fn running_server(
    config: &Config,
    args: &ServerArgs,
) -> Result<Result<ServerClient, String>, CliError> {
    let base = match &args.server {
        Some(url) => url.clone(),
        None => {
            let listen = config.server.listen.replace("0.0.0.0", "127.0.0.1");
            format!("http://{listen}")
        }
    };
    let token = config.server.effective_token().unwrap_or_default();
    let client = ServerClient::new(&base, &token);
    if client.is_up().await {
        return Ok(Ok(client));
    }
    if args.server.is_some() {
        return Err(anyhow!("no Tidemark server answers at {base}").into());
    }
    Ok(Err(format!("no server runs at {base}")))
}

/// `tidemark jobs`: the job history, from the server or the Info Mart.
pub async fn jobs(config_path: &Path, args: &JobsArgs) -> Result<(), CliError> {
    let config = Config::load(config_path)?;
    let filter = HistoryFilter {
        days: args.days,
        last: args.last,
        status: args.status.clone(),
        job: args.job.clone(),
        sort: None,
        order: None,
    };
    let runs = match running_server(&config, &args.server).await? {
        Ok(client) => client.history(&filter).await.map_err(|e| anyhow!(e))?,
        Err(why) => {
            println!("({why}: reading the Info Mart directly)");
            let db = open_infomart(&config).await?;
            history::runs(db.as_ref(), &filter, Utc::now())
                .await
                .map_err(|e| anyhow!(e.message))?
        }
    };
    print!("{}", runs_table(&runs));
    Ok(())
}

fn runs_table(runs: &[RunRow]) -> String {
    let mut out = format!(
        "{:<20} {:<10} {:<24} {:>9} {:>10}  {}\n",
        "JOB", "STATUS", "START (UTC)", "DURATION", "ROWS", "JOB ID"
    );
    for run in runs {
        let start = run.start_time.as_deref().unwrap_or("").replace('T', " ");
        out.push_str(&format!(
            "{:<20} {:<10} {:<24} {:>9} {:>10}  {}\n",
            run.job_name,
            run.status,
            start.trim_end_matches('Z'),
            run.duration_sec
                .map(|d| format!("{d} s"))
                .unwrap_or_default(),
            run.row_count.map(|r| r.to_string()).unwrap_or_default(),
            run.job_id
        ));
        if let Some(error) = &run.error_text {
            out.push_str(&format!("{:<20} {error}\n", ""));
        }
    }
    if runs.is_empty() {
        out.push_str("(no runs)\n");
    }
    out
}

/// `tidemark status`: latency per functional area and per data source.
pub async fn status(config_path: &Path, args: &ServerArgs) -> Result<(), CliError> {
    let config = Config::load(config_path)?;
    let status = match running_server(&config, args).await? {
        Ok(client) => client.etl_status().await.map_err(|e| anyhow!(e))?,
        Err(why) => {
            println!("({why}: reading the Info Mart directly)");
            let db = open_infomart(&config).await?;
            let inputs = latency::read_inputs(db.as_ref())
                .await
                .map_err(|e| anyhow!(e))?;
            latency::compute(&inputs, Thresholds::of(&config), Utc::now().timestamp())
        }
    };
    print!("{}", status_table(&status));
    Ok(())
}

fn status_table(status: &EtlStatus) -> String {
    let mut out = format!(
        "{:<28} {:<8} {:>12}  {}\n",
        "AREA", "STATUS", "LATENCY (s)", "MARK (UTC)"
    );
    for area in &status.areas {
        out.push_str(&format!(
            "{:<28} {:<8} {:>12}  {}\n",
            area.label,
            area.status,
            area.latency_sec
                .map(|l| l.to_string())
                .unwrap_or("-".into()),
            area.mark_time.as_deref().unwrap_or("-")
        ));
    }
    for source in &status.sources {
        out.push_str(&format!(
            "source {:<21} {:<8} {:>12}  {}\n",
            source.ds_name.as_deref().unwrap_or("?"),
            if source.stuck {
                "STUCK"
            } else if source.delayed {
                "DELAYED"
            } else if source.active {
                "ACTIVE"
            } else {
                "INACTIVE"
            },
            source
                .latency_sec
                .map(|l| l.to_string())
                .unwrap_or("-".into()),
            source.extract_hwm_time.as_deref().unwrap_or("-")
        ));
    }
    out
}

/// `tidemark job stop ID`: asks the running server to stop or cancel a run.
pub async fn stop(config_path: &Path, job_id: &str, args: &ServerArgs) -> Result<(), CliError> {
    let config = Config::load(config_path)?;
    let client = running_server(&config, args).await?.map_err(|why| {
        anyhow!("{why}; stopping a run needs the server that runs it (tidemark serve)")
    })?;
    let answer = client.stop(job_id).await.map_err(|e| anyhow!(e))?;
    println!("{}: {}", answer.job_id, answer.outcome);
    Ok(())
}
