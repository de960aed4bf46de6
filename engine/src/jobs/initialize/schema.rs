//! Schema objects, fixed dimensions and the calendar of a new Info Mart.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use tidemark_plans::calendar::{calendar_batch, calendar_rows, date_time_key, sentinel_row};
use tidemark_schemas::{ddl, mart};
use tidemark_sinks::database::Database;

use tidemark_schemas::TableDef;

use super::{CalendarSettings, InitSettings};
use crate::jobs::history::sql_text;
use crate::jobs::{JobError, JobOutcome};

/// The table of a calendar: DATE_TIME itself, or a custom calendar with its structure.
fn calendar_table(calendar: &CalendarSettings) -> Result<TableDef, JobError> {
    let mut table = mart::table("DATE_TIME")
        .ok_or_else(|| JobError::Data("the Info Mart model has no DATE_TIME table".into()))?
        .clone();
    if table.name != calendar.table_name {
        let old = table.sql_name();
        table.name = calendar.table_name.clone();
        let new = table.sql_name();
        for ix in &mut table.indexes {
            ix.name = ix.name.replacen(&old, &new, 1);
        }
    }
    Ok(table)
}

/// Creates every Info Mart table, index and ADMIN_* view, and the tables of custom
/// calendars, in one transaction.
pub async fn create_schema(
    db: &dyn Database,
    settings: &InitSettings,
    outcome: &mut JobOutcome,
) -> Result<(), JobError> {
    let dialect = db.dialect();
    let mut statements = Vec::new();
    for table in mart::tables() {
        statements.extend(ddl::create_table_with_indexes(table, dialect));
    }
    for calendar in settings
        .calendars
        .iter()
        .filter(|c| c.table_name != "DATE_TIME")
    {
        statements.extend(ddl::create_table_with_indexes(
            &calendar_table(calendar)?,
            dialect,
        ));
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
    Ok(db
        .query_i64(&format!("select count(*) from {table}"))
        .await?
        == 0)
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

/// Fills a calendar table from 1 January of its start year up to its horizon, plus the
/// sentinel row, and records it in CTL_CALENDAR_STATE. Returns the rows written and the key
/// range.
pub async fn populate_calendar(
    db: &dyn Database,
    calendar: &CalendarSettings,
    audit_key: i64,
    outcome: &mut JobOutcome,
) -> Result<(i64, (i64, i64)), JobError> {
    let table = &calendar_table(calendar)?;
    let tz = calendar.rules.time_zone;
    let first_day = NaiveDate::from_ymd_opt(calendar.start_year, 1, 1).ok_or_else(|| {
        JobError::Config(format!(
            "[{}] date-time-start-year: {} is not a valid year",
            calendar.section, calendar.start_year
        ))
    })?;
    let from = tz
        .from_local_datetime(&first_day.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or_else(|| {
            first_day
                .and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_utc()
                .timestamp()
        });
    let horizon_day = Utc::now().date_naive() + Duration::days(calendar.days_ahead + 1);
    let to = horizon_day
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp();
    let (from, to) = (date_time_key(from), date_time_key(to));
    if !is_empty(db, &table.sql_name()).await? {
        let sentinel = tidemark_schemas::SENTINEL_DATE_TIME_KEY;
        let name = table.sql_name();
        let (lo, hi) = (
            db.query_i64(&format!("select min(date_time_key) from {name}"))
                .await?,
            db.query_i64(&format!(
                "select max(date_time_key) from {name} where date_time_key < {sentinel}"
            ))
            .await?,
        );
        let known = db
            .query_i64(&format!(
                "select count(*) from ctl_calendar_state where table_name = {}",
                sql_text(&table.name)
            ))
            .await?;
        if known == 0 {
            record_calendar_state(db, &table.name, calendar, lo, hi).await?;
        }
        outcome.say(format!("{name} already holds rows; calendar left as it is"));
        return Ok((0, (lo, hi)));
    }
    let mut rows = calendar_rows(&calendar.rules, from, to);
    rows.push(sentinel_row(&calendar.rules));
    let batch = calendar_batch(table, &rows, audit_key)
        .map_err(|e| JobError::Data(format!("{}: {e}", table.sql_name())))?;
    let written = db.write_batch(table, &batch).await? as i64;
    record_calendar_state(db, &table.name, calendar, from, to - 900).await?;
    outcome.say(format!(
        "populated {} with {} rows ({} to {}, zone {}) plus the sentinel row",
        table.sql_name(),
        written - 1,
        first_day,
        horizon_day - Duration::days(1),
        tz.name()
    ));
    Ok((written, (from, to - 900)))
}

/// Records a calendar's key range and the fingerprint of its structural options.
async fn record_calendar_state(
    db: &dyn Database,
    table_name: &str,
    calendar: &CalendarSettings,
    min_key: i64,
    max_key: i64,
) -> Result<(), JobError> {
    let now = Utc::now().timestamp();
    db.execute_all(&[
        format!("delete from ctl_calendar_state where table_name = {}", sql_text(table_name)),
        format!(
            "insert into ctl_calendar_state (table_name, section_name, option_fingerprint, min_key, max_key, updated_ts) \
             values ({}, {}, {}, {min_key}, {max_key}, {now})",
            sql_text(table_name),
            sql_text(&calendar.section),
            sql_text(&calendar.rules.fingerprint()),
        ),
    ])
    .await?;
    Ok(())
}
