//! Errors of the HTTP API as JSON bodies with their status codes.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use tidemark_sinks::database::DatabaseError;

use crate::jobs::control::ControlError;
use crate::jobs::JobError;

/// A failed API request: the HTTP status and a message that says what to do.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status of the response.
    pub status: StatusCode,
    /// Human-readable reason, sent as `{"error": …}`.
    pub message: String,
}

/// The JSON body of every error response.
#[derive(Debug, Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    status: u16,
}

impl ApiError {
    /// An error with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// 400: the request itself is wrong.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401: no or a wrong bearer token.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "missing or wrong token: send `Authorization: Bearer <[server] token>`",
        )
    }

    /// 404: no such thing.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
}

impl From<DatabaseError> for ApiError {
    fn from(e: DatabaseError) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("Info Mart database: {e}"),
        )
    }
}

impl From<ControlError> for ApiError {
    fn from(e: ControlError) -> Self {
        let status = match &e {
            ControlError::Job(JobError::Unknown(..)) | ControlError::NotFound(_) => {
                StatusCode::NOT_FOUND
            }
            ControlError::AlreadyRunning(_) | ControlError::NotAllowed(_) => StatusCode::CONFLICT,
            ControlError::BadParams(_) => StatusCode::BAD_REQUEST,
            ControlError::Job(JobError::Config(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            ControlError::Job(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self::new(status, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(ErrorBody {
            error: &self.message,
            status: self.status.as_u16(),
        });
        let mut response = (self.status, body).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("static"));
        }
        response
    }
}
