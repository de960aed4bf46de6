//! `tidemark plan …`: run, explain and list what analyst plan files can query.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::CliError;
use crate::config::Config;
use crate::plan::{self, Format};

/// `tidemark plan …`
#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Run a SQL plan file over the Info Mart, GIDB and the Parquet export and print or write
    /// its result (the last statement's).
    Run(RunArgs),
    /// Show the optimized logical plan and the physical plan of a plan file.
    Explain(ExplainArgs),
    /// List every table plan files can query, with its columns and types.
    Tables(TablesArgs),
}

/// Values for the parameters a plan file declares (`-- @param name TYPE [= default]`).
#[derive(Debug, Args)]
pub struct ParamArgs {
    /// A parameter value, typed by the file's declaration; repeat for each parameter.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
}

/// `tidemark plan run`
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The plan file (`.sql`).
    pub file: PathBuf,
    /// Parameter values.
    #[command(flatten)]
    pub params: ParamArgs,
    /// Output format: table, csv, json (one array of objects), ndjson (one object per line)
    /// or parquet (needs --out).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the result to this file instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

/// `tidemark plan explain`
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The plan file (`.sql`).
    pub file: PathBuf,
    /// Parameter values.
    #[command(flatten)]
    pub params: ParamArgs,
}

/// `tidemark plan tables`
#[derive(Debug, Args)]
pub struct TablesArgs {
    /// Only tables whose name contains this text.
    pub pattern: Option<String>,
}

/// `NAME=VALUE` as a pair; the value may contain `=` and may be empty.
fn parse_param(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{text}`")),
    }
}

/// Runs a `tidemark plan` subcommand with the configuration at `config_path`.
pub async fn run(config_path: &Path, command: &PlanCommand) -> Result<(), CliError> {
    let config = Config::load(config_path)?;
    let failed = |e: plan::PlanError| CliError::Other(e.into());
    match command {
        PlanCommand::Run(args) => {
            plan::run(
                &config,
                &args.file,
                &args.params.params,
                args.format,
                args.out.as_deref(),
            )
            .await
            .map_err(failed)?;
        }
        PlanCommand::Explain(args) => {
            let text = plan::explain(&config, &args.file, &args.params.params)
                .await
                .map_err(failed)?;
            println!("{text}");
        }
        PlanCommand::Tables(args) => {
            let text = plan::tables(&config, args.pattern.as_deref())
                .await
                .map_err(failed)?;
            print!("{text}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_split_at_the_first_equals_sign() {
        assert_eq!(
            parse_param("label=a=b"),
            Ok(("label".to_string(), "a=b".to_string()))
        );
        assert_eq!(parse_param("empty="), Ok(("empty".into(), String::new())));
        assert!(parse_param("novalue").is_err());
        assert!(parse_param("=1").is_err());
    }
}
