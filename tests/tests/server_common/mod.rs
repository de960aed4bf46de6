//! A `tidemark serve` HTTP side on a free local port over a real PostgreSQL Info Mart, and
//! a small JSON client for it; [`process`] runs the real binary.

#![allow(dead_code)]

mod process;

#[allow(unused_imports)] // not every test binary starts processes
pub use process::*;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use serde_json::Value;
use tidemark::config::Config;
use tidemark::jobs::control::{ActiveRun, ControlError, JobControl, StopOutcome};
use tidemark::jobs::history::RunStatus;
use tidemark::jobs::{self, names, runner, Trigger};
use tidemark::server::{InfoMartLink, ServerState};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

/// The token every test server is configured with.
pub const TOKEN: &str = "test-token-9f2c";

/// A configuration with `infomart_url` and one DAP of every domain.
pub fn config_text(infomart_url: &str, dir: &Path) -> String {
    format!(
        "[infomart]\nurl = \"{infomart_url}\"\n\n[gidb]\nurl = \"{}\"\n\n\
         [schedule]\nrun-scheduler = false\n\n[server]\ntoken = \"{TOKEN}\"\n\n\
         [[dap]]\nname = \"idb\"\nrole = \"ICON_CFG,ICON_CORE,ICON_MM,ICON_OCS\"\n\
         url = \"sqlite://{}\"\n",
        dir.join("gidb").display(),
        dir.join("idb.db").display()
    )
}

/// The configuration of [`config_text`], parsed.
pub fn config(infomart_url: &str, dir: &Path) -> Arc<Config> {
    Arc::new(Config::from_toml_str(&config_text(infomart_url, dir)).expect("valid test config"))
}

/// Runs Job_InitializeGIM to completion, as an operator would by hand.
pub async fn initialize(config: &Arc<Config>) {
    runner::run_job(
        config.clone(),
        names::INITIALIZE,
        Trigger::Manual,
        CancellationToken::new(),
    )
    .await
    .expect("Job_InitializeGIM runs");
}

/// A [`JobControl`] that records requests and runs Job_InitializeGIM for real through the
/// runner; any other implemented job is "running" until stopped.
pub struct RecordingControl {
    config: Arc<Config>,
    active: Mutex<Vec<ActiveRun>>,
    /// Every `(job, params)` run request.
    pub requests: Mutex<Vec<(String, Vec<String>)>>,
}

impl RecordingControl {
    /// A control over the Info Mart of `config`.
    pub fn new(config: Arc<Config>) -> Arc<Self> {
        Arc::new(Self {
            config,
            active: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
        })
    }

    /// Adds a run as if the scheduler had queued it.
    pub fn queue(&self, job_id: &str, job_name: &str) {
        self.active.lock().unwrap().push(ActiveRun {
            job_id: job_id.into(),
            job_name: job_name.into(),
            status: RunStatus::Scheduled,
            since: Utc::now(),
            trigger: "SCHEDULED",
        });
    }
}

#[async_trait]
impl JobControl for RecordingControl {
    async fn run_job(&self, name: &str, params: &[String]) -> Result<String, ControlError> {
        jobs::find(name)?;
        self.requests
            .lock()
            .unwrap()
            .push((name.to_string(), params.to_vec()));
        if self
            .active
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.job_name == name)
        {
            return Err(ControlError::AlreadyRunning(name.into()));
        }
        let job_id = uuid_like();
        self.active.lock().unwrap().push(ActiveRun {
            job_id: job_id.clone(),
            job_name: name.into(),
            status: RunStatus::Running,
            since: Utc::now(),
            trigger: "MANUAL",
        });
        if name == names::INITIALIZE {
            initialize(&self.config).await;
            self.active.lock().unwrap().retain(|r| r.job_id != job_id);
        }
        Ok(job_id)
    }

    async fn stop_job(&self, job_id: &str) -> Result<StopOutcome, ControlError> {
        let mut active = self.active.lock().unwrap();
        let index = active
            .iter()
            .position(|r| r.job_id == job_id)
            .ok_or_else(|| ControlError::NotFound(job_id.into()))?;
        let run = active.remove(index);
        Ok(match run.status {
            RunStatus::Scheduled => StopOutcome::Cancelled,
            _ => StopOutcome::Stopped,
        })
    }

    fn active(&self) -> Vec<ActiveRun> {
        self.active.lock().unwrap().clone()
    }
}

fn uuid_like() -> String {
    format!("run-{}", rand::random::<u64>())
}

/// A server answering on a free port until dropped.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl TestServer {
    /// A server that already answers at `base` (started elsewhere).
    pub fn at(base: String) -> Self {
        Self { base, stop: None }
    }
}

/// Serves `control` over the Info Mart of `config` with [`TOKEN`].
pub async fn start(config: Arc<Config>, control: Arc<dyn JobControl>) -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let url = config.infomart.url.clone();
    let state = Arc::new(ServerState {
        control,
        config: Arc::new(move || config.clone()),
        infomart: InfoMartLink::new(url),
        token: TOKEN.into(),
    });
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(tidemark::server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    TestServer {
        base,
        stop: Some(stop),
    }
}

/// A plain HTTP client that follows no redirects.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// Status and JSON body of a request sent with `token` (none if `None`).
pub async fn call(request: reqwest::RequestBuilder, token: Option<&str>) -> (u16, Value) {
    let request = match token {
        Some(t) => request.bearer_auth(t),
        None => request,
    };
    let response = request.send().await.expect("server answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// `GET path` with the right token.
pub async fn get(server: &TestServer, path: &str) -> (u16, Value) {
    call(http().get(format!("{}{path}", server.base)), Some(TOKEN)).await
}

/// `POST path` with a JSON body and the right token.
pub async fn post(server: &TestServer, path: &str, body: &Value) -> (u16, Value) {
    let request = http()
        .post(format!("{}{path}", server.base))
        .header("content-type", "application/json")
        .body(body.to_string());
    call(request, Some(TOKEN)).await
}
