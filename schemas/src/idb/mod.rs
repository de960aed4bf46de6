//! IDB source tables (idb.md §2) with their extraction rules (idb.md §1.4, §5).
//!
//! Every table ends with the GSYS service columns of idb.md §0.1, added by [`gsys`].

use std::sync::LazyLock;

use crate::table::{SqlType, TableDef};

/// Appends the GSYS_* service columns every IDB table ends with (idb.md §0.1).
pub fn gsys(table: TableDef) -> TableDef {
    table
        .col("GSYS_DOMAIN", SqlType::Integer, "data source session (DSS_ID) that was live when ICON processed the row")
        .col("GSYS_PARTITION", SqlType::Integer, "partitioning key (unused)")
        .col("GSYS_SYS_ID", SqlType::Integer, "reserved system id")
        .col("GSYS_SEQ", SqlType::BigInt, "insert sequence stamped from the provider counter")
        .col("GSYS_USEQ", SqlType::BigInt, "update sequence, re-stamped on every update")
        .col("GSYS_TS", SqlType::Timestamp, "reserved")
        .col("GSYS_TC", SqlType::Integer, "reserved")
        .col("GSYS_EXT_VCH1", SqlType::Varchar(255), "extension slot, table-specific")
        .col("GSYS_EXT_VCH2", SqlType::Varchar(255), "extension slot, table-specific")
        .col("GSYS_EXT_INT1", SqlType::Integer, "extension slot, table-specific")
        .col("GSYS_EXT_INT2", SqlType::Integer, "extension slot, table-specific")
}

static TABLES: LazyLock<Vec<TableDef>> = LazyLock::new(|| Vec::new());

/// Every IDB table Tidemark creates (simulator) or reads (extraction), in catalogue order.
pub fn tables() -> &'static [TableDef] {
    &TABLES
}

/// The IDB table called `name` (any case).
pub fn table(name: &str) -> Option<&'static TableDef> {
    tables().iter().find(|t| t.name.eq_ignore_ascii_case(name))
}
