//! Fixtures shared by Tidemark's end-to-end tests: fresh databases on the real servers.
//!
//! Each fixture creates a database no other test (in this or a parallel process) uses and
//! removes it when the returned [`TestDb`] is dropped. The servers come from the
//! environment:
//!
//! * `TIDEMARK_TEST_PG_URL` — a PostgreSQL database whose user may create databases
//!   (default `postgres://postgres@127.0.0.1:5432/test`);
//! * `TIDEMARK_TEST_MYSQL_URL` — the same for MySQL/MariaDB
//!   (default `mysql://root@127.0.0.1:3306/test`).
//!
//! SQLite databases are files in a temporary folder.

pub mod s3;

use std::sync::atomic::{AtomicU32, Ordering};

use tempfile::TempDir;
use tidemark_sinks::database::{connect, Database};
use tokio_postgres::NoTls;

/// Environment variable naming the PostgreSQL server for tests.
pub const PG_URL_VAR: &str = "TIDEMARK_TEST_PG_URL";
/// Environment variable naming the MySQL/MariaDB server for tests.
pub const MYSQL_URL_VAR: &str = "TIDEMARK_TEST_MYSQL_URL";

const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
const DEFAULT_MYSQL_URL: &str = "mysql://root@127.0.0.1:3306/test";

/// A database created for one test; dropping it removes the database (best effort).
pub struct TestDb {
    /// URL of the database, for [`connect`] or the engine's configuration.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Postgres { admin_url: String, name: String },
    MySql { admin_url: String, name: String },
    Folder { _folder: TempDir },
}

impl TestDb {
    /// A new connection to the database.
    pub async fn connect(&self) -> Box<dyn Database> {
        match connect(&self.url).await {
            Ok(db) => db,
            Err(e) => panic!("cannot connect to test database: {e}"),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let dropped = match &self.cleanup {
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, sql) = (
                    admin_url.clone(),
                    format!("drop database if exists {name} with (force)"),
                );
                on_own_thread(move || block_on(async move { pg_admin(&admin_url, &sql).await }))
            }
            Cleanup::MySql { admin_url, name } => {
                let (admin_url, sql) =
                    (admin_url.clone(), format!("drop database if exists {name}"));
                on_own_thread(move || mysql_admin(&admin_url, &sql))
            }
            Cleanup::Folder { .. } => Ok(()),
        };
        if let Err(e) = dropped {
            eprintln!("could not drop test database {}: {e}", self.url);
        }
    }
}

/// A fresh PostgreSQL database on the server `TIDEMARK_TEST_PG_URL` names.
pub async fn fresh_postgres() -> TestDb {
    let admin_url = server_url(PG_URL_VAR, DEFAULT_PG_URL);
    let name = unique_name();
    if let Err(e) = pg_admin(&admin_url, &format!("create database {name}")).await {
        panic!("cannot create a PostgreSQL test database on {admin_url} (set {PG_URL_VAR}): {e}");
    }
    TestDb {
        url: with_database(&admin_url, &name),
        cleanup: Cleanup::Postgres { admin_url, name },
    }
}

/// A fresh MySQL/MariaDB database (utf8mb4) on the server `TIDEMARK_TEST_MYSQL_URL` names.
pub async fn fresh_mysql() -> TestDb {
    let admin_url = server_url(MYSQL_URL_VAR, DEFAULT_MYSQL_URL);
    let name = unique_name();
    let (url, sql) = (
        admin_url.clone(),
        format!("create database {name} character set utf8mb4"),
    );
    let created = tokio::task::spawn_blocking(move || mysql_admin(&url, &sql)).await;
    match created {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            panic!("cannot create a MySQL test database on {admin_url} (set {MYSQL_URL_VAR}): {e}")
        }
        Err(e) => panic!("MySQL fixture thread failed: {e}"),
    }
    TestDb {
        url: with_database(&admin_url, &name),
        cleanup: Cleanup::MySql { admin_url, name },
    }
}

/// A fresh SQLite database file in a temporary folder, as an absolute `sqlite:///` URL.
pub fn fresh_sqlite() -> TestDb {
    let folder =
        tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temporary folder: {e}"));
    let path = folder.path().join(format!("{}.db", unique_name()));
    TestDb {
        url: format!("sqlite://{}", path.display()),
        cleanup: Cleanup::Folder { _folder: folder },
    }
}

/// A database name unique across processes and calls: `tidemark_t_<pid>_<counter>_<random>`.
pub fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let counter = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "tidemark_t_{}_{counter}_{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

fn server_url(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// The server URL with its database replaced by `name`.
fn with_database(server_url: &str, name: &str) -> String {
    let mut url = url::Url::parse(server_url)
        .unwrap_or_else(|e| panic!("invalid server URL {server_url}: {e}"));
    url.set_path(&format!("/{name}"));
    url.to_string()
}

type AdminResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

async fn pg_admin(admin_url: &str, sql: &str) -> AdminResult {
    let (client, connection) = tokio_postgres::connect(admin_url, NoTls).await?;
    let connection = tokio::spawn(connection);
    let result = client.batch_execute(sql).await;
    drop(client);
    let _ = connection.await;
    Ok(result?)
}

fn mysql_admin(admin_url: &str, sql: &str) -> AdminResult {
    use mysql::prelude::Queryable;
    let mut connection = mysql::Conn::new(mysql::Opts::from_url(admin_url)?)?;
    Ok(connection.query_drop(sql)?)
}

/// Runs cleanup on a thread of its own: `Drop` may run inside an async runtime, which must
/// not be blocked on or nested.
fn on_own_thread(work: impl FnOnce() -> AdminResult + Send + 'static) -> AdminResult {
    std::thread::spawn(work)
        .join()
        .unwrap_or_else(|_| Err("cleanup thread panicked".into()))
}

fn block_on<F: std::future::Future<Output = AdminResult>>(work: F) -> AdminResult {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(work)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_valid_identifiers() {
        let (a, b) = (unique_name(), unique_name());
        assert_ne!(a, b);
        assert!(a.len() <= 63, "{a}");
        assert!(
            a.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{a}"
        );
    }

    #[test]
    fn server_urls_get_the_new_database() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x1"),
            "postgres://postgres@127.0.0.1:5432/x1"
        );
        assert_eq!(
            with_database("mysql://root:pw@h:3306/test?ssl=false", "x2"),
            "mysql://root:pw@h:3306/x2?ssl=false"
        );
    }
}
