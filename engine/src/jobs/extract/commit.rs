//! The Info Mart side of one extraction chunk (idb.md §5.1, §5.2): the CTL_AUDIT_LOG row,
//! the CTL_EXTRACT_HISTORY row and the CTL_HWM mark, written in one transaction once the
//! chunk's files are durable; chunks of tables extracted at the same time share that
//! transaction ([`GroupCommit`]).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tidemark_sinks::database::{Database, DatabaseError};
use tokio::sync::oneshot;

use super::JobError;

use super::super::audit::{self, AuditEntry};
use super::super::history::{sql_text, sql_time};

/// Name of the CTL_HWM row holding the extraction mark of a table and data source.
pub fn mark_name(data_source_key: i32, table: &str) -> String {
    format!("extract:{data_source_key}:{table}")
}

/// The committed extraction mark of `table` for `data_source_key` (epoch seconds).
pub async fn current_mark(
    db: &dyn Database,
    data_source_key: i32,
    table: &str,
) -> Result<Option<i64>, DatabaseError> {
    db.query_opt_i64(&format!(
        "select hwm_value from ctl_hwm where hwm_name = {}",
        sql_text(&mark_name(data_source_key, table))
    ))
    .await
}

/// The last committed chunk of a table for a data source (its CTL_EXTRACT_HISTORY row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastChunk {
    /// The ICON_DBID that supplied it.
    pub icon_dbid: i32,
    /// Rows it held.
    pub rows: usize,
}

/// The last committed chunk of `table` for `data_source_key`, if any.
pub async fn last_chunk(
    db: &dyn Database,
    data_source_key: i32,
    table: &str,
) -> Result<Option<LastChunk>, DatabaseError> {
    let rows = db
        .query(&format!(
            "select icon_dbid, row_count from ctl_extract_history \
             where table_name = {} and data_source_key = {} \
             order by max_ts desc, create_audit_key desc limit 1",
            sql_text(table),
            data_source_key
        ))
        .await?;
    Ok(rows.first().and_then(|row| {
        Some(LastChunk {
            icon_dbid: row.first()?.as_i64()? as i32,
            rows: row.get(1)?.as_i64()?.max(0) as usize,
        })
    }))
}

/// Everything one committed chunk records.
#[derive(Debug, Clone)]
pub struct ChunkRecord<'a> {
    /// IDB table, upper case.
    pub table: &'a str,
    /// CTL_DS key of the data source.
    pub data_source_key: i32,
    /// DATA_SOURCE_TYPE.
    pub data_source_type: i32,
    /// The window's upper bound: the new mark.
    pub hi: i64,
    /// Rows extracted.
    pub rows: i64,
    /// Largest extraction key among the rows, if any.
    pub newest_key: Option<i64>,
    /// ICON whose IDB supplied the rows.
    pub icon_dbid: i32,
    /// Session the rows came from.
    pub dss_id: i64,
    /// Provider tag (dict 26).
    pub provider_tag: i32,
    /// When reading the chunk began.
    pub started: DateTime<Utc>,
    /// CTL_ETL_HISTORY.JOB_ID of the run.
    pub job_id: &'a str,
    /// The extraction DAP used.
    pub dap: &'a str,
    /// The chunk's CTL_AUDIT_LOG key (CREATE_AUDIT_KEY of its rows).
    pub audit_key: i64,
}

/// Commits one chunk in one transaction.
pub fn chunk_statements(chunk: &ChunkRecord<'_>) -> Vec<String> {
    let now = Utc::now();
    let audit = audit::insert_sql(
        chunk.audit_key,
        chunk.job_id,
        &AuditEntry {
            max_chunk_ts: Some(chunk.hi),
            data_source_key: Some(chunk.data_source_key.into()),
            row_count: chunk.rows,
            ..AuditEntry::default()
        },
    );
    let max_time = DateTime::from_timestamp(chunk.hi, 0).unwrap_or(now);
    let history = format!(
        "insert into ctl_extract_history (table_name, data_source_key, data_source_type, row_count, \
         max_time, max_ts, icon_dbid, dss_id, providertag, extract_start_time, extract_end_time, \
         job_id, job_name, job_version, dap_name, create_audit_key, created_ts) values \
         ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        sql_text(chunk.table),
        chunk.data_source_key,
        chunk.data_source_type,
        chunk.rows,
        sql_time(max_time),
        chunk.hi,
        chunk.icon_dbid,
        chunk.dss_id,
        chunk.provider_tag,
        sql_time(chunk.started),
        sql_time(now),
        sql_text(chunk.job_id),
        sql_text(super::super::names::EXTRACT),
        sql_text(env!("CARGO_PKG_VERSION")),
        sql_text(chunk.dap),
        chunk.audit_key,
        now.timestamp()
    );
    let name = sql_text(&mark_name(chunk.data_source_key, chunk.table));
    let mut statements = vec![
        audit,
        history,
        format!("delete from ctl_hwm where hwm_name = {name}"),
        format!(
            "insert into ctl_hwm (hwm_name, hwm_value, hwm_value2, updated_ts, job_id) values \
             ({name}, {}, {}, {}, {})",
            chunk.hi,
            sql_text(&format!(
                "icon_dbid={} dss_id={}",
                chunk.icon_dbid, chunk.dss_id
            )),
            now.timestamp(),
            sql_text(chunk.job_id)
        ),
    ];
    if let Some(newest) = chunk.newest_key {
        statements.push(format!(
            "update ctl_ds set last_data_ts = {newest} where data_source_key = {} \
             and (last_data_ts is null or last_data_ts < {newest})",
            chunk.data_source_key
        ));
    }
    statements
}

/// A chunk waiting for the transaction that records it, and where its outcome goes.
type Pending = (Vec<String>, oneshot::Sender<Result<(), String>>);

/// Group commit of extraction chunks: the table tasks of a run hand their chunks' statements
/// over and wait; whatever was handed over while one transaction ran goes into the next.
/// A chunk is handed over only once its files are durable, so a transaction that fails or
/// never happens leaves marks behind files, which the next run removes and extracts again.
/// One Info Mart transaction per chunk would make the commit latency of the Info Mart the
/// bound of a run with many small windows.
pub struct GroupCommit {
    db: Arc<dyn Database>,
    queue: Mutex<Vec<Pending>>,
    turn: tokio::sync::Mutex<()>,
}

impl GroupCommit {
    /// Commits through `db`.
    pub fn new(db: Arc<dyn Database>) -> Self {
        GroupCommit {
            db,
            queue: Mutex::new(Vec::new()),
            turn: tokio::sync::Mutex::new(()),
        }
    }

    /// Records one chunk; returns once the transaction holding it committed.
    pub async fn commit(&self, statements: Vec<String>) -> Result<(), JobError> {
        let (done, mut outcome) = oneshot::channel();
        self.queue
            .lock()
            .expect("commit queue")
            .push((statements, done));
        let _turn = self.turn.lock().await;
        if let Ok(result) = outcome.try_recv() {
            return result.map_err(JobError::Data);
        }
        let group = std::mem::take(&mut *self.queue.lock().expect("commit queue"));
        let all: Vec<String> = group.iter().flat_map(|(s, _)| s.iter().cloned()).collect();
        let result = self.db.execute_all(&all).await;
        let shared = result.as_ref().map(|_| ()).map_err(|e| {
            format!(
                "recording {} extraction chunk(s) in the Info Mart failed: {e}",
                group.len()
            )
        });
        for (_, done) in group {
            let _ = done.send(shared.clone());
        }
        result.map_err(JobError::from)
    }
}
