//! The HTTP API of `tidemark serve` over a real PostgreSQL Info Mart: authentication, the
//! job history filters, run / stop / cancel, the ETL status latencies after a real
//! Job_InitializeGIM run and after CTL rows that stand for one ETL cycle, marks, metrics
//! and the probes.

mod server_common;

use chrono::Utc;
use serde_json::{json, Value};
use server_common::*;
use tidemark_tests::fresh_postgres;

#[tokio::test]
async fn api_metrics_and_page_need_the_token_and_probes_do_not() {
    let db = fresh_postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(&db.url, dir.path());
    let server = start(config.clone(), RecordingControl::new(config)).await;
    let url = |path: &str| format!("{}{path}", server.base);
    for path in [
        "/api/v1/history",
        "/api/v1/jobs",
        "/api/v1/etl/status",
        "/metrics",
    ] {
        let (status, body) = call(http().get(url(path)), None).await;
        assert_eq!(status, 401, "{path} without a token");
        assert!(body["error"].as_str().unwrap().contains("Bearer"), "{body}");
        let (status, _) = call(http().get(url(path)), Some("wrong")).await;
        assert_eq!(status, 401, "{path} with a wrong token");
        let (status, _) = call(http().get(url(path)), Some(TOKEN)).await;
        assert_eq!(status, 200, "{path} with the token");
    }
    let (status, _) = call(http().post(url("/api/v1/jobs/Job_InitializeGIM/run")), None).await;
    assert_eq!(status, 401);
    assert_eq!(call(http().get(url("/healthz")), None).await.0, 200);
    let (status, body) = call(http().get(url("/readyz")), None).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));

    // The page sends a browser without the cookie to the login form, which sets it.
    let page = http().get(url("/")).send().await.unwrap();
    assert!(page.status().is_redirection());
    assert_eq!(page.headers()["location"], "/login");
    let refused = http()
        .post(url("/login"))
        .form(&[("token", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let accepted = http()
        .post(url("/login"))
        .form(&[("token", TOKEN)])
        .send()
        .await
        .unwrap();
    let cookie = accepted.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_string();
    let page = http()
        .get(url("/"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("Job History"));
    let (status, _) = call(
        http().get(url("/api/v1/jobs")).header("cookie", &session),
        None,
    )
    .await;
    assert_eq!(status, 200, "the session cookie opens the API for the page");
}

#[tokio::test]
async fn readyz_fails_when_the_info_mart_is_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let config = config("postgres://postgres@127.0.0.1:1/nowhere", dir.path());
    let server = start(config.clone(), RecordingControl::new(config)).await;
    let (status, body) = call(http().get(format!("{}/readyz", server.base)), None).await;
    assert_eq!(status, 503);
    assert!(
        body["error"].as_str().unwrap().contains("unreachable"),
        "{body}"
    );
    assert_eq!(get(&server, "/api/v1/history").await.0, 503);
}

/// Inserts a finished run `hours_ago` hours ago.
async fn add_run(
    db: &dyn tidemark_sinks::database::Database,
    id: &str,
    job: &str,
    status: &str,
    hours_ago: i64,
    duration: i64,
    rows: i64,
) {
    let start = Utc::now() - chrono::Duration::hours(hours_ago);
    let end = start + chrono::Duration::seconds(duration);
    db.execute(&format!(
        "insert into ctl_etl_history (job_id, job_name, job_version, status, trigger_type, start_time, \
         end_time, duration_sec, row_count, created_ts, error_text) values ('{id}', '{job}', 'test', '{status}', \
         'SCHEDULED', '{}', '{}', {duration}, {rows}, {}, {})",
        start.format("%Y-%m-%d %H:%M:%S"),
        end.format("%Y-%m-%d %H:%M:%S"),
        start.timestamp(),
        if status == "FAILED" { "'IDB unreachable'" } else { "null" }
    ))
    .await
    .unwrap();
}

fn ids(body: &Value) -> Vec<&str> {
    body.as_array()
        .unwrap()
        .iter()
        .map(|r| r["job_id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn history_filters_and_sorts_like_the_info_mart_manager() {
    let db = fresh_postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(&db.url, dir.path());
    initialize(&config).await;
    let conn = db.connect().await;
    add_run(
        conn.as_ref(),
        "x-1",
        "Job_ExtractICON",
        "COMPLETE",
        1,
        30,
        500,
    )
    .await;
    add_run(conn.as_ref(), "x-2", "Job_ExtractICON", "FAILED", 30, 5, 0).await;
    add_run(
        conn.as_ref(),
        "t-1",
        "Job_TransformGIM",
        "COMPLETE",
        2,
        90,
        1200,
    )
    .await;
    add_run(
        conn.as_ref(),
        "m-1",
        "Job_MaintainGIM",
        "STOPPED",
        24 * 10,
        12,
        7,
    )
    .await;
    let server = start(config.clone(), RecordingControl::new(config)).await;

    let (status, all) = get(&server, "/api/v1/history").await;
    assert_eq!(status, 200);
    let all_ids = ids(&all);
    assert_eq!(
        all_ids.len(),
        5,
        "four inserted runs and the initialization: {all}"
    );
    assert_eq!(all_ids[1..], ["x-1", "t-1", "x-2", "m-1"], "newest first");
    let init = &all[0];
    assert_eq!(init["job_name"], "Job_InitializeGIM");
    assert_eq!(init["status"], "COMPLETE");
    assert!(init["row_count"].as_i64().unwrap() > 0);

    let (_, recent) = get(&server, "/api/v1/history?days=1").await;
    assert_eq!(ids(&recent).len(), 3);
    let (_, last) = get(&server, "/api/v1/history?last=2").await;
    assert_eq!(ids(&last)[1], "x-1");
    let (_, failed) = get(&server, "/api/v1/history?status=FAILED").await;
    assert_eq!(ids(&failed), ["x-2"]);
    assert_eq!(failed[0]["error_text"], "IDB unreachable");
    let (_, two) = get(&server, "/api/v1/history?status=failed,stopped&days=7").await;
    assert_eq!(ids(&two), ["x-2"]);
    let (_, extract) = get(&server, "/api/v1/history?job=Job_ExtractICON").await;
    assert_eq!(ids(&extract), ["x-1", "x-2"]);
    let (_, by_rows) = get(
        &server,
        "/api/v1/history?job=Job_ExtractICON&sort=row_count&order=asc",
    )
    .await;
    assert_eq!(ids(&by_rows), ["x-2", "x-1"]);
    let (_, by_duration) = get(
        &server,
        "/api/v1/history?sort=duration_sec&order=desc&last=4",
    )
    .await;
    assert_eq!(ids(&by_duration)[0], "t-1");

    let (status, body) = get(&server, "/api/v1/history?status=DONE").await;
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("COMPLETE"),
        "{body}"
    );
    assert_eq!(get(&server, "/api/v1/history?sort=password").await.0, 400);
    assert_eq!(get(&server, "/api/v1/history?last=ten").await.0, 400);

    let (status, one) = get(&server, "/api/v1/history/t-1").await;
    assert_eq!((status, one["row_count"].as_i64()), (200, Some(1200)));
    assert_eq!(get(&server, "/api/v1/history/none").await.0, 404);
}

#[tokio::test]
async fn run_stop_and_cancel_go_through_job_control() {
    let db = fresh_postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(&db.url, dir.path());
    let control = RecordingControl::new(config.clone());
    let server = start(config, control.clone()).await;

    let (status, started) = post(&server, "/api/v1/jobs/Job_InitializeGIM/run", &json!({})).await;
    assert_eq!(status, 202, "{started}");
    let (_, history) = get(&server, "/api/v1/history?job=Job_InitializeGIM").await;
    assert_eq!(
        history[0]["status"], "COMPLETE",
        "a real run is recorded: {history}"
    );

    let params = json!({"params": ["-insertPendingAgg", "AGT_QUEUE:1767225600:1767312000"]});
    // Job_AggregateGIM is not in this build's registry: the control refuses it by name.
    let (status, body) = post(&server, "/api/v1/jobs/Job_AggregateGIM/run", &params).await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("not implemented"),
        "{body}"
    );
    let requested = control.requests.lock().unwrap().clone();
    assert!(requested.is_empty() || requested[0].0 == "Job_InitializeGIM");

    // A second run of a running job is a conflict.
    control.queue("busy-1", "Job_InitializeGIM");
    let (status, body) = post(&server, "/api/v1/jobs/Job_InitializeGIM/run", &params).await;
    assert_eq!(status, 409, "{body}");
    let last = control.requests.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        last.1,
        ["-insertPendingAgg", "AGT_QUEUE:1767225600:1767312000"]
    );

    let (_, jobs) = get(&server, "/api/v1/jobs").await;
    let init = jobs
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == "Job_InitializeGIM")
        .unwrap();
    assert_eq!(init["implemented"], true);
    assert_eq!(init["active"][0]["status"], "SCHEDULED");

    let (status, body) = post(&server, "/api/v1/runs/busy-1/stop", &json!({})).await;
    assert_eq!((status, body["outcome"].as_str()), (200, Some("cancelled")));
    let (status, body) = post(&server, "/api/v1/runs/busy-1/stop", &json!({})).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(
        post(&server, "/api/v1/jobs/Job_Nope/run", &json!({}))
            .await
            .0,
        404
    );
    assert_eq!(
        post(&server, "/api/v1/jobs/Job_ExtractICON/stop", &json!({}))
            .await
            .0,
        404
    );
}

/// One ETL cycle's control rows: two active sources with extraction marks and history, the
/// transform marks of voice and multimedia, a pending aggregation bucket and an export
/// chunk, all `seconds` before now.
async fn record_cycle(db: &dyn tidemark_sinks::database::Database, now: i64) {
    let statements = [
        format!("insert into ctl_ds (data_source_key, data_source_type, ds_name, active_flag, last_data_ts) values (11, 1, 'SIP_Switch', 1, {})", now - 20),
        format!("insert into ctl_ds (data_source_key, data_source_type, ds_name, active_flag, last_data_ts) values (12, 2, 'IXN_Server', 1, {})", now - 20),
        format!("insert into ctl_hwm (hwm_name, hwm_value, updated_ts, job_id) values ('extract:11:G_CALL', {}, {}, 'c-1')", now - 120, now - 60),
        format!("insert into ctl_hwm (hwm_name, hwm_value, updated_ts, job_id) values ('extract:11:G_PARTY', {}, {}, 'c-1')", now - 180, now - 60),
        format!("insert into ctl_hwm (hwm_name, hwm_value, updated_ts, job_id) values ('extract:12:G_INTERACTION', {}, {}, 'c-1')", now - 240, now - 60),
        format!("insert into ctl_hwm (hwm_name, hwm_value, updated_ts, job_id) values ('transform:GIDB_G_IR_V', {}, {}, 'c-2')", now - 600, now - 30),
        format!("insert into ctl_hwm (hwm_name, hwm_value, updated_ts, job_id) values ('transform:GIDB_G_IR_MM', {}, {}, 'c-2')", now - 3_600, now - 30),
        format!("insert into ctl_hwm (hwm_name, hwm_value, updated_ts, job_id) values ('transform:GIDB_G_LOGIN_SESSION_V', {}, {}, 'c-2')", now - 300, now - 30),
        format!("insert into ctl_hwm (hwm_name, hwm_value, updated_ts, job_id) values ('transform:GIDB_G_LOGIN_SESSION_MM', {}, {}, 'c-2')", now - 900, now - 30),
        format!("insert into ctl_extract_history (table_name, data_source_key, data_source_type, row_count, max_ts, icon_dbid, job_id, job_name, create_audit_key, created_ts, extract_end_time) values ('G_CALL', 11, 1, 40, {}, 0, 'c-1', 'Job_ExtractICON', 1, {now}, '2026-01-01 00:00:00')", now - 120),
        format!("insert into ctl_extract_history (table_name, data_source_key, data_source_type, row_count, max_ts, icon_dbid, job_id, job_name, create_audit_key, created_ts) values ('G_CALL', 11, 1, 2, {}, 0, 'c-0', 'Job_ExtractICON', 2, {now})", now - 1_000),
        format!("insert into ctl_agg_pending (pending_id, source, low_date_time_key, high_date_time_key, zone, status, created_ts) values (1, 'voice', {}, {}, 1, 'NEW', {now})", now - 1_800, now - 900),
        format!("insert into ctl_agg_pending (pending_id, source, low_date_time_key, high_date_time_key, zone, status, created_ts) values (2, 'voice', {}, {}, 1, 'DONE', {now})", now - 90_000, now - 89_100),
        format!("insert into ctl_export_history (chunk_id, folder_name, low_audit_key, high_audit_key, low_ts, high_ts, status, job_id, created_ts) values (1, 'export_1', 0, 9, {}, {}, 'COMPLETE', 'e-1', {now})", now - 7_300, now - 7_200),
    ];
    db.execute_all(&statements).await.unwrap();
}

fn area<'a>(status: &'a Value, id: &str) -> &'a Value {
    status["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["area"] == id)
        .unwrap()
}

/// `actual` is `expected` seconds, allowing for the seconds the test itself takes.
fn about(actual: &Value, expected: i64) {
    let actual = actual
        .as_i64()
        .unwrap_or_else(|| panic!("no latency: {actual}"));
    assert!(
        (expected..expected + 10).contains(&actual),
        "latency {actual}, expected about {expected}"
    );
}

#[tokio::test]
async fn etl_status_latencies_after_initialization_and_a_cycle() {
    let db = fresh_postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(&db.url, dir.path());
    let server = start(config.clone(), RecordingControl::new(config.clone())).await;
    let (status, empty) = get(&server, "/api/v1/etl/status").await;
    assert_eq!(status, 200, "an empty Info Mart has a status too: {empty}");

    initialize(&config).await;
    let (_, fresh) = get(&server, "/api/v1/etl/status").await;
    let labels: Vec<&str> = fresh["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "Extract",
            "Configuration Transform",
            "Voice Transform",
            "Multimedia Transform",
            "Agent Activity Transform",
            "Outbound Contact Transform",
            "Aggregation",
            "Export"
        ]
    );
    assert_eq!(
        area(&fresh, "voice")["status"],
        "IDLE",
        "no sources yet: {fresh}"
    );
    assert_eq!(area(&fresh, "aggregation")["latency_sec"], 0);

    let conn = db.connect().await;
    record_cycle(conn.as_ref(), Utc::now().timestamp()).await;
    let (_, status) = get(&server, "/api/v1/etl/status").await;
    about(&area(&status, "extract")["latency_sec"], 240);
    assert_eq!(area(&status, "extract")["status"], "OK");
    about(&area(&status, "voice")["latency_sec"], 600);
    assert_eq!(area(&status, "voice")["status"], "OK", "600 s ≤ 900 + 60");
    about(&area(&status, "multimedia")["latency_sec"], 3_600);
    assert_eq!(area(&status, "multimedia")["status"], "DELAYED");
    about(&area(&status, "agent_activity")["latency_sec"], 900);
    assert_eq!(area(&status, "outbound")["status"], "IDLE");
    about(&area(&status, "aggregation")["latency_sec"], 1_800);
    about(&area(&status, "export")["latency_sec"], 7_200);
    let voice_source = &status["sources"][0];
    assert_eq!(voice_source["ds_name"], "SIP_Switch");
    about(&voice_source["latency_sec"], 180);

    let (_, marks) = get(&server, "/api/v1/marks").await;
    let call = marks
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["hwm_name"] == "extract:11:G_CALL")
        .unwrap();
    assert_eq!(call["ds_name"], "SIP_Switch");
    assert_eq!(call["table_name"], "G_CALL");
    assert_eq!(call["rows_extracted"], 42);
    assert_eq!(marks[0]["kind"], "extract");

    let (status, text) = call_text(&server, "/metrics").await;
    assert_eq!(status, 200);
    assert!(
        text.contains("tidemark_job_runs_total{job=\"Job_InitializeGIM\",status=\"COMPLETE\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("tidemark_etl_latency_seconds{area=\"voice\"}"),
        "{text}"
    );
    assert!(
        text.contains("tidemark_hwm_value{name=\"transform:GIDB_G_IR_V\"}"),
        "{text}"
    );
    assert!(
        text.contains("tidemark_etl_area_status{area=\"multimedia\",status=\"DELAYED\"} 1"),
        "{text}"
    );
}

async fn call_text(server: &TestServer, path: &str) -> (u16, String) {
    let response = http()
        .get(format!("{}{path}", server.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}
