//! Schema versions and fixed constants shared by every family.

/// Version of the Info Mart schema this build creates and expects (`CTL_SCHEMA_INFO`).
pub const INFOMART_SCHEMA_VERSION: &str = "8.5.116.1";

/// Oldest Interaction Concentrator database schema this build can read.
pub const MIN_IDB_SCHEMA_VERSION: &str = "8.1.514.06";

/// `DATE_TIME_KEY` of the sentinel row that ends active facts (2038-01-01 00:00 UTC,
/// infomart.md §1.3). Stored in `CTL_SCHEMA_INFO.SENTINEL_DATE_TIME_KEY`.
pub const SENTINEL_DATE_TIME_KEY: i32 = 2_145_916_800;

/// Length of one `DATE_TIME` interval in seconds.
pub const DATE_TIME_GRAIN_SECS: i64 = 900;
