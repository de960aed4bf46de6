//! CTL_AUDIT_LOG: one row per logical transaction a job commits (operations.md §2.1).

use chrono::Utc;
use tidemark_sinks::database::{Database, DatabaseError};

use super::history::{sql_text, sql_time};

/// What an audit row records about the transaction it stands for.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    /// Smallest START_DATE_TIME_KEY written.
    pub min_start_date_time_key: i64,
    /// Largest START_DATE_TIME_KEY written.
    pub max_start_date_time_key: i64,
    /// Largest source timestamp of the chunk.
    pub max_chunk_ts: Option<i64>,
    /// Data source the chunk came from (→ CTL_DS).
    pub data_source_key: Option<i64>,
    /// Rows written.
    pub row_count: i64,
}

/// The next free AUDIT_KEY. Keys are allocated by the single writer of the Info Mart, one
/// greater than the largest key in use, so they never repeat.
pub async fn next_audit_key(db: &dyn Database) -> Result<i64, DatabaseError> {
    Ok(db
        .query_opt_i64("select max(audit_key) from ctl_audit_log")
        .await?
        .unwrap_or(0)
        + 1)
}

/// The INSERT statement of an audit row, to run in the transaction it describes.
pub fn insert_sql(audit_key: i64, job_id: &str, entry: &AuditEntry) -> String {
    let now = Utc::now();
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "null".into());
    format!(
        "insert into ctl_audit_log (audit_key, job_id, created, inserted, processing_status_key, \
         min_start_date_time_key, max_start_date_time_key, max_chunk_ts, data_source_key, row_count, created_ts) \
         values ({audit_key}, {}, {}, {}, 0, {}, {}, {}, {}, {}, {})",
        sql_text(job_id),
        sql_time(now),
        sql_time(now),
        entry.min_start_date_time_key,
        entry.max_start_date_time_key,
        opt(entry.max_chunk_ts),
        opt(entry.data_source_key),
        entry.row_count,
        now.timestamp()
    )
}
