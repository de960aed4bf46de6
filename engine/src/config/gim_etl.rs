//! `[gim-etl]`: retention, partitioning, extraction and the transform options that the
//! sibling specs define in this section (operations.md §1.2, idb.md §6.1, infomart.md).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::connections::check_database_url;
use super::error::{shown, Report};

/// ETL, retention and partitioning. Retention and partitioning options are read by
/// `Job_MaintainGIM` at its next run; extraction and transform options at the start of
/// each ETL cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct GimEtl {
    /// Days to keep facts of the dimensional model (`*_FACT` tables and their user-data
    /// tables). Rows starting (or, for spanning facts, ending) before now − N days are
    /// purged.
    ///
    /// Allowed: an integer ≥ 1 (days).
    /// Takes effect: `next-run:Job_MaintainGIM`.
    pub days_to_keep_gim_facts: u32,

    /// Days to keep extracted GIDB rows (interaction, party and state data, not
    /// configuration). GIDB is Parquet `day=` folders; purge drops whole folders.
    ///
    /// Allowed: 1 to `days-to-keep-gim-facts` (days).
    /// Takes effect: `next-run:Job_MaintainGIM`.
    pub days_to_keep_gidb_facts: u32,

    /// Days to keep the configuration history of deleted configuration objects (GIDB
    /// configuration tables and configuration facts). Unset means the value of
    /// `days-to-keep-gim-facts`; a smaller value is raised to it with a warning.
    ///
    /// Allowed: an integer ≥ `days-to-keep-gim-facts` (days), or unset.
    /// Takes effect: `next-run:Job_MaintainGIM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_to_keep_cfg_facts: Option<u32>,

    /// Maximum age in days of a still-active (multimedia) interaction; transform then
    /// terminates it artificially so endless updates stop triggering re-aggregation.
    ///
    /// Allowed: an integer ≥ 1 (days).
    /// Takes effect: `next-run:Job_TransformGIM`, `next-run:Job_MaintainGIM`.
    pub days_to_keep_active_facts: u32,

    /// Days to keep discards (`STG_TRANSFORM_DISCARDS`, `STG_IDB_FK_VIOLATION`) and the
    /// audit and history tables (`CTL_AUDIT_LOG`, `CTL_ETL_HISTORY`,
    /// `CTL_EXTRACT_HISTORY`, `CTL_TRANSFORM_HISTORY`, `CTL_PURGE_HISTORY`).
    ///
    /// Allowed: an integer ≥ 1 (days); ≥ `days-to-keep-gim-facts` when
    /// `[gim-export] start-date` is set.
    /// Takes effect: `next-run:Job_MaintainGIM`.
    pub days_to_keep_discards_and_job_history: u32,

    /// Days to keep `CTL_GDPR_HISTORY` rows, which hold the personal data that was
    /// exported or redacted; 0 purges them at every maintenance run.
    ///
    /// Allowed: 0–30 (days).
    /// Takes effect: `next-run:Job_MaintainGIM`.
    pub days_to_keep_gdpr_history: u32,

    /// Days to keep annex (option-tab) history rows of deleted configuration objects.
    ///
    /// Allowed: an integer ≥ 1 (days).
    /// Takes effect: `next-run:Job_MaintainGIM`.
    pub days_to_keep_deleted_annex: u32,

    /// How many days ahead partitions must exist for partitioned Info Mart tables
    /// (PostgreSQL only; SQLite is unpartitioned and GIDB day folders are created when
    /// first written).
    ///
    /// Allowed: an integer ≥ 1 (days).
    /// Takes effect: `next-run:Job_MaintainGIM`.
    pub partitioning_ahead_range: u32,

    /// Partition width in seconds for fact and control tables. For PostgreSQL 2592000
    /// (about a month) suits fact retention under 1095 days, 5184000–7776000 longer
    /// retention.
    ///
    /// Allowed: an integer ≥ 1 (seconds).
    /// Takes effect: `next-run:Job_MaintainGIM`.
    pub partitioning_interval_size_gim: u32,

    /// Vendor partition width for voice and configuration GIDB tables. Accepted for
    /// compatibility and ignored: GIDB is partitioned by UTC day folders.
    ///
    /// Allowed: an integer ≥ 1 (seconds).
    /// Takes effect: `never` (ignored; a changed value is logged as a warning).
    pub partitioning_interval_size_gidb: u32,

    /// Vendor partition width for multimedia GIDB tables; ignored like
    /// `partitioning-interval-size-gidb`.
    ///
    /// Allowed: an integer ≥ 1 (seconds).
    /// Takes effect: `never` (ignored; a changed value is logged as a warning).
    pub partitioning_interval_size_gidb_mm: u32,

    /// Vendor partition width for outbound GIDB tables; ignored like
    /// `partitioning-interval-size-gidb`.
    ///
    /// Allowed: an integer ≥ 1 (seconds).
    /// Takes effect: `never` (ignored; a changed value is logged as a warning).
    pub partitioning_interval_size_gidb_ocs: u32,

    /// Longest expected lifetime in hours of one outbound chain; decides how long a
    /// partition stays open for late chain updates (partitioned databases only).
    ///
    /// Allowed: an integer ≥ 0 (hours).
    /// Takes effect: `next-etl-cycle`.
    pub max_chain_processing_duration_in_hours: u32,

    /// Width in seconds of the source-time window `(mark, mark + size]` copied per IDB
    /// table in one extraction chunk. Larger windows are refused: the vendor limit is 7200.
    ///
    /// Allowed: 60–7200 (seconds).
    /// Takes effect: `next-etl-cycle`.
    pub extract_data_chunk_size: u32,

    /// Chunk width in seconds for configuration association facts.
    ///
    /// Allowed: an integer ≥ 60 (seconds).
    /// Takes effect: `next-etl-cycle`.
    pub extract_data_cfg_facts_chunk_size: u32,

    /// Seconds without high-water-mark progress, while the source keeps producing data,
    /// after which extraction of a source is stuck: an alarm is logged, the ETL status
    /// shows it, and it stops holding back the transform, the HA gap wait and the
    /// IS-link pairing wait until its mark moves again.
    ///
    /// Allowed: an integer ≥ 1 (seconds).
    /// Takes effect: `next-etl-cycle`.
    pub extract_data_stuck_threshold: u32,

    /// Maximum concurrent database connections opened against one IDB.
    ///
    /// Allowed: an integer ≥ 1.
    /// Takes effect: `next-etl-cycle`.
    pub extract_data_max_conn: u32,

    /// Maximum concurrent extraction workers.
    ///
    /// Allowed: an integer ≥ 1.
    /// Takes effect: `next-etl-cycle`.
    pub extract_data_thread_pool_size: u32,

    /// When an active data source yields nothing to extract for this many seconds,
    /// log event 55-20110 naming the sources and tables expected to deliver.
    ///
    /// Allowed: 60–3600 (seconds).
    /// Takes effect: `next-etl-cycle`.
    pub delayed_data_threshold: u32,

    /// Tolerated clock difference in seconds between ICON, IDB and Info Mart hosts;
    /// extraction stays this far behind the newest source time.
    ///
    /// Allowed: an integer ≥ 0 (seconds).
    /// Takes effect: `next-etl-cycle`.
    pub max_time_deviation: u32,

    /// Source-time seconds to wait for the other leg of an IS-link before a voice
    /// interaction is merged partially.
    ///
    /// Allowed: an integer ≥ 0 (seconds).
    /// Takes effect: `next-etl-cycle`.
    pub merge_failed_is_link_timeout: u32,

    /// How many times a pooled database connection is reused: negative = unlimited,
    /// 0 = closed after one use, n > 0 = closed after n returns.
    ///
    /// Allowed: any integer.
    /// Takes effect: `restart`.
    pub cp_reuse_count: i64,

    /// Days without a new interaction after which a multimedia conversation thread is
    /// closed (only with `populate-thread-facts = true`).
    ///
    /// Allowed: an integer ≥ 1 (days).
    /// Takes effect: `next-run:Job_TransformGIM`.
    pub max_thread_duration_after_inactive_in_days: u32,

    /// UserEvent attached data arriving more than this many seconds after the call ended
    /// is ignored by transform.
    ///
    /// Allowed: an integer ≥ 0 (seconds).
    /// Takes effect: `next-etl-cycle`.
    pub user_event_data_timeout: u32,

    /// Seconds after which an incomplete voice interaction thread is closed (counted in
    /// source time).
    ///
    /// Allowed: an integer ≥ 1 (seconds).
    /// Takes effect: `next-etl-cycle`.
    pub max_call_duration: u32,

    /// Hours after which a login session still open is closed.
    ///
    /// Allowed: an integer ≥ 1 (hours).
    /// Takes effect: `next-etl-cycle`.
    pub max_session_duration_in_hours: u32,

    /// Seconds after which an agent state with no transition is ended.
    ///
    /// Allowed: an integer > 900 (seconds).
    /// Takes effect: `next-etl-cycle`.
    pub max_state_duration: u32,

    /// Priority of concurrent agent states when summarising them per media, highest
    /// first; all four states, each once.
    ///
    /// Allowed: a comma list ordering `ACW`, `NOT_READY`, `BUSY`, `READY`.
    /// Takes effect: `next-etl-cycle`.
    pub sm_resource_state_priority: String,

    /// Whether Do-Not-Disturb counts as not ready in agent state facts. Unset means the
    /// per-switch default: off for voice/SIP switches, on for multimedia.
    ///
    /// Allowed: `true`, `false`, or unset.
    /// Takes effect: `next-etl-cycle`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub factor_dnd_into_sm_resource_states: Option<bool>,

    /// Write user-data rows for mediation segments too (DN/Script option in the vendor
    /// product, application-wide here).
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `next-etl-cycle`.
    pub link_msf_userdata: bool,

    /// Write user-data rows for voice mediation segments.
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `next-etl-cycle`.
    pub link_msf_userdata_voice: bool,

    /// Write user-data rows for multimedia mediation segments.
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `next-etl-cycle`.
    pub link_msf_userdata_mm: bool,

    /// Aggregate the calls dialled under one call-attempt GUID into one
    /// `CONTACT_ATTEMPT_FACT` row; `false` writes one row per call.
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `next-etl-cycle`.
    pub ocs_caf_aggregates_calls: bool,

    /// Names of stop-interaction queues: placing an interaction there ends it.
    ///
    /// Allowed: a list of queue names.
    /// Takes effect: `next-etl-cycle`.
    pub stop_ixn_queues: Vec<String>,

    /// Enables the aggregation engine when set to anything other than empty or `none`;
    /// the vendor value `GIMAgg.GimInterfaceImpl.AggregationImpl` is accepted.
    ///
    /// Allowed: a string, or unset.
    /// Takes effect: `restart`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregation_engine_class_name: Option<String>,

    /// Separate Info Mart connection for aggregation; unset uses `[infomart] url`.
    ///
    /// Allowed: a `postgres://…` or `sqlite://…` URL, or unset.
    /// Takes effect: `restart`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agg_jdbc_url: Option<String>,

    /// Width in minutes of the SUBHR aggregation level.
    ///
    /// Allowed: `15`, `30`.
    /// Takes effect: `initialisation` (structural).
    pub sub_hour_interval: u32,

    /// Earliest source date to extract at initialisation, also the start of the initial
    /// partitions; unset starts at the first data.
    ///
    /// Allowed: a date `yyyy-mm-dd`, or unset.
    /// Takes effect: `restart` (first run only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub etl_start_date: Option<chrono::NaiveDate>,

    /// Let the extraction of cycle N+1 overlap the transform of cycle N.
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `next-etl-cycle`.
    pub etl_pipelining: bool,

    /// Populate conversation-thread facts and apply
    /// `max-thread-duration-after-inactive-in-days`.
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `next-etl-cycle`.
    pub populate_thread_facts: bool,

    /// Vendor switch for multimedia interaction-queue mediation facts. Accepted and
    /// ignored with a warning: Tidemark follows the 8.5 model and always writes them.
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `never` (ignored; `true` is logged as a warning).
    pub populate_mm_ixnqueue_facts: bool,

    /// Populate agent session, state and reason facts (`SM_RES_*`).
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `next-etl-cycle`.
    pub populate_sm_resource_activity: bool,

    /// Populate outbound ASM engage time in `INTERACTION_RESOURCE_FACT` (removed from
    /// talk time).
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `next-etl-cycle`.
    pub populate_irf_asm_engage_duration: bool,

    /// Count workbin time as hold in the hold measures.
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `next-etl-cycle`.
    pub populate_workbin_as_hold: bool,

    /// Populate the `GPM_*` columns of `AGT_I_AGENT_*`.
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `next-run:Job_AggregateGIM` (intervals aggregated afterwards).
    pub enable_gpr: bool,
}

/// The agent states that `sm-resource-state-priority` must order.
pub const SM_RESOURCE_STATES: [&str; 4] = ["ACW", "NOT_READY", "BUSY", "READY"];

impl Default for GimEtl {
    fn default() -> Self {
        Self {
            days_to_keep_gim_facts: 400,
            days_to_keep_gidb_facts: 14,
            days_to_keep_cfg_facts: None,
            days_to_keep_active_facts: 30,
            days_to_keep_discards_and_job_history: 600,
            days_to_keep_gdpr_history: 15,
            days_to_keep_deleted_annex: 30,
            partitioning_ahead_range: 14,
            partitioning_interval_size_gim: 86_400,
            partitioning_interval_size_gidb: GIDB_PARTITION_DEFAULTS[0],
            partitioning_interval_size_gidb_mm: GIDB_PARTITION_DEFAULTS[1],
            partitioning_interval_size_gidb_ocs: GIDB_PARTITION_DEFAULTS[2],
            max_chain_processing_duration_in_hours: 8,
            extract_data_chunk_size: 900,
            extract_data_cfg_facts_chunk_size: 86_400,
            extract_data_stuck_threshold: 28_860,
            extract_data_max_conn: 3,
            extract_data_thread_pool_size: 32,
            delayed_data_threshold: 900,
            max_time_deviation: 30,
            merge_failed_is_link_timeout: 3600,
            cp_reuse_count: -1,
            max_thread_duration_after_inactive_in_days: 31,
            user_event_data_timeout: 3600,
            max_call_duration: 3600,
            max_session_duration_in_hours: 24,
            max_state_duration: 14_400,
            sm_resource_state_priority: SM_RESOURCE_STATES.join(","),
            factor_dnd_into_sm_resource_states: None,
            link_msf_userdata: false,
            link_msf_userdata_voice: false,
            link_msf_userdata_mm: false,
            ocs_caf_aggregates_calls: true,
            stop_ixn_queues: Vec::new(),
            aggregation_engine_class_name: None,
            agg_jdbc_url: None,
            sub_hour_interval: 15,
            etl_start_date: None,
            etl_pipelining: false,
            populate_thread_facts: false,
            populate_mm_ixnqueue_facts: false,
            populate_sm_resource_activity: true,
            populate_irf_asm_engage_duration: false,
            populate_workbin_as_hold: false,
            enable_gpr: false,
        }
    }
}

/// Defaults of the three ignored GIDB partition widths (voice/config, MM, OCS).
const GIDB_PARTITION_DEFAULTS: [u32; 3] = [86_400, 864_000, 86_400];

impl GimEtl {
    /// Effective retention of configuration history: `days-to-keep-cfg-facts`, never
    /// below `days-to-keep-gim-facts`.
    pub fn effective_days_to_keep_cfg_facts(&self) -> u32 {
        self.days_to_keep_cfg_facts
            .unwrap_or(0)
            .max(self.days_to_keep_gim_facts)
    }

    /// Whether the aggregation engine is enabled (`aggregation-engine-class-name`).
    pub fn aggregation_enabled(&self) -> bool {
        self.aggregation_engine_class_name
            .as_deref()
            .is_some_and(|name| !name.trim().is_empty() && name.trim() != "none")
    }

    /// The agent states of `sm-resource-state-priority`, highest priority first.
    pub fn sm_state_priority(&self) -> Vec<&str> {
        self.sm_resource_state_priority
            .split(',')
            .map(str::trim)
            .collect()
    }

    /// Checks ranges and the cross-option retention rules of operations.md §1.2.1; rule 3
    /// (audit-log retention when an export start date is set) needs `[gim-export]` and
    /// is checked by the caller.
    pub(crate) fn validate(&self, s: &str, report: &mut Report) {
        let positive = [
            ("days-to-keep-gim-facts", self.days_to_keep_gim_facts),
            ("days-to-keep-gidb-facts", self.days_to_keep_gidb_facts),
            ("days-to-keep-active-facts", self.days_to_keep_active_facts),
            (
                "days-to-keep-discards-and-job-history",
                self.days_to_keep_discards_and_job_history,
            ),
            (
                "days-to-keep-deleted-annex",
                self.days_to_keep_deleted_annex,
            ),
            ("partitioning-ahead-range", self.partitioning_ahead_range),
            (
                "partitioning-interval-size-gim",
                self.partitioning_interval_size_gim,
            ),
            (
                "partitioning-interval-size-gidb",
                self.partitioning_interval_size_gidb,
            ),
            (
                "partitioning-interval-size-gidb-mm",
                self.partitioning_interval_size_gidb_mm,
            ),
            (
                "partitioning-interval-size-gidb-ocs",
                self.partitioning_interval_size_gidb_ocs,
            ),
            (
                "extract-data-stuck-threshold",
                self.extract_data_stuck_threshold,
            ),
            ("extract-data-max-conn", self.extract_data_max_conn),
            (
                "extract-data-thread-pool-size",
                self.extract_data_thread_pool_size,
            ),
            (
                "max-thread-duration-after-inactive-in-days",
                self.max_thread_duration_after_inactive_in_days,
            ),
            ("max-call-duration", self.max_call_duration),
            (
                "max-session-duration-in-hours",
                self.max_session_duration_in_hours,
            ),
        ];
        for (option, value) in positive {
            report.at_least(s, option, value.into(), 1);
        }
        report.range(
            s,
            "days-to-keep-gdpr-history",
            self.days_to_keep_gdpr_history.into(),
            0,
            30,
            " days",
        );
        report.range(
            s,
            "extract-data-chunk-size",
            self.extract_data_chunk_size.into(),
            60,
            7_200,
            " seconds",
        );
        report.at_least(
            s,
            "extract-data-cfg-facts-chunk-size",
            self.extract_data_cfg_facts_chunk_size.into(),
            60,
        );
        report.range(
            s,
            "delayed-data-threshold",
            self.delayed_data_threshold.into(),
            60,
            3600,
            " seconds",
        );
        report.at_least(s, "max-state-duration", self.max_state_duration.into(), 901);
        if ![15, 30].contains(&self.sub_hour_interval) {
            let value = Some(self.sub_hour_interval.to_string());
            report.error(
                format!("[{s}] sub-hour-interval"),
                value,
                "allowed: 15, 30 (minutes)",
            );
        }
        if self.days_to_keep_gidb_facts > self.days_to_keep_gim_facts {
            report.error(
                format!("[{s}] days-to-keep-gidb-facts"),
                Some(self.days_to_keep_gidb_facts.to_string()),
                format!(
                    "exceeds days-to-keep-gim-facts ({}); allowed: 1 to days-to-keep-gim-facts",
                    self.days_to_keep_gim_facts
                ),
            );
        }
        if let Some(cfg) = self
            .days_to_keep_cfg_facts
            .filter(|&d| d < self.days_to_keep_gim_facts)
        {
            report.warning(
                format!("[{s}] days-to-keep-cfg-facts"),
                Some(cfg.to_string()),
                format!(
                    "below days-to-keep-gim-facts; {} is used instead",
                    self.days_to_keep_gim_facts
                ),
            );
        }
        let mut states = self.sm_state_priority();
        states.sort_unstable();
        let mut expected = SM_RESOURCE_STATES.to_vec();
        expected.sort_unstable();
        if states != expected {
            report.error(
                format!("[{s}] sm-resource-state-priority"),
                Some(shown(self.sm_resource_state_priority.as_str())),
                "allowed: a comma list naming ACW, NOT_READY, BUSY and READY once each",
            );
        }
        if let Some(url) = &self.agg_jdbc_url {
            check_database_url(
                report,
                &format!("[{s}] agg-jdbc-url"),
                url,
                &["postgres", "sqlite"],
            );
        }
        self.warn_ignored(s, report);
    }

    fn warn_ignored(&self, s: &str, report: &mut Report) {
        let gidb_widths = [
            (
                "partitioning-interval-size-gidb",
                self.partitioning_interval_size_gidb,
            ),
            (
                "partitioning-interval-size-gidb-mm",
                self.partitioning_interval_size_gidb_mm,
            ),
            (
                "partitioning-interval-size-gidb-ocs",
                self.partitioning_interval_size_gidb_ocs,
            ),
        ];
        for ((option, value), default) in gidb_widths.into_iter().zip(GIDB_PARTITION_DEFAULTS) {
            if value != default {
                let message = "ignored: GIDB is partitioned by UTC day folders";
                report.warning(format!("[{s}] {option}"), Some(value.to_string()), message);
            }
        }
        if self.populate_mm_ixnqueue_facts {
            report.warning(
                format!("[{s}] populate-mm-ixnqueue-facts"),
                Some("true".into()),
                "ignored: interaction-queue mediation facts are always written",
            );
        }
    }
}
