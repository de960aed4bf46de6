//! IDB source tables (idb.md §2) with their extraction rules (idb.md §1.4, §5).
//!
//! One private module per area of the catalogue: `core` interactions, `userdata` attached
//! data, `agent` agent activity, `config` configuration objects and associations, `outbound`
//! OCS data and `control` session, sequence and dictionary tables; [`tables`] lists them all.
//! Every table ends with the GSYS service columns of idb.md §0.1, added by [`gsys`], and
//! carries exactly the indexes its extraction rule selects on (Job_InitializeGIM checks them
//! in every IDB and creates the missing ones).

use std::sync::LazyLock;

use crate::extraction::{Domain, ExtractionDef, HwmRule};
use crate::table::{SqlType, TableDef, TableFamily};

mod agent;
mod config;
mod control;
mod core;
mod outbound;
mod userdata;

#[cfg(test)]
mod tests;

/// Interaction-side GUIDs: CallID, IRID, PartyID, LinkID, LoginSessionID (idb.md §0).
const GUID: SqlType = SqlType::Varchar(50);
/// Outbound GUIDs: ChainGUID, SessID, CallAttID (idb.md §0).
const OCS_GUID: SqlType = SqlType::Varchar(64);
/// Names, DNs, locations and short values.
const NAME: SqlType = SqlType::Varchar(255);
/// Media type names (`voice`, `email`, `chat`, …).
const MEDIA: SqlType = SqlType::Varchar(64);

/// Appends the GSYS_* service columns every IDB table ends with (idb.md §0.1).
pub fn gsys(table: TableDef) -> TableDef {
    table
        .col(
            "GSYS_DOMAIN",
            SqlType::Integer,
            "data source session (DSS_ID) that was live when ICON processed the row",
        )
        .col(
            "GSYS_PARTITION",
            SqlType::Integer,
            "partitioning key (unused)",
        )
        .col("GSYS_SYS_ID", SqlType::Integer, "reserved system id")
        .col(
            "GSYS_SEQ",
            SqlType::BigInt,
            "insert sequence stamped from the provider counter",
        )
        .col(
            "GSYS_USEQ",
            SqlType::BigInt,
            "update sequence, re-stamped on every update",
        )
        .col("GSYS_TS", SqlType::Timestamp, "reserved")
        .col("GSYS_TC", SqlType::Integer, "reserved")
        .col(
            "GSYS_EXT_VCH1",
            SqlType::Varchar(255),
            "extension slot, table-specific",
        )
        .col(
            "GSYS_EXT_VCH2",
            SqlType::Varchar(255),
            "extension slot, table-specific",
        )
        .col(
            "GSYS_EXT_INT1",
            SqlType::Integer,
            "extension slot, table-specific",
        )
        .col(
            "GSYS_EXT_INT2",
            SqlType::Integer,
            "extension slot, table-specific",
        )
}

/// Starts an operational table whose first column `id` is its `bigserial` surrogate primary
/// key (idb.md §0: `ID`, `IRHID`, `CHID`, `PHID`).
fn operational(name: &str, id: &str, doc: &'static str) -> TableDef {
    TableDef::new(name, TableFamily::IdbOperational, doc)
        .req(id, SqlType::BigSerial, "surrogate key")
        .pk(&[id])
}

/// Ends a table: appends the GSYS block, attaches the extraction rule and adds one index per
/// column the rule selects on (each `_ts` window column, the `ByParent` join key), named
/// `<table>_<column>`.
fn finish(table: TableDef, rule: ExtractionDef) -> TableDef {
    let mut columns: Vec<String> = Vec::new();
    for hwm in std::iter::once(&rule.hwm).chain(rule.mm_hwm.as_ref()) {
        let selected: Vec<String> = match hwm {
            HwmRule::Column(c) => vec![c.clone()],
            HwmRule::Greatest(cs) => cs.clone(),
            HwmRule::ByParent { key, .. } => vec![key.clone()],
            HwmRule::FullRead | HwmRule::ReadOnce => Vec::new(),
        };
        for c in selected {
            if !columns.contains(&c) {
                columns.push(c);
            }
        }
    }
    columns
        .iter()
        .fold(gsys(table).extract(rule), |t, c| t.index(c, &[c.as_str()]))
}

/// Rule of an insert-only table selected by `ADDED_TS` in the given domains.
fn added(domains: &[Domain]) -> ExtractionDef {
    ExtractionDef::new(domains, HwmRule::column("ADDED_TS"))
}

/// Rule of a table holding rows of both voice and multimedia interactions (`_v`/`_mm`
/// families): voice rows are pulled in with their completed parent (idb.md §5.3), multimedia
/// rows are selected by their own `mm_column` as they change.
fn voice_by_parent(parent: &str, key: &str, mm_column: &str) -> ExtractionDef {
    ExtractionDef::new(&[Domain::Core, Domain::Mm], HwmRule::by_parent(parent, key))
        .mm(HwmRule::column(mm_column))
        .split()
}

static TABLES: LazyLock<Vec<TableDef>> = LazyLock::new(|| {
    [
        core::tables(),
        userdata::tables(),
        agent::tables(),
        config::tables(),
        outbound::tables(),
        control::tables(),
    ]
    .into_iter()
    .flatten()
    .collect()
});

/// Every IDB table Tidemark creates (simulator) or reads (extraction), in catalogue order.
pub fn tables() -> &'static [TableDef] {
    &TABLES
}

/// The IDB table called `name` (any case).
pub fn table(name: &str) -> Option<&'static TableDef> {
    tables().iter().find(|t| t.name.eq_ignore_ascii_case(name))
}

/// The IDB tables extracted for `domain`, in catalogue order.
pub fn tables_for(domain: Domain) -> impl Iterator<Item = &'static TableDef> {
    tables().iter().filter(move |t| {
        t.extraction
            .as_ref()
            .is_some_and(|e| e.domains.contains(&domain))
    })
}
