//! What each subcommand does.

use super::{job_run, plan, server_commands, Cli, Command, ConfigCommand, JobCommand};
use crate::config::{Config, ConfigError};
use crate::jobs::{self, JobError};

/// Why a command failed; decides the exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The configuration is missing or invalid (exit code 2).
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A job failed (exit code 1).
    #[error("{0}")]
    Job(#[from] JobError),
    /// Anything else (exit code 1).
    #[error("{0:#}")]
    Other(#[from] anyhow::Error),
}

impl CliError {
    /// Process exit code for the error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Config(_) => 2,
            _ => 1,
        }
    }
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Simulate(args) => {
            let report = crate::simulate::run(&args).await?;
            println!("{report}");
            Ok(())
        }
        Command::Config(ConfigCommand::Check) => {
            let config = Config::load(&cli.config)?;
            println!("{}: configuration is valid", cli.config.display());
            println!("{}", config.check_summary());
            Ok(())
        }
        Command::Config(ConfigCommand::Show) => {
            let config = Config::load(&cli.config)?;
            print!("{}", config.show());
            Ok(())
        }
        Command::Config(ConfigCommand::Docs) => {
            print!("{}", crate::config::reference_markdown());
            Ok(())
        }
        Command::Job(JobCommand::List) => {
            let implemented: Vec<&str> = jobs::registry().iter().map(|j| j.name()).collect();
            for name in jobs::names::ALL {
                let state = if implemented.contains(&name) {
                    "available"
                } else {
                    "not implemented yet"
                };
                println!("{name:<20} {state}");
            }
            Ok(())
        }
        Command::Job(JobCommand::Run(args)) => job_run::run(&cli.config, &args).await,
        Command::Demo(args) => crate::demo::run(&args).await.map_err(CliError::from),
        Command::Serve(args) => server_commands::serve(&cli.config, &args).await,
        Command::Jobs(args) => server_commands::jobs(&cli.config, &args).await,
        Command::Status(args) => server_commands::status(&cli.config, &args).await,
        Command::Job(JobCommand::Stop { id, server }) => {
            server_commands::stop(&cli.config, &id, &server).await
        }
        Command::Plan(command) => plan::run(&cli.config, &command).await,
    }
}
