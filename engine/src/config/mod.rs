//! Tidemark's configuration: one TOML file whose sections and options carry the Info
//! Mart names (operations.md §1), plus `[infomart]`, `[gidb]` and the `[[dap]]` entries
//! that say where data lives.
//!
//! Loading is file → environment overrides (`TIDEMARK_<SECTION>__<OPTION>`) → decoding →
//! validation. Unknown sections and options are errors, and every problem found is
//! reported at once, each naming `[section] option`, the value and what is allowed.
//!
//! Each section is one struct whose field doc comments are the option reference;
//! [`reference_markdown`] renders them as `docs/configuration.md`.

mod aggregation;
mod calendar;
mod connections;
mod env;
mod error;
mod error_policy;
mod export;
mod gdpr;
mod gim_etl;
mod idb_url;
mod load;
mod reference;
mod reload;
mod render;
mod schedule;
mod sections;
mod server;
mod transformation;
mod values;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use aggregation::{
    Aggregation, HourAction, HourClause, InteractionThresholds, LendPolicy, WaitThresholds,
    WriterSchedule, Writers,
};
pub use calendar::{Calendar, FiscalWeekPattern, DEFAULT_CALENDAR_TABLE};
pub use connections::{mask_url, sqlite_path, Dap, Gidb, GidbLocation, InfoMart, Roles};
pub use env::{variable_for, ENV_PREFIX};
pub use error::{ConfigError, Problem};
pub use error_policy::{CheckPolicy, ErrorPolicy, IrfExceptionPolicy};
pub use export::GimExport;
pub use gdpr::Gdpr;
pub use gim_etl::{GimEtl, SM_RESOURCE_STATES};
pub use reference::reference_markdown;
pub use reload::{Change, TakesEffect};
pub use schedule::Schedule;
pub use server::{Server, SERVER_TOKEN_VAR};
pub use transformation::GimTransformation;
pub use values::{CronSchedule, HourMinute, MonthDay, Timestamp, ZoneId};

use error::Report;

/// A loaded and validated Tidemark configuration. Field names follow the TOML sections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// `[infomart]`: the target database.
    #[serde(default)]
    pub infomart: InfoMart,
    /// `[gidb]`: where extracted rows are stored.
    #[serde(default)]
    pub gidb: Gidb,
    /// `[[dap]]`: the IDBs to extract from.
    #[serde(default)]
    pub dap: Vec<Dap>,
    /// `[schedule]`: job scheduling.
    #[serde(default)]
    pub schedule: Schedule,
    /// `[gim-etl]`: retention, partitioning, extraction and transform options.
    #[serde(default)]
    pub gim_etl: GimEtl,
    /// `[gim-transformation]`: transform chunking.
    #[serde(default)]
    pub gim_transformation: GimTransformation,
    /// `[date-time]`: the default calendar `DATE_TIME`.
    #[serde(default)]
    pub date_time: Calendar,
    /// `[gim-export]`: the export job.
    #[serde(default)]
    pub gim_export: GimExport,
    /// `[error-policy]`: transform error handling.
    #[serde(default)]
    pub error_policy: ErrorPolicy,
    /// `[agg]`: the aggregation engine.
    #[serde(default)]
    pub agg: Aggregation,
    /// `[agg-gim-thld-QUEUE-ABN]`: abandon-wait buckets.
    #[serde(default, rename = "agg-gim-thld-QUEUE-ABN")]
    pub agg_gim_thld_queue_abn: WaitThresholds,
    /// `[agg-gim-thld-QUEUE-ACC]`: accept-wait buckets.
    #[serde(default, rename = "agg-gim-thld-QUEUE-ACC")]
    pub agg_gim_thld_queue_acc: WaitThresholds,
    /// `[agg-gim-thld-ID-IXN]`: interaction-descriptor thresholds.
    #[serde(default, rename = "agg-gim-thld-ID-IXN")]
    pub agg_gim_thld_id_ixn: InteractionThresholds,
    /// `[agg-gim-thld-QUEUE-IXN]`: queue thresholds.
    #[serde(default, rename = "agg-gim-thld-QUEUE-IXN")]
    pub agg_gim_thld_queue_ixn: InteractionThresholds,
    /// `[agg-gim-thld-AG-IXN]`: agent-group thresholds.
    #[serde(default, rename = "agg-gim-thld-AG-IXN")]
    pub agg_gim_thld_ag_ixn: InteractionThresholds,
    /// `[gdpr]`: GDPR request processing.
    #[serde(default)]
    pub gdpr: Gdpr,
    /// `[server]`: the HTTP API and management page of `tidemark serve`.
    #[serde(default)]
    pub server: Server,
    /// `[date-time-<name>]`: custom calendars by name (`fiscal` for `[date-time-fiscal]`).
    #[serde(skip)]
    pub calendars: BTreeMap<String, Calendar>,
}

impl Config {
    /// Reads `path`, applies the process environment's `TIDEMARK_…` overrides and
    /// validates. Warnings are logged through `tracing`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_owned(),
            source,
        })?;
        let (config, warnings) = load::load(&text, std::env::vars(), Some(path.to_owned()))?;
        for warning in warnings {
            tracing::warn!(target: "tidemark::config", "{warning}");
        }
        Ok(config)
    }

    /// Parses and validates `text` without environment overrides.
    pub fn from_toml_str(text: &str) -> Result<Config, ConfigError> {
        Self::from_toml_str_with_env(text, std::iter::empty())
    }

    /// Parses `text`, applies the overrides among `env` (name, value pairs; names
    /// without the `TIDEMARK_` prefix are ignored) and validates.
    pub fn from_toml_str_with_env(
        text: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        load::load(text, env, None).map(|(config, _)| config)
    }

    /// Problems that do not stop the configuration from loading, such as ignored
    /// compatibility options or a maintenance time inside the ETL window.
    pub fn warnings(&self) -> Vec<Problem> {
        let mut report = Report::default();
        self.validate(&mut report);
        report.warnings
    }

    /// A valid configuration for trying Tidemark out in `dir`: SQLite Info Mart
    /// `dir/infomart.db`, GIDB in `dir/gidb`, and one DAP `demo` with every role reading
    /// the SQLite IDB `dir/idb.db`.
    pub fn default_for_demo(dir: &Path) -> Config {
        let sqlite = |file: &str| format!("sqlite://{}", dir.join(file).display());
        Config {
            infomart: InfoMart {
                url: sqlite("infomart.db"),
            },
            gidb: Gidb {
                url: dir.join("gidb").display().to_string(),
            },
            dap: vec![Dap {
                name: "demo".into(),
                role: tidemark_schemas::Domain::ALL.into_iter().collect(),
                url: sqlite("idb.db"),
                ha_group: None,
            }],
            gim_export: GimExport {
                output_directory: dir.join("export").display().to_string(),
                parquet_url: Some(dir.join("warehouse").display().to_string()),
                chunk_size_seconds: 1,
                ..GimExport::default()
            },
            ..Self::defaults()
        }
    }

    /// Every section at its defaults, with no Info Mart URL and no DAP (not valid alone).
    fn defaults() -> Config {
        Config {
            infomart: InfoMart::default(),
            gidb: Gidb::default(),
            dap: Vec::new(),
            schedule: Schedule::default(),
            gim_etl: GimEtl::default(),
            gim_transformation: GimTransformation::default(),
            date_time: Calendar::default(),
            gim_export: GimExport::default(),
            error_policy: ErrorPolicy::default(),
            agg: Aggregation::default(),
            agg_gim_thld_queue_abn: WaitThresholds::default(),
            agg_gim_thld_queue_acc: WaitThresholds::default(),
            agg_gim_thld_id_ixn: InteractionThresholds::default(),
            agg_gim_thld_queue_ixn: InteractionThresholds::default(),
            agg_gim_thld_ag_ixn: InteractionThresholds::default(),
            gdpr: Gdpr::default(),
            server: Server::default(),
            calendars: BTreeMap::new(),
        }
    }

    /// Every calendar with its section name: `date-time` first, then the custom ones.
    pub fn all_calendars(&self) -> impl Iterator<Item = (String, &Calendar)> {
        std::iter::once(("date-time".to_owned(), &self.date_time)).chain(
            self.calendars
                .iter()
                .map(|(name, calendar)| (format!("date-time-{name}"), calendar)),
        )
    }

    /// The effective value of every option as TOML, defaults included, unset options as
    /// comments, passwords in URLs replaced by `****`.
    pub fn show(&self) -> String {
        render::document(self, true)
    }

    /// The whole configuration as TOML that [`Config::from_toml_str`] reads back
    /// unchanged (passwords included).
    pub fn to_toml(&self) -> String {
        render::document(self, false)
    }

    /// The options whose values differ in `newer`, each with the moment a running server
    /// applies it (operations.md §0.5), for hot reconfiguration.
    pub fn changes(&self, newer: &Config) -> Vec<Change> {
        reload::changes(self, newer)
    }

    /// A short human summary: Info Mart, GIDB, DAPs with roles, scheduler state.
    pub fn check_summary(&self) -> String {
        render::summary(self)
    }

    /// Runs every section's checks and the rules between sections.
    fn validate(&self, report: &mut Report) {
        connections::check_database_url(
            report,
            "[infomart] url",
            &self.infomart.url,
            &["postgres", "sqlite"],
        );
        if let Err(message) = self.gidb.location() {
            report.error(
                "[gidb] url".into(),
                Some(error::shown(mask_url(&self.gidb.url))),
                message,
            );
        }
        connections::validate_daps(&self.dap, report);
        self.schedule.validate("schedule", report);
        self.gim_etl.validate("gim-etl", report);
        self.gim_transformation
            .validate("gim-transformation", report);
        self.validate_calendars(report);
        self.gim_export.validate("gim-export", report);
        if self.gim_export.start_date.is_some()
            && self.gim_etl.days_to_keep_discards_and_job_history
                < self.gim_etl.days_to_keep_gim_facts
        {
            report.error(
                "[gim-etl] days-to-keep-discards-and-job-history".into(),
                Some(
                    self.gim_etl
                        .days_to_keep_discards_and_job_history
                        .to_string(),
                ),
                format!(
                    "below days-to-keep-gim-facts ({}) while [gim-export] start-date is set; \
                     allowed: ≥ days-to-keep-gim-facts (export maps dates through CTL_AUDIT_LOG)",
                    self.gim_etl.days_to_keep_gim_facts
                ),
            );
        }
        self.agg_gim_thld_queue_abn
            .validate("agg-gim-thld-QUEUE-ABN", report);
        self.agg_gim_thld_queue_acc
            .validate("agg-gim-thld-QUEUE-ACC", report);
        self.agg_gim_thld_id_ixn
            .validate("agg-gim-thld-ID-IXN", report);
        self.agg_gim_thld_queue_ixn
            .validate("agg-gim-thld-QUEUE-IXN", report);
        self.agg_gim_thld_ag_ixn
            .validate("agg-gim-thld-AG-IXN", report);
        self.gdpr.validate("gdpr", report);
        self.server.validate("server", report);
    }

    fn validate_calendars(&self, report: &mut Report) {
        let mut tables: BTreeMap<String, String> = BTreeMap::new();
        for (section, calendar) in self.all_calendars() {
            calendar.validate(&section, report);
            let table = calendar.date_time_table_name.to_ascii_uppercase();
            if let Some(first) = tables.insert(table, section.clone()) {
                report.error(
                    format!("[{section}] date-time-table-name"),
                    Some(error::shown(calendar.date_time_table_name.as_str())),
                    format!(
                        "already used by [{first}]; allowed: a table name of its own \
                         (required for a custom calendar)"
                    ),
                );
            }
        }
    }
}
