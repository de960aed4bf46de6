//! One server per Info Mart: `tidemark serve` holds a lock on its Info Mart for as long as
//! it runs, and a second server on the same Info Mart fails at once naming the holder.
//!
//! PostgreSQL: a session advisory lock taken on a connection kept open for the server's
//! life (advisory locks are scoped to one database, so servers on other Info Marts of the
//! same PostgreSQL server do not collide). MySQL/MariaDB: a named `GET_LOCK` likewise.
//! SQLite: an exclusive OS lock on the file `<database file>.lock` beside the database,
//! which records the holder's host and process id. The operating system releases every
//! kind when the process dies, so a crashed server never leaves a stale lock behind.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use tidemark_schemas::Dialect;
use tidemark_sinks::database::{self, Database};

use super::SchedulerError;
use crate::config::{mask_url, sqlite_path};

/// Key of the PostgreSQL advisory lock (`Tide` in ASCII).
pub const ADVISORY_LOCK_KEY: i64 = 0x5469_6465;
/// Name of the MySQL/MariaDB user lock.
const MYSQL_LOCK_NAME: &str = "tidemark-serve";

/// The lock a running server holds on its Info Mart; [`ServerLock::release`] or dropping
/// it releases the lock.
pub struct ServerLock {
    held: Held,
}

/// What keeps the lock.
enum Held {
    /// The connection that holds the session lock.
    Session(Box<dyn Database>),
    /// The locked `.lock` file.
    File(File),
    /// An in-memory SQLite database cannot be shared, so there is nothing to lock.
    Nothing,
}

impl ServerLock {
    /// Takes the lock for the Info Mart at `url`, or fails naming the server holding it.
    pub async fn acquire(url: &str) -> Result<ServerLock, SchedulerError> {
        let held = match database::flavour_of(url)?.dialect {
            Dialect::Sqlite => match sqlite_path(url).filter(|path| path.as_os_str() != ":memory:")
            {
                Some(path) => Held::File(lock_file(&path, url)?),
                None => Held::Nothing,
            },
            Dialect::Postgres => Held::Session(session_lock(url, Session::Postgres).await?),
            Dialect::MySql => Held::Session(session_lock(url, Session::MySql).await?),
        };
        Ok(ServerLock { held })
    }

    /// Releases the lock at once: a session lock is given back on its connection (a
    /// dropped connection may linger in the database for a moment), a file is unlocked.
    pub async fn release(self) {
        match self.held {
            Held::Session(connection) => {
                let give_back = match connection.dialect() {
                    Dialect::Postgres => format!("select pg_advisory_unlock({ADVISORY_LOCK_KEY})"),
                    _ => format!("select release_lock('{MYSQL_LOCK_NAME}')"),
                };
                if let Err(e) = connection.query(&give_back).await {
                    tracing::warn!("could not release the server lock: {e}");
                }
            }
            Held::File(file) => {
                let _ = file.unlock();
            }
            Held::Nothing => {}
        }
    }
}

#[derive(Clone, Copy)]
enum Session {
    Postgres,
    MySql,
}

async fn session_lock(url: &str, kind: Session) -> Result<Box<dyn Database>, SchedulerError> {
    let connection = database::connect(url).await?;
    let take = match kind {
        Session::Postgres => {
            format!("select case when pg_try_advisory_lock({ADVISORY_LOCK_KEY}) then 1 else 0 end")
        }
        Session::MySql => format!("select get_lock('{MYSQL_LOCK_NAME}', 0)"),
    };
    if connection.query_opt_i64(&take).await? == Some(1) {
        return Ok(connection);
    }
    let holder = match kind {
        Session::Postgres => postgres_holder(connection.as_ref()).await,
        Session::MySql => connection
            .query_strings(&format!(
                "select concat('connection ', is_used_lock('{MYSQL_LOCK_NAME}'))"
            ))
            .await
            .ok()
            .and_then(|rows| rows.into_iter().next()),
    };
    Err(SchedulerError::AlreadyServed {
        infomart: mask_url(url),
        holder: holder.unwrap_or_else(|| "another session".into()),
    })
}

/// Who holds the advisory lock: backend pid, client address and application name.
async fn postgres_holder(db: &dyn Database) -> Option<String> {
    let sql = format!(
        "select 'backend pid ' || a.pid || ' from ' || coalesce(host(a.client_addr), 'a local socket') \
         || coalesce(' (' || nullif(a.application_name, '') || ')', '') \
         from pg_locks l join pg_stat_activity a on a.pid = l.pid \
         where l.locktype = 'advisory' and l.granted and l.classid = 0 \
         and l.objid = {ADVISORY_LOCK_KEY} and l.objsubid = 1 \
         and l.database = (select oid from pg_database where datname = current_database())"
    );
    db.query_strings(&sql).await.ok()?.into_iter().next()
}

/// Locks `<database>.lock` and writes this process into it.
fn lock_file(database: &Path, url: &str) -> Result<File, SchedulerError> {
    let mut path = database.as_os_str().to_owned();
    path.push(".lock");
    let path = PathBuf::from(path);
    let io = |source| SchedulerError::LockFile {
        path: path.clone(),
        source,
    };
    let mut file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            return Err(SchedulerError::AlreadyServed {
                infomart: url.to_owned(),
                holder: format!(
                    "the lock file {} ({})",
                    path.display(),
                    holder.trim().trim_end_matches('.')
                ),
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    let host = hostname::get()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    writeln!(file, "held by process {} on {host}", std::process::id()).map_err(io)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_lock_on_one_sqlite_file_names_the_holder() {
        let folder = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", folder.path().join("im.db").display());
        let first = ServerLock::acquire(&url).await.unwrap();
        let err = ServerLock::acquire(&url).await.err().unwrap().to_string();
        assert!(err.contains("im.db.lock"), "{err}");
        assert!(
            err.contains(&format!("held by process {}", std::process::id())),
            "{err}"
        );
        drop(first);
        ServerLock::acquire(&url).await.unwrap();
    }
}
