//! Runs sqllogictest golden files (`.slt`) on a DataFusion session that has every Tidemark
//! function registered. Transform rules and functions keep their expected results in such
//! files next to the code; `TIDEMARK_SLT_COMPLETE=1` rewrites the expected blocks after an
//! intended change.

use std::path::{Path, PathBuf};

use arrow::array::{Array, RecordBatch};
use arrow::datatypes::DataType;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use async_trait::async_trait;
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;
use sqllogictest::{DBOutput, DefaultColumnType};

/// A sqllogictest database backed by a fresh DataFusion session.
pub struct DataFusionSlt {
    ctx: SessionContext,
}

impl DataFusionSlt {
    /// A session with every Tidemark function registered.
    pub fn new() -> Self {
        let ctx = SessionContext::new();
        crate::register_all(&ctx);
        DataFusionSlt { ctx }
    }

    /// A runner over an existing session (plans register their tables first).
    pub fn with_context(ctx: SessionContext) -> Self {
        DataFusionSlt { ctx }
    }
}

impl Default for DataFusionSlt {
    fn default() -> Self {
        Self::new()
    }
}

fn column_type(t: &DataType) -> DefaultColumnType {
    match t {
        t if t.is_integer() => DefaultColumnType::Integer,
        t if t.is_floating() || matches!(t, DataType::Decimal128(..)) => {
            DefaultColumnType::FloatingPoint
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => DefaultColumnType::Text,
        _ => DefaultColumnType::Any,
    }
}

fn rows_of(batches: &[RecordBatch]) -> Result<Vec<Vec<String>>, DataFusionError> {
    let options = FormatOptions::default().with_null("NULL");
    let mut rows = Vec::new();
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for r in 0..batch.num_rows() {
            rows.push(
                formatters
                    .iter()
                    .zip(batch.columns())
                    .map(|(f, c)| match c.is_null(r) {
                        true => "NULL".to_string(),
                        false => match f.value(r).to_string() {
                            s if s.is_empty() => "(empty)".to_string(),
                            s => s,
                        },
                    })
                    .collect(),
            );
        }
    }
    Ok(rows)
}

#[async_trait]
impl sqllogictest::AsyncDB for DataFusionSlt {
    type Error = DataFusionError;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, DataFusionError> {
        let df = self.ctx.sql(sql).await?;
        let schema = df.schema().clone();
        let batches = df.collect().await?;
        if !is_query(sql) {
            return Ok(DBOutput::StatementComplete(0));
        }
        let types = schema
            .fields()
            .iter()
            .map(|f| column_type(f.data_type()))
            .collect();
        Ok(DBOutput::Rows {
            types,
            rows: rows_of(&batches)?,
        })
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "tidemark-datafusion"
    }
}

/// Whether `sql` reads rows (a query) rather than changing something (a statement).
pub fn is_query(sql: &str) -> bool {
    let head = sql.trim_start().to_ascii_lowercase();
    ["select", "with", "values", "explain"]
        .iter()
        .any(|k| head.starts_with(k))
}

/// The `.slt` files under `dir`, sorted.
pub fn slt_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "slt"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Runs every `.slt` file under `dir` with a fresh session per file from `make_db`; panics
/// with the failures listed. With `TIDEMARK_SLT_COMPLETE=1` the files are rewritten instead.
pub async fn run_dir<F>(dir: &Path, make_db: F)
where
    F: Fn() -> DataFusionSlt + Clone + Send + Sync + 'static,
{
    let files = slt_files(dir);
    assert!(!files.is_empty(), "no .slt files under {}", dir.display());
    let mut failures = Vec::new();
    for file in files {
        if let Err(e) = run_file(&file, make_db.clone()).await {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "sqllogictest failures:\n{}",
        failures.join("\n")
    );
}

/// Runs one `.slt` file with sessions from `make_db`; the error names the file and the
/// failed record. With `TIDEMARK_SLT_COMPLETE=1` the file's expected blocks are rewritten
/// instead.
pub async fn run_file<F, D>(file: &Path, make_db: F) -> Result<(), String>
where
    F: Fn() -> D + Clone + Send + Sync + 'static,
    D: sqllogictest::AsyncDB<ColumnType = DefaultColumnType> + Send + 'static,
{
    let mut runner = sqllogictest::Runner::new(move || {
        let make = make_db.clone();
        async move { Ok(make()) }
    });
    let outcome = if std::env::var("TIDEMARK_SLT_COMPLETE").is_ok_and(|v| v == "1") {
        runner
            .update_test_file(
                file,
                " ",
                sqllogictest::default_validator,
                sqllogictest::default_normalizer,
                sqllogictest::default_column_validator,
            )
            .await
            .map_err(|e| e.to_string())
    } else {
        runner.run_file_async(file).await.map_err(|e| e.to_string())
    };
    outcome.map_err(|e| format!("{}: {e}", file.display()))
}
