//! Writing simulated rows into the IDBs: tables are created first, one writer task per IDB
//! takes batches from a bounded channel (so generation overlaps writing and memory stays
//! bounded), and indexes are built once the data is in.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context};
use arrow::record_batch::RecordBatch;
use tidemark_schemas::ddl::{create_indexes, create_table};
use tidemark_schemas::{idb, Dialect, SqlType, TableDef};
use tidemark_sinks::database::{connect, Database};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Batches waiting per IDB before generation blocks.
const CHANNEL_DEPTH: usize = 6;

/// A batch on its way to one IDB.
pub type Batch = (&'static TableDef, RecordBatch);

/// An open IDB with its tables created.
pub struct Idb {
    /// URL as given (for messages; passwords are not printed).
    pub url: String,
    db: Arc<dyn Database>,
}

impl Idb {
    /// Connects, refuses an IDB that already holds interactions, and creates every IDB table.
    pub async fn open(url: &str) -> anyhow::Result<Idb> {
        let db: Arc<dyn Database> = Arc::from(connect(url).await?);
        if db.table_exists("g_call").await? {
            let rows = db.query_i64("select count(*) from g_call").await?;
            if rows > 0 {
                bail!("the IDB at {} already holds {rows} G_CALL rows; simulate into a fresh database", redact(url));
            }
        }
        let dialect = db.dialect();
        let ddl: Vec<String> = idb::tables()
            .iter()
            .map(|t| create_table(t, dialect))
            .collect();
        db.execute_all(&ddl)
            .await
            .with_context(|| format!("creating the IDB tables in {}", redact(url)))?;
        Ok(Idb {
            url: url.to_string(),
            db,
        })
    }

    /// Starts the writer task; returns the channel feeding it.
    pub fn spawn_writer(
        &self,
        written: Arc<AtomicU64>,
    ) -> (
        mpsc::Sender<Batch>,
        JoinHandle<anyhow::Result<BTreeMap<String, u64>>>,
    ) {
        let (tx, mut rx) = mpsc::channel::<Batch>(CHANNEL_DEPTH);
        let db = self.db.clone();
        let url = redact(&self.url);
        let handle = tokio::spawn(async move {
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            while let Some((table, batch)) = rx.recv().await {
                let n = db.write_batch(table, &batch).await.with_context(|| {
                    format!(
                        "writing {} rows into {} of {url}",
                        batch.num_rows(),
                        table.name
                    )
                })?;
                *counts.entry(table.name.clone()).or_default() += n;
                written.fetch_add(n, Ordering::Relaxed);
            }
            Ok(counts)
        });
        (tx, handle)
    }

    /// Builds the secondary indexes and moves PostgreSQL serial sequences past the ids
    /// written, so later inserts without an id do not collide.
    pub async fn finish(&self) -> anyhow::Result<()> {
        let dialect = self.db.dialect();
        let mut statements: Vec<String> = idb::tables().iter().flat_map(create_indexes).collect();
        if dialect == Dialect::Postgres {
            for t in idb::tables() {
                for c in t
                    .columns
                    .iter()
                    .filter(|c| c.sql_type == SqlType::BigSerial)
                {
                    let (table, column) = (t.sql_name(), c.sql_name());
                    statements.push(format!(
                        "select setval(pg_get_serial_sequence('{table}', '{column}'), coalesce(max({column}), 0) + 1, false) from {table}"
                    ));
                }
            }
        }
        for s in &statements {
            self.db
                .execute(s)
                .await
                .with_context(|| format!("finishing the IDB at {}", redact(&self.url)))?;
        }
        if dialect == Dialect::Postgres {
            self.db.execute("analyze").await?;
        }
        Ok(())
    }
}

/// The URL without its password.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}
