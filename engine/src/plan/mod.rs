//! `tidemark plan`: analyst plan files ([`tidemark_plans::plan_file`]) run with DataFusion over
//! the Info Mart, GIDB and the Parquet export ([`catalog`]), with Tidemark's functions, and
//! their result written in a chosen format ([`output`]).

pub mod catalog;
pub mod output;

use std::fmt::Write as _;
use std::path::Path;

use datafusion::physical_plan::{displayable, execute_stream};
use datafusion::prelude::SessionContext;
use tidemark_plans::plan_file::{new_session, PlanFile, PlanFileError};

pub use catalog::TableListing;
pub use output::Format;

use crate::config::Config;
use crate::sources::mart::MartReadError;

/// Why a plan command failed.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The plan file is unreadable, malformed, badly parameterised or its SQL failed; the
    /// message names the file and line.
    #[error(transparent)]
    File(#[from] PlanFileError),
    /// A configured location is unusable.
    #[error("{0}")]
    Config(String),
    /// The Info Mart could not be opened.
    #[error("opening the Info Mart: {0}")]
    Mart(MartReadError),
    /// A table could not be registered.
    #[error("registering {what}: {reason}")]
    Catalog {
        /// The table, schema or location.
        what: String,
        /// What went wrong.
        reason: String,
    },
    /// The result could not be written.
    #[error("writing the result to {target}: {reason}")]
    Output {
        /// The file, or standard output.
        target: String,
        /// What went wrong.
        reason: String,
    },
    /// Parquet was asked for without a file to write it to.
    #[error("--format parquet writes a file: give --out PATH")]
    ParquetNeedsOut,
}

/// A session with every table of `config` registered.
pub async fn session(config: &Config) -> Result<SessionContext, PlanError> {
    let ctx = new_session();
    catalog::register_all(&ctx, config).await?;
    Ok(ctx)
}

/// Runs the plan file at `path` with `params` (`name`, `value` text) and writes its result in
/// `format` to `out` (standard output when `None`); returns the number of rows.
pub async fn run(
    config: &Config,
    path: &Path,
    params: &[(String, String)],
    format: Format,
    out: Option<&Path>,
) -> Result<u64, PlanError> {
    if format == Format::Parquet && out.is_none() {
        return Err(PlanError::ParquetNeedsOut);
    }
    let file = PlanFile::load(path)?;
    let bindings = file.bind_args(params)?;
    let ctx = session(config).await?;
    let frame = file.prepare(&ctx, &bindings).await?;
    let task = frame.task_ctx();
    let physical = frame
        .create_physical_plan()
        .await
        .map_err(|e| file.execution_error(&e))?;
    let stream = execute_stream(physical, task.into()).map_err(|e| file.execution_error(&e))?;
    output::write(stream, format, out, |e| file.execution_error(e).into()).await
}

/// The optimized logical plan and the physical plan of the plan file at `path`, as text.
pub async fn explain(
    config: &Config,
    path: &Path,
    params: &[(String, String)],
) -> Result<String, PlanError> {
    let file = PlanFile::load(path)?;
    let bindings = file.bind_args(params)?;
    let ctx = session(config).await?;
    let frame = file.prepare(&ctx, &bindings).await?;
    let physical = frame
        .create_physical_plan()
        .await
        .map_err(|e| file.execution_error(&e))?;
    let logical = frame
        .into_optimized_plan()
        .map_err(|e| file.execution_error(&e))?;
    Ok(format!(
        "Logical plan:\n{}\n\nPhysical plan:\n{}",
        logical.display_indent(),
        displayable(physical.as_ref()).indent(false)
    ))
}

/// Every queryable table whose name contains `pattern` (all when `None`), with its columns
/// and types, as text.
pub async fn tables(config: &Config, pattern: Option<&str>) -> Result<String, PlanError> {
    let ctx = session(config).await?;
    let pattern = pattern.map(str::to_ascii_lowercase);
    let mut text = String::new();
    for table in catalog::list(&ctx).await? {
        if pattern
            .as_ref()
            .is_some_and(|p| !table.name.contains(p.as_str()))
        {
            continue;
        }
        let width = table
            .schema
            .fields()
            .iter()
            .map(|f| f.name().len())
            .max()
            .unwrap_or(0);
        let _ = writeln!(text, "{}", table.name);
        for field in table.schema.fields() {
            let null = if field.is_nullable() { "" } else { " not null" };
            let _ = writeln!(
                text,
                "    {:width$}  {}{null}",
                field.name(),
                field.data_type()
            );
        }
        text.push('\n');
    }
    Ok(text)
}
