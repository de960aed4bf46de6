//! `[gim-export]`: Job_ExportGIM, the incremental CSV/ZIP and Parquet export
//! (operations.md §1.5).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::error::{shown, Report};
use super::values::Timestamp;

/// Incremental export of the dimensional model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct GimExport {
    /// Root directory of the export folders, created when missing; relative paths
    /// resolve against the working directory.
    ///
    /// Allowed: a path.
    /// Takes effect: `next-run:Job_ExportGIM`.
    pub output_directory: String,

    /// Export folders older than this many days are deleted by the export job at the
    /// start of each run.
    ///
    /// Allowed: an integer ≥ 1 (days).
    /// Takes effect: `next-run:Job_ExportGIM`.
    pub days_to_keep_output_files: u32,

    /// Width in seconds (of audit-log time) of one export chunk; each chunk becomes one
    /// `export_*` folder.
    ///
    /// Allowed: an integer ≥ 1 (seconds).
    /// Takes effect: `next-run:Job_ExportGIM`.
    pub chunk_size_seconds: u32,

    /// Earliest data to export, honoured only while the output directory is empty (the
    /// first export); unset starts at the oldest Info Mart data. Needs
    /// `[gim-etl] days-to-keep-discards-and-job-history` ≥ `days-to-keep-gim-facts`.
    ///
    /// Allowed: `yyyy-mm-dd hh:mm:ss` (UTC) after 1970, or unset.
    /// Takes effect: `next-run:Job_ExportGIM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Timestamp>,

    /// Maximum worker threads exporting tables concurrently.
    ///
    /// Allowed: an integer ≥ 1.
    /// Takes effect: `next-run:Job_ExportGIM`.
    pub thread_pool_size: u32,

    /// Retries after intermittent failures before the run is marked FAILED.
    ///
    /// Allowed: an integer ≥ 0.
    /// Takes effect: `next-run:Job_ExportGIM`.
    pub max_retries: u32,

    /// Seconds to wait between retries.
    ///
    /// Allowed: an integer ≥ 0 (seconds).
    /// Takes effect: `next-run:Job_ExportGIM`.
    pub retry_delay_seconds: u32,

    /// Character encoding of the CSV files, as a WHATWG encoding label (`utf8`,
    /// `UTF-8`, `utf-16`, `ISO-8859-1`, `windows-1252`, …).
    ///
    /// Allowed: a charset name.
    /// Takes effect: `next-run:Job_ExportGIM`.
    pub output_files_encoding: String,

    /// Read through the export views (a frozen copy of the schema shape) instead of the
    /// live tables, so exported tables and columns stay constant across upgrades.
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `next-run:Job_ExportGIM`.
    pub use_export_views: bool,

    /// X.509 certificate file; when set, each ZIP is encrypted for its public key (CMS
    /// enveloped data, written as `export_XXX.zip.p7m`).
    ///
    /// Allowed: a path, or unset for no encryption.
    /// Takes effect: `next-run:Job_ExportGIM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypt_certificate: Option<String>,

    /// Object-store location of the Parquet export: a path or `file://` URL (relative
    /// paths resolve against the working directory), or an `s3://`, `gs://` or `az://` URL
    /// (credentials, region and endpoint from the `AWS_*`, `GOOGLE_*` or `AZURE_*`
    /// environment variables; see docs/export.md). Each chunk is written there as zstd Parquet in Hive
    /// layout `<table>/date_key=YYYY-MM-DD/part-….parquet`, with a manifest and a `_SUCCESS`
    /// marker per batch under `_batches/`. Unset: no Parquet export.
    ///
    /// Allowed: a path or URL, or unset.
    /// Takes effect: `next-run:Job_ExportGIM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parquet_url: Option<String>,

    /// Whether the Info Mart compatible CSV archive is written; turn it off when only the
    /// Parquet export is consumed (then `parquet-url` is required).
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `next-run:Job_ExportGIM`.
    pub csv_archive: bool,
}

impl Default for GimExport {
    fn default() -> Self {
        Self {
            output_directory: "output".into(),
            days_to_keep_output_files: 14,
            chunk_size_seconds: 3600,
            start_date: None,
            thread_pool_size: 10,
            max_retries: 3,
            retry_delay_seconds: 30,
            output_files_encoding: "utf8".into(),
            use_export_views: false,
            encrypt_certificate: None,
            parquet_url: None,
            csv_archive: true,
        }
    }
}

impl GimExport {
    pub(crate) fn validate(&self, s: &str, report: &mut Report) {
        report.at_least(
            s,
            "days-to-keep-output-files",
            self.days_to_keep_output_files.into(),
            1,
        );
        report.at_least(s, "chunk-size-seconds", self.chunk_size_seconds.into(), 1);
        report.at_least(s, "thread-pool-size", self.thread_pool_size.into(), 1);
        if self.output_directory.trim().is_empty() {
            report.error(
                format!("[{s}] output-directory"),
                None,
                "required; allowed: a path",
            );
        }
        if !self.csv_archive && self.parquet_url.is_none() {
            report.error(
                format!("[{s}] csv-archive"),
                Some("false".into()),
                "needs parquet-url: with neither, Job_ExportGIM has no format to write",
            );
        }
        if let Err(e) = tidemark_sinks::export::CsvEncoding::for_label(&self.output_files_encoding)
        {
            report.error(
                format!("[{s}] output-files-encoding"),
                Some(shown(self.output_files_encoding.as_str())),
                e.to_string(),
            );
        }
    }
}
