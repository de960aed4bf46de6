//! Job_TransformGIM into a PostgreSQL Info Mart, killed with SIGKILL after its first voice
//! chunk committed and run again: the Info Mart equals one of an uninterrupted run.

mod extract_common;

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use extract_common::*;
use tidemark::config::Config;
use tidemark::jobs::{names, runner, Trigger};
use tidemark_sinks::database::{self, Database};
use tidemark_tests::{fresh_postgres, fresh_sqlite};
use tokio_util::sync::CancellationToken;

/// Extraction steps through the simulated day: each is one merge round, so one voice chunk.
const STEPS: [&str; 4] = [
    "2024-03-05T10:00:00Z",
    "2024-03-05T14:00:00Z",
    "2024-03-05T18:00:00Z",
    DAY_END,
];

/// Rows of the fact tables and the transform marks, as text, in key order.
async fn mart_state(db: &dyn Database) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "select * from interaction_fact order by interaction_id",
        "select * from interaction_resource_fact order by interaction_resource_id",
        "select * from mediation_segment_fact order by mediation_segment_id",
        "select * from ixn_resource_state_fact order by ixn_resource_state_fact_key",
        "select * from resource_ order by resource_key",
        "select * from resource_group_fact_ order by resource_group_fact_key",
        "select * from resource_group_combination order by group_combination_key, group_key",
        "select * from irf_user_data_gen_1 order by interaction_resource_id",
        "select * from irf_user_data_keys order by interaction_resource_id",
        "select * from interaction_descriptor order by interaction_descriptor_key",
        "select hwm_name, hwm_value from ctl_hwm where hwm_name like 'transform:%' order by 1",
    ] {
        for row in db.query(sql).await.unwrap() {
            let cells: Vec<String> = row.iter().map(|v| v.to_string()).collect();
            out.push(cells.join("|"));
        }
    }
    out
}

async fn extract_in_steps(config: &Arc<Config>) {
    for step in STEPS {
        extract(config, step).await;
    }
}

#[tokio::test]
async fn sigkill_during_the_load_then_rerun_equals_an_uninterrupted_run() {
    let (idb, killed_mart, clean_mart) = (
        fresh_sqlite(),
        fresh_postgres().await,
        fresh_postgres().await,
    );
    let dir = tempfile::tempdir().unwrap();
    simulate(&sim_args(&[&idb.url], 23, 300)).await;
    let (killed_gidb, clean_gidb) = (dir.path().join("killed"), dir.path().join("clean"));
    let killed = config(&killed_mart.url, &killed_gidb, &[all_roles(&idb.url)]);
    let clean = config(&clean_mart.url, &clean_gidb, &[all_roles(&idb.url)]);
    extract_in_steps(&killed).await;
    extract_in_steps(&clean).await;

    runner::run_job(
        clean,
        names::TRANSFORM,
        Trigger::Manual,
        CancellationToken::new(),
    )
    .await
    .expect("uninterrupted transform");
    let clean_db = database::connect(&clean_mart.url).await.unwrap();
    let expected = mart_state(clean_db.as_ref()).await;
    let voice_chunks = scalar(
        clean_db.as_ref(),
        "select count(*) from ctl_transform_history where hwm_name = 'GIDB_G_IR_V'",
    )
    .await;
    assert!(voice_chunks >= 3, "{voice_chunks} voice chunks");

    let path = write_config(
        dir.path(),
        &config_text(&killed_mart.url, &killed_gidb, &[all_roles(&idb.url)], ""),
    );
    let db = database::connect(&killed_mart.url).await.unwrap();
    let mut child = job_command(&path, names::TRANSFORM)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn tidemark");
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut killed_after = None;
    while Instant::now() < deadline && child.try_wait().unwrap().is_none() {
        let done = db
            .query_opt_i64(
                "select count(*) from ctl_transform_history where hwm_name = 'GIDB_G_IR_V'",
            )
            .await
            .ok()
            .flatten()
            .unwrap_or(0);
        if done >= 1 {
            child.kill().expect("SIGKILL");
            killed_after = Some(done);
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let _ = child.wait();
    let killed_after = killed_after.expect("the transform was killed mid-run");
    assert!(killed_after < voice_chunks, "killed before the last chunk");

    let rerun = job_command(&path, names::TRANSFORM)
        .output()
        .expect("re-run");
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    let actual = mart_state(db.as_ref()).await;
    assert_eq!(actual.len(), expected.len());
    for (a, e) in actual.iter().zip(&expected) {
        assert_eq!(a, e);
    }
}
