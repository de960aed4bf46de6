//! Writing a plan's result: a pretty table, CSV, JSON (one array of objects, or one object per
//! line) or Parquet, to standard output or a file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use arrow::json::{ArrayWriter, LineDelimitedWriter, WriterBuilder};
use arrow::record_batch::RecordBatch;
use datafusion::error::DataFusionError;
use datafusion::execution::SendableRecordBatchStream;
use futures::StreamExt;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::PlanError;

/// Output format of `tidemark plan run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned text table with a row count.
    Table,
    /// RFC 4180 CSV with a header line.
    Csv,
    /// One JSON array of objects, every column a key (null included).
    Json,
    /// Newline-delimited JSON: one object per line.
    Ndjson,
    /// A zstd-compressed Parquet file (needs --out).
    Parquet,
}

type Sink = Box<dyn Write + Send>;

/// A writer of one format.
enum Writer {
    Table(SchemaRef, Vec<RecordBatch>, Sink),
    Csv(arrow::csv::Writer<Sink>),
    Json(ArrayWriter<Sink>),
    Ndjson(LineDelimitedWriter<Sink>),
    Parquet(ArrowWriter<Sink>),
}

impl Writer {
    fn new(format: Format, schema: &SchemaRef, sink: Sink) -> Result<Writer, String> {
        let json = || WriterBuilder::new().with_explicit_nulls(true);
        Ok(match format {
            Format::Table => Writer::Table(schema.clone(), Vec::new(), sink),
            Format::Csv => {
                let mut csv = arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(sink);
                // The header is written with the first batch, so even an empty result has one.
                csv.write(&RecordBatch::new_empty(schema.clone()))
                    .map_err(|e| e.to_string())?;
                Writer::Csv(csv)
            }
            Format::Json => Writer::Json(json().build(sink)),
            Format::Ndjson => Writer::Ndjson(json().build(sink)),
            Format::Parquet => {
                let properties = WriterProperties::builder()
                    .set_compression(Compression::ZSTD(ZstdLevel::default()))
                    .build();
                Writer::Parquet(
                    ArrowWriter::try_new(sink, schema.clone(), Some(properties))
                        .map_err(|e| e.to_string())?,
                )
            }
        })
    }

    fn write(&mut self, batch: RecordBatch) -> Result<(), String> {
        let text = |e: ArrowError| e.to_string();
        match self {
            Writer::Table(_, batches, _) => {
                batches.push(batch);
                Ok(())
            }
            Writer::Csv(w) => w.write(&batch).map_err(text),
            Writer::Json(w) => w.write(&batch).map_err(text),
            Writer::Ndjson(w) => w.write(&batch).map_err(text),
            Writer::Parquet(w) => w.write(&batch).map_err(|e| e.to_string()),
        }
    }

    fn finish(self) -> Result<(), String> {
        let text = |e: std::io::Error| e.to_string();
        match self {
            Writer::Table(schema, batches, mut sink) => {
                let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
                let table =
                    arrow::util::pretty::pretty_format_batches_with_schema(schema, &batches)
                        .map_err(|e| e.to_string())?;
                let noun = if rows == 1 { "row" } else { "rows" };
                writeln!(sink, "{table}\n({rows} {noun})").map_err(text)?;
                sink.flush().map_err(text)
            }
            Writer::Csv(w) => w.into_inner().flush().map_err(text),
            Writer::Json(mut w) => {
                w.finish().map_err(|e| e.to_string())?;
                let mut sink = w.into_inner();
                writeln!(sink).map_err(text)?;
                sink.flush().map_err(text)
            }
            Writer::Ndjson(mut w) => {
                w.finish().map_err(|e| e.to_string())?;
                w.into_inner().flush().map_err(text)
            }
            Writer::Parquet(w) => w.close().map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

/// Standard output that ignores a closed reader (`tidemark plan run … | head`): once the pipe
/// is closed the rest of the result is dropped instead of failing the run.
#[derive(Default)]
struct Stdout {
    closed: bool,
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.closed {
            match std::io::stdout().write_all(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => self.closed = true,
                other => other?,
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match std::io::stdout().flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }
}

/// Writes every batch of `stream` in `format` to the file `out`, else standard output, and
/// returns the number of rows. A failed run leaves no file behind. `failed` turns an error
/// of the running plan into the error to report.
pub async fn write(
    mut stream: SendableRecordBatchStream,
    format: Format,
    out: Option<&Path>,
    failed: impl Fn(&DataFusionError) -> PlanError,
) -> Result<u64, PlanError> {
    let target = out.map_or("standard output".to_string(), |p| p.display().to_string());
    let output_error = |reason: String| PlanError::Output {
        target: target.clone(),
        reason,
    };
    let sink: Sink = match out {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).map_err(|e| output_error(e.to_string()))?,
        )),
        None if format == Format::Parquet => return Err(PlanError::ParquetNeedsOut),
        None => Box::new(BufWriter::new(Stdout::default())),
    };
    let written = async {
        let mut writer = Writer::new(format, &stream.schema(), sink).map_err(output_error)?;
        let mut rows = 0u64;
        while let Some(batch) = stream.next().await {
            let batch = batch.map_err(|e| failed(&e))?;
            rows += batch.num_rows() as u64;
            writer.write(batch).map_err(output_error)?;
        }
        writer.finish().map_err(output_error)?;
        Ok(rows)
    }
    .await;
    if let (Err(_), Some(path)) = (&written, out) {
        let _ = std::fs::remove_file(path);
    }
    written
}
