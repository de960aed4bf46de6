//! The simulated IDB a benchmark reads: one PostgreSQL database per seed and size, written
//! once by the simulator and reused by later runs while its completeness marker is there.

use std::time::Instant;

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tidemark::simulate::{self, SimulateArgs};

use crate::pg::PgServer;

/// Start of every simulated period, so a reused IDB holds the same activity.
pub const START: &str = "2024-03-05T00:00:00Z";

/// Table a finished simulation writes into its IDB; absent means incomplete.
const MARKER_TABLE: &str = "tmbench_complete";

/// How much activity to simulate.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct IdbSize {
    /// Random seed.
    pub seed: u64,
    /// Days simulated.
    pub days: u32,
    /// Interactions per day.
    pub interactions_per_day: u64,
}

impl IdbSize {
    /// Database name of this size: `tmbench_idb_s<seed>_d<days>_m<per day>`.
    pub fn database_name(&self) -> String {
        format!(
            "tmbench_idb_s{}_d{}_m{}",
            self.seed, self.days, self.interactions_per_day
        )
    }

    /// A moment after the simulated period by which every row is written: extraction
    /// runs as of then.
    pub fn as_of(&self) -> DateTime<Utc> {
        start() + Duration::days(i64::from(self.days)) + Duration::hours(2)
    }
}

/// The start of the simulated period.
pub fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(START)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// An IDB ready to read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreparedIdb {
    /// Database name.
    pub database: String,
    /// Its URL.
    #[serde(skip)]
    pub url: String,
    /// Whether an earlier complete simulation was reused.
    pub reused: bool,
    /// Rows the simulation wrote into it.
    pub rows: u64,
    /// Seconds the simulation took in this run (none when reused).
    pub simulation_s: Option<f64>,
}

/// The IDB of `size` on `server`: reused when complete, otherwise (re)created and simulated.
pub async fn prepare(server: &PgServer, size: IdbSize, progress: bool) -> Result<PreparedIdb> {
    let database = size.database_name();
    let url = server.url_of(&database);
    if let Some(rows) = completed_rows(server, &database).await? {
        return Ok(PreparedIdb {
            database,
            url,
            reused: true,
            rows,
            simulation_s: None,
        });
    }
    server.drop_database(&database).await?;
    server.create(&database).await?;
    let started = Instant::now();
    let args = SimulateArgs {
        idb: vec![url.clone()],
        days: size.days,
        interactions_per_day: size.interactions_per_day,
        seed: size.seed,
        sites: 1,
        ha: false,
        agents: None,
        start: Some(START.to_string()),
        end: None,
        truth: None,
        ha_gap_minutes: None,
        no_progress: !progress,
    };
    let report = simulate::run(&args)
        .await
        .with_context(|| format!("simulating into {database}"))?;
    let simulation_s = started.elapsed().as_secs_f64();
    let rows = report.total_rows();
    mark_complete(server, &database, size, rows).await?;
    Ok(PreparedIdb {
        database,
        url,
        reused: false,
        rows,
        simulation_s: Some(simulation_s),
    })
}

/// Rows of the finished simulation in `database`, or `None` when it is missing or was
/// never completed.
async fn completed_rows(server: &PgServer, database: &str) -> Result<Option<u64>> {
    if !server.exists(database).await? {
        return Ok(None);
    }
    let client = server.client(database).await?;
    let present = client
        .query_opt(
            "select 1 from pg_tables where tablename = $1",
            &[&MARKER_TABLE],
        )
        .await?
        .is_some();
    if !present {
        return Ok(None);
    }
    let row = client
        .query_opt(&format!("select rows from {MARKER_TABLE} limit 1"), &[])
        .await?;
    Ok(row.map(|r| r.get::<_, i64>(0).max(0) as u64))
}

/// Records that the simulation of `size` into `database` finished.
async fn mark_complete(server: &PgServer, database: &str, size: IdbSize, rows: u64) -> Result<()> {
    let client = server.client(database).await?;
    client
        .batch_execute(&format!(
            "create table {MARKER_TABLE} (seed bigint, days int, interactions_per_day bigint, \
             rows bigint, completed_at timestamptz default now()); \
             insert into {MARKER_TABLE} (seed, days, interactions_per_day, rows) \
             values ({}, {}, {}, {rows})",
            size.seed, size.days, size.interactions_per_day
        ))
        .await
        .with_context(|| format!("marking {database} complete"))
}
