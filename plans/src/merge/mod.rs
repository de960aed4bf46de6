//! The voice merge stage of Job_ExtractICON (idb.md §5.4, infomart.md §4.10 / §5.5): links
//! the voice calls of every IDB into interactions before they reach GIDB.
//!
//! [`merge_voice`] is a pure function over DataFusion. The caller registers these tables on
//! the session (GIDB copy schemas, `tidemark_schemas::gidb::arrow_schema`; latest version of
//! each row already selected, one row per business key) and reads back a [`MergeOutcome`]:
//!
//! | table | rows | columns read |
//! |---|---|---|
//! | [`CALLS`] `merge_calls` | G_CALL of the voice sources: extracted this cycle ∪ still waiting | `data_source_key`, `icon_dbid`, `callid`, `parentcallid`, `mergecallid`, `irid`, `created_ts`, `terminated_ts`, `lastchange_ts` |
//! | [`IRS`] `merge_irs` | G_IR of the same sources | `data_source_key`, `irid`, `parentirid`, `rootcallid`, `created_ts`, `terminated_ts`, `lastchange_ts` |
//! | [`IS_LINKS`] `merge_is_links` | G_IS_LINK of the same sources | `data_source_key`, `linkid`, `callid`, `remotelocation`, `state`, `initiated_ts`, `terminated_ts`, `lastchange_ts` |
//! | [`REMOTE_LOCATIONS`] `merge_remote_locations` | GSYS_DNPREMOTELOCATION of every IDB (IDB schema plus `data_source_key`) | `remotelocation` |
//!
//! The algorithm (one job per module, each step a materialised DataFusion query):
//!
//! 0. [`reach`] — the G_IR and G_IS_LINK rows connected to none of the calls are dropped:
//!    they form components without calls, which change nothing.
//! 1. [`graph`] — nodes are calls `(data source, CallID)`, interaction records
//!    `(data source, IRID)` and IS-links (LinkID, shared by both sites); edges are
//!    G_CALL.ParentCallID / MergeCallID / IRID, G_IR.ParentIRID / RootCallID and
//!    G_IS_LINK.CallID. Two halves of a pair meet in their link node.
//! 2. [`components`] — connected components by label propagation: every node starts with its
//!    own label (a call's `merge_root_key`, which sorts earliest-created first), and a loop of
//!    joins and aggregations lowers each label to the minimum of its neighbours' until no
//!    label changes. A component's label is then the key of its root call.
//! 3. [`outcome`] — per component: *blocked* if a call or G_IR row in it is still active;
//!    *missing* something if an IS-link half has no pair and is neither failed (State 3) nor
//!    pointing to a location listed in GSYS_DNPREMOTELOCATION, or if a referenced call or IR
//!    is absent. Not blocked and nothing missing → merged (1). Not blocked, something
//!    missing and `last_event_ts + failed_is_link_timeout_secs <= source_horizon_ts` →
//!    partially merged (2). Otherwise the component waits.
//!
//! The same inputs always give the same output: the root is the earliest-created call, ties
//! broken by data source key then CallID, and rows are sorted. A partially merged component
//! is final; the caller stops feeding its calls, so a half arriving later forms its own
//! component.
//!
//! G_CALL_HISTORY (ChangeType 3, RefID) and G_PARTY (ParentPartyID) are not read: the calls
//! they tie together are already tied by G_CALL.MergeCallID / ParentCallID.

pub mod components;
pub mod graph;
pub mod outcome;
pub mod reach;
pub mod sql;

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;
use tidemark_schemas::gidb::{self, DATA_SOURCE_KEY};

pub use outcome::{emitted_schema, waiting_schema};

/// Input table of G_CALL rows.
pub const CALLS: &str = "merge_calls";
/// Input table of G_IR rows.
pub const IRS: &str = "merge_irs";
/// Input table of G_IS_LINK rows.
pub const IS_LINKS: &str = "merge_is_links";
/// Input table of GSYS_DNPREMOTELOCATION rows.
pub const REMOTE_LOCATIONS: &str = "merge_remote_locations";
/// Every input table the caller registers.
pub const INPUTS: [&str; 4] = [CALLS, IRS, IS_LINKS, REMOTE_LOCATIONS];

/// Schema the caller gives input table `name` ([`INPUTS`]): the GIDB copy of its IDB table,
/// or for [`REMOTE_LOCATIONS`] the IDB table plus `data_source_key`. Columns the merge does
/// not read may be left NULL.
pub fn input_schema(name: &str) -> Option<SchemaRef> {
    let idb = |t: &str| tidemark_schemas::idb::table(t);
    match name {
        CALLS => idb("G_CALL").map(gidb::arrow_schema),
        IRS => idb("G_IR").map(gidb::arrow_schema),
        IS_LINKS => idb("G_IS_LINK").map(gidb::arrow_schema),
        REMOTE_LOCATIONS => idb("GSYS_DNPREMOTELOCATION").map(|t| {
            let mut fields: Vec<Field> = t
                .arrow_schema()
                .fields()
                .iter()
                .map(|f| f.as_ref().clone())
                .collect();
            fields.push(Field::new(DATA_SOURCE_KEY, DataType::Int32, false));
            Arc::new(Schema::new(fields))
        }),
        _ => None,
    }
}

/// `merge_state` of a component whose every link is paired or settled.
pub const MERGED: i16 = 1;
/// `merge_state` of a component emitted by the pairing timeout with something missing.
pub const PARTIALLY_MERGED: i16 = 2;

/// Options of one merge run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeOptions {
    /// `merge-failed-is-link-timeout` in seconds (default 3600): how long a component with an
    /// unpaired IS-link or a missing reference waits after its last event.
    pub failed_is_link_timeout_secs: i64,
    /// The smallest extraction mark (epoch seconds) over the voice data sources: the timeout
    /// fires for a component when its last event + the timeout is at or before it.
    pub source_horizon_ts: i64,
}

impl MergeOptions {
    /// Default `merge-failed-is-link-timeout` (idb.md §5.4 Resolution).
    pub const DEFAULT_TIMEOUT_SECS: i64 = 3600;

    /// Options with the default timeout and the given horizon.
    pub fn at_horizon(source_horizon_ts: i64) -> Self {
        MergeOptions {
            failed_is_link_timeout_secs: Self::DEFAULT_TIMEOUT_SECS,
            source_horizon_ts,
        }
    }
}

/// What one merge run decided.
#[derive(Debug, Clone, Default)]
pub struct MergeOutcome {
    /// One row per call of every mergeable component ([`emitted_schema`]), sorted by
    /// interaction, data source key and CallID.
    pub emitted: Vec<RecordBatch>,
    /// The calls of components not yet mergeable ([`waiting_schema`]), sorted.
    pub waiting: Vec<RecordBatch>,
}

/// Runs the voice merge over the input tables registered in `ctx` ([`INPUTS`]). Nothing is
/// registered on `ctx`: the work tables live in a private session sharing its config and
/// runtime.
pub async fn merge_voice(
    ctx: &SessionContext,
    opts: &MergeOptions,
) -> Result<MergeOutcome, DataFusionError> {
    let work = SessionContext::new_with_config_rt(ctx.copied_config(), ctx.runtime_env());
    tidemark_udfs::register_all(&work);
    for name in INPUTS {
        work.register_table(name, ctx.table_provider(name).await?)?;
    }
    reach::narrow(&work).await?;
    graph::build(&work).await?;
    components::label(&work).await?;
    outcome::decide(&work, opts).await
}

/// Runs `sql` on `ctx` and registers its result, held in memory, as table `name` (replacing
/// an earlier table of that name).
pub(crate) async fn materialize(
    ctx: &SessionContext,
    name: &str,
    sql: &str,
) -> Result<(), DataFusionError> {
    let cached = ctx.sql(sql).await?.cache().await?;
    ctx.deregister_table(name)?;
    ctx.register_table(name, cached.into_view())?;
    Ok(())
}
