//! The HTTP side of `tidemark serve`: the JSON API under `/api/v1`, the management page,
//! `/metrics`, `/healthz` and `/readyz` (operations.md §8.2). Jobs are started and stopped
//! through a [`JobControl`]; history, marks and latency are read from the Info Mart.

mod api;
mod auth;
pub mod client;
mod error;
pub mod history;
mod infomart;
pub mod latency;
pub mod marks;
mod metrics;
mod page;

use std::future::Future;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Json, Router};
use serde_json::json;
use tokio::net::TcpListener;

pub use api::{ActiveRunBody, JobBody, RunRequest, RunStarted, StopAnswer};
pub use auth::SESSION_COOKIE;
pub use error::ApiError;
pub use infomart::InfoMartLink;

use crate::config::Config;
use crate::jobs::control::JobControl;

/// The configuration in force now (the scheduler's, which follows reloads).
pub type CurrentConfig = Arc<dyn Fn() -> Arc<Config> + Send + Sync>;

/// What every request handler reaches.
pub struct ServerState {
    /// Starts and stops runs.
    pub control: Arc<dyn JobControl>,
    /// The configuration in force.
    pub config: CurrentConfig,
    /// The Info Mart.
    pub infomart: InfoMartLink,
    /// The bearer token requests must carry.
    pub token: String,
}

/// Every route: the authenticated API, `/metrics` and page, and the open probes.
pub fn router(state: Arc<ServerState>) -> Router {
    let protected = Router::new()
        .nest("/api/v1", api::routes())
        .route("/metrics", get(metrics_text))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ));
    Router::new()
        .merge(protected)
        .merge(page::routes())
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .with_state(state)
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: Arc<ServerState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<Arc<ServerState>>) -> Response {
    match state.infomart.ping().await {
        Ok(()) => Json(json!({"status": "ready"})).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "not ready", "error": format!("Info Mart unreachable: {e}")})),
        )
            .into_response(),
    }
}

async fn metrics_text(State(state): State<Arc<ServerState>>) -> Result<Response, ApiError> {
    let db = state.infomart.get().await?;
    let (totals, last) = metrics::read_job_figures(db.as_ref()).await?;
    let status = api::current_etl_status(&state).await?;
    let marks = if db.table_exists("ctl_hwm").await? {
        latency::read_marks(db.as_ref()).await?
    } else {
        Vec::new()
    };
    let active = state.control.active();
    let text = metrics::render(&metrics::Figures {
        totals: &totals,
        last: &last,
        active: &active,
        status: &status,
        marks: &marks,
    });
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response())
}
