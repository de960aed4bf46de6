//! Tidemark engine: configuration, IDB sources, the Info Mart jobs, analyst plan files, the
//! simulator and the CLI.

pub mod cli;
pub mod config;
pub mod demo;
pub mod jobs;
pub mod plan;
pub mod scheduler;
pub mod server;
pub mod simulate;
pub mod sources;
