//! The physical limit of loading mart rows: `COPY … FROM STDIN (FORMAT binary)` of exactly
//! the rows the Info Mart holds after a catch-up, into bare copies of its tables (same
//! columns, no index, no constraint), on several connections at once.
//!
//! The rows are first read with `COPY … TO STDOUT (FORMAT binary)` into memory (untimed);
//! only the load is timed.

use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};
use futures::{pin_mut, SinkExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use tokio_postgres::Client;

use crate::copy::TupleCounter;
use crate::measure::{Probe, StageCost, Throughput};
use crate::pg::PgServer;

/// Schema of the bare table copies; dropped after the pass.
const SCHEMA: &str = "tmbench_copy_in";

/// What one COPY-in pass loaded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CopyInPass {
    /// Wall time, CPU and memory of the load.
    pub cost: StageCost,
    /// Connections used at once.
    pub connections: usize,
    /// Rows and bytes of the binary COPY streams loaded.
    pub throughput: Throughput,
    /// Rows per mart table loaded, largest first.
    pub per_table: Vec<(String, u64)>,
}

/// One table's rows as a binary COPY stream held in memory.
struct TableStream {
    table: String,
    rows: u64,
    chunks: Vec<bytes::Bytes>,
}

/// Loads every non-empty Info Mart table of database `infomart` (control and staging
/// tables aside) into bare copies on `connections` connections and times the load.
pub async fn run(server: &PgServer, infomart: &str, connections: usize) -> Result<CopyInPass> {
    let admin = server.client(infomart).await?;
    let tables = mart_tables(&admin).await?;
    let mut streams = Vec::new();
    for table in tables {
        let stream = read_table(&admin, &table).await?;
        if stream.rows > 0 {
            streams.push(stream);
        }
    }
    streams.sort_by_key(|stream| std::cmp::Reverse(stream.rows));
    admin
        .batch_execute(&format!(
            "drop schema if exists {SCHEMA} cascade; create schema {SCHEMA};"
        ))
        .await?;
    for stream in &streams {
        admin
            .batch_execute(&format!(
                "create table {SCHEMA}.{0} (like public.{0})",
                stream.table
            ))
            .await
            .with_context(|| format!("bare copy of {}", stream.table))?;
    }
    let connections = connections.max(1);
    let mut clients = Vec::with_capacity(connections);
    for _ in 0..connections {
        clients.push(server.client(infomart).await?);
    }
    let next = AtomicUsize::new(0);
    let probe = Probe::start("COPY binary into the mart tables");
    let workers = clients.iter().map(|client| {
        let (next, streams) = (&next, &streams);
        async move {
            while let Some(stream) = streams.get(next.fetch_add(1, Ordering::Relaxed)) {
                load(client, stream).await?;
            }
            Ok::<_, anyhow::Error>(())
        }
    });
    futures::future::try_join_all(workers).await?;
    let cost = probe.finish();
    admin
        .batch_execute(&format!("drop schema {SCHEMA} cascade"))
        .await?;
    let rows = streams.iter().map(|s| s.rows).sum();
    let bytes = streams
        .iter()
        .flat_map(|s| &s.chunks)
        .map(|c| c.len() as u64)
        .sum();
    Ok(CopyInPass {
        throughput: Throughput::new(rows, bytes, cost.wall_s),
        cost,
        connections,
        per_table: streams.iter().map(|s| (s.table.clone(), s.rows)).collect(),
    })
}

/// The mart's own tables (partitioned parents rather than their partitions).
async fn mart_tables(client: &Client) -> Result<Vec<String>> {
    let rows = client
        .query(
            "select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace \
             where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition \
             and c.relname not like 'ctl\\_%' and c.relname not like 'stg\\_%' order by 1",
            &[],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Reads `table` as a binary COPY stream.
async fn read_table(client: &Client, table: &str) -> Result<TableStream> {
    let stream = client
        .copy_out(format!("COPY (select * from public.{table}) TO STDOUT (FORMAT binary)").as_str())
        .await
        .with_context(|| format!("COPY out of {table}"))?;
    pin_mut!(stream);
    let mut counter = TupleCounter::default();
    let mut chunks = Vec::new();
    while let Some(chunk) = stream.try_next().await? {
        counter.feed(&chunk);
        chunks.push(chunk);
    }
    Ok(TableStream {
        table: table.to_string(),
        rows: counter.tuples,
        chunks,
    })
}

/// Loads one table's stream into its bare copy.
async fn load(client: &Client, stream: &TableStream) -> Result<()> {
    let sink = client
        .copy_in::<_, bytes::Bytes>(
            format!("COPY {SCHEMA}.{} FROM STDIN (FORMAT binary)", stream.table).as_str(),
        )
        .await
        .with_context(|| format!("COPY into {}", stream.table))?;
    pin_mut!(sink);
    for chunk in &stream.chunks {
        sink.send(chunk.clone()).await?;
    }
    sink.finish()
        .await
        .with_context(|| format!("COPY into {}", stream.table))?;
    Ok(())
}
