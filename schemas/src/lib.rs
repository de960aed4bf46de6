//! The three schema families of Tidemark, each described once and rendered everywhere:
//!
//! * [`idb`] — Interaction Concentrator source tables, with what extraction needs to know
//!   about each (domain, high-water-mark column, keys, completed/active rule);
//! * [`gidb`] — the Parquet layout of extracted data (folder names, added columns);
//! * [`mart`] — the Info Mart model: facts, dimensions, CTL_*/STG_* tables, ADMIN_* views.
//!
//! A table is a [`TableDef`]; its Arrow schema ([`TableDef::arrow_schema`]) and its DDL in every
//! [`Dialect`] ([`ddl`]) are generated from that one description.

pub mod batch;
pub mod catalog_types;
pub mod ddl;
pub mod extraction;
pub mod gidb;
pub mod idb;
pub mod mart;
pub mod table;
pub mod version;

pub use batch::{record_batch, BatchError};
pub use ddl::Dialect;
pub use extraction::{Completion, Domain, ExtractionDef, HwmRule};
pub use table::{ColumnDef, IndexDef, SqlType, TableDef, TableFamily, ViewDef};
pub use version::{INFOMART_SCHEMA_VERSION, MIN_IDB_SCHEMA_VERSION, SENTINEL_DATE_TIME_KEY};
