//! `[error-policy]`: what transform does when a check finds inconsistent data
//! (operations.md §1.6, infomart.md §5.2).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How an interaction-level exception is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IrfExceptionPolicy {
    /// Fail the whole transform job.
    Exception,
    /// Write one `STG_TRANSFORM_DISCARDS` row, keep only the bare `INTERACTION_FACT` row
    /// of the interaction and continue.
    LogDbResume,
    /// As `log_db_resume` but without the discard row (log only); `log_resume` is an alias.
    #[serde(alias = "log_resume")]
    Resume,
}

/// What one referential check does when it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckPolicy {
    /// Abort the transformation of this interaction (handled per
    /// `error-policy-irf-exception`).
    Exception,
    /// Log a warning, drop the bad reference and continue.
    Resume,
}

/// Transformation error handling. Every check recovers by default except the
/// interaction-level ones, `error-policy-campaign-group-missing` and
/// `error-policy-cfg-check-backup-data-source`. Each new check is one more field here,
/// named `error-policy-<check>`, taking `exception` or `resume`, default `resume`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ErrorPolicy {
    /// How an interaction-level exception is handled: `exception` fails the transform
    /// job; `log_db_resume` writes a `STG_TRANSFORM_DISCARDS` row and continues;
    /// `resume` continues with a log entry only.
    ///
    /// Allowed: `exception`, `log_db_resume`, `resume` (alias `log_resume`).
    /// Takes effect: `next-etl-cycle`.
    pub error_policy_irf_exception: IrfExceptionPolicy,

    /// The same for exceptions classified as resumable (transient), which are retried in
    /// the next cycle.
    ///
    /// Allowed: `exception`, `log_db_resume`, `resume` (alias `log_resume`).
    /// Takes effect: `next-etl-cycle`.
    pub error_policy_irf_exception_resumable: IrfExceptionPolicy,

    /// `MERGECALLID` of a voice call points to a call that is missing; `resume` drops
    /// the reference and logs "merge call … is missing".
    ///
    /// Allowed: `exception`, `resume`.
    /// Takes effect: `next-etl-cycle`.
    pub error_policy_call_mergecall_missing: CheckPolicy,

    /// Only one side of an IS-Link is available (partially merged call); `resume` treats
    /// the missing side as an unmonitored remote site, so an inter-site internal transfer
    /// becomes inbound or outbound.
    ///
    /// Allowed: `exception`, `resume`.
    /// Takes effect: `next-etl-cycle`.
    pub error_policy_islink_dangling: CheckPolicy,

    /// An outbound record refers to a campaign group missing from configuration history.
    ///
    /// Allowed: `exception`, `resume`.
    /// Takes effect: `next-etl-cycle`.
    pub error_policy_campaign_group_missing: CheckPolicy,

    /// The consistency check of the primary and backup configuration data sources fails.
    ///
    /// Allowed: `exception`, `resume`.
    /// Takes effect: `next-etl-cycle`.
    pub error_policy_cfg_check_backup_data_source: CheckPolicy,
}

impl Default for ErrorPolicy {
    fn default() -> Self {
        Self {
            error_policy_irf_exception: IrfExceptionPolicy::LogDbResume,
            error_policy_irf_exception_resumable: IrfExceptionPolicy::Exception,
            error_policy_call_mergecall_missing: CheckPolicy::Resume,
            error_policy_islink_dangling: CheckPolicy::Resume,
            error_policy_campaign_group_missing: CheckPolicy::Exception,
            error_policy_cfg_check_backup_data_source: CheckPolicy::Exception,
        }
    }
}
