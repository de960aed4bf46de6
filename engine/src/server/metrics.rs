//! `/metrics` in the Prometheus text format: job runs and durations, rows per job, the
//! runs in progress, latency per functional area and every high-water mark.

use std::fmt::Write;

use tidemark_sinks::database::{Database, DatabaseError};

use super::latency::{EtlStatus, Mark};
use crate::jobs::control::ActiveRun;

/// Totals of one job and status over CTL_ETL_HISTORY.
#[derive(Debug, Clone, PartialEq)]
pub struct JobTotals {
    /// Job name.
    pub job_name: String,
    /// Run status.
    pub status: String,
    /// Runs.
    pub runs: i64,
    /// Sum of DURATION_SEC.
    pub duration_sec: i64,
    /// Sum of ROW_COUNT.
    pub rows: i64,
}

/// The newest finished run of one job.
#[derive(Debug, Clone, PartialEq)]
pub struct LastRun {
    /// Job name.
    pub job_name: String,
    /// DURATION_SEC.
    pub duration_sec: i64,
    /// ROW_COUNT.
    pub rows: i64,
    /// END_TIME as epoch seconds.
    pub end_ts: i64,
}

/// Per job and status totals, and the newest finished run of each job.
pub async fn read_job_figures(
    db: &dyn Database,
) -> Result<(Vec<JobTotals>, Vec<LastRun>), DatabaseError> {
    if !db.table_exists("ctl_etl_history").await? {
        return Ok((Vec::new(), Vec::new()));
    }
    let totals = db
        .query(
            "select job_name, status, count(*), sum(coalesce(duration_sec, 0)), \
             sum(coalesce(row_count, 0)) from ctl_etl_history group by job_name, status \
             order by job_name, status",
        )
        .await?
        .iter()
        .map(|r| JobTotals {
            job_name: r[0].to_string(),
            status: r[1].to_string(),
            runs: r[2].as_i64().unwrap_or_default(),
            duration_sec: r[3].as_i64().unwrap_or_default(),
            rows: r[4].as_i64().unwrap_or_default(),
        })
        .collect();
    let last = db
        .query(
            "select job_name, coalesce(duration_sec, 0), coalesce(row_count, 0), created_ts + \
             coalesce(duration_sec, 0) from (select job_name, duration_sec, row_count, created_ts, \
             row_number() over (partition by job_name order by start_time desc, job_id desc) as rn \
             from ctl_etl_history where end_time is not null) h where rn = 1 order by job_name",
        )
        .await?
        .iter()
        .map(|r| LastRun {
            job_name: r[0].to_string(),
            duration_sec: r[1].as_i64().unwrap_or_default(),
            rows: r[2].as_i64().unwrap_or_default(),
            end_ts: r[3].as_i64().unwrap_or_default(),
        })
        .collect();
    Ok((totals, last))
}

/// Everything `/metrics` shows.
pub struct Figures<'a> {
    /// Per job and status totals.
    pub totals: &'a [JobTotals],
    /// Newest finished run per job.
    pub last: &'a [LastRun],
    /// Runs in progress or queued.
    pub active: &'a [ActiveRun],
    /// Latency per area.
    pub status: &'a EtlStatus,
    /// CTL_HWM.
    pub marks: &'a [Mark],
}

/// Renders the figures in the Prometheus text exposition format.
pub fn render(figures: &Figures) -> String {
    let mut out = String::new();
    family(
        &mut out,
        "tidemark_job_runs_total",
        "counter",
        "Job runs recorded in CTL_ETL_HISTORY.",
    );
    for t in figures.totals {
        sample(
            &mut out,
            "tidemark_job_runs_total",
            &[("job", &t.job_name), ("status", &t.status)],
            t.runs,
        );
    }
    family(
        &mut out,
        "tidemark_job_duration_seconds_total",
        "counter",
        "Summed DURATION_SEC of the recorded runs.",
    );
    for t in figures.totals {
        sample(
            &mut out,
            "tidemark_job_duration_seconds_total",
            &[("job", &t.job_name), ("status", &t.status)],
            t.duration_sec,
        );
    }
    family(
        &mut out,
        "tidemark_job_rows_total",
        "counter",
        "Summed ROW_COUNT of the recorded runs.",
    );
    for t in figures.totals {
        sample(
            &mut out,
            "tidemark_job_rows_total",
            &[("job", &t.job_name), ("status", &t.status)],
            t.rows,
        );
    }
    family(
        &mut out,
        "tidemark_job_last_duration_seconds",
        "gauge",
        "Duration of the newest finished run.",
    );
    for l in figures.last {
        sample(
            &mut out,
            "tidemark_job_last_duration_seconds",
            &[("job", &l.job_name)],
            l.duration_sec,
        );
    }
    family(
        &mut out,
        "tidemark_job_last_rows",
        "gauge",
        "Rows processed by the newest finished run.",
    );
    for l in figures.last {
        sample(
            &mut out,
            "tidemark_job_last_rows",
            &[("job", &l.job_name)],
            l.rows,
        );
    }
    family(
        &mut out,
        "tidemark_job_last_end_timestamp_seconds",
        "gauge",
        "End of the newest finished run.",
    );
    for l in figures.last {
        sample(
            &mut out,
            "tidemark_job_last_end_timestamp_seconds",
            &[("job", &l.job_name)],
            l.end_ts,
        );
    }
    family(
        &mut out,
        "tidemark_job_active",
        "gauge",
        "Runs scheduled or running now.",
    );
    for run in figures.active {
        sample(
            &mut out,
            "tidemark_job_active",
            &[("job", &run.job_name), ("status", run.status.as_str())],
            1,
        );
    }
    family(
        &mut out,
        "tidemark_etl_latency_seconds",
        "gauge",
        "Latency per functional area (operations.md 8.3).",
    );
    for area in &figures.status.areas {
        if let Some(latency) = area.latency_sec {
            sample(
                &mut out,
                "tidemark_etl_latency_seconds",
                &[("area", &area.area)],
                latency,
            );
        }
    }
    family(
        &mut out,
        "tidemark_etl_area_status",
        "gauge",
        "1 for the current status of each functional area.",
    );
    for area in &figures.status.areas {
        sample(
            &mut out,
            "tidemark_etl_area_status",
            &[("area", &area.area), ("status", &area.status)],
            1,
        );
    }
    family(
        &mut out,
        "tidemark_hwm_value",
        "gauge",
        "Current high-water marks (CTL_HWM.HWM_VALUE).",
    );
    for mark in figures.marks {
        sample(
            &mut out,
            "tidemark_hwm_value",
            &[("name", &mark.name)],
            mark.value,
        );
    }
    family(
        &mut out,
        "tidemark_hwm_updated_timestamp_seconds",
        "gauge",
        "When each mark last advanced.",
    );
    for mark in figures.marks {
        sample(
            &mut out,
            "tidemark_hwm_updated_timestamp_seconds",
            &[("name", &mark.name)],
            mark.updated_ts,
        );
    }
    out
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: i64) {
    let labels: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    let _ = writeln!(out, "{name}{{{}}} {value}", labels.join(","));
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_labelled_samples() {
        let status = EtlStatus {
            now_ts: 0,
            areas: Vec::new(),
            sources: Vec::new(),
        };
        let totals = [JobTotals {
            job_name: "Job_InitializeGIM".into(),
            status: "COMPLETE".into(),
            runs: 2,
            duration_sec: 7,
            rows: 40,
        }];
        let marks = [Mark {
            name: "extract:1:\"G_CALL\"".into(),
            value: 5,
            updated_ts: 6,
        }];
        let text = render(&Figures {
            totals: &totals,
            last: &[],
            active: &[],
            status: &status,
            marks: &marks,
        });
        assert!(text
            .contains("tidemark_job_runs_total{job=\"Job_InitializeGIM\",status=\"COMPLETE\"} 2"));
        assert!(text
            .contains("tidemark_job_rows_total{job=\"Job_InitializeGIM\",status=\"COMPLETE\"} 40"));
        assert!(text.contains("tidemark_hwm_value{name=\"extract:1:\\\"G_CALL\\\"\"} 5"));
        assert!(text.contains("# TYPE tidemark_etl_latency_seconds gauge"));
    }
}
