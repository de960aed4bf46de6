//! The Info Mart model: facts and dimensions (infomart.md §2–3), control and staging tables
//! (operations.md §2) and the ADMIN_* views (operations.md §2.10), with the seed content of
//! the fixed dimensions ([`seed`]).
//!
//! Types follow one mapping (the column groups of `columns.rs`): `numeric(19)` ids and audit keys are `bigint`,
//! `numeric(1)` flags `smallint`, dimension keys and `*_TS` `integer`. Facts and the
//! partitioned control tables range-partition (PostgreSQL) on an integer epoch-seconds
//! column: START_DATE_TIME_KEY for facts, CREATED_TS or ETL_TS for control tables.

mod columns;
pub mod control;
pub mod control_services;
pub mod dimensions_config;
pub mod dimensions_fixed;
pub mod facts_agent;
pub mod facts_config;
pub mod facts_interaction;
pub mod facts_outbound;
pub mod seed;
pub mod views;

use std::sync::LazyLock;

use crate::ddl::{self, Dialect};
use crate::table::{TableDef, ViewDef};

static TABLES: LazyLock<Vec<TableDef>> = LazyLock::new(|| {
    let mut tables = control::tables();
    tables.extend(control_services::tables());
    tables.extend(dimensions_fixed::tables());
    tables.extend(dimensions_config::tables());
    tables.extend(facts_config::tables());
    tables.extend(facts_interaction::tables());
    tables.extend(facts_agent::tables());
    tables.extend(facts_outbound::tables());
    tables
});
static VIEWS: LazyLock<Vec<ViewDef>> = LazyLock::new(views::views);

/// Every Info Mart table, in creation order: control tables, dimensions, facts.
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

/// Every statement that creates the Info Mart schema in `dialect`: tables with their indexes,
/// then views. Partitions are not included (they depend on dates and options).
pub fn create_statements(dialect: Dialect) -> Vec<String> {
    let mut statements: Vec<String> = tables()
        .iter()
        .flat_map(|t| ddl::create_table_with_indexes(t, dialect))
        .collect();
    statements.extend(views().iter().map(|v| ddl::create_view(v, dialect)));
    statements
}

#[cfg(test)]
mod tests;
