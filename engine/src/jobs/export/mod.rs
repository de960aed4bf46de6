//! Job_ExportGIM (operations.md §3): the dimensional model exported incrementally by audit
//! key, chunk by chunk, through every enabled format of `tidemark_sinks::export` (the Info
//! Mart compatible CSV archive, and Parquet in Hive layout when `parquet-url` is set).
//!
//! Per chunk: every format builds the batch out of sight and publishes it; then one
//! transaction writes the CTL_EXPORT_HISTORY row and the `export:audit` mark. A run that
//! stopped in between finds the batch published and only commits it, so nothing is
//! written twice; a batch not yet published is rebuilt from scratch. A chunk's rows of a
//! table are read and written in slices of audit keys ([`slices`]). Rules and layout:
//! docs/export.md.

mod chunks;
mod marks;
mod read;
mod slices;
mod tables;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use tidemark_sinks::database::Database;
use tidemark_sinks::export::{
    open_sinks, BatchInfo, BatchWriter, ExportError, ExportSink, Manifest, SinkOptions, TableSpec,
    TableWritten,
};

use super::extract::open_gidb;
use super::{names, Job, JobContext, JobError, JobOutcome};
use crate::sources::mart::MartReader;

pub use chunks::{plan, AuditRow, ChunkPlan, PlannedChunk, IN_FLIGHT_SECONDS};
pub use marks::EXPORT_MARK;
use tables::Origin;
pub use tables::{view_name, ExportTable};

use read::{ReadError, RowSource};

/// Job_ExportGIM.
pub struct ExportGim;

/// Everything a run shares between its chunks.
struct Run {
    sinks: Vec<Arc<dyn ExportSink>>,
    tables: Vec<ExportTable>,
    source: Arc<RowSource>,
    db: Arc<dyn Database>,
    threads: usize,
    source_kind: &'static str,
    job_id: String,
}

/// What one chunk exported.
#[derive(Debug, Default)]
struct ChunkReport {
    rows: u64,
    tables: usize,
    adopted: bool,
}

/// A chunk failure and whether retrying it may help.
enum ChunkFailure {
    Intermittent(JobError),
    Permanent(JobError),
}

impl From<ExportError> for ChunkFailure {
    fn from(e: ExportError) -> Self {
        let intermittent = e.is_intermittent();
        let error = JobError::Data(e.to_string());
        if intermittent {
            ChunkFailure::Intermittent(error)
        } else {
            ChunkFailure::Permanent(error)
        }
    }
}

impl From<ReadError> for ChunkFailure {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Database { .. } => ChunkFailure::Intermittent(e.into()),
            ReadError::Gidb { .. } => ChunkFailure::Permanent(e.into()),
        }
    }
}

impl From<JobError> for ChunkFailure {
    fn from(e: JobError) -> Self {
        match e {
            JobError::Database(_) => ChunkFailure::Intermittent(e),
            other => ChunkFailure::Permanent(other),
        }
    }
}

#[async_trait]
impl Job for ExportGim {
    fn name(&self) -> &'static str {
        names::EXPORT
    }

    async fn run(&self, ctx: &JobContext) -> Result<JobOutcome, JobError> {
        let options = &ctx.config.gim_export;
        if options.encrypt_certificate.is_some() {
            return Err(JobError::Config(
                "[gim-export] encrypt-certificate is set, but this build does not encrypt \
                 export archives; unset it to export unencrypted"
                    .into(),
            ));
        }
        let output_directory = PathBuf::from(&options.output_directory);
        let sinks = open_sinks(&SinkOptions {
            csv_archive: options.csv_archive,
            output_directory: output_directory.clone(),
            csv_encoding: options.output_files_encoding.clone(),
            parquet_url: options.parquet_url.clone(),
        })
        .map_err(|e| JobError::Config(e.to_string()))?;
        let mut outcome = JobOutcome::default();
        remove_expired(&sinks, options.days_to_keep_output_files, &mut outcome).await?;

        let db = Arc::clone(&ctx.infomart);
        tables::ensure_defaults(db.as_ref()).await?;
        let tables = tables::load(db.as_ref(), options.use_export_views).await?;
        let exported = marks::last_exported(db.as_ref(), &output_directory).await?;
        let (start_key, carried_ts, first_chunk_id) = match exported {
            Some(e) => (e.high_key, e.high_ts, e.next_chunk_id),
            None => {
                let start = options.start_date.map(|d| d.utc().and_utc());
                (marks::first_start(db.as_ref(), start).await?, None, 1)
            }
        };
        marks::check_gap(db.as_ref(), start_key).await?;
        let audit = marks::audit_rows(db.as_ref(), start_key).await?;
        let plan = chunks::plan(
            start_key,
            carried_ts,
            &audit,
            Utc::now().timestamp(),
            i64::from(options.chunk_size_seconds),
        );
        let run = Arc::new(Run {
            sinks,
            tables,
            source: Arc::new(RowSource {
                mart: MartReader::with_connection(&ctx.config.infomart.url, Arc::clone(&db)),
                gidb: open_gidb(&ctx.config).ok(),
            }),
            db: Arc::clone(&db),
            threads: options.thread_pool_size.max(1) as usize,
            source_kind: if options.use_export_views {
                "export views"
            } else {
                "tables"
            },
            job_id: ctx.job_id.clone(),
        });
        let retries = options.max_retries;
        let delay = Duration::from_secs(options.retry_delay_seconds.into());
        for (i, chunk) in plan.chunks.into_iter().enumerate() {
            if ctx.cancel.is_cancelled() {
                return Err(JobError::Stopped);
            }
            let batch = batch_info(&chunk, first_chunk_id + i as i64, run.source_kind);
            let report = with_retries(ctx, retries, delay, &batch.name, || {
                export_chunk(Arc::clone(&run), batch.clone(), i == 0)
            })
            .await?;
            outcome.row_count += report.rows as i64;
            outcome.changed = true;
            outcome.say(format!(
                "{}: audit keys {}..={}, {} rows in {} tables{}",
                batch.name,
                batch.low_audit_key + 1,
                batch.high_audit_key,
                report.rows,
                report.tables,
                if report.adopted {
                    " (published by an earlier run, now recorded)"
                } else {
                    ""
                }
            ));
        }
        if !outcome.changed {
            outcome.say(format!("nothing to export after audit key {start_key}"));
        }
        if let Some(waiting) = plan.waiting {
            outcome.say(format!("waiting: {waiting}"));
        }
        let places: Vec<String> = run
            .sinks
            .iter()
            .map(|s| format!("{} at {}", s.format(), s.location()))
            .collect();
        outcome.say(format!("formats: {}", places.join(", ")));
        Ok(outcome)
    }
}

/// The batch of a planned chunk.
fn batch_info(chunk: &PlannedChunk, chunk_id: i64, source: &str) -> BatchInfo {
    let time = |t: i64| DateTime::from_timestamp(t, 0).unwrap_or_default();
    BatchInfo {
        name: BatchInfo::name_for(chunk.high, time(chunk.high_ts)),
        chunk_id,
        low_audit_key: chunk.low,
        high_audit_key: chunk.high,
        low_inserted: time(chunk.low_ts),
        high_inserted: time(chunk.high_ts),
        source: source.to_string(),
        schema_version: tidemark_schemas::INFOMART_SCHEMA_VERSION.to_string(),
    }
}

/// Deletes published batches older than the retention, before anything is exported.
async fn remove_expired(
    sinks: &[Arc<dyn ExportSink>],
    days: u32,
    outcome: &mut JobOutcome,
) -> Result<(), JobError> {
    let cutoff = Utc::now() - chrono::Duration::days(days.into());
    for sink in sinks {
        let removed = sink
            .remove_older_than(cutoff)
            .await
            .map_err(|e| JobError::Data(e.to_string()))?;
        if !removed.is_empty() {
            outcome.say(format!(
                "{}: removed {} folder(s) older than {days} days",
                sink.format(),
                removed.len()
            ));
        }
    }
    Ok(())
}

/// Runs `attempt` until it succeeds, fails for good, or has failed intermittently
/// `retries` + 1 times, waiting `delay` between tries.
async fn with_retries<F, Fut>(
    ctx: &JobContext,
    retries: u32,
    delay: Duration,
    what: &str,
    mut attempt: F,
) -> Result<ChunkReport, JobError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<ChunkReport, ChunkFailure>>,
{
    let mut failures = 0;
    loop {
        match attempt().await {
            Ok(report) => return Ok(report),
            Err(ChunkFailure::Permanent(e)) => return Err(e),
            Err(ChunkFailure::Intermittent(e)) if failures >= retries => {
                return Err(JobError::Data(format!(
                    "{what}: failed after {} attempts: {e}",
                    failures + 1
                )))
            }
            Err(ChunkFailure::Intermittent(e)) => {
                failures += 1;
                tracing::warn!(batch = what, attempt = failures, error = %e, "export chunk failed; retrying");
                tokio::select! {
                    _ = ctx.cancel.cancelled() => return Err(JobError::Stopped),
                    _ = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
}

/// Exports one chunk through every format that has not published it yet, then commits it.
async fn export_chunk(
    run: Arc<Run>,
    batch: BatchInfo,
    first_of_run: bool,
) -> Result<ChunkReport, ChunkFailure> {
    let batch = &batch;
    let mut pending = Vec::new();
    let mut adopted: Option<Manifest> = None;
    for sink in &run.sinks {
        match sink.published(batch).await? {
            Some(manifest) => adopted = Some(manifest),
            None => pending.push(Arc::clone(sink)),
        }
    }
    let manifest = if pending.is_empty() {
        adopted.unwrap_or_else(|| Manifest::new(batch, "none", "UTF-8"))
    } else {
        write_batch(&run, batch, &pending, first_of_run).await?
    };
    let report = ChunkReport {
        rows: manifest.tables.iter().map(|t| t.rows).sum(),
        tables: manifest.tables.len(),
        adopted: pending.is_empty(),
    };
    run.db
        .write_all(marks::commit_steps(&marks::ChunkRecord {
            job_id: &run.job_id,
            batch,
            tables: report.tables,
            rows: report.rows,
        }))
        .await
        .map_err(JobError::from)?;
    Ok(report)
}

/// Writes and publishes the batch through `sinks`; returns the first format's manifest.
async fn write_batch(
    run: &Run,
    batch: &BatchInfo,
    sinks: &[Arc<dyn ExportSink>],
    first_of_run: bool,
) -> Result<Manifest, ChunkFailure> {
    let mut writers: Vec<Arc<dyn BatchWriter>> = Vec::new();
    for sink in sinks {
        writers.push(sink.begin(batch).await?);
    }
    let tables: Vec<ExportTable> = run
        .tables
        .iter()
        .filter(|t| first_of_run || t.selection != tables::Selection::Full)
        .cloned()
        .collect();
    let chunk = (batch.low_audit_key, batch.high_audit_key);
    let weights = slices::key_weights(run.db.as_ref(), chunk)
        .await
        .map_err(ChunkFailure::from)?;
    let slices = slices::plan(chunk, &weights, slices::SLICE_ROWS);
    let written: Vec<_> = futures::stream::iter(tables)
        .map(|table| write_table(run, &writers, table, chunk, &slices))
        .buffered(run.threads)
        .try_collect()
        .await?;
    let mut manifests = Vec::new();
    for (i, (sink, writer)) in sinks.iter().zip(&writers).enumerate() {
        let mut manifest = Manifest::new(batch, sink.format(), sink.encoding());
        for (spec, per_sink) in &written {
            manifest.add(spec, &per_sink[i]);
        }
        writer.publish(&manifest).await?;
        manifests.push(manifest);
    }
    Ok(manifests.swap_remove(0))
}

/// Writes one table of a chunk through every writer, a slice of audit keys at a time (all at
/// once for a full table or a GIDB folder).
async fn write_table(
    run: &Run,
    writers: &[Arc<dyn BatchWriter>],
    table: ExportTable,
    chunk: (i64, i64),
    slices: &[(i64, i64)],
) -> Result<(TableSpec, Vec<TableWritten>), ChunkFailure> {
    let spec = TableSpec {
        name: table.name.clone(),
        columns: table.columns.clone(),
        day_column: table.day_column.clone(),
    };
    let mut open = Vec::new();
    for writer in writers {
        open.push(writer.begin_table(&spec).await?);
    }
    let sliced = matches!(table.origin, Origin::Database { .. })
        && table.selection != tables::Selection::Full;
    let ranges = if sliced { slices } else { &[chunk][..] };
    for slice in ranges {
        let batches = run.source.read(&table, chunk, *slice).await?;
        for writer in &mut open {
            writer.write(batches.clone()).await?;
        }
    }
    let mut per_sink = Vec::new();
    for writer in open {
        per_sink.push(writer.finish().await?);
    }
    Ok((spec, per_sink))
}
