//! Schema objects, fixed dimensions and the calendar of a new Info Mart.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use tidemark_plans::calendar::{calendar_batch, calendar_rows, date_time_key, sentinel_row};
use tidemark_schemas::{ddl, mart};
use tidemark_sinks::database::Database;

use super::InitSettings;
use crate::jobs::history::sql_text;
use crate::jobs::{JobError, JobOutcome};

/// Creates every Info Mart table, index and ADMIN_* view in one transaction.
pub async fn create_schema(db: &dyn Database, outcome: &mut JobOutcome) -> Result<(), JobError> {
    let dialect = db.dialect();
    let mut statements = Vec::new();
    for table in mart::tables() {
        statements.extend(ddl::create_table_with_indexes(table, dialect));
    }
    for view in mart::views() {
        statements.push(ddl::create_view(view, dialect));
    }
    db.execute_all(&statements).await?;
    outcome.say(format!(
        "created {} tables and {} views ({} statements)",
        mart::tables().len(),
        mart::views().len(),
        statements.len()
    ));
    Ok(())
}

async fn is_empty(db: &dyn Database, table: &str) -> Result<bool, JobError> {
    Ok(db.query_i64(&format!("select count(*) from {table}")).await? == 0)
}

/// Seeds every fixed dimension that is still empty; returns the rows written.
pub async fn seed_fixed_dimensions(
    db: &dyn Database,
    audit_key: i64,
    outcome: &mut JobOutcome,
) -> Result<i64, JobError> {
    let mut rows = 0;
    let mut tables = 0;
    for (table, batch) in mart::seed::seed_batches(audit_key) {
        if batch.num_rows() == 0 || !is_empty(db, &table.sql_name()).await? {
            continue;
        }
        rows += db.write_batch(table, &batch).await? as i64;
        tables += 1;
    }
    outcome.say(format!("seeded {rows} rows into {tables} fixed dimensions"));
    Ok(rows)
}

/// Fills DATE_TIME from 1 January of the start year up to the horizon, plus the sentinel
/// row, and records the calendar in CTL_CALENDAR_STATE. Returns the rows written and the
/// key range.
pub async fn populate_calendar(
    db: &dyn Database,
    settings: &InitSettings,
    audit_key: i64,
    outcome: &mut JobOutcome,
) -> Result<(i64, (i64, i64)), JobError> {
    let table = mart::table("DATE_TIME")
        .ok_or_else(|| JobError::Data("the Info Mart model has no DATE_TIME table".into()))?;
    let tz = settings.calendar.time_zone;
    let first_day = NaiveDate::from_ymd_opt(settings.calendar_start_year, 1, 1)
        .ok_or_else(|| JobError::Config(format!("[date-time] date-time-start-year: {} is not a valid year", settings.calendar_start_year)))?;
    let from = tz
        .from_local_datetime(&first_day.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or_else(|| first_day.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp());
    let horizon_day = Utc::now().date_naive() + Duration::days(settings.calendar_days_ahead + 1);
    let to = horizon_day.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp();
    let (from, to) = (date_time_key(from), date_time_key(to));
    if !is_empty(db, &table.sql_name()).await? {
        outcome.say("date_time already holds rows; calendar left as it is");
        return Ok((0, (from, to)));
    }
    let mut rows = calendar_rows(&settings.calendar, from, to);
    rows.push(sentinel_row(&settings.calendar));
    let batch = calendar_batch(table, &rows, audit_key).map_err(|e| JobError::Data(format!("date_time: {e}")))?;
    let written = db.write_batch(table, &batch).await? as i64;
    let now = Utc::now().timestamp();
    db.execute_all(&[
        format!("delete from ctl_calendar_state where table_name = {}", sql_text("DATE_TIME")),
        format!(
            "insert into ctl_calendar_state (table_name, section_name, option_fingerprint, min_key, max_key, updated_ts) \
             values ('DATE_TIME', 'date-time', {}, {from}, {}, {now})",
            sql_text(&settings.calendar.fingerprint()),
            to - 900
        ),
    ])
    .await?;
    outcome.say(format!(
        "populated date_time with {} rows ({} to {}, zone {}) plus the sentinel row",
        written - 1,
        first_day,
        horizon_day - Duration::days(1),
        tz.name()
    ));
    Ok((written, (from, to - 900)))
}
