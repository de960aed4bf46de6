//! Tidemark sinks: database writers for IDBs and the Info Mart, the GIDB Parquet store, and
//! the export formats (CSV archive, Parquet) over object_store.

pub mod database;
pub mod export;
pub mod gidb;
pub mod location;
