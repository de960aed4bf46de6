//! Job history with the Info Mart Manager's filters (past N days, last N jobs, by status,
//! by job, all) and sort, read from CTL_ETL_HISTORY (operations.md §2.2, §8.2).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tidemark_sinks::database::{Database, SqlValue};

use super::error::ApiError;
use crate::jobs::history::{sql_text, sql_time};

/// Statuses a run can have (operations.md §8.1).
pub const STATUSES: [&str; 5] = ["SCHEDULED", "RUNNING", "COMPLETE", "FAILED", "STOPPED"];

/// Columns the history can be sorted by.
pub const SORT_COLUMNS: [&str; 9] = [
    "job_id",
    "job_name",
    "status",
    "trigger_type",
    "start_time",
    "end_time",
    "duration_sec",
    "row_count",
    "host_name",
];

/// Filters and sort of a history request. Filters combine; none means all runs.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct HistoryFilter {
    /// Only runs started in the past N days.
    pub days: Option<u32>,
    /// Only the N most recently started runs (after the other filters).
    pub last: Option<u32>,
    /// Only runs with one of these statuses, comma-separated (`FAILED,STOPPED`).
    pub status: Option<String>,
    /// Only runs of this job (`Job_ExtractICON`).
    pub job: Option<String>,
    /// Column to sort by (default `start_time`).
    pub sort: Option<String>,
    /// `asc` or `desc` (default `desc`).
    pub order: Option<String>,
}

/// One run as the API returns it. Times are UTC, ISO 8601.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    /// CTL_ETL_HISTORY.JOB_ID.
    pub job_id: String,
    /// Job name.
    pub job_name: String,
    /// Build that ran it.
    pub job_version: Option<String>,
    /// SCHEDULED, RUNNING, COMPLETE, FAILED or STOPPED.
    pub status: String,
    /// SCHEDULED, MANUAL or AUTOMATIC.
    pub trigger_type: Option<String>,
    /// Shared by the extract and transform runs of one ETL cycle.
    pub cycle_id: Option<String>,
    /// Start.
    pub start_time: Option<String>,
    /// End; null while running.
    pub end_time: Option<String>,
    /// END_TIME − START_TIME in seconds.
    pub duration_sec: Option<i64>,
    /// Host of the server that ran it.
    pub host_name: Option<String>,
    /// Rows processed (job-specific meaning).
    pub row_count: Option<i64>,
    /// Short failure reason.
    pub error_text: Option<String>,
}

const SELECT: &str = "select job_id, job_name, job_version, status, trigger_type, cycle_id, \
     start_time, end_time, duration_sec, host_name, row_count, error_text from ctl_etl_history";

impl HistoryFilter {
    /// The SQL that selects the runs, or why the filter is wrong.
    pub fn to_sql(&self, now: DateTime<Utc>) -> Result<String, ApiError> {
        let mut conditions = Vec::new();
        if let Some(days) = self.days {
            let since = now - Duration::days(i64::from(days));
            conditions.push(format!("start_time >= {}", sql_time(since)));
        }
        if let Some(statuses) = self.statuses()? {
            let list: Vec<String> = statuses.iter().map(|s| sql_text(s)).collect();
            conditions.push(format!("status in ({})", list.join(", ")));
        }
        if let Some(job) = self.job.as_deref().filter(|j| !j.is_empty()) {
            conditions.push(format!("job_name = {}", sql_text(job)));
        }
        let filtered = if conditions.is_empty() {
            SELECT.to_string()
        } else {
            format!("{SELECT} where {}", conditions.join(" and "))
        };
        let limited = match self.last {
            Some(n) => format!("{filtered} order by start_time desc, job_id desc limit {n}"),
            None => filtered,
        };
        let (column, order) = self.sort_order()?;
        Ok(format!(
            "select * from ({limited}) h order by {column} {order}, start_time desc, job_id desc"
        ))
    }

    fn statuses(&self) -> Result<Option<Vec<String>>, ApiError> {
        let Some(text) = self.status.as_deref().filter(|s| !s.trim().is_empty()) else {
            return Ok(None);
        };
        let mut statuses = Vec::new();
        for status in text.split(',').map(|s| s.trim().to_ascii_uppercase()) {
            if !STATUSES.contains(&status.as_str()) {
                return Err(ApiError::bad_request(format!(
                    "unknown status `{status}`; allowed: {}",
                    STATUSES.join(", ")
                )));
            }
            statuses.push(status);
        }
        Ok(Some(statuses))
    }

    fn sort_order(&self) -> Result<(&str, &str), ApiError> {
        let column = self.sort.as_deref().unwrap_or("start_time");
        if !SORT_COLUMNS.contains(&column) {
            return Err(ApiError::bad_request(format!(
                "cannot sort by `{column}`; allowed: {}",
                SORT_COLUMNS.join(", ")
            )));
        }
        let order = match self.order.as_deref().unwrap_or("desc") {
            "asc" => "asc",
            "desc" => "desc",
            other => {
                return Err(ApiError::bad_request(format!(
                    "order `{other}` is neither `asc` nor `desc`"
                )))
            }
        };
        Ok((column, order))
    }
}

/// The runs the filter selects, sorted; an Info Mart without CTL_ETL_HISTORY has none.
pub async fn runs(
    db: &dyn Database,
    filter: &HistoryFilter,
    now: DateTime<Utc>,
) -> Result<Vec<RunRow>, ApiError> {
    let sql = filter.to_sql(now)?;
    if !db.table_exists("ctl_etl_history").await? {
        return Ok(Vec::new());
    }
    Ok(db.query(&sql).await?.iter().map(|r| run_row(r)).collect())
}

/// One run by JOB_ID.
pub async fn run(db: &dyn Database, job_id: &str) -> Result<Option<RunRow>, ApiError> {
    if !db.table_exists("ctl_etl_history").await? {
        return Ok(None);
    }
    let sql = format!("{SELECT} where job_id = {}", sql_text(job_id));
    Ok(db.query(&sql).await?.first().map(|r| run_row(r)))
}

fn run_row(row: &[SqlValue]) -> RunRow {
    let cell = |i: usize| row.get(i).unwrap_or(&SqlValue::Null);
    RunRow {
        job_id: text(cell(0)).unwrap_or_default(),
        job_name: text(cell(1)).unwrap_or_default(),
        job_version: text(cell(2)),
        status: text(cell(3)).unwrap_or_default(),
        trigger_type: text(cell(4)),
        cycle_id: text(cell(5)),
        start_time: iso_time(cell(6)),
        end_time: iso_time(cell(7)),
        duration_sec: cell(8).as_i64(),
        host_name: text(cell(9)),
        row_count: cell(10).as_i64(),
        error_text: text(cell(11)),
    }
}

/// A cell as text; NULL as `None`.
pub fn text(value: &SqlValue) -> Option<String> {
    (!value.is_null()).then(|| value.to_string())
}

/// A timestamp cell as ISO 8601 UTC with milliseconds (`2026-01-31T12:00:00.000Z`).
pub fn iso_time(value: &SqlValue) -> Option<String> {
    match value {
        SqlValue::Timestamp(t) => Some(iso_utc(t.and_utc())),
        SqlValue::Null => None,
        other => Some(other.to_string()),
    }
}

/// A UTC time as ISO 8601 with milliseconds.
pub fn iso_utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Epoch seconds as ISO 8601 UTC.
pub fn iso_from_epoch(seconds: i64) -> Option<String> {
    DateTime::from_timestamp(seconds, 0).map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-10T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn filters_combine_and_last_limits_before_sorting() {
        let filter = HistoryFilter {
            days: Some(2),
            last: Some(5),
            status: Some("failed, STOPPED".into()),
            job: Some("Job_ExtractICON".into()),
            sort: Some("duration_sec".into()),
            order: Some("asc".into()),
        };
        let sql = filter.to_sql(now()).unwrap();
        assert!(
            sql.contains("start_time >= '2026-03-08 12:00:00.000'"),
            "{sql}"
        );
        assert!(sql.contains("status in ('FAILED', 'STOPPED')"), "{sql}");
        assert!(sql.contains("job_name = 'Job_ExtractICON'"), "{sql}");
        assert!(
            sql.contains("limit 5) h order by duration_sec asc"),
            "{sql}"
        );
    }

    #[test]
    fn bad_status_sort_and_order_are_refused() {
        for filter in [
            HistoryFilter {
                status: Some("DONE".into()),
                ..HistoryFilter::default()
            },
            HistoryFilter {
                sort: Some("1; drop table x".into()),
                ..HistoryFilter::default()
            },
            HistoryFilter {
                order: Some("up".into()),
                ..HistoryFilter::default()
            },
        ] {
            let error = filter.to_sql(now()).unwrap_err();
            assert_eq!(error.status, axum::http::StatusCode::BAD_REQUEST);
        }
    }
}
