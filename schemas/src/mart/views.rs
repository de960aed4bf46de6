//! The ADMIN_* views (operations.md §2.10). Their SELECT text runs unchanged on PostgreSQL and
//! SQLite: lower-case unquoted identifiers, standard functions only, and `unixepoch()` for the
//! current time — built into SQLite (3.38+) and created in PostgreSQL by
//! [`crate::ddl::create_view`].
//!
//! The latency and data-source views judge delays with the default thresholds of the options
//! named below; the management API, which knows the configured values, recomputes the status.

use crate::table::{TableDef, ViewDef};

use super::control;

/// `delayed-data-threshold` default (operations.md §1.2.3), seconds.
pub const DELAYED_DATA_THRESHOLD_SECS: i64 = 900;
/// `extract-data-stuck-threshold` default (operations.md §1.2.3), seconds.
pub const EXTRACT_DATA_STUCK_THRESHOLD_SECS: i64 = 28_860;
/// `etl-frequency` default (operations.md §1.1), seconds.
pub const ETL_FREQUENCY_SECS: i64 = 60;

/// Data-source types feeding each functional area (operations.md §8.3).
const AREA_SOURCES: &[(&str, i32)] = &[
    ("Configuration", 4),
    ("Voice", 1),
    ("Multimedia", 2),
    ("Resource activity", 1),
    ("Resource activity", 2),
    ("Media-neutral SM", 1),
    ("Media-neutral SM", 2),
    ("Outbound", 3),
];

/// Marks of each functional area as upper-case LIKE patterns over CTL_HWM.HWM_NAME:
/// transform marks (operations.md §8.3) and the aggregation marks of the hierarchies the
/// area's facts feed (§6.2).
const AREA_MARKS: &[(&str, &str, &str)] = &[
    ("Configuration", "transform", "TRANSFORM:GIDB_GC%"),
    ("Voice", "transform", "TRANSFORM:GIDB_G_IR_V"),
    ("Multimedia", "transform", "TRANSFORM:GIDB_G_IR_MM"),
    (
        "Resource activity",
        "transform",
        "TRANSFORM:GIDB_G_LOGIN_SESSION_V",
    ),
    (
        "Resource activity",
        "transform",
        "TRANSFORM:GIDB_G_LOGIN_SESSION_MM",
    ),
    (
        "Media-neutral SM",
        "transform",
        "TRANSFORM:SM_MEDIA_NEUTRAL_STATE_FACT",
    ),
    ("Outbound", "transform", "TRANSFORM:GIDB_GO_CHAIN"),
    ("Outbound", "transform", "TRANSFORM:GIDB_GO_CAMPAIGN"),
    ("Voice", "agg", "AGG:H_AGENT"),
    ("Voice", "agg", "AGG:H_I_AGENT"),
    ("Voice", "agg", "AGG:H_AGENT_GRP"),
    ("Voice", "agg", "AGG:H_AGENT_QUEUE"),
    ("Voice", "agg", "AGG:H_QUEUE"),
    ("Voice", "agg", "AGG:H_QUEUE_GRP"),
    ("Voice", "agg", "AGG:H_QUEUE_ABN"),
    ("Voice", "agg", "AGG:H_QUEUE_ACC_AGENT"),
    ("Voice", "agg", "AGG:H_ID"),
    ("Multimedia", "agg", "AGG:H_AGENT"),
    ("Multimedia", "agg", "AGG:H_I_AGENT"),
    ("Multimedia", "agg", "AGG:H_AGENT_GRP"),
    ("Multimedia", "agg", "AGG:H_AGENT_QUEUE"),
    ("Multimedia", "agg", "AGG:H_QUEUE"),
    ("Multimedia", "agg", "AGG:H_QUEUE_GRP"),
    ("Multimedia", "agg", "AGG:H_QUEUE_ABN"),
    ("Multimedia", "agg", "AGG:H_QUEUE_ACC_AGENT"),
    ("Multimedia", "agg", "AGG:H_ID"),
    ("Resource activity", "agg", "AGG:H_I_SESS_STATE"),
    ("Resource activity", "agg", "AGG:H_I_STATE_RSN"),
    ("Outbound", "agg", "AGG:H_AGENT_CAMPAGN"),
    ("Outbound", "agg", "AGG:H_CAMPAGN"),
];

/// `select <columns of table, prefixed by alias>`.
fn column_list(table: &TableDef, alias: &str) -> String {
    table
        .columns
        .iter()
        .map(|c| format!("{alias}.{}", c.sql_name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Constant rows as `select … union all select …`.
fn constant_rows(rows: impl Iterator<Item = String>) -> String {
    rows.map(|r| format!("select {r}"))
        .collect::<Vec<_>>()
        .join(" union all ")
}

fn admin_audit_log() -> ViewDef {
    let table = control::ctl_audit_log();
    ViewDef {
        name: "ADMIN_AUDIT_LOG".into(),
        doc: "CTL_AUDIT_LOG, all columns unchanged",
        select: format!("select {} from ctl_audit_log a", column_list(&table, "a")),
    }
}

fn admin_etl_job_history() -> ViewDef {
    ViewDef {
        name: "ADMIN_ETL_JOB_HISTORY".into(),
        doc: "one row per job execution: name, start, end, duration, status",
        select:
            "select job_id, job_name, job_version, status, start_time, end_time, duration_sec, \
                 trigger_type, error_text from ctl_etl_history"
                .into(),
    }
}

fn admin_extract_history() -> ViewDef {
    let table = control::ctl_extract_history();
    ViewDef {
        name: "ADMIN_EXTRACT_HISTORY".into(),
        doc: "one row per extracted chunk of a source table, with the data source name",
        select: format!(
            "select {}, d.ds_name from ctl_extract_history h \
             left join ctl_ds d on d.data_source_key = h.data_source_key",
            column_list(&table, "h")
        ),
    }
}

fn admin_etl_job_status() -> ViewDef {
    ViewDef {
        name: "ADMIN_ETL_JOB_STATUS".into(),
        doc: "per job: the latest run, the last successful end, and the scheduler state",
        select: "with latest as (\
                 select job_name, job_id, status, start_time, end_time, \
                 row_number() over (partition by job_name order by start_time desc, job_id desc) as rn \
                 from ctl_etl_history), \
                 success as (\
                 select job_name, max(end_time) as last_success_end_time from ctl_etl_history \
                 where status = 'COMPLETE' group by job_name), \
                 job as (\
                 select job_name from ctl_etl_history union select job_name from ctl_job_schedule) \
                 select j.job_name, l.job_id as last_job_id, l.status as last_status, \
                 l.start_time as last_start_time, l.end_time as last_end_time, \
                 s.last_success_end_time, c.next_scheduled_time, c.is_enabled \
                 from job j \
                 left join latest l on l.job_name = j.job_name and l.rn = 1 \
                 left join success s on s.job_name = j.job_name \
                 left join ctl_job_schedule c on c.job_name = j.job_name"
            .into(),
    }
}

fn admin_data_source_status() -> ViewDef {
    let active = format!(
        "(d.active_flag = 1 or d.last_data_ts >= c.now_ts - {EXTRACT_DATA_STUCK_THRESHOLD_SECS})"
    );
    ViewDef {
        name: "ADMIN_DATA_SOURCE_STATUS".into(),
        doc: "per data source: type, activity, extraction mark, seconds since it advanced, delayed/stuck flags",
        select: format!(
            "select d.data_source_key, d.ds_name, d.data_source_type, d.active_flag, d.last_data_ts, \
             m.extract_hwm_ts, c.now_ts - m.last_advance_ts as seconds_since_advance, \
             case when {active} then 1 else 0 end as is_active, \
             case when {active} and c.now_ts - coalesce(d.last_data_ts, 0) > {DELAYED_DATA_THRESHOLD_SECS} \
             then 1 else 0 end as delayed_flag, \
             case when c.now_ts - m.last_advance_ts > {EXTRACT_DATA_STUCK_THRESHOLD_SECS} \
             and d.last_data_ts > m.extract_hwm_ts then 1 else 0 end as stuck_flag \
             from ctl_ds d \
             cross join (select unixepoch() as now_ts) c \
             left join (\
             select x.data_source_key, min(h.hwm_value) as extract_hwm_ts, max(h.updated_ts) as last_advance_ts \
             from ctl_ds x join ctl_hwm h \
             on upper(h.hwm_name) like ('EXTRACT:' || cast(x.data_source_key as varchar(20)) || ':%') \
             group by x.data_source_key) m on m.data_source_key = d.data_source_key"
        ),
    }
}

/// Latencies and status per functional area (operations.md §8.3). An area whose sources are
/// active but that has no transform mark yet is at least as late as its extraction, so it is
/// STUCK once that is beyond the stuck threshold, else DELAYED.
fn admin_etl_latency() -> ViewDef {
    let sources = constant_rows(
        AREA_SOURCES
            .iter()
            .map(|(area, ty)| format!("'{area}', {ty}")),
    );
    let marks = constant_rows(
        AREA_MARKS
            .iter()
            .map(|(area, kind, pattern)| format!("'{area}', '{kind}', '{pattern}'")),
    );
    let ok_secs = DELAYED_DATA_THRESHOLD_SECS + ETL_FREQUENCY_SECS;
    ViewDef {
        name: "ADMIN_ETL_LATENCY".into(),
        doc: "per functional area: extraction, transform and aggregation marks, latencies and status",
        select: format!(
            "with area_source (functional_area, data_source_type) as ({sources}), \
             area_mark (functional_area, mark_kind, mark_pattern) as ({marks}), \
             area (functional_area) as (\
             select functional_area from area_source union select functional_area from area_mark), \
             extract_state as (\
             select a.functional_area, \
             min(case when s.is_active = 1 then s.extract_hwm_ts end) as extract_hwm_ts, \
             sum(s.is_active) as active_sources, \
             max(case when s.is_active = 1 then s.stuck_flag else 0 end) as any_stuck \
             from area_source a join admin_data_source_status s on s.data_source_type = a.data_source_type \
             group by a.functional_area), \
             mark_state as (\
             select m.functional_area, \
             min(case when m.mark_kind = 'transform' then h.hwm_value end) as transform_hwm_ts, \
             min(case when m.mark_kind = 'agg' then h.hwm_value end) as agg_hwm_ts \
             from area_mark m join ctl_hwm h on upper(h.hwm_name) like m.mark_pattern \
             group by m.functional_area) \
             select a.functional_area, e.extract_hwm_ts, t.transform_hwm_ts, t.agg_hwm_ts, \
             c.now_ts - e.extract_hwm_ts as extract_latency_sec, \
             c.now_ts - t.transform_hwm_ts as transform_latency_sec, \
             case when t.agg_hwm_ts is null then 0 else c.now_ts - t.agg_hwm_ts end as agg_latency_sec, \
             case when coalesce(e.active_sources, 0) = 0 then 'IDLE' \
             when e.any_stuck = 1 then 'STUCK' \
             when t.transform_hwm_ts is null and c.now_ts - e.extract_hwm_ts > {EXTRACT_DATA_STUCK_THRESHOLD_SECS} then 'STUCK' \
             when t.transform_hwm_ts is null then 'DELAYED' \
             when c.now_ts - t.transform_hwm_ts <= {ok_secs} then 'OK' \
             when c.now_ts - t.transform_hwm_ts <= {EXTRACT_DATA_STUCK_THRESHOLD_SECS} then 'DELAYED' \
             else 'STUCK' end as status \
             from area a \
             cross join (select unixepoch() as now_ts) c \
             left join extract_state e on e.functional_area = a.functional_area \
             left join mark_state t on t.functional_area = a.functional_area"
        ),
    }
}

/// The ADMIN_* views in creation order (ADMIN_ETL_LATENCY reads ADMIN_DATA_SOURCE_STATUS).
pub fn views() -> Vec<ViewDef> {
    vec![
        admin_audit_log(),
        admin_etl_job_history(),
        admin_extract_history(),
        admin_etl_job_status(),
        admin_data_source_status(),
        admin_etl_latency(),
    ]
}
