//! A client of a running `tidemark serve`, used by the CLI's `jobs`, `status`, `job run`
//! and `job stop`.

use std::time::Duration;

use serde::de::DeserializeOwned;

use super::api::{JobBody, RunRequest, RunStarted, StopAnswer};
use super::history::{HistoryFilter, RunRow};
use super::latency::EtlStatus;

/// Why a request to the server failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server could not be reached.
    #[error("cannot reach the Tidemark server at {url}: {source}")]
    Unreachable {
        /// Base URL tried.
        url: String,
        /// What went wrong.
        source: reqwest::Error,
    },
    /// The server answered with an error.
    #[error("the server answered {status}: {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// The answer was not the JSON expected.
    #[error("unexpected answer from the server: {0}")]
    Decode(String),
}

/// A client bound to one server and token.
pub struct ServerClient {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl ServerClient {
    /// A client of the server at `base` (`http://127.0.0.1:8000`).
    pub fn new(base: &str, token: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(2))
            .build()
            .unwrap_or_default();
        Self {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            http,
        }
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether a server answers `/healthz` there.
    pub async fn is_up(&self) -> bool {
        let probe = self
            .http
            .get(format!("{}/healthz", self.base))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        probe.is_ok_and(|r| r.status().is_success())
    }

    /// `GET /api/v1/history` with the filter.
    pub async fn history(&self, filter: &HistoryFilter) -> Result<Vec<RunRow>, ClientError> {
        let request = self.http.get(self.url("/api/v1/history")).query(filter);
        self.send(request).await
    }

    /// `GET /api/v1/history/{job_id}`: the run, or `None` while it has no history row.
    pub async fn run(&self, job_id: &str) -> Result<Option<RunRow>, ClientError> {
        let request = self
            .http
            .get(self.url(&format!("/api/v1/history/{job_id}")));
        match self.send(request).await {
            Ok(row) => Ok(Some(row)),
            Err(ClientError::Refused { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /api/v1/jobs`: every job with its scheduled and running runs.
    pub async fn jobs(&self) -> Result<Vec<JobBody>, ClientError> {
        self.send(self.http.get(self.url("/api/v1/jobs"))).await
    }

    /// `GET /api/v1/etl/status`.
    pub async fn etl_status(&self) -> Result<EtlStatus, ClientError> {
        self.send(self.http.get(self.url("/api/v1/etl/status")))
            .await
    }

    /// `POST /api/v1/jobs/{job}/run`.
    pub async fn run_job(&self, job: &str, params: &[String]) -> Result<RunStarted, ClientError> {
        let body = serde_json::to_string(&RunRequest {
            params: params.to_vec(),
        })
        .map_err(|e| ClientError::Decode(e.to_string()))?;
        let request = self
            .http
            .post(self.url(&format!("/api/v1/jobs/{job}/run")))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        self.send(request).await
    }

    /// `POST /api/v1/runs/{job_id}/stop`.
    pub async fn stop(&self, job_id: &str) -> Result<StopAnswer, ClientError> {
        self.send(
            self.http
                .post(self.url(&format!("/api/v1/runs/{job_id}/stop"))),
        )
        .await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ClientError> {
        let unreachable = |source| ClientError::Unreachable {
            url: self.base.clone(),
            source,
        };
        let response = request
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        let text = response.text().await.map_err(unreachable)?;
        if !status.is_success() {
            let message = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v.get("error")?.as_str().map(str::to_string))
                .unwrap_or(text);
            return Err(ClientError::Refused {
                status: status.as_u16(),
                message,
            });
        }
        serde_json::from_str(&text).map_err(|e| ClientError::Decode(e.to_string()))
    }
}
