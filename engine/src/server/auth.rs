//! The bearer token: checked on the API, `/metrics` and the page; the page's login form
//! keeps it in an HttpOnly cookie so the browser sends it with every request.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::ServerState;

/// Name of the cookie the login form sets.
pub const SESSION_COOKIE: &str = "tidemark_session";

/// Compares without stopping at the first difference, so timing does not reveal a prefix.
fn same_secret(expected: &str, given: &str) -> bool {
    let (a, b) = (expected.as_bytes(), given.as_bytes());
    let mut difference = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        difference |= usize::from(x ^ b.get(i).copied().unwrap_or(0));
    }
    difference == 0
}

/// The token a request carries: `Authorization: Bearer …`, else the session cookie.
fn presented_token(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    bearer.or_else(|| {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|pair| {
                let (name, value) = pair.trim().split_once('=')?;
                (name == SESSION_COOKIE).then(|| value.to_string())
            })
    })
}

/// Whether the request carries the configured token.
pub fn is_authorized(headers: &HeaderMap, token: &str) -> bool {
    presented_token(headers).is_some_and(|given| same_secret(token, &given))
}

/// Middleware: 401 with a JSON body unless the request carries the token.
pub async fn require_token(
    State(state): State<Arc<ServerState>>,
    request: Request,
    next: Next,
) -> Response {
    if is_authorized(request.headers(), &state.token) {
        next.run(request).await
    } else {
        ApiError::unauthorized().into_response()
    }
}

/// The `Set-Cookie` value that logs the browser in with `token`.
pub fn session_cookie(token: &str) -> String {
    format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/")
}

/// The `Set-Cookie` value that logs the browser out.
pub fn cleared_cookie() -> String {
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
}

/// Whether `given` is the configured token (the login form).
pub fn accepts(token: &str, given: &str) -> bool {
    same_secret(token, given.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_and_cookie_are_accepted_and_anything_else_refused() {
        let mut headers = HeaderMap::new();
        assert!(!is_authorized(&headers, "s3cret"));
        headers.insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
        assert!(is_authorized(&headers, "s3cret"));
        assert!(!is_authorized(&headers, "s3cret2"));
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "theme=dark; tidemark_session=s3cret".parse().unwrap(),
        );
        assert!(is_authorized(&headers, "s3cret"));
        assert!(!is_authorized(&headers, "s3cre"));
    }
}
