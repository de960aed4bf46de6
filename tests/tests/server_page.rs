//! The management page in headless Chromium driven through chromedriver: log in, see the
//! job history, quick filter, sort, column chooser, run Job_InitializeGIM from the Run Job
//! dialog and see it appear, the cycles grid and the ETL Status view. Screenshots go to
//! the system temporary folder.

mod server_common;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use server_common::*;
use tidemark_tests::fresh_postgres;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver on a free port, killed on drop.
struct Driver {
    process: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn start_driver() -> Option<Driver> {
    if !Path::new(CHROMEDRIVER).exists() {
        println!(
            "SKIPPED: {CHROMEDRIVER} is absent (apt-get install chromium chromium-driver; .ci/run installs them)"
        );
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let process = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    Some(Driver {
        process,
        url: format!("http://127.0.0.1:{port}"),
    })
}

async fn browser(driver: &Driver) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1360,860"]
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let attempt = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&driver.url)
            .await;
        match attempt {
            Ok(client) => return client,
            Err(e) if Instant::now() > deadline => panic!("chromedriver session: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
}

/// Polls `check` until it holds or 30 s pass.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.unwrap() {
        out.push(element.text().await.unwrap_or_default());
    }
    out
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    let path = std::env::temp_dir().join(name);
    std::fs::write(&path, png).unwrap();
    println!("screenshot: {}", path.display());
}

#[tokio::test]
async fn page_lists_filters_sorts_and_runs_jobs_in_chromium() {
    let Some(driver) = start_driver() else {
        return;
    };
    let db = fresh_postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(&db.url, dir.path());
    initialize(&config).await;
    let conn = db.connect().await;
    for (id, job, status, minutes, duration) in [
        ("e-1", "Job_ExtractICON", "COMPLETE", 50, 42),
        ("t-1", "Job_TransformGIM", "COMPLETE", 49, 95),
        ("e-2", "Job_ExtractICON", "FAILED", 20, 3),
        ("m-1", "Job_MaintainGIM", "STOPPED", 10, 12),
    ] {
        let start = chrono::Utc::now() - chrono::Duration::minutes(minutes);
        conn.execute(&format!(
            "insert into ctl_etl_history (job_id, job_name, job_version, status, trigger_type, \
             start_time, end_time, duration_sec, row_count, created_ts) values ('{id}', '{job}', \
             'test', '{status}', 'SCHEDULED', '{}', '{}', {duration}, {}, {})",
            start.format("%Y-%m-%d %H:%M:%S"),
            (start + chrono::Duration::seconds(duration)).format("%Y-%m-%d %H:%M:%S"),
            duration * 10,
            start.timestamp()
        ))
        .await
        .unwrap();
    }
    let server = start(config.clone(), RecordingControl::new(config)).await;
    let client = browser(&driver).await;

    client.goto(&format!("{}/", server.base)).await.unwrap();
    assert!(client
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/login"));
    client
        .find(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(TOKEN)
        .await
        .unwrap();
    screenshot(&client, "tidemark-login.png").await;
    client
        .find(Locator::Id("login"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    eventually("five history rows", || async {
        texts(&client, "#history tbody tr").await.len() == 5
    })
    .await;
    let names = texts(&client, "#history tbody tr td:first-child").await;
    assert_eq!(names[0], "Job_InitializeGIM", "newest first: {names:?}");

    // Quick filter over the visible columns.
    client
        .find(Locator::Id("toggle-quick-filter"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Id("quick-filter"))
        .await
        .unwrap()
        .send_keys("Ext")
        .await
        .unwrap();
    let names = texts(&client, "#history tbody tr td:first-child").await;
    assert_eq!(names, ["Job_ExtractICON", "Job_ExtractICON"]);
    client
        .find(Locator::Id("quick-filter"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    client
        .find(Locator::Id("quick-filter"))
        .await
        .unwrap()
        .send_keys("FAIL")
        .await
        .unwrap();
    assert_eq!(texts(&client, "#history tbody tr").await.len(), 1);
    client
        .find(Locator::Id("quick-filter"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    client
        .find(Locator::Id("quick-filter"))
        .await
        .unwrap()
        .send_keys(" ")
        .await
        .unwrap();

    // Sort by Duration: ascending, then descending.
    let header = Locator::Css("#history th[data-key=duration_sec]");
    client.find(header).await.unwrap().click().await.unwrap();
    let durations = texts(&client, "#history tbody tr td:nth-child(3)").await;
    assert_eq!(durations[durations.len() - 1], "1 m 35 s", "{durations:?}");
    client.find(header).await.unwrap().click().await.unwrap();
    let durations = texts(&client, "#history tbody tr td:nth-child(3)").await;
    assert_eq!(durations[0], "1 m 35 s", "{durations:?}");

    // Column chooser: add Job ID.
    assert!(client
        .find(Locator::Css("#history th[data-key=job_id]"))
        .await
        .is_err());
    client
        .find(Locator::Id("open-columns"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Css("#column-choices input[data-key=job_id]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Css("#columns-dialog button.primary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Css("#history th[data-key=job_id]"))
        .await
        .unwrap();
    let headers = texts(&client, "#history thead th").await;
    assert!(
        headers.iter().any(|h| h.eq_ignore_ascii_case("Job ID")),
        "{headers:?}"
    );

    // Run Job_InitializeGIM from the dialog; the new run appears.
    client
        .find(Locator::Id("open-run"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    eventually("the job list of the Run Job dialog", || async {
        texts(&client, "#run-job option").await.len() == 8
    })
    .await;
    client
        .find(Locator::Css("#run-job option[value=Job_InitializeGIM]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    screenshot(&client, "tidemark-run-dialog.png").await;
    client
        .find(Locator::Id("run-ok"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let toast = client.find(Locator::Id("toast")).await.unwrap();
    eventually("the toast of the started run", || async {
        toast.is_displayed().await.unwrap()
    })
    .await;
    let shown = Instant::now();
    assert!(
        toast.text().await.unwrap().contains("Job_InitializeGIM"),
        "{:?}",
        toast.text().await
    );
    eventually("the second Job_InitializeGIM run", || async {
        let names = texts(&client, "#history tbody tr td:first-child").await;
        names.iter().filter(|n| *n == "Job_InitializeGIM").count() == 2
    })
    .await;
    eventually("the toast to go away", || async {
        !toast.is_displayed().await.unwrap()
    })
    .await;
    assert!(
        shown.elapsed() < Duration::from_secs(8),
        "the toast stayed {:?}",
        shown.elapsed()
    );
    screenshot(&client, "tidemark-history.png").await;

    client
        .find(Locator::Id("tab-cycles"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    eventually("the cycles grid", || async {
        texts(&client, "#cycles tbody th").await.len() == 4
    })
    .await;
    assert_eq!(
        client
            .find_all(Locator::Css("#cycles .cell.COMPLETE"))
            .await
            .unwrap()
            .len(),
        4
    );
    screenshot(&client, "tidemark-cycles.png").await;

    client
        .find(Locator::Id("tab-status"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    eventually("the area cards", || async {
        texts(&client, "#areas .card").await.len() == 8
    })
    .await;
    // Nothing aggregated: no latency to show, not "0 s".
    let aggregation = texts(&client, "#areas .card[data-area=aggregation] .latency").await;
    assert_eq!(aggregation, ["—"]);
    screenshot(&client, "tidemark-status.png").await;
    client.close().await.unwrap();
}
