//! Tidemark sinks: database writers for IDBs and the Info Mart, and (later) GIDB and export
//! writers over object_store.

pub mod database;
