//! Job_ExtractICON from a PostgreSQL IDB into a PostgreSQL Info Mart: complete extraction,
//! SIGKILL at several points then a re-run equal to an uninterrupted run, and an IDB that
//! becomes unreachable mid-run.

mod extract_common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use extract_common::*;
use tidemark_sinks::database::{self, Database};
use tidemark_tests::fresh_postgres;

const AS_OF: &str = DAY_END;

fn spawn_extract(config: &std::path::Path) -> Child {
    Command::new(tidemark_binary())
        .arg("--config")
        .arg(config)
        .args(["job", "run", "Job_ExtractICON"])
        .env("TIDEMARK_AS_OF", AS_OF)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tidemark")
}

/// Waits until the Info Mart has at least `chunks` committed chunks (or the child ends).
async fn wait_for_chunks(mart: &dyn Database, child: &mut Child, chunks: i64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(300);
    while Instant::now() < deadline {
        if child.try_wait().expect("child status").is_some() {
            return false;
        }
        let done = mart
            .query_opt_i64("select count(*) from ctl_extract_history")
            .await
            .ok()
            .flatten()
            .unwrap_or(0);
        if done >= chunks {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("extraction did not reach {chunks} chunks");
}

#[tokio::test]
async fn sigkill_at_several_points_then_rerun_equals_an_uninterrupted_run() {
    let (idb, killed_mart, clean_mart) = (
        fresh_postgres().await,
        fresh_postgres().await,
        fresh_postgres().await,
    );
    let dir = tempfile::tempdir().unwrap();
    simulate(&sim_args(&[&idb.url], 17, 1500)).await;
    let (killed_gidb, clean_gidb) = (dir.path().join("killed"), dir.path().join("clean"));

    let text = config_text(&killed_mart.url, &killed_gidb, &[all_roles(&idb.url)], "");
    let path = write_config(dir.path(), &text);
    let mut status = Command::new(tidemark_binary())
        .arg("--config")
        .arg(&path)
        .args(["job", "run", "Job_InitializeGIM"])
        .output()
        .expect("initialize");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let mart = database::connect(&killed_mart.url).await.unwrap();
    let mut kills = 0;
    for at in [2, 30, 120] {
        let mut child = spawn_extract(&path);
        if wait_for_chunks(mart.as_ref(), &mut child, at).await {
            child.kill().expect("SIGKILL");
            kills += 1;
        }
        let _ = child.wait();
    }
    assert!(kills >= 2, "the run was killed mid-extraction");
    status = Command::new(tidemark_binary())
        .arg("--config")
        .arg(&path)
        .args(["job", "run", "Job_ExtractICON"])
        .env("TIDEMARK_AS_OF", AS_OF)
        .output()
        .expect("final run");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );

    let clean = config(&clean_mart.url, &clean_gidb, &[all_roles(&idb.url)]);
    extract(&clean, AS_OF).await;
    let (a, b) = (gidb_rows(&killed_gidb).await, gidb_rows(&clean_gidb).await);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (folder, rows) in &b {
        assert_eq!(&a[folder], rows, "{folder} after kills and re-run");
    }
    assert_eq!(marks(&killed_mart.url).await, marks(&clean_mart.url).await);
    let rows_recorded = scalar(
        mart.as_ref(),
        "select sum(row_count) from ctl_extract_history",
    )
    .await;
    let rows_written: usize = extracted_rows(&killed_gidb)
        .await
        .values()
        .map(Vec::len)
        .sum();
    assert_eq!(
        rows_recorded as usize, rows_written,
        "history counts each committed row once"
    );
}

#[tokio::test]
async fn an_idb_lost_mid_run_fails_the_job_and_the_next_run_completes() {
    let (idb, mart_db, clean_mart) = (
        fresh_postgres().await,
        fresh_postgres().await,
        fresh_postgres().await,
    );
    let dir = tempfile::tempdir().unwrap();
    simulate(&sim_args(&[&idb.url], 19, 1200)).await;
    let gidb = dir.path().join("gidb");
    let path = write_config(
        dir.path(),
        &config_text(&mart_db.url, &gidb, &[all_roles(&idb.url)], ""),
    );
    let name = idb.url.rsplit('/').next().unwrap().to_string();
    let admin = database::connect(
        &std::env::var(tidemark_tests::PG_URL_VAR)
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into()),
    )
    .await
    .unwrap();
    let mart = database::connect(&mart_db.url).await.unwrap();
    let mut init = Command::new(tidemark_binary());
    let out = init
        .arg("--config")
        .arg(&path)
        .args(["job", "run", "Job_InitializeGIM"])
        .output()
        .unwrap();
    assert!(out.status.success());

    let mut child = spawn_extract(&path);
    assert!(
        wait_for_chunks(mart.as_ref(), &mut child, 20).await,
        "the run got going"
    );
    admin
        .execute(&format!("alter database {name} allow_connections false"))
        .await
        .unwrap();
    admin
        .execute(&format!(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = '{name}'"
        ))
        .await
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the job fails");
    assert!(
        stderr.contains("IDB idb"),
        "the message names the DAP: {stderr}"
    );
    let marks_after_failure = marks(&mart_db.url).await;
    let status = scalar(mart.as_ref(), "select count(*) from ctl_etl_history where job_name = 'Job_ExtractICON' and status = 'FAILED'").await;
    assert_eq!(status, 1);

    // While the IDB stays away, a new run fails at once and moves no mark.
    let out = Command::new(tidemark_binary())
        .arg("--config")
        .arg(&path)
        .args(["job", "run", "Job_ExtractICON"])
        .env("TIDEMARK_AS_OF", AS_OF)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no IDB of idb is available"));
    assert_eq!(marks(&mart_db.url).await, marks_after_failure);

    admin
        .execute(&format!("alter database {name} allow_connections true"))
        .await
        .unwrap();
    let out = Command::new(tidemark_binary())
        .arg("--config")
        .arg(&path)
        .args(["job", "run", "Job_ExtractICON"])
        .env("TIDEMARK_AS_OF", AS_OF)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let clean_gidb = dir.path().join("clean");
    extract(
        &config(&clean_mart.url, &clean_gidb, &[all_roles(&idb.url)]),
        AS_OF,
    )
    .await;
    assert_eq!(gidb_rows(&gidb).await, gidb_rows(&clean_gidb).await);
    assert_eq!(marks(&mart_db.url).await, marks(&clean_mart.url).await);
}

#[tokio::test]
async fn postgres_idb_rows_arrive_with_their_declared_types() {
    let (idb, mart) = (fresh_postgres().await, fresh_postgres().await);
    let dir = tempfile::tempdir().unwrap();
    simulate(&sim_args(&[&idb.url], 23, 200)).await;
    let gidb = dir.path().join("gidb");
    extract(&config(&mart.url, &gidb, &[all_roles(&idb.url)]), AS_OF).await;
    let source = idb.connect().await;
    let expected = idb_ids(source.as_ref(), "g_agent_state_history", "added_ts").await;
    assert_eq!(
        gidb_ids(
            &gidb,
            &[
                "gidb_g_agent_state_history_v",
                "gidb_g_agent_state_history_mm"
            ]
        )
        .await,
        expected
    );
    let calls = texts(
        source.as_ref(),
        "select callid || ':' || coalesce(connidnum::text, '') || ':' || terminated_ts from g_call \
         where terminated_ts is not null and gsys_domain in (select dss_id from g_dss_gcc_provider where ds_type = 1) order by 1",
    )
    .await;
    let gidb_calls = gidb_column_expr(&gidb, "gidb_g_call_v", "callid || ':' || coalesce(cast(connidnum as varchar), '') || ':' || cast(terminated_ts as varchar)").await;
    assert_eq!(gidb_calls, calls);
}
