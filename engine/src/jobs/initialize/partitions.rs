//! First partitions of a PostgreSQL Info Mart (operations.md §5.3): range partitions of
//! every partitioned table from `etl-start-date` to now + `partitioning-ahead-range`, with
//! bounds aligned to multiples of `partitioning-interval-size-gim` since the epoch.

use chrono::{Duration, NaiveDate, Utc};
use tidemark_schemas::{ddl, mart};
use tidemark_sinks::database::Database;

use super::InitSettings;
use crate::jobs::history::sql_text;
use crate::jobs::{JobError, JobOutcome};

/// The partition ranges `[low, high)` to create, in epoch seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionPlan {
    /// Ranges in ascending order.
    pub ranges: Vec<(i64, i64)>,
}

/// Ranges of width `width` covering `[from_day, today + days_ahead]`.
pub fn partition_ranges(
    from_day: NaiveDate,
    today: NaiveDate,
    days_ahead: i64,
    width: i64,
) -> PartitionPlan {
    let width = width.max(900);
    let start = from_day
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp();
    let end = (today + Duration::days(days_ahead + 1))
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp();
    let mut low = start - start.rem_euclid(width);
    let mut ranges = Vec::new();
    while low < end {
        ranges.push((low, low + width));
        low += width;
    }
    PartitionPlan { ranges }
}

/// Creates the partitions and records them in CTL_PARTITION_INFO, in one transaction.
pub async fn create_partitions(
    db: &dyn Database,
    settings: &InitSettings,
    outcome: &mut JobOutcome,
) -> Result<(), JobError> {
    let plan = partition_ranges(
        settings.partitions_from,
        Utc::now().date_naive(),
        settings.partitions_days_ahead,
        settings.partition_width_secs,
    );
    let known = db
        .query_strings("select partition_name from ctl_partition_info")
        .await?;
    let tables = mart::tables()
        .iter()
        .filter(|t| t.partition_key.is_some())
        .count();
    let statements = partition_statements(&plan.ranges, &known, true);
    db.execute_all(&statements).await?;
    outcome.say(format!(
        "created {} partitions on each of {tables} partitioned tables (from {} to today + {} days)",
        plan.ranges.len(),
        settings.partitions_from,
        settings.partitions_days_ahead
    ));
    Ok(())
}

/// Statements creating the partitions of every partitioned table for `ranges` and listing
/// them in CTL_PARTITION_INFO; partitions named in `known` are skipped unless `recreate`
/// (`create … if not exists` makes re-creating harmless).
fn partition_statements(ranges: &[(i64, i64)], known: &[String], recreate: bool) -> Vec<String> {
    let now = Utc::now().timestamp();
    let mut statements = Vec::new();
    for table in mart::tables().iter().filter(|t| t.partition_key.is_some()) {
        for &(low, high) in ranges {
            let name = ddl::partition_name(table, low);
            let is_known = known.contains(&name);
            if is_known && !recreate {
                continue;
            }
            statements.push(ddl::create_partition(table, low, high));
            if !is_known {
                statements.push(format!(
                    "insert into ctl_partition_info (table_name, partition_name, low_key, high_key, created_ts) \
                     values ({}, {}, {low}, {high}, {now})",
                    sql_text(&table.name),
                    sql_text(&name)
                ));
            }
        }
    }
    statements
}

/// Statements creating the partitions a write of facts starting in `[low_key, high_key]`
/// needs and that do not exist yet (none for an unpartitioned Info Mart), to run in the
/// writing transaction: a backlog older than the first partitions still finds its place.
pub async fn missing_partitions(
    db: &dyn Database,
    width: i64,
    low_key: i64,
    high_key: i64,
) -> Result<Vec<String>, JobError> {
    if db.dialect() != tidemark_schemas::Dialect::Postgres {
        return Ok(Vec::new());
    }
    let width = width.max(900);
    let mut ranges = Vec::new();
    let mut low = low_key - low_key.rem_euclid(width);
    while low <= high_key {
        ranges.push((low, low + width));
        low += width;
    }
    let known = db
        .query_strings("select partition_name from ctl_partition_info")
        .await?;
    Ok(partition_statements(&ranges, &known, false))
}
