//! The management page: its HTML, CSS and JavaScript are compiled into the binary. The page
//! itself needs the token (a login form sets the session cookie); the stylesheet and script
//! hold nothing secret and are served to anyone.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::auth;
use super::ServerState;

const INDEX_HTML: &str = include_str!("assets/index.html");
const LOGIN_HTML: &str = include_str!("assets/login.html");
const APP_CSS: &str = include_str!("assets/app.css");
const APP_JS: &str = include_str!("assets/app.js");

/// Routes of the page, the login form and the static assets.
pub fn routes() -> Router<Arc<ServerState>> {
    Router::new()
        .route("/", get(index))
        .route("/login", get(login_form).post(log_in))
        .route("/logout", post(log_out))
        .route("/assets/{file}", get(asset))
}

async fn index(State(state): State<Arc<ServerState>>, headers: HeaderMap) -> Response {
    if auth::is_authorized(&headers, &state.token) {
        let version = env!("CARGO_PKG_VERSION");
        Html(INDEX_HTML.replace("{{version}}", version)).into_response()
    } else {
        Redirect::to("/login").into_response()
    }
}

fn login_page(message: &str) -> Html<String> {
    Html(LOGIN_HTML.replace("{{message}}", message))
}

async fn login_form() -> Html<String> {
    login_page("")
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
struct Login {
    token: String,
}

async fn log_in(State(state): State<Arc<ServerState>>, Form(login): Form<Login>) -> Response {
    if auth::accepts(&state.token, &login.token) {
        (
            [(header::SET_COOKIE, auth::session_cookie(&state.token))],
            Redirect::to("/"),
        )
            .into_response()
    } else {
        let page = login_page(
            r#"<p class="login-error" role="alert">That token is not the one this server is configured with.</p>"#,
        );
        (StatusCode::UNAUTHORIZED, page).into_response()
    }
}

async fn log_out() -> Response {
    (
        [(header::SET_COOKIE, auth::cleared_cookie())],
        Redirect::to("/login"),
    )
        .into_response()
}

async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}
