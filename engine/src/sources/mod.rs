//! Sources: IDB tables read into Arrow record batches with connectorx, and Info Mart
//! tables read back for export and analyst plans.
//!
//! connectorx 0.4.6 produces arrow-56 batches; [`arrow_bridge`] hands them to the arrow 59
//! that DataFusion and Parquet use, without copying.

pub mod arrow_bridge;
pub mod connectorx_read;
pub mod idb;
pub mod idb_dialect;
pub mod mart;
pub mod window_sql;

use tidemark_sinks::database::postgres_session_url;

/// The URL connectorx opens for a database URL of the configuration: `postgresql://` for
/// PostgreSQL, without TLS unless the URL names an `sslmode` (as Tidemark's own connections,
/// which never negotiate TLS) and with the session options of Tidemark's own connections
/// (no JIT, [`tidemark_sinks::database::postgres_session_url`]); an absolute `sqlite://`
/// path for SQLite; others (`mysql://`, `mssql://`, `oracle://`) unchanged.
pub fn connectorx_url(url: &str) -> String {
    if let Some(rest) = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
    {
        let separator = if rest.contains('?') { '&' } else { '?' };
        let tls = if rest.contains("sslmode=") {
            String::new()
        } else {
            format!("{separator}sslmode=disable")
        };
        return postgres_session_url(&format!("postgresql://{rest}{tls}"));
    }
    if let Some(path) = crate::config::sqlite_path(url) {
        let absolute = if path.is_absolute() {
            path
        } else {
            std::env::current_dir()
                .map(|d| d.join(&path))
                .unwrap_or(path)
        };
        return format!("sqlite://{}", absolute.to_string_lossy());
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::connectorx_url;

    #[test]
    fn postgres_urls_read_without_tls_or_jit_unless_they_say_otherwise() {
        assert_eq!(
            connectorx_url("postgres://u@h:5432/idb"),
            "postgresql://u@h:5432/idb?sslmode=disable&options=-c%20jit%3Doff"
        );
        assert_eq!(
            connectorx_url("postgresql://u@h/idb?application_name=x"),
            "postgresql://u@h/idb?application_name=x&sslmode=disable&options=-c%20jit%3Doff"
        );
        assert_eq!(
            connectorx_url("postgres://u@h/idb?sslmode=require"),
            "postgresql://u@h/idb?sslmode=require&options=-c%20jit%3Doff"
        );
        assert_eq!(connectorx_url("mysql://root@h/idb"), "mysql://root@h/idb");
    }
}
