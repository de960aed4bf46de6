//! Job_ExtractICON: incremental extraction of every IDB into GIDB (idb.md §5).
//!
//! Per HA set of DAPs, the job reads the ICON session information of each IDB, registers
//! the original data sources in CTL_DS, and extracts every table of every source in windows
//! `(mark, mark + extract-data-chunk-size]` up to the source's availability bound: each
//! window from the IDB that covers it ([`choice`]), read by connectorx, written to GIDB as
//! Parquet, then committed with its CTL_AUDIT_LOG, CTL_EXTRACT_HISTORY and CTL_HWM rows
//! ([`commit`]). Tables and sources run in parallel on `extract-data-thread-pool-size`
//! workers; connections per IDB are capped by `extract-data-max-conn`.

mod choice;
mod commit;
mod delayed;
pub mod merge_stage;
mod plan;
mod rows;
mod sessions;
mod summary;
mod task;

use std::sync::atomic::AtomicI64;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tidemark_sinks::gidb::GidbStore;
use tracing::Instrument;

use super::audit::next_audit_key;
use super::{names, Job, JobContext, JobError, JobOutcome};
use crate::config::{Config, GidbLocation};
use choice::Clock;
use task::Shared;

pub use commit::{current_mark, mark_name};
pub(crate) use plan::window_rule;
pub use plan::{range_queries, RangeQuery};
pub use sessions::SourceId;

/// Job_ExtractICON.
pub struct ExtractIcon;

#[async_trait]
impl Job for ExtractIcon {
    fn name(&self) -> &'static str {
        names::EXTRACT
    }

    async fn run(&self, ctx: &JobContext) -> Result<JobOutcome, JobError> {
        let config = &ctx.config;
        let etl = &config.gim_etl;
        let gidb = open_gidb(config)?;
        let now = reference_now()?;
        let sets = plan::open_sets(config)
            .instrument(tracing::debug_span!("open_idbs"))
            .await?;
        let tables = plan::table_plans(ctx.infomart.as_ref(), config, &sets).await?;
        let mut voice_keys: Vec<i32> = tables
            .iter()
            .filter(|p| p.source.ds_type == 1)
            .map(|p| p.data_source_key)
            .collect();
        voice_keys.sort_unstable();
        voice_keys.dedup();
        let shared = Arc::new(Shared {
            infomart: Arc::clone(&ctx.infomart),
            gidb: gidb.clone(),
            next_audit_key: AtomicI64::new(next_audit_key(ctx.infomart.as_ref()).await?),
            commits: commit::GroupCommit::new(Arc::clone(&ctx.infomart)),
            clock: Clock {
                now,
                max_time_deviation: etl.max_time_deviation.into(),
                stuck_threshold: etl.extract_data_stuck_threshold.into(),
            },
            initial_mark: etl
                .etl_start_date
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc().timestamp() - 1)
                .unwrap_or(0),
            cancel: ctx.cancel.child_token(),
            job_id: ctx.job_id.clone(),
        });
        let bars = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{prefix:>40} [{bar:30}] {percent:>3}% {msg}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        let workers = etl.extract_data_thread_pool_size.max(1) as usize;
        let results: Vec<Result<task::TableReport, JobError>> = stream::iter(tables)
            .map(|plan| {
                let bar = bars.add(ProgressBar::new(0).with_style(style.clone()));
                bar.set_prefix(format!("{} {}", plan.set.name, plan.folder));
                bar.set_message(plan.source.describe());
                let shared = Arc::clone(&shared);
                async move {
                    let result = task::run(plan, Arc::clone(&shared), bar).await;
                    if matches!(&result, Err(e) if !matches!(e, JobError::Stopped)) {
                        // One failed table fails the job: the others stop at their next
                        // window instead of each waiting on an IDB that is gone.
                        shared.cancel.cancel();
                    }
                    result
                }
            })
            .buffer_unordered(workers)
            .collect()
            .await;
        let mut reports = Vec::new();
        let mut errors = Vec::new();
        let mut stopped = 0;
        for result in results {
            match result {
                Ok(report) => reports.push(report),
                Err(JobError::Stopped) if ctx.cancel.is_cancelled() => {
                    return Err(JobError::Stopped)
                }
                Err(JobError::Stopped) => stopped += 1,
                Err(e) => errors.push(e.to_string()),
            }
        }
        let delayed = delayed::check(
            ctx.infomart.as_ref(),
            &reports,
            now,
            etl.delayed_data_threshold.into(),
        )
        .await?;
        if !errors.is_empty() {
            return Err(JobError::Data(format!(
                "{} of {} table extractions failed ({stopped} stopped early): {}",
                errors.len(),
                errors.len() + stopped + reports.len(),
                errors.join("; ")
            )));
        }
        let sets: Vec<_> = sets.into_iter().map(|(set, _)| set).collect();
        let merged = merge_stage::run(
            ctx.infomart.as_ref(),
            &gidb,
            &sets,
            &voice_keys,
            etl.merge_failed_is_link_timeout.into(),
            etl.max_call_duration.into(),
            &ctx.job_id,
        )
        .await?;
        Ok(summary::outcome(&reports, &delayed, &merged))
    }
}

/// Environment variable naming the time (RFC 3339) extraction treats as now, for replaying
/// an IDB that holds past activity: data after it counts as not yet written.
pub const AS_OF_VAR: &str = "TIDEMARK_AS_OF";

/// Now, or the time [`AS_OF_VAR`] names (epoch seconds).
fn reference_now() -> Result<i64, JobError> {
    match std::env::var(AS_OF_VAR) {
        Ok(text) if !text.trim().is_empty() => DateTime::parse_from_rfc3339(text.trim())
            .map(|t| t.timestamp())
            .map_err(|e| {
                JobError::Config(format!("{AS_OF_VAR}={text}: not an RFC 3339 time: {e}"))
            }),
        _ => Ok(Utc::now().timestamp()),
    }
}

impl From<crate::sources::idb::SourceError> for JobError {
    fn from(e: crate::sources::idb::SourceError) -> Self {
        JobError::Data(e.to_string())
    }
}

/// Opens the GIDB store the configuration names.
pub fn open_gidb(config: &Config) -> Result<GidbStore, JobError> {
    let location = config
        .gidb
        .location()
        .map_err(|e| JobError::Config(format!("[gidb] url: {e}")))?;
    match location {
        GidbLocation::Local(path) => GidbStore::local(&path),
        GidbLocation::ObjectStore { url, .. } => GidbStore::from_url(&url),
    }
    .map_err(|e| JobError::Config(e.to_string()))
}

/// An epoch-seconds time as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn format_time(epoch_secs: i64) -> String {
    DateTime::from_timestamp(epoch_secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| epoch_secs.to_string())
}
