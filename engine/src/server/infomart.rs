//! The server's connection to the Info Mart: opened on first use, re-opened after a failure.

use std::sync::Arc;

use tidemark_sinks::database::{self, Database, DatabaseError};
use tokio::sync::Mutex;

/// A lazily opened, shared Info Mart connection.
pub struct InfoMartLink {
    url: String,
    open: Mutex<Option<Arc<dyn Database>>>,
}

impl InfoMartLink {
    /// A link to the database at `url`; nothing is opened yet.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            open: Mutex::new(None),
        }
    }

    /// A link over an already open connection (tests, the serve command).
    pub fn with_connection(url: impl Into<String>, db: Arc<dyn Database>) -> Self {
        Self {
            url: url.into(),
            open: Mutex::new(Some(db)),
        }
    }

    /// The open connection, opening it if needed.
    pub async fn get(&self) -> Result<Arc<dyn Database>, DatabaseError> {
        let mut open = self.open.lock().await;
        if let Some(db) = open.as_ref() {
            return Ok(db.clone());
        }
        let db: Arc<dyn Database> = Arc::from(database::connect(&self.url).await?);
        *open = Some(db.clone());
        Ok(db)
    }

    /// Whether the Info Mart answers `select 1`; a broken connection is dropped and one
    /// fresh connection is tried before giving up.
    pub async fn ping(&self) -> Result<(), DatabaseError> {
        if let Ok(db) = self.get().await {
            if db.query("select 1").await.is_ok() {
                return Ok(());
            }
        }
        self.open.lock().await.take();
        self.get().await?.query("select 1").await.map(|_| ())
    }
}
