//! `[server]`: the HTTP API, `/metrics` and the management page of `tidemark serve`.

use std::net::SocketAddr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::error::{shown, Report};

/// Environment variable that sets `[server] token` (it wins over the file).
pub const SERVER_TOKEN_VAR: &str = "TIDEMARK_SERVER_TOKEN";

/// The management server. Every request except `/healthz` and `/readyz` must carry
/// `Authorization: Bearer <token>` (the management page keeps it in a cookie after its
/// login form); `tidemark serve` refuses to start without a token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Server {
    /// Bearer token that the API, `/metrics` and the management page require. A secret:
    /// `tidemark config show` masks it. The environment variable `TIDEMARK_SERVER_TOKEN`
    /// sets it too and wins over the file; the CLI uses the same value to talk to a
    /// running server.
    ///
    /// Allowed: a non-empty string (use a long random one).
    /// Takes effect: `restart`.
    pub token: Option<String>,

    /// Address and port the server listens on; `tidemark serve --listen` overrides it.
    /// The CLI's `jobs`, `status`, `job run` and `job stop` look for a running server
    /// here.
    ///
    /// Allowed: `host:port` with an IP address, e.g. `127.0.0.1:8000`, `0.0.0.0:8443`.
    /// Takes effect: `restart`.
    pub listen: String,
}

impl Default for Server {
    fn default() -> Self {
        Self {
            token: None,
            listen: "127.0.0.1:8000".into(),
        }
    }
}

impl Server {
    /// The token in force: `TIDEMARK_SERVER_TOKEN` when set and not empty, else
    /// `[server] token`; `None` when neither is set.
    pub fn effective_token(&self) -> Option<String> {
        let from_env = std::env::var(SERVER_TOKEN_VAR).ok();
        self.token_with(from_env)
    }

    /// [`Server::effective_token`] with the environment value given.
    pub fn token_with(&self, from_env: Option<String>) -> Option<String> {
        from_env
            .filter(|t| !t.trim().is_empty())
            .or_else(|| self.token.clone().filter(|t| !t.trim().is_empty()))
    }

    /// The `listen` address parsed.
    pub fn listen_addr(&self) -> Result<SocketAddr, String> {
        self.listen
            .parse()
            .map_err(|_| format!("`{}` is not host:port with an IP address", self.listen))
    }

    pub(crate) fn validate(&self, section: &str, report: &mut Report) {
        if self.token.as_deref().is_some_and(|t| t.trim().is_empty()) {
            report.error(
                format!("[{section}] token"),
                None,
                "empty; allowed: a non-empty string, or leave the option out",
            );
        }
        if let Err(message) = self.listen_addr() {
            report.error(
                format!("[{section}] listen"),
                Some(shown(self.listen.as_str())),
                format!("{message}; allowed: e.g. 127.0.0.1:8000"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_token_wins_and_blank_means_unset() {
        let server = Server {
            token: Some("from-file".into()),
            ..Server::default()
        };
        assert_eq!(
            server.token_with(Some("from-env".into())).as_deref(),
            Some("from-env")
        );
        assert_eq!(
            server.token_with(Some(" ".into())).as_deref(),
            Some("from-file")
        );
        assert_eq!(Server::default().token_with(None), None);
    }

    #[test]
    fn default_listen_is_loopback_8000() {
        assert_eq!(
            Server::default().listen_addr().unwrap().to_string(),
            "127.0.0.1:8000"
        );
    }
}
