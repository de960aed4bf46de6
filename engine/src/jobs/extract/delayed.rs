//! `delayed-data-threshold` (event 55-20110): an active data source that delivered no new
//! data for longer than the threshold is reported with the tables expected to deliver.

use tidemark_sinks::database::Database;
use tracing::warn;

use super::task::TableReport;
use super::JobError;

/// Event number Info Mart logs for delayed data.
pub const DELAYED_DATA_EVENT: u32 = 55_20110;

/// Checks every source extracted in this run against CTL_DS.LAST_DATA_TS and returns one
/// message per delayed source (also logged as a warning).
pub async fn check(
    db: &dyn Database,
    reports: &[TableReport],
    now: i64,
    threshold: i64,
) -> Result<Vec<String>, JobError> {
    let mut keys: Vec<i32> = reports.iter().map(|r| r.data_source_key).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut messages = Vec::new();
    for key in keys {
        let last = db
            .query_opt_i64(&format!(
                "select last_data_ts from ctl_ds where data_source_key = {key} and active_flag = 1"
            ))
            .await?;
        let Some(last) = last else { continue };
        if now - last <= threshold {
            continue;
        }
        let quiet: Vec<&str> = reports
            .iter()
            .filter(|r| r.data_source_key == key && r.rows == 0)
            .map(|r| r.table.as_str())
            .collect();
        let source = reports
            .iter()
            .find(|r| r.data_source_key == key)
            .map(|r| r.source.clone())
            .unwrap_or_default();
        let message = format!(
            "55-20110 delayed data: {source} (DATA_SOURCE_KEY {key}) has delivered no new data for {} s \
             (delayed-data-threshold {threshold} s); tables expected to deliver: {}",
            now - last,
            quiet.join(", ")
        );
        warn!(event = DELAYED_DATA_EVENT, "{message}");
        messages.push(message);
    }
    Ok(messages)
}
