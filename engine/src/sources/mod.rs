//! Sources: IDB tables read into Arrow record batches with connectorx, and Info Mart
//! tables read back for export and analyst plans.
//!
//! connectorx 0.4.6 produces arrow-56 batches; [`arrow_bridge`] hands them to the arrow 59
//! that DataFusion and Parquet use, without copying.

pub mod arrow_bridge;
pub mod idb;
pub mod mart;
pub mod window_sql;
