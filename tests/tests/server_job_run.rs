//! `tidemark job run` beside a real `tidemark serve`: the run goes through the server
//! (TRIGGER_TYPE MANUAL; the CLI names the job id and follows the run to its final status),
//! a second run of a job already running is refused naming the run in the way, a run
//! stopped on the server makes the following CLI fail, `--detach` returns while the run
//! goes on, and the server's refusals are clear CLI errors. Without a server the job runs
//! in the CLI's own process as before.
//!
//! A run is held RUNNING deterministically by locking CTL_SCHEMA_INFO in an open
//! transaction: Job_InitializeGIM reads it first and waits for the lock.

mod server_common;

use std::path::Path;
use std::process::ExitStatus;
use std::time::Duration;

use serde_json::Value;
use server_common::*;
use tidemark_sinks::database;
use tidemark_tests::{fresh_postgres, fresh_sqlite};
use tokio_postgres::NoTls;

/// A server on a free port over the Info Mart at `infomart_url`, ready; its port and the
/// configuration file the CLI shares with it.
struct Served {
    _serve: Reaper,
    server: TestServer,
    config: std::path::PathBuf,
    listen: String,
}

impl Served {
    async fn start(infomart_url: &str, dir: &Path) -> Served {
        let config = dir.join("tidemark.toml");
        std::fs::write(&config, config_text(infomart_url, dir)).unwrap();
        let port = free_port();
        let serve = Reaper(spawn_serve(&config, port, dir, "serve"));
        let server = TestServer::at(format!("http://127.0.0.1:{port}"));
        wait_until_ready(&server).await;
        Served {
            _serve: serve,
            server,
            config,
            listen: format!("127.0.0.1:{port}"),
        }
    }

    /// `tidemark job …` finding the server through `[server] listen`, to its end.
    fn job(&self, args: &[&str], dir: &Path, tag: &str) -> (ExitStatus, String) {
        let listen = [("TIDEMARK_SERVER__LISTEN", self.listen.as_str())];
        run_tidemark(&self.config, &job_args(args), &listen, dir, tag)
    }

    /// The same, started in the background.
    fn spawn_job(&self, args: &[&str], dir: &Path, tag: &str) -> Reaper {
        let listen = [("TIDEMARK_SERVER__LISTEN", self.listen.as_str())];
        Reaper(spawn_tidemark(
            &self.config,
            &job_args(args),
            &listen,
            dir,
            tag,
        ))
    }

    /// JOB_ID and status of the active run of `job` on the server.
    async fn active_run(&self, job: &str) -> Option<(String, String)> {
        let (status, jobs) = get(&self.server, "/api/v1/jobs").await;
        assert_eq!(status, 200, "{jobs}");
        let run = jobs.as_array()?.iter().find(|j| j["name"] == job)?["active"]
            .as_array()?
            .first()?
            .clone();
        Some((
            run["job_id"].as_str()?.to_string(),
            run["status"].as_str()?.to_string(),
        ))
    }

    /// Every history row of `job`.
    async fn runs_of(&self, job: &str) -> Vec<Value> {
        let (status, rows) = get(&self.server, &format!("/api/v1/history?job={job}")).await;
        assert_eq!(status, 200, "{rows}");
        rows.as_array().cloned().unwrap_or_default()
    }
}

fn job_args<'a>(args: &[&'a str]) -> Vec<&'a str> {
    std::iter::once("job").chain(args.iter().copied()).collect()
}

/// The job id the CLI printed in `… job id <ID> accepted by the server …`.
fn accepted_job_id(said: &str) -> String {
    said.split("job id ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no job id in: {said}"))
        .to_string()
}

/// Runs Job_InitializeGIM through the server with the CLI and checks the CLI and the
/// server agree on a MANUAL run that ended COMPLETE; returns its job id.
async fn run_through_the_server(served: &Served, dir: &Path, tag: &str) -> String {
    let before = served.runs_of("Job_InitializeGIM").await.len();
    let (status, said) = served.job(&["run", "Job_InitializeGIM"], dir, tag);
    assert!(status.success(), "{said}");
    assert!(said.contains("accepted by the server at http://"), "{said}");
    assert!(!said.contains("in this process"), "{said}");
    let job_id = accepted_job_id(&said);
    assert!(
        said.contains(&format!("Job_InitializeGIM ({job_id}): COMPLETE")),
        "{said}"
    );
    let runs = served.runs_of("Job_InitializeGIM").await;
    assert_eq!(runs.len(), before + 1, "{runs:?}");
    let row = history_row(&served.server, &job_id)
        .await
        .unwrap_or_else(|| panic!("job id {job_id} is not in the server's history: {runs:?}"));
    assert_eq!(row["trigger_type"], "MANUAL", "{row}");
    assert_eq!(row["status"], "COMPLETE", "{row}");
    job_id
}

/// An open transaction holding an exclusive lock on one Info Mart table.
struct TableLock(tokio_postgres::Client);

impl TableLock {
    async fn take(url: &str, table: &str) -> TableLock {
        let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(&format!(
                "begin; lock table {table} in access exclusive mode"
            ))
            .await
            .unwrap();
        TableLock(client)
    }

    async fn release(self) {
        self.0.batch_execute("rollback").await.unwrap();
    }
}

#[tokio::test]
async fn job_run_goes_through_the_server_refuses_a_second_instance_and_detaches() {
    let db = fresh_postgres().await;
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path();
    let served = Served::start(&db.url, dir).await;

    // The first run initializes the Info Mart on the server (its history row is written
    // when it ends), the second finds it initialized.
    let first = run_through_the_server(&served, dir, "first").await;
    let again = run_through_the_server(&served, dir, "again").await;
    assert_ne!(first, again);

    // A run held RUNNING; the CLI follows it.
    let lock = TableLock::take(&db.url, "ctl_schema_info").await;
    let mut follower = served.spawn_job(&["run", "Job_InitializeGIM"], dir, "follow");
    let (held, status) = eventually("the followed run to be RUNNING", async || {
        served.active_run("Job_InitializeGIM").await
    })
    .await;
    assert_eq!(status, "RUNNING");
    eventually("the CLI to name the run", async || {
        output(dir, "follow").contains(&held).then_some(())
    })
    .await;

    // A second run of the job is refused, naming the run in the way and how to stop it.
    let (status, said) = served.job(&["run", "Job_InitializeGIM"], dir, "second");
    assert!(!status.success(), "{said}");
    assert!(
        said.contains("Job_InitializeGIM is already running"),
        "{said}"
    );
    assert!(
        said.contains(&format!("`tidemark job stop {held}`")),
        "{said}"
    );
    assert!(!said.contains("in this process"), "{said}");

    // Stopped on the server, the run ends STOPPED once it gets past the lock, and the CLI
    // following it says so and fails.
    let (status, said) = served.job(&["stop", &held], dir, "stop");
    assert!(status.success(), "{said}");
    lock.release().await;
    let exit = wait_for_exit(&mut follower.0, Duration::from_secs(60))
        .unwrap_or_else(|| panic!("the follower did not end:\n{}", output(dir, "follow")));
    let said = output(dir, "follow");
    assert!(!exit.success(), "{said}");
    assert!(
        said.contains(&format!("Job_InitializeGIM ({held}): STOPPED")),
        "{said}"
    );
    assert!(said.contains("ended STOPPED"), "{said}");
    let row = history_row(&served.server, &held).await.unwrap();
    assert_eq!(row["status"], "STOPPED", "{row}");
    assert_eq!(row["trigger_type"], "MANUAL", "{row}");

    // --detach returns while the run still waits for the lock; the run then completes.
    let lock = TableLock::take(&db.url, "ctl_schema_info").await;
    let (status, said) = served.job(&["run", "Job_InitializeGIM", "--detach"], dir, "detach");
    assert!(status.success(), "{said}");
    let detached = accepted_job_id(&said);
    assert!(
        said.contains(&format!("`tidemark job stop {detached}`")),
        "{said}"
    );
    let active = served.active_run("Job_InitializeGIM").await;
    assert_eq!(active, Some((detached.clone(), "RUNNING".to_string())));
    lock.release().await;
    let row = eventually("the detached run to end", async || {
        history_row(&served.server, &detached)
            .await
            .filter(|row| row["status"] != "RUNNING")
    })
    .await;
    assert_eq!(row["status"], "COMPLETE", "{row}");

    // The server's refusals are clear CLI errors.
    let (status, said) = served.job(&["run", "Job_Nope"], dir, "unknown");
    assert!(!status.success(), "{said}");
    assert!(
        said.contains("the server refused to start Job_Nope"),
        "{said}"
    );
    assert!(said.contains("known jobs: Job_InitializeGIM"), "{said}");
    let (status, said) = served.job(&["run", "Job_InitializeGIM", "-x", "1"], dir, "params");
    assert!(!status.success(), "{said}");
    assert!(said.contains("(400)"), "{said}");
    assert!(
        said.contains("takes no job parameters (got `-x 1`)"),
        "{said}"
    );
    let wrong = [
        ("TIDEMARK_SERVER__LISTEN", served.listen.as_str()),
        ("TIDEMARK_SERVER_TOKEN", "not-the-token"),
    ];
    let run = job_args(&["run", "Job_InitializeGIM"]);
    let (status, said) = run_tidemark(&served.config, &run, &wrong, dir, "token");
    assert!(!status.success(), "{said}");
    assert!(said.contains("refused the request (401)"), "{said}");
    assert!(
        said.contains("the token in TIDEMARK_SERVER_TOKEN is not the server's"),
        "{said}"
    );

    // Nothing ran beside the server, and nothing is left running.
    let infomart = database::connect(&db.url).await.unwrap();
    let left = infomart
        .query_strings("select job_id from ctl_etl_history where status = 'RUNNING'")
        .await
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
    let manual = infomart
        .query_i64("select count(*) from ctl_etl_history where trigger_type = 'MANUAL'")
        .await
        .unwrap();
    assert_eq!(manual, 4, "first, again, stopped and detached runs");
}

#[tokio::test]
async fn job_run_goes_through_a_server_on_a_sqlite_infomart() {
    let db = fresh_sqlite();
    let folder = tempfile::tempdir().unwrap();
    let served = Served::start(&db.url, folder.path()).await;
    run_through_the_server(&served, folder.path(), "first").await;
}

#[tokio::test]
async fn job_run_without_a_server_runs_in_this_process() {
    let db = fresh_sqlite();
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path();
    let config = dir.join("tidemark.toml");
    std::fs::write(&config, config_text(&db.url, dir)).unwrap();
    let listen = format!("127.0.0.1:{}", free_port());
    let env = [("TIDEMARK_SERVER__LISTEN", listen.as_str())];

    let run = job_args(&["run", "Job_InitializeGIM"]);
    let (status, said) = run_tidemark(&config, &run, &env, dir, "local");
    assert!(status.success(), "{said}");
    assert!(
        said.contains(&format!(
            "no server runs at http://{listen}: running Job_InitializeGIM in this process"
        )),
        "{said}"
    );
    let stdout = std::fs::read_to_string(dir.join("local.out")).unwrap();
    assert!(stdout.starts_with("Job_InitializeGIM ("), "{stdout}");
    assert!(stdout.contains("in ctl_schema_info"), "{stdout}");

    let detach = job_args(&["run", "Job_InitializeGIM", "--detach"]);
    let (status, said) = run_tidemark(&config, &detach, &env, dir, "detach");
    assert!(!status.success(), "{said}");
    assert!(said.contains("--detach needs a running server"), "{said}");
    let params = job_args(&["run", "Job_InitializeGIM", "-x"]);
    let (status, said) = run_tidemark(&config, &params, &env, dir, "params");
    assert!(!status.success(), "{said}");
    assert!(said.contains("takes no job parameters"), "{said}");

    let infomart = database::connect(&db.url).await.unwrap();
    let runs = infomart
        .query_strings("select status || ' ' || trigger_type from ctl_etl_history")
        .await
        .unwrap();
    assert_eq!(runs, ["COMPLETE MANUAL"]);
}
