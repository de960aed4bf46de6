//! `[gdpr]`: GDPR request files processed by Job_MaintainGIM (operations.md §4.2).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::error::Report;

/// GDPR request processing. A request file is picked up once it has not been modified
/// for 60 seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Gdpr {
    /// Process GDPR request files during Job_MaintainGIM.
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `next-run:Job_MaintainGIM`.
    pub enabled: bool,

    /// Drop folder scanned for `*.json` request files; failed files stay here and are
    /// retried at the next run.
    ///
    /// Allowed: a path.
    /// Takes effect: `next-run:Job_MaintainGIM`.
    pub input_directory: String,

    /// Results of export requests and the per-file execution logs.
    ///
    /// Allowed: a path.
    /// Takes effect: `next-run:Job_MaintainGIM`.
    pub output_directory: String,

    /// Successfully processed request files are moved here, then deleted after
    /// `[gim-etl] days-to-keep-gdpr-history`.
    ///
    /// Allowed: a path.
    /// Takes effect: `next-run:Job_MaintainGIM`.
    pub processed_directory: String,

    /// Replacement written into redacted columns; empty writes NULL.
    ///
    /// Allowed: any string.
    /// Takes effect: `next-run:Job_MaintainGIM`.
    pub redaction_value: String,

    /// Safety cap: a request matching more rows is rejected (it looks like a wrong
    /// identifier).
    ///
    /// Allowed: an integer ≥ 1.
    /// Takes effect: `next-run:Job_MaintainGIM`.
    pub max_rows_per_request: u32,
}

impl Default for Gdpr {
    fn default() -> Self {
        Self {
            enabled: false,
            input_directory: "gdpr/in".into(),
            output_directory: "gdpr/out".into(),
            processed_directory: "gdpr/done".into(),
            redaction_value: String::new(),
            max_rows_per_request: 100_000,
        }
    }
}

impl Gdpr {
    pub(crate) fn validate(&self, section: &str, report: &mut Report) {
        report.at_least(
            section,
            "max-rows-per-request",
            self.max_rows_per_request.into(),
            1,
        );
        let directories = [
            ("input-directory", &self.input_directory),
            ("output-directory", &self.output_directory),
            ("processed-directory", &self.processed_directory),
        ];
        for (option, path) in directories {
            if path.trim().is_empty() {
                report.error(
                    format!("[{section}] {option}"),
                    None,
                    "required; allowed: a path",
                );
            }
        }
    }
}
