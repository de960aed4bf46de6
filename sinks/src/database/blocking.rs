//! A synchronous driver connection used from async code: calls run one at a time on
//! tokio's blocking threads, so they never stall the runtime and work on any runtime flavour.

use std::sync::{Arc, Mutex};

use super::error::DatabaseError;

/// A synchronous connection shared by the async methods of one database.
pub(crate) struct Blocking<C> {
    connection: Arc<Mutex<C>>,
    flavour: &'static str,
}

impl<C: Send + 'static> Blocking<C> {
    /// Wraps an open connection of the named flavour.
    pub(crate) fn new(connection: C, flavour: &'static str) -> Self {
        Blocking {
            connection: Arc::new(Mutex::new(connection)),
            flavour,
        }
    }

    /// Runs `work` with the connection on a blocking thread.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, DatabaseError>
    where
        T: Send + 'static,
        F: FnOnce(&mut C) -> Result<T, DatabaseError> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        let flavour = self.flavour;
        tokio::task::spawn_blocking(move || {
            let mut guard = connection.lock().map_err(|_| DatabaseError::Worker {
                flavour,
                reason: "an earlier call panicked while holding the connection".into(),
            })?;
            work(&mut guard)
        })
        .await
        .map_err(|e| DatabaseError::Worker {
            flavour,
            reason: e.to_string(),
        })?
    }
}

/// Opens a connection on a blocking thread.
pub(crate) async fn open<C, F>(flavour: &'static str, open: F) -> Result<Blocking<C>, DatabaseError>
where
    C: Send + 'static,
    F: FnOnce() -> Result<C, DatabaseError> + Send + 'static,
{
    let connection =
        tokio::task::spawn_blocking(open)
            .await
            .map_err(|e| DatabaseError::Worker {
                flavour,
                reason: e.to_string(),
            })??;
    Ok(Blocking::new(connection, flavour))
}
