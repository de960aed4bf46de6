//! Tidemark sinks: database writers for IDBs and the Info Mart, the GIDB Parquet store, and
//! (later) export writers over object_store.

pub mod database;
pub mod gidb;
