//! `GET /api/v1/etl/status` after a real ETL cycle on a PostgreSQL Info Mart: a simulated
//! day in a SQLite IDB, Job_ExtractICON and Job_TransformGIM, then the latencies of
//! operations.md §8.3 checked against marks the test reads from CTL_HWM itself.
//!
//! The simulated day lies in the past (2024-03-05), so every latency is far beyond
//! `extract-data-stuck-threshold`: every area fed by active sources is STUCK, transformed or
//! not; aggregation and export, which have not run, are IDLE.

mod extract_common;
mod server_common;

use std::collections::BTreeMap;

use chrono::Utc;
use serde_json::Value;
use server_common::{get, start, RecordingControl};
use tidemark::jobs::{names, runner, Trigger};
use tidemark_sinks::database::Database;
use tidemark_tests::fresh_postgres;
use tokio_util::sync::CancellationToken;

/// The end of the extract + transform cycle (the second extraction runs to the day's end).
const CYCLE_AS_OF: &str = "2024-03-05T14:00:00Z";

/// What the test reads from the Info Mart after the cycle.
struct Marks {
    /// CTL_HWM: HWM_NAME → HWM_VALUE.
    values: BTreeMap<String, i64>,
    /// CTL_DS: DATA_SOURCE_KEY → (DATA_SOURCE_TYPE, ACTIVE_FLAG).
    sources: BTreeMap<i64, (i64, i64)>,
}

impl Marks {
    async fn read(db: &dyn Database) -> Self {
        let values = db
            .query("select hwm_name, cast(hwm_value as bigint) from ctl_hwm")
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r[0].to_string(), r[1].as_i64().unwrap()))
            .collect();
        let sources = db
            .query("select data_source_key, data_source_type, active_flag from ctl_ds")
            .await
            .unwrap()
            .into_iter()
            .map(|r| {
                let cell = |i: usize| r[i].as_i64().unwrap();
                (cell(0), (cell(1), cell(2)))
            })
            .collect();
        Self { values, sources }
    }

    /// The oldest extraction mark of the active sources of `types`.
    fn extraction(&self, types: &[i64]) -> Option<i64> {
        self.values
            .iter()
            .filter(|(name, _)| {
                let mut parts = name.split(':');
                parts.next() == Some("extract")
                    && parts
                        .next()
                        .and_then(|key| key.parse::<i64>().ok())
                        .and_then(|key| self.sources.get(&key))
                        .is_some_and(|(ty, active)| *active == 1 && types.contains(ty))
            })
            .map(|(_, v)| *v)
            .min()
    }

    /// The oldest transform mark whose name starts with `transform:<prefix>`.
    fn transform(&self, prefix: &str) -> Option<i64> {
        let prefix = format!("transform:{prefix}");
        self.values
            .iter()
            .filter(|(name, _)| name.starts_with(&prefix))
            .map(|(_, v)| *v)
            .min()
    }
}

fn area<'a>(status: &'a Value, id: &str) -> &'a Value {
    status["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["area"] == id)
        .unwrap_or_else(|| panic!("no area {id}: {status}"))
}

/// The area's `field` is now − `mark`: exactly at the server's `now_ts`, and within two
/// seconds of the test's own clock read just after the answer.
fn assert_latency(status: &Value, test_now: i64, id: &str, field: &str, mark: i64) -> i64 {
    let latency = area(status, id)[field]
        .as_i64()
        .unwrap_or_else(|| panic!("{id}.{field} is not a number: {status}"));
    assert_eq!(
        latency,
        status["now_ts"].as_i64().unwrap() - mark,
        "{id}.{field}"
    );
    assert!(
        (latency - (test_now - mark)).abs() <= 2,
        "{id}.{field} = {latency}, test clock says {}",
        test_now - mark
    );
    latency
}

#[tokio::test]
async fn etl_status_after_a_real_extract_and_transform_cycle_on_postgres() {
    let mart = fresh_postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let idb_url = format!("sqlite://{}", dir.path().join("idb.db").display());
    extract_common::simulate(&extract_common::sim_args(&[&idb_url], 5, 200)).await;
    let config = server_common::config(&mart.url, dir.path());
    // One full cycle up to mid-afternoon, then an extraction the transform has not followed
    // yet: extract and transform marks differ by half a day, so each latency shows which
    // mark it was measured from.
    extract_common::extract(&config, CYCLE_AS_OF).await;
    let transformed = runner::run_job(
        config.clone(),
        names::TRANSFORM,
        Trigger::Manual,
        CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("Job_TransformGIM failed: {e}"));
    let report: Vec<String> = transformed
        .into_iter()
        .flat_map(|r| r.outcome.messages)
        .collect();
    assert!(
        report.iter().any(|l| l.starts_with("voice: ")),
        "{report:?}"
    );
    extract_common::extract(&config, extract_common::DAY_END).await;

    let db = mart.connect().await;
    let marks = Marks::read(db.as_ref()).await;
    let types: Vec<i64> = marks.sources.values().map(|(ty, _)| *ty).collect();
    for ty in [1, 2, 3, 4] {
        assert!(types.contains(&ty), "a source of type {ty}: {types:?}");
    }
    let voice_mark = marks
        .transform("GIDB_G_IR_V")
        .expect("voice transform mark");
    let multimedia_mark = marks
        .transform("GIDB_G_IR_MM")
        .expect("multimedia transform mark");
    let config_mark = marks.transform("GIDB_GC").expect("configuration marks");
    let extract_mark = marks.extraction(&[1, 2, 3, 4]).expect("extraction marks");
    let cycle_end = chrono::DateTime::parse_from_rfc3339(CYCLE_AS_OF)
        .unwrap()
        .timestamp();
    assert!(voice_mark <= cycle_end && multimedia_mark <= cycle_end && config_mark <= cycle_end);
    assert!(
        extract_mark > cycle_end,
        "the second extraction went past the cycle"
    );

    let server = start(config.clone(), RecordingControl::new(config.clone())).await;
    let (code, status) = get(&server, "/api/v1/etl/status").await;
    let test_now = Utc::now().timestamp();
    assert_eq!(code, 200, "{status}");
    let stuck_secs = i64::from(config.gim_etl.extract_data_stuck_threshold);

    let extract = assert_latency(&status, test_now, "extract", "latency_sec", extract_mark);
    let voice = assert_latency(&status, test_now, "voice", "latency_sec", voice_mark);
    let multimedia = assert_latency(
        &status,
        test_now,
        "multimedia",
        "latency_sec",
        multimedia_mark,
    );
    let configuration = assert_latency(
        &status,
        test_now,
        "configuration",
        "latency_sec",
        config_mark,
    );
    for (id, latency) in [
        ("extract", extract),
        ("voice", voice),
        ("multimedia", multimedia),
        ("configuration", configuration),
    ] {
        assert!(latency > stuck_secs, "{id}: {latency} s");
        assert_eq!(
            area(&status, id)["status"],
            "STUCK",
            "{id}: beyond extract-data-stuck-threshold ({stuck_secs} s)"
        );
    }
    let voice_extract = assert_latency(
        &status,
        test_now,
        "voice",
        "extract_latency_sec",
        marks.extraction(&[1]).unwrap(),
    );
    assert!(
        voice > voice_extract,
        "transform latency ≥ extract latency (§8.3)"
    );
    let multimedia_extract = assert_latency(
        &status,
        test_now,
        "multimedia",
        "extract_latency_sec",
        marks.extraction(&[2]).unwrap(),
    );
    assert!(
        multimedia > multimedia_extract,
        "multimedia: transform behind extraction"
    );

    // Extracted but never transformed: no latency of their own, at least their extraction's.
    for (id, source_types) in [("agent_activity", &[1, 2][..]), ("outbound", &[3][..])] {
        let row = area(&status, id);
        assert_eq!(row["latency_sec"], Value::Null, "{id}: {row}");
        assert_eq!(row["mark_ts"], Value::Null, "{id}: {row}");
        let lower_bound = assert_latency(
            &status,
            test_now,
            id,
            "extract_latency_sec",
            marks.extraction(source_types).unwrap(),
        );
        assert!(lower_bound > stuck_secs);
        assert_eq!(row["status"], "STUCK", "{id}: {row}");
    }
    // Nothing aggregated or exported yet.
    assert_eq!(area(&status, "aggregation")["status"], "IDLE");
    assert_eq!(area(&status, "aggregation")["latency_sec"], 0);
    assert_eq!(area(&status, "export")["status"], "IDLE");

    for row in status["areas"].as_array().unwrap() {
        println!(
            "{:<28} {:<8} latency {:>10} extract latency {:>10} mark {}",
            row["label"].as_str().unwrap(),
            row["status"].as_str().unwrap(),
            row["latency_sec"],
            row["extract_latency_sec"],
            row["mark_time"]
        );
    }
    println!("server now {} / test now {test_now}", status["now_ts"]);
}
