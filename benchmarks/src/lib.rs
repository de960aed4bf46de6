//! Tidemark benchmark harness: simulated IDBs at scale, timed jobs, the physical limit of
//! the same rows measured in the same run, and results written as JSON and Markdown.
//!
//! Each benchmark is one module with an `Args` struct (its command-line options) and a
//! `run` that returns a serializable report; [`report`] writes any report under
//! `benchmarks/results/`.

pub mod backlog;
pub mod baseline;
pub mod copy;
pub mod copy_in;
pub mod extract;
pub mod idb;
pub mod machine;
pub mod measure;
pub mod pg;
pub mod report;
pub mod spans;
pub mod stages;
