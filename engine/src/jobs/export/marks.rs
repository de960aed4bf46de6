//! Export marks (operations.md §3.3): where the last run stopped (CTL_EXPORT_HISTORY, else
//! the newest complete folder), where a first run starts, and the history row and
//! `export:audit` mark a chunk commits once it is published.

use std::path::Path;

use chrono::{DateTime, Utc};
use tidemark_sinks::database::{Database, SqlValue, WriteStep};
use tidemark_sinks::export::{BatchInfo, DONE_SUFFIX};

use super::super::history::{sql_text, sql_time};
use super::super::JobError;
use super::chunks::AuditRow;

/// CTL_HWM name of the export mark.
pub const EXPORT_MARK: &str = "export:audit";

/// Where the previous export stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Exported {
    /// Last exported high audit key (0: nothing exported).
    pub high_key: i64,
    /// Its data time, epoch seconds.
    pub high_ts: Option<i64>,
    /// Next CHUNK_ID.
    pub next_chunk_id: i64,
}

/// The last complete chunk from CTL_EXPORT_HISTORY, else from the newest complete folder in
/// `output_directory`; `None` when nothing was exported yet.
pub async fn last_exported(
    db: &dyn Database,
    output_directory: &Path,
) -> Result<Option<Exported>, JobError> {
    let next_chunk_id = db
        .query_opt_i64("select max(chunk_id) from ctl_export_history")
        .await?
        .unwrap_or(0)
        + 1;
    let rows = db
        .query(
            "select high_audit_key, high_ts from ctl_export_history where status = 'COMPLETE' \
             order by high_audit_key desc limit 1",
        )
        .await?;
    if let Some(row) = rows.first() {
        return Ok(Some(Exported {
            high_key: row.first().and_then(SqlValue::as_i64).unwrap_or(0),
            high_ts: row.get(1).and_then(SqlValue::as_i64),
            next_chunk_id,
        }));
    }
    Ok(
        newest_folder(output_directory).map(|(high_key, time)| Exported {
            high_key,
            high_ts: Some(time.timestamp()),
            next_chunk_id,
        }),
    )
}

/// The high key and time of the newest complete `export_*` folder.
fn newest_folder(output_directory: &Path) -> Option<(i64, DateTime<Utc>)> {
    std::fs::read_dir(output_directory)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            let parsed = BatchInfo::parse_name(&name)?;
            entry
                .path()
                .join(format!("{name}{DONE_SUFFIX}"))
                .exists()
                .then_some(parsed)
        })
        .max()
}

/// The key a first export starts after: the greatest audit key committed before
/// `start_date`, or 0 (everything) without one.
pub async fn first_start(
    db: &dyn Database,
    start_date: Option<DateTime<Utc>>,
) -> Result<i64, JobError> {
    let Some(start) = start_date else {
        return Ok(0);
    };
    Ok(db
        .query_opt_i64(&format!(
            "select max(audit_key) from ctl_audit_log where inserted < {}",
            sql_time(start)
        ))
        .await?
        .unwrap_or(0))
}

/// Fails when maintenance purged audit rows the export has not reached: keys after
/// `exported` are gone, so their rows could no longer be selected.
pub async fn check_gap(db: &dyn Database, exported: i64) -> Result<(), JobError> {
    if exported == 0 {
        return Ok(());
    }
    let oldest = db
        .query_opt_i64("select min(audit_key) from ctl_audit_log")
        .await?;
    match oldest {
        Some(oldest) if oldest > exported + 1 => Err(JobError::Data(format!(
            "export gap: audit log purged (the last export ended at audit key {exported}, the \
             oldest audit row left is {oldest}); keep audit rows at least as long as facts \
             ([gim-etl] days-to-keep-discards-and-job-history) and export a fresh copy"
        ))),
        _ => Ok(()),
    }
}

/// The committed audit rows after `exported`, in key order.
pub async fn audit_rows(db: &dyn Database, exported: i64) -> Result<Vec<AuditRow>, JobError> {
    let rows = db
        .query(&format!(
            "select audit_key, inserted from ctl_audit_log where audit_key > {exported} \
             order by audit_key"
        ))
        .await?;
    rows.iter()
        .map(|row| {
            let key = row.first().and_then(SqlValue::as_i64);
            let inserted = match row.get(1) {
                Some(SqlValue::Timestamp(t)) => Some(t.and_utc().timestamp()),
                _ => None,
            };
            match (key, inserted) {
                (Some(key), Some(inserted)) => Ok(AuditRow { key, inserted }),
                _ => Err(JobError::Data(format!(
                    "CTL_AUDIT_LOG row {row:?} has no key or no INSERTED time"
                ))),
            }
        })
        .collect()
}

/// What a published chunk commits.
#[derive(Debug, Clone)]
pub struct ChunkRecord<'a> {
    /// The run.
    pub job_id: &'a str,
    /// The batch published.
    pub batch: &'a BatchInfo,
    /// Tables written.
    pub tables: usize,
    /// Rows written.
    pub rows: u64,
}

/// The CTL_EXPORT_HISTORY row and the new `export:audit` mark, for one transaction.
pub fn commit_steps(record: &ChunkRecord<'_>) -> Vec<WriteStep> {
    let now = Utc::now();
    let batch = record.batch;
    let mark = sql_text(EXPORT_MARK);
    vec![
        WriteStep::Sql(format!(
            "insert into ctl_export_history (chunk_id, folder_name, low_audit_key, high_audit_key, \
             low_ts, high_ts, table_count, row_count, status, job_id, created_ts) values \
             ({}, {}, {}, {}, {}, {}, {}, {}, 'COMPLETE', {}, {})",
            batch.chunk_id,
            sql_text(&batch.name),
            batch.low_audit_key,
            batch.high_audit_key,
            batch.low_inserted.timestamp(),
            batch.high_inserted.timestamp(),
            record.tables,
            record.rows,
            sql_text(record.job_id),
            now.timestamp()
        )),
        WriteStep::Sql(format!("delete from ctl_hwm where hwm_name = {mark}")),
        WriteStep::Sql(format!(
            "insert into ctl_hwm (hwm_name, hwm_value, updated_ts, job_id) values \
             ({mark}, {}, {}, {})",
            batch.high_audit_key,
            now.timestamp(),
            sql_text(record.job_id)
        )),
    ]
}
