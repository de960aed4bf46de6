//! The Info Mart model: facts and dimensions (infomart.md §2–3), control and staging tables
//! (operations.md §2) and the ADMIN_* views (operations.md §2.10).

use std::sync::LazyLock;

use crate::table::{TableDef, ViewDef};

static TABLES: LazyLock<Vec<TableDef>> = LazyLock::new(|| Vec::new());
static VIEWS: LazyLock<Vec<ViewDef>> = LazyLock::new(|| Vec::new());

/// Every Info Mart table, in creation order.
pub fn tables() -> &'static [TableDef] {
    &TABLES
}

/// Every ADMIN_* view, in creation order (after the tables they read).
pub fn views() -> &'static [ViewDef] {
    &VIEWS
}

/// The Info Mart table called `name` (any case).
pub fn table(name: &str) -> Option<&'static TableDef> {
    tables().iter().find(|t| t.name.eq_ignore_ascii_case(name))
}
