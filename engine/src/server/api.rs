//! The JSON endpoints under `/api/v1` (operations.md §8.2): jobs, history, run and stop,
//! ETL status and marks.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::history::{self, HistoryFilter, RunRow};
use super::latency::{self, EtlStatus, Thresholds};
use super::marks::{self, MarkRow};
use super::ServerState;
use crate::jobs::control::{ActiveRun, StopOutcome};
use crate::jobs::{self, names};

/// The `/api/v1` routes (authentication is added by the caller).
pub fn routes() -> Router<Arc<ServerState>> {
    Router::new()
        .route("/jobs", get(list_jobs))
        .route("/jobs/{job}/run", post(run_job))
        .route("/jobs/{job}/stop", post(stop_job_by_name))
        .route("/runs/{job_id}/stop", post(stop_run))
        .route("/history", get(list_history))
        .route("/history/{job_id}", get(one_run))
        .route("/etl/status", get(etl_status))
        .route("/marks", get(list_marks))
}

/// A run the scheduler knows about, as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActiveRunBody {
    /// CTL_ETL_HISTORY.JOB_ID.
    pub job_id: String,
    /// Job name.
    pub job_name: String,
    /// `SCHEDULED` or `RUNNING`.
    pub status: String,
    /// Start, or when a scheduled run is due.
    pub since: String,
    /// `SCHEDULED`, `MANUAL` or `AUTOMATIC`.
    pub trigger: String,
}

impl From<&ActiveRun> for ActiveRunBody {
    fn from(run: &ActiveRun) -> Self {
        Self {
            job_id: run.job_id.clone(),
            job_name: run.job_name.clone(),
            status: run.status.as_str().into(),
            since: history::iso_utc(run.since),
            trigger: run.trigger.into(),
        }
    }
}

/// One Info Mart job in `GET /api/v1/jobs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobBody {
    /// Job name (operations.md §0.2).
    pub name: String,
    /// Whether this build can run it.
    pub implemented: bool,
    /// Its scheduled or running runs.
    pub active: Vec<ActiveRunBody>,
}

async fn list_jobs(State(state): State<Arc<ServerState>>) -> Json<Vec<JobBody>> {
    let implemented: Vec<&str> = jobs::registry().iter().map(|j| j.name()).collect();
    let active = state.control.active();
    Json(
        names::ALL
            .iter()
            .map(|name| JobBody {
                name: (*name).into(),
                implemented: implemented.contains(name),
                active: active
                    .iter()
                    .filter(|r| r.job_name == *name)
                    .map(ActiveRunBody::from)
                    .collect(),
            })
            .collect(),
    )
}

/// Body of `POST /api/v1/jobs/{job}/run`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunRequest {
    /// Job parameters as separate words, e.g. `["-insertPendingAgg", "AGT_QUEUE:1700000000:1700086400"]`
    /// for Job_AggregateGIM; other jobs take none.
    #[serde(default)]
    pub params: Vec<String>,
}

/// Answer of a run request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunStarted {
    /// CTL_ETL_HISTORY.JOB_ID of the new run.
    pub job_id: String,
    /// The job started.
    pub job_name: String,
    /// `RUNNING`, or `SCHEDULED` when it waits for a lock.
    pub status: String,
}

async fn run_job(
    State(state): State<Arc<ServerState>>,
    Path(job): Path<String>,
    body: Option<Json<RunRequest>>,
) -> Result<(StatusCode, Json<RunStarted>), ApiError> {
    let params = body.map(|Json(b)| b.params).unwrap_or_default();
    let job_id = state.control.run_job(&job, &params).await?;
    let status = state
        .control
        .active()
        .iter()
        .find(|r| r.job_id == job_id)
        .map(|r| r.status.as_str())
        .unwrap_or("RUNNING")
        .to_string();
    Ok((
        StatusCode::ACCEPTED,
        Json(RunStarted {
            job_id,
            job_name: job,
            status,
        }),
    ))
}

/// Answer of a stop request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopAnswer {
    /// The run stopped or cancelled.
    pub job_id: String,
    /// `stopped` (a running job was cancelled) or `cancelled` (a scheduled run removed).
    pub outcome: String,
}

async fn stop(state: &ServerState, job_id: &str) -> Result<Json<StopAnswer>, ApiError> {
    let outcome = match state.control.stop_job(job_id).await? {
        StopOutcome::Stopped => "stopped",
        StopOutcome::Cancelled => "cancelled",
    };
    Ok(Json(StopAnswer {
        job_id: job_id.into(),
        outcome: outcome.into(),
    }))
}

async fn stop_run(
    State(state): State<Arc<ServerState>>,
    Path(job_id): Path<String>,
) -> Result<Json<StopAnswer>, ApiError> {
    stop(&state, &job_id).await
}

async fn stop_job_by_name(
    State(state): State<Arc<ServerState>>,
    Path(job): Path<String>,
) -> Result<Json<StopAnswer>, ApiError> {
    let active = state.control.active();
    let run = active
        .iter()
        .find(|r| r.job_name == job)
        .ok_or_else(|| ApiError::not_found(format!("{job} is neither running nor scheduled")))?;
    stop(&state, &run.job_id).await
}

async fn list_history(
    State(state): State<Arc<ServerState>>,
    Query(filter): Query<HistoryFilter>,
) -> Result<Json<Vec<RunRow>>, ApiError> {
    let db = state.infomart.get().await?;
    Ok(Json(history::runs(db.as_ref(), &filter, Utc::now()).await?))
}

async fn one_run(
    State(state): State<Arc<ServerState>>,
    Path(job_id): Path<String>,
) -> Result<Json<RunRow>, ApiError> {
    let db = state.infomart.get().await?;
    history::run(db.as_ref(), &job_id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no run has job id {job_id}")))
}

/// Reads the CTL tables and computes the ETL status now.
pub async fn current_etl_status(state: &ServerState) -> Result<EtlStatus, ApiError> {
    let db = state.infomart.get().await?;
    let inputs = latency::read_inputs(db.as_ref()).await?;
    let thresholds = Thresholds::of(&(state.config)());
    Ok(latency::compute(
        &inputs,
        thresholds,
        Utc::now().timestamp(),
    ))
}

async fn etl_status(State(state): State<Arc<ServerState>>) -> Result<Json<EtlStatus>, ApiError> {
    Ok(Json(current_etl_status(&state).await?))
}

async fn list_marks(State(state): State<Arc<ServerState>>) -> Result<Json<Vec<MarkRow>>, ApiError> {
    let db = state.infomart.get().await?;
    Ok(Json(marks::marks(db.as_ref()).await?))
}
