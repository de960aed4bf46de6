//! Job_TransformGIM (infomart.md §4): GIDB data into the Info Mart dimensional model, one
//! stream after the other — configuration dimensions, then voice (and the user data of late
//! UserEvent KVPs), then multimedia interaction facts — each chunk one transaction with its
//! audit, history and mark rows. Rules and
//! project decisions: docs/transform.md.

mod active_state;
mod commit;
mod discards;
mod late_user_data;
mod multimedia;
mod session;
mod statistics;
mod streams;
mod voice_inputs;

use async_trait::async_trait;
use tracing::{info_span, Instrument};

use super::extract::open_gidb;
use super::{names, Job, JobContext, JobError, JobOutcome};

pub use commit::mark_name;
pub use late_user_data::LATE_USER_DATA_MARK;
pub use multimedia::MULTIMEDIA_MARK;
/// The transform's DataFusion session helpers, for tools that run the views themselves
/// (the benchmark baselines).
pub use session::{
    collect, materialize_input, materialize_views, materialize_views_keeping, new_session,
    register_gidb, register_ids, register_mart_inputs, register_rows, register_user_data_settings,
    ChunkIds, DayRange,
};
pub use streams::{config_marks, StreamReport, VOICE_MARK};

/// Job_TransformGIM.
pub struct TransformGim;

#[async_trait]
impl Job for TransformGim {
    fn name(&self) -> &'static str {
        names::TRANSFORM
    }

    async fn run(&self, ctx: &JobContext) -> Result<JobOutcome, JobError> {
        let gidb = open_gidb(&ctx.config)?;
        let mut outcome = JobOutcome::default();
        let voice_before = commit::current_mark(ctx.infomart.as_ref(), VOICE_MARK).await?;
        for area in ["configuration", "voice", "late user data", "multimedia"] {
            if ctx.cancel.is_cancelled() {
                return Err(JobError::Stopped);
            }
            let stream = async {
                match area {
                    "configuration" => streams::run_config(ctx, &gidb).await,
                    "voice" => streams::run_voice(ctx, &gidb).await,
                    "late user data" => {
                        statistics::refresh(ctx.infomart.as_ref()).await?;
                        late_user_data::run_late_user_data(ctx, &gidb, voice_before).await
                    }
                    _ => multimedia::run_multimedia(ctx, &gidb).await,
                }
            };
            let report = stream
                .instrument(info_span!("transform_stream", stream = area))
                .await?;
            outcome.say(describe(area, &report));
            let rows: i64 = report.rows.iter().map(|(_, n)| n).sum();
            outcome.row_count += rows;
            outcome.changed |= report.chunks > 0;
        }
        Ok(outcome)
    }
}

/// One line per stream: chunks, rows per table and the mark reached.
fn describe(area: &str, report: &StreamReport) -> String {
    let mark = report
        .mark
        .map(super::extract::format_time)
        .unwrap_or_else(|| "none".into());
    if report.chunks == 0 {
        return format!("{area}: nothing new to transform (mark {mark})");
    }
    let rows: Vec<String> = report
        .rows
        .iter()
        .map(|(table, n)| format!("{} {n}", table.to_ascii_lowercase()))
        .collect();
    let before = match report.reads_before_window {
        0 => String::new(),
        n => format!(", {n} read GIDB from before their window"),
    };
    let passed = match report.passed_on_calls {
        0 => String::new(),
        n => format!(", {n} covered calls of open interactions passed on untouched"),
    };
    let narrowed = match report.narrowed_reads {
        0 => String::new(),
        n => format!(", {n} read only the rows of the interactions they transform"),
    };
    format!(
        "{area}: {} chunk(s), {}{before}{passed}{narrowed} (mark {mark})",
        report.chunks,
        rows.join(", ")
    )
}
