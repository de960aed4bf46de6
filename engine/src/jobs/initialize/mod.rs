//! Job_InitializeGIM (operations.md §7.1): creates the Info Mart schema, seeds the fixed
//! dimensions and the calendar, creates the first partitions, records CTL_SCHEMA_INFO, and
//! makes sure every configured IDB has the indexes extraction needs.
//!
//! Each step is idempotent on its own (tables `if not exists`, a seed only into an empty
//! table, partitions `if not exists`), and CTL_SCHEMA_INFO is written last, so a run killed
//! half-way is completed by the next one. A run on an initialized Info Mart changes nothing
//! there and says so.

mod idb_indexes;
pub mod partitions;
mod schema;

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use tidemark_plans::calendar::CalendarRules;
use tidemark_schemas::ddl::Dialect;
use tidemark_sinks::database::{Database, DatabaseError};

use super::audit::{self, AuditEntry};
use super::history::sql_text;
use super::{names, Job, JobContext, JobError, JobOutcome};
use crate::config::Config;

pub use partitions::{partition_ranges, PartitionPlan};

/// Job_InitializeGIM.
pub struct InitializeGim;

/// One calendar table to fill (`[date-time]` or a `[date-time-<name>]` section).
#[derive(Debug, Clone)]
pub struct CalendarSettings {
    /// Section the calendar comes from (`date-time`, `date-time-fiscal`).
    pub section: String,
    /// Physical table name (`date-time-table-name`), upper case.
    pub table_name: String,
    /// Structural rules of the calendar.
    pub rules: CalendarRules,
    /// First calendar year (`date-time-start-year`).
    pub start_year: i32,
    /// Horizon in days (`date-time-max-days-ahead`).
    pub days_ahead: i64,
}

/// What initialization needs from the configuration, read in one place.
#[derive(Debug, Clone)]
pub struct InitSettings {
    /// Every configured calendar, the default DATE_TIME first.
    pub calendars: Vec<CalendarSettings>,
    /// First day partitions cover (`etl-start-date`, else today).
    pub partitions_from: NaiveDate,
    /// Partitions ahead of today, in days (`partitioning-ahead-range`).
    pub partitions_days_ahead: i64,
    /// Partition width in seconds (`partitioning-interval-size-gim`).
    pub partition_width_secs: i64,
}

impl InitSettings {
    /// Reads the settings from the configuration, as of `now`.
    pub fn from_config(config: &Config, now: DateTime<Utc>) -> Result<Self, JobError> {
        let etl_start = config.gim_etl.etl_start_date;
        let calendars = config
            .all_calendars()
            .map(|(section, dt)| {
                let time_zone = dt
                    .date_time_tz
                    .parse()
                    .map_err(|e| JobError::Config(format!("[{section}] date-time-tz: {e}")))?;
                Ok(CalendarSettings {
                    table_name: dt.date_time_table_name.to_ascii_uppercase(),
                    rules: CalendarRules {
                        time_zone,
                        first_day_of_week: dt.first_day_of_week,
                        simple_week_1_rules: dt.simple_week_1_rules,
                        minimal_days_in_first_week: dt.minimal_days_in_first_week,
                    },
                    start_year: dt
                        .date_time_start_year
                        .or(etl_start.map(|d| d.year()))
                        .unwrap_or(now.year() - 1),
                    days_ahead: dt.date_time_max_days_ahead as i64,
                    section,
                })
            })
            .collect::<Result<Vec<_>, JobError>>()?;
        Ok(InitSettings {
            calendars,
            partitions_from: etl_start.unwrap_or(now.date_naive()),
            partitions_days_ahead: config.gim_etl.partitioning_ahead_range as i64,
            partition_width_secs: config.gim_etl.partitioning_interval_size_gim as i64,
        })
    }
}

/// Whether the Info Mart has been initialized (CTL_SCHEMA_INFO holds the INFOMART row).
pub async fn is_initialized(db: &dyn Database) -> Result<bool, DatabaseError> {
    if !db.table_exists("ctl_schema_info").await? {
        return Ok(false);
    }
    let n = db
        .query_i64("select count(*) from ctl_schema_info where schema_name = 'INFOMART'")
        .await?;
    Ok(n > 0)
}

#[async_trait]
impl Job for InitializeGim {
    fn name(&self) -> &'static str {
        names::INITIALIZE
    }

    async fn run(&self, ctx: &JobContext) -> Result<JobOutcome, JobError> {
        let db = ctx.infomart.as_ref();
        let mut outcome = JobOutcome::default();
        if is_initialized(db).await? {
            let version = db
                .query_strings(
                    "select schema_version from ctl_schema_info where schema_name = 'INFOMART'",
                )
                .await?;
            outcome.say(format!(
                "the Info Mart is already initialized (schema version {}); nothing to change",
                version.first().map(String::as_str).unwrap_or("?")
            ));
        } else {
            let settings = InitSettings::from_config(&ctx.config, Utc::now())?;
            initialize_infomart(ctx, &settings, &mut outcome).await?;
        }
        idb_indexes::ensure_idb_indexes(&ctx.config, &ctx.cancel, &mut outcome).await?;
        Ok(outcome)
    }
}

async fn initialize_infomart(
    ctx: &JobContext,
    settings: &InitSettings,
    outcome: &mut JobOutcome,
) -> Result<(), JobError> {
    let db = ctx.infomart.as_ref();
    let dialect = db.dialect();
    schema::create_schema(db, settings, outcome).await?;
    check_cancel(ctx)?;
    let audit_key = audit::next_audit_key(db).await?;
    let seeded = schema::seed_fixed_dimensions(db, audit_key, outcome).await?;
    check_cancel(ctx)?;
    let mut calendar_rows = 0;
    let mut calendar_range = (i64::MAX, i64::MIN);
    for calendar in &settings.calendars {
        let (rows, (lo, hi)) = schema::populate_calendar(db, calendar, audit_key, outcome).await?;
        calendar_rows += rows;
        calendar_range = (calendar_range.0.min(lo), calendar_range.1.max(hi));
    }
    check_cancel(ctx)?;
    if dialect == Dialect::Postgres {
        partitions::create_partitions(db, settings, outcome).await?;
    }
    let entry = AuditEntry {
        min_start_date_time_key: calendar_range.0,
        max_start_date_time_key: calendar_range.1,
        row_count: seeded + calendar_rows,
        ..AuditEntry::default()
    };
    let partitioned = i32::from(dialect == Dialect::Postgres);
    let finish = vec![
        audit::insert_sql(audit_key, &ctx.job_id, &entry),
        format!(
            "insert into ctl_schema_info (schema_name, schema_version, migration_state, applied_ts, \
             applied_by_job_id, partitioned, multi_language, sentinel_date_time_key) \
             values ('INFOMART', {}, 'CURRENT', {}, {}, {partitioned}, 1, {})",
            sql_text(tidemark_schemas::INFOMART_SCHEMA_VERSION),
            Utc::now().timestamp(),
            sql_text(&ctx.job_id),
            tidemark_schemas::SENTINEL_DATE_TIME_KEY
        ),
    ];
    db.execute_all(&finish).await?;
    outcome.row_count = entry.row_count;
    outcome.changed = true;
    outcome.say(format!(
        "recorded schema version {} ({}) in ctl_schema_info",
        tidemark_schemas::INFOMART_SCHEMA_VERSION,
        if partitioned == 1 {
            "partitioned"
        } else {
            "unpartitioned"
        }
    ));
    Ok(())
}

fn check_cancel(ctx: &JobContext) -> Result<(), JobError> {
    if ctx.cancel.is_cancelled() {
        Err(JobError::Stopped)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
