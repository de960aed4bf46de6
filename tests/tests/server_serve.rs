//! The real `tidemark serve` binary with its scheduler over a PostgreSQL Info Mart: a run
//! of Job_InitializeGIM started through the API appears in the history, a run is stopped,
//! a second server on the same Info Mart is refused, and SIGTERM ends the process cleanly
//! with no run left RUNNING.

mod server_common;

use std::process::Command;
use std::time::Duration;

use serde_json::json;
use server_common::*;
use tidemark_tests::fresh_postgres;

#[tokio::test]
async fn serve_runs_and_stops_jobs_and_ends_cleanly_on_sigterm() {
    let db = fresh_postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("tidemark.toml");
    std::fs::write(&config_path, config_text(&db.url, dir.path())).unwrap();
    let port = free_port();
    let mut serve = Reaper(spawn_serve(&config_path, port, dir.path(), "serve"));
    let server = TestServer::at(format!("http://127.0.0.1:{port}"));

    wait_until_ready(&server).await;

    // A second server on the same Info Mart exits at once with a clear message.
    let mut second = spawn_serve(&config_path, free_port(), dir.path(), "second");
    let refused =
        wait_for_exit(&mut second, Duration::from_secs(60)).expect("a second server exits at once");
    assert!(!refused.success());
    let said = output(dir.path(), "second");
    assert!(
        said.contains("another Tidemark server already runs"),
        "{said}"
    );

    // The first Job_InitializeGIM runs to completion and shows in the history.
    let (status, started) = post(&server, "/api/v1/jobs/Job_InitializeGIM/run", &json!({})).await;
    assert_eq!(status, 202, "{started}");
    let first = started["job_id"].as_str().unwrap().to_string();
    let row = eventually("the first run to complete", async || {
        history_row(&server, &first)
            .await
            .filter(|row| row["status"] != "RUNNING")
    })
    .await;
    assert_eq!(row["status"], "COMPLETE", "{row}");
    assert_eq!(row["trigger_type"], "MANUAL", "{row}");

    // A finished run cannot be stopped; a second run is stopped or has already finished.
    let (status, body) = post(&server, &format!("/api/v1/runs/{first}/stop"), &json!({})).await;
    assert!(matches!(status, 404 | 409), "{status} {body}");
    let (status, started) = post(&server, "/api/v1/jobs/Job_InitializeGIM/run", &json!({})).await;
    assert_eq!(status, 202, "{started}");
    let second_run = started["job_id"].as_str().unwrap().to_string();
    let (status, stop) = post(
        &server,
        &format!("/api/v1/runs/{second_run}/stop"),
        &json!({}),
    )
    .await;
    let row = eventually("the second run to end", async || {
        history_row(&server, &second_run)
            .await
            .filter(|row| row["status"] != "RUNNING")
    })
    .await;
    // A re-run on an initialized Info Mart ends in milliseconds, before it checks for a stop.
    assert!(matches!(status, 200 | 404 | 409), "{status} {stop}");
    assert!(
        row["status"] == "STOPPED" || row["status"] == "COMPLETE",
        "{stop} {row}"
    );

    // SIGTERM while a run is under way: the process ends cleanly, nothing stays RUNNING.
    let (status, started) = post(&server, "/api/v1/jobs/Job_InitializeGIM/run", &json!({})).await;
    assert_eq!(status, 202, "{started}");
    let pid = serve.0.id().to_string();
    let term = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(term.success());
    let exit = wait_for_exit(&mut serve.0, Duration::from_secs(60))
        .unwrap_or_else(|| panic!("no exit after SIGTERM:\n{}", output(dir.path(), "serve")));
    assert!(exit.success(), "{exit}:\n{}", output(dir.path(), "serve"));
    let said = output(dir.path(), "serve");
    assert!(said.contains("stopping the scheduler"), "{said}");

    let infomart = tidemark_sinks::database::connect(&db.url).await.unwrap();
    let left = infomart
        .query_strings(
            "select status from ctl_etl_history where status in ('RUNNING', 'SCHEDULED')",
        )
        .await
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
}
