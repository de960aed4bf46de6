//! `[gim-transformation]`: transform chunking and safety caps (operations.md §1.3).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::error::Report;

/// Job_TransformGIM options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct GimTransformation {
    /// Width in seconds of one transform chunk. Each chunk of a stream is one Info Mart
    /// transaction: facts, audit row, history row, aggregation notifications and the new
    /// mark commit together.
    ///
    /// Allowed: an integer ≥ 1 (seconds).
    /// Takes effect: `next-run:Job_TransformGIM`.
    pub chunk_size: u32,

    /// Cap on `GIDB_GO_FIELDHIST` / `GIDB_GO_CHAINREC_HIST` rows per CHAINGUID; a chain
    /// above it is skipped with log event 55-20176. 0 means unlimited.
    ///
    /// Allowed: an integer ≥ 0.
    /// Takes effect: `next-run:Job_TransformGIM`.
    pub max_chain_records: u32,
}

impl Default for GimTransformation {
    fn default() -> Self {
        Self {
            chunk_size: 7200,
            max_chain_records: 5000,
        }
    }
}

impl GimTransformation {
    pub(crate) fn validate(&self, section: &str, report: &mut Report) {
        report.at_least(section, "chunk-size", self.chunk_size.into(), 1);
    }
}
