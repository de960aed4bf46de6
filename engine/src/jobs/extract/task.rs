//! Extraction of one IDB table for one data source: windows `(mark, mark + chunk]` read
//! from the IDB chosen for each, written to GIDB, and committed one by one (idb.md §5.6).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use indicatif::ProgressBar;
use tidemark_schemas::{HwmRule, TableDef};
use tidemark_sinks::database::Database;
use tidemark_sinks::gidb::{ChunkFile, GidbStore};
use tokio_util::sync::CancellationToken;
use tracing::{debug_span, info_span, warn, Instrument};

use super::choice::{self, Clock};
use super::commit::{self, ChunkRecord};
use super::rows::{self, Stamp};
use super::sessions::{provider_of, SetSessions, SourceId};
use super::JobError;
use crate::sources::idb::{Idb, ReadSize};
use crate::sources::window_sql::{ParentLink, WindowSelect, KEY_COLUMN};

/// Reads larger than this many rows in the previous window are split over the IDB's
/// data connections.
const PARTITION_ABOVE_ROWS: usize = 100_000;

/// A window is read as [`ReadSize::Small`] when the table's previous window (in this cycle,
/// or the last one committed before it) held fewer rows than this; a table's very first
/// window is read as [`ReadSize::Bulk`].
const SMALL_READ_BELOW_ROWS: usize = 5_000;

/// The IDBs of one HA set with their session information.
pub struct HaSet {
    /// Set name (the `ha-group`, or the DAP name of a DAP without one).
    pub name: String,
    /// The open IDBs, in configuration order.
    pub idbs: Vec<Arc<Idb>>,
    /// Their sessions.
    pub sessions: SetSessions,
}

/// What one task extracts.
pub struct TablePlan {
    /// The HA set read.
    pub set: Arc<HaSet>,
    /// The original data source.
    pub source: SourceId,
    /// Its CTL_DS key.
    pub data_source_key: i32,
    /// The IDB table.
    pub table: &'static TableDef,
    /// Window rule (of the table, or of the last parent) for this source.
    pub rule: &'static HwmRule,
    /// Parents the table is pulled in by (G_PARTY_HISTORY → G_PARTY → G_CALL).
    pub parents: Vec<ParentLink>,
    /// Provider tag whose sessions stamp the rows (`GCC`).
    pub provider: &'static str,
    /// Provider tag number (dict 26).
    pub provider_tag: i32,
    /// GIDB folder.
    pub folder: String,
    /// Seconds per window.
    pub chunk_size: i64,
    /// Seconds before a window its IDB must also cover (a voice call's lifetime).
    pub lookback: i64,
}

impl TablePlan {
    /// The window selection of this plan in IDB `idb` of the set: the source's sessions of
    /// the plan's provider there. A table under a parent is windowed by its root parent's
    /// rows, so by the sessions of the root parent's provider, and its own rows by its own
    /// provider's sessions when that differs (attached data under a call).
    pub fn select(
        &self,
        idb: usize,
        dialect: crate::sources::idb_dialect::IdbDialect,
    ) -> WindowSelect<'static> {
        let root_provider = self
            .parents
            .last()
            .and_then(|p| tidemark_schemas::idb::table(&p.table))
            .map_or(self.provider, provider_of);
        let dss_ids = |provider: &str| -> Vec<i64> {
            self.set
                .sessions
                .of(idb, self.source, provider)
                .map(|s| s.dss_id)
                .collect()
        };
        WindowSelect {
            table: self.table,
            rule: self.rule,
            parents: self.parents.clone(),
            sessions: dss_ids(root_provider),
            own_sessions: if root_provider == self.provider {
                Vec::new()
            } else {
                dss_ids(self.provider)
            },
            dialect,
        }
    }
}

/// What every task shares.
pub struct Shared {
    /// The Info Mart.
    pub infomart: Arc<dyn Database>,
    /// The GIDB store.
    pub gidb: GidbStore,
    /// Next CTL_AUDIT_LOG key to hand out.
    pub next_audit_key: AtomicI64,
    /// Where the table tasks record their chunks.
    pub commits: commit::GroupCommit,
    /// Time limits.
    pub clock: Clock,
    /// Mark of a table and source never extracted before.
    pub initial_mark: i64,
    /// Cancelled when the job is stopped.
    pub cancel: CancellationToken,
    /// CTL_ETL_HISTORY.JOB_ID.
    pub job_id: String,
}

/// What one task did.
#[derive(Debug, Clone, Default)]
pub struct TableReport {
    /// IDB table.
    pub table: String,
    /// GIDB folder.
    pub folder: String,
    /// Data source.
    pub source: String,
    /// DATA_SOURCE_KEY.
    pub data_source_key: i32,
    /// Rows written.
    pub rows: u64,
    /// Parquet bytes written.
    pub bytes: u64,
    /// Windows committed.
    pub windows: u64,
    /// Mark before and after the run.
    pub marks: (i64, i64),
    /// Seconds spent.
    pub seconds: f64,
    /// ICON_DBIDs read, in order of first use.
    pub icons: Vec<i32>,
    /// Warnings raised (gaps, stuck source).
    pub warnings: Vec<String>,
}

/// Extracts one table for one source up to the source's availability bound.
pub async fn run(
    plan: TablePlan,
    shared: Arc<Shared>,
    bar: ProgressBar,
) -> Result<TableReport, JobError> {
    let span = info_span!("extract_table", table = %plan.table.name, source = %plan.source.describe(), set = %plan.set.name);
    run_in_span(plan, shared, bar).instrument(span).await
}

async fn run_in_span(
    plan: TablePlan,
    shared: Arc<Shared>,
    bar: ProgressBar,
) -> Result<TableReport, JobError> {
    let started = Instant::now();
    let db = shared.infomart.as_ref();
    let table = plan.table.name.as_str();
    let mut mark = commit::current_mark(db, plan.data_source_key, table)
        .await?
        .unwrap_or(shared.initial_mark);
    let mut report = TableReport {
        table: table.to_string(),
        folder: plan.folder.clone(),
        source: plan.source.describe(),
        data_source_key: plan.data_source_key,
        marks: (mark, mark),
        ..TableReport::default()
    };
    let removed = shared
        .gidb
        .remove_uncommitted(&plan.folder, plan.data_source_key, mark)
        .await
        .map_err(|e| JobError::Data(e.to_string()))?;
    if removed > 0 {
        tracing::info!(files = removed, "removed files of an interrupted run");
    }
    let available =
        choice::availability(&plan.set.sessions, plan.source, plan.provider, shared.clock);
    let bound = available.bound;
    bar.set_length(bound.saturating_sub(mark).max(0) as u64);
    let last = commit::last_chunk(db, plan.data_source_key, table).await?;
    let mut previous = last.map(|chunk| chunk.icon_dbid);
    let shape = crate::sources::window_sql::selected_shape(plan.table);
    let mut last_rows = last.map(|chunk| chunk.rows);
    let mut probe = true;
    while mark < bound {
        if shared.cancel.is_cancelled() {
            return Err(JobError::Stopped);
        }
        let wanted = bound.min(mark.saturating_add(plan.chunk_size));
        let chosen = match choice::choose(
            &plan.set.sessions,
            plan.source,
            plan.provider,
            mark,
            wanted,
            plan.lookback,
            previous,
        ) {
            Some(chosen) => chosen,
            None => {
                let (gap, message) = gap_choice(&plan, &shared, mark).await?;
                warn!("{message}");
                report.warnings.push(message);
                match gap {
                    Some(chosen) => chosen,
                    None => break,
                }
            }
        };
        let idb = &plan.set.idbs[chosen.idb];
        let select = plan.select(chosen.idb, idb.dialect);
        let limit = bound.min(chosen.until);
        let mut hi = wanted.min(limit);
        let mut known_empty = false;
        if probe {
            match idb
                .query_opt_i64(&select.next_key_query(mark, limit))
                .instrument(debug_span!("extract_probe", lo = mark))
                .await?
            {
                None => {
                    hi = limit;
                    known_empty = true;
                }
                Some(next) if next - 1 > hi => {
                    hi = next - 1;
                    known_empty = true;
                }
                Some(_) => {}
            }
        }
        let chunk_started = Utc::now();
        let audit_key = shared.next_audit_key.fetch_add(1, Ordering::SeqCst);
        let mut batches = Vec::new();
        if !known_empty {
            let partitions = if last_rows.is_some_and(|rows| rows > PARTITION_ABOVE_ROWS) {
                idb.data_connections()
            } else {
                1
            };
            let size = match last_rows {
                Some(rows) if rows < SMALL_READ_BELOW_ROWS => ReadSize::Small,
                _ => ReadSize::Bulk,
            };
            let what = format!("{table} window ({mark}, {hi}]");
            let read = idb
                .read(select.queries(mark, hi, partitions), &shape, &what, size)
                .instrument(debug_span!("extract_read", lo = mark, hi));
            let raw = tokio::select! {
                raw = read => raw?,
                () = shared.cancel.cancelled() => return Err(JobError::Stopped),
            };
            let schema = rows::keyed_schema(plan.table);
            let stamp = Stamp {
                data_source_key: plan.data_source_key,
                icon_dbid: chosen.icon_dbid,
                audit_key,
            };
            for batch in &raw {
                batches.push(rows::to_gidb(batch, &schema, stamp).map_err(|e| {
                    JobError::Data(format!(
                        "{table} window ({mark}, {hi}] from {}: {e}",
                        idb.dap
                    ))
                })?);
            }
        }
        let chunk = ChunkFile {
            folder: plan.folder.clone(),
            data_source_key: plan.data_source_key,
            lo: mark,
            hi,
        };
        let written = shared
            .gidb
            .write_chunk(&chunk, &batches, KEY_COLUMN, true)
            .instrument(debug_span!("extract_write", lo = mark, hi))
            .await
            .map_err(|e| JobError::Data(e.to_string()))?;
        if shared.cancel.is_cancelled() {
            return Err(JobError::Stopped);
        }
        let statements = commit::chunk_statements(&ChunkRecord {
            table,
            data_source_key: plan.data_source_key,
            data_source_type: plan.source.ds_type,
            hi,
            rows: written.rows as i64,
            newest_key: rows::newest_key(&batches),
            icon_dbid: chosen.icon_dbid,
            dss_id: chosen.dss_id,
            provider_tag: plan.provider_tag,
            started: chunk_started,
            job_id: &shared.job_id,
            dap: &idb.dap,
            audit_key,
        });
        shared
            .commits
            .commit(statements)
            .instrument(debug_span!("extract_commit", lo = mark, hi))
            .await?;
        if !report.icons.contains(&chosen.icon_dbid) {
            report.icons.push(chosen.icon_dbid);
        }
        previous = Some(chosen.icon_dbid);
        report.rows += written.rows as u64;
        report.bytes += written.bytes;
        report.windows += 1;
        last_rows = Some(written.rows);
        probe = written.rows == 0;
        bar.inc((hi - mark) as u64);
        mark = hi;
        report.marks.1 = mark;
    }
    if available.waiting_for_session && mark >= bound {
        report.warnings.push(format!(
            "{} {}: the last ICON session of {} is closed; extraction waits at {} for a new session",
            plan.set.name,
            table,
            plan.source.describe(),
            super::format_time(bound)
        ));
    }
    report.seconds = started.elapsed().as_secs_f64();
    bar.finish();
    Ok(report)
}

/// The choice for a period that is a gap in every IDB of the set, with a warning. Until
/// the stuck threshold has passed since the mark last moved there is none (extraction
/// waits for a session to fill the gap); after it, the gap is read from the IDB whose next
/// session starts first and the mark moves past it.
async fn gap_choice(
    plan: &TablePlan,
    shared: &Shared,
    mark: i64,
) -> Result<(Option<choice::Choice>, String), JobError> {
    let where_ = format!(
        "{} {}: no IDB of the set holds {} after {}",
        plan.set.name,
        plan.table.name,
        plan.source.describe(),
        super::format_time(mark)
    );
    let updated = shared
        .infomart
        .query_opt_i64(&format!(
            "select updated_ts from ctl_hwm where hwm_name = '{}'",
            commit::mark_name(plan.data_source_key, &plan.table.name)
        ))
        .await?
        .unwrap_or(shared.clock.now);
    if shared.clock.now - updated <= shared.clock.stuck_threshold {
        return Ok((
            None,
            format!("{where_}; waiting for a session to fill the gap"),
        ));
    }
    let Some((idb, next)) =
        choice::least_uncovered(&plan.set.sessions, plan.source, plan.provider, mark)
    else {
        return Ok((None, format!("{where_}; no later session exists yet")));
    };
    let session = plan
        .set
        .sessions
        .of(idb, plan.source, plan.provider)
        .find(|s| s.start == next)
        .expect("the next session exists");
    let chosen = choice::Choice {
        idb,
        until: next - 1,
        icon_dbid: session.icon_dbid,
        dss_id: session.dss_id,
    };
    let message = format!(
        "{where_}: extraction is stuck (threshold passed); the gap up to {} is taken as is from {}",
        super::format_time(next),
        plan.set.idbs[idb].dap
    );
    Ok((Some(chosen), message))
}
