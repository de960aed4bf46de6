//! Transform marks (operations.md §2.4–§2.5): CTL_TRANSFORM_HISTORY rows and CTL_HWM
//! `transform:<HWM_NAME>`, written in the chunk's transaction with its facts and audit row.

use arrow::array::{Array, Int64Array, RecordBatch};
use arrow::compute::{cast, max, min};
use arrow::datatypes::DataType;
use chrono::{DateTime, Utc};
use tidemark_sinks::database::{Database, DatabaseError, WriteStep};

use super::super::audit::{self, AuditEntry};
use super::super::history::{sql_text, sql_time};

/// CTL_HWM name of a transform mark.
pub fn mark_name(hwm_name: &str) -> String {
    format!("transform:{hwm_name}")
}

/// The current value of a transform mark, `None` before its first chunk.
pub async fn current_mark(db: &dyn Database, hwm_name: &str) -> Result<Option<i64>, DatabaseError> {
    db.query_opt_i64(&format!(
        "select hwm_value from ctl_hwm where hwm_name = {}",
        sql_text(&mark_name(hwm_name))
    ))
    .await
}

/// The smallest of the current extraction marks of `table` over every data source that
/// extracts it (`None` when no source has extracted it yet).
pub async fn extraction_horizon(
    db: &dyn Database,
    table: &str,
) -> Result<Option<i64>, DatabaseError> {
    db.query_opt_i64(&format!(
        "select min(hwm_value) from ctl_hwm where hwm_name like {}",
        sql_text(&format!("extract:%:{table}"))
    ))
    .await
}

/// What one committed chunk records.
#[derive(Debug, Clone)]
pub struct ChunkCommit<'a> {
    /// The run.
    pub job_id: &'a str,
    /// The chunk's CTL_AUDIT_LOG key.
    pub audit_key: i64,
    /// Transform marks the chunk advances (CTL_TRANSFORM_HISTORY.HWM_NAME).
    pub hwm_names: &'a [String],
    /// The new value of those marks.
    pub value: i64,
    /// Rows written.
    pub rows: i64,
    /// START_DATE_TIME_KEY range of the facts written, when any.
    pub start_keys: Option<(i64, i64)>,
    /// When the chunk began.
    pub started: DateTime<Utc>,
}

/// The audit, history and mark statements of a chunk.
pub fn steps(chunk: &ChunkCommit<'_>) -> Vec<WriteStep> {
    let now = Utc::now();
    let (min_key, max_key) = chunk.start_keys.unwrap_or((0, 0));
    let mut steps = vec![WriteStep::Sql(audit::insert_sql(
        chunk.audit_key,
        chunk.job_id,
        &AuditEntry {
            min_start_date_time_key: min_key,
            max_start_date_time_key: max_key,
            max_chunk_ts: Some(chunk.value),
            data_source_key: None,
            row_count: chunk.rows,
        },
    ))];
    for hwm in chunk.hwm_names {
        steps.push(WriteStep::Sql(format!(
            "insert into ctl_transform_history (job_id, job_version, hwm_name, hwm_value, \
             transform_start_time, transform_end_time, row_count, created_ts, audit_key) values \
             ({}, {}, {}, {}, {}, {}, {}, {}, {})",
            sql_text(chunk.job_id),
            sql_text(env!("CARGO_PKG_VERSION")),
            sql_text(hwm),
            chunk.value,
            sql_time(chunk.started),
            sql_time(now),
            chunk.rows,
            now.timestamp(),
            chunk.audit_key
        )));
        let name = sql_text(&mark_name(hwm));
        steps.push(WriteStep::Sql(format!(
            "delete from ctl_hwm where hwm_name = {name}"
        )));
        steps.push(WriteStep::Sql(format!(
            "insert into ctl_hwm (hwm_name, hwm_value, updated_ts, job_id) values \
             ({name}, {}, {}, {})",
            chunk.value,
            now.timestamp(),
            sql_text(chunk.job_id)
        )));
    }
    steps
}

/// Smallest and largest value of an integer column over the batches.
pub fn column_range(batches: &[RecordBatch], column: &str) -> Option<(i64, i64)> {
    let mut range: Option<(i64, i64)> = None;
    for batch in batches {
        let Some(array) = batch.column_by_name(column) else {
            continue;
        };
        let Ok(values) = cast(array, &DataType::Int64) else {
            continue;
        };
        let Some(values) = values.as_any().downcast_ref::<Int64Array>() else {
            continue;
        };
        if values.null_count() == values.len() {
            continue;
        }
        if let (Some(lo), Some(hi)) = (min(values), max(values)) {
            range = Some(range.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        }
    }
    range
}

/// The non-null values of an integer column over the batches.
pub fn column_values(batches: &[RecordBatch], column: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for batch in batches {
        let Some(array) = batch.column_by_name(column) else {
            continue;
        };
        let Ok(values) = cast(array, &DataType::Int64) else {
            continue;
        };
        if let Some(values) = values.as_any().downcast_ref::<Int64Array>() {
            out.extend(values.iter().flatten());
        }
    }
    out
}

/// Rows in the batches.
pub fn row_count(batches: &[RecordBatch]) -> i64 {
    batches.iter().map(|b| b.num_rows() as i64).sum()
}
