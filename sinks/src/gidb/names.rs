//! GIDB file names: `<folder>/day=YYYY-MM-DD/ds<DATA_SOURCE_KEY>_<lo>_<hi>.parquet`, fixed by
//! the data source, the extraction window `(lo, hi]` (epoch seconds) and the UTC day.

use chrono::{DateTime, NaiveDate};
use object_store::path::Path;

/// The files of one extraction chunk of one GIDB folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkFile {
    /// GIDB folder (`gidb_g_call_v`).
    pub folder: String,
    /// DATA_SOURCE_KEY of the rows.
    pub data_source_key: i32,
    /// Window start, exclusive (epoch seconds).
    pub lo: i64,
    /// Window end, inclusive (epoch seconds).
    pub hi: i64,
}

impl ChunkFile {
    /// The file holding the chunk's rows of `day`.
    pub fn path(&self, day: NaiveDate) -> Path {
        Self::day_folder(&self.folder, day).join(format!(
            "ds{}_{}_{}.parquet",
            self.data_source_key, self.lo, self.hi
        ))
    }

    /// The `day=` folder of `folder`.
    pub fn day_folder(folder: &str, day: NaiveDate) -> Path {
        Path::from(folder).join(format!("day={}", day.format("%Y-%m-%d")))
    }

    /// Data source, `lo` and `hi` of a chunk file name, if it is one.
    pub fn parse(file_name: &str) -> Option<(i32, i64, i64)> {
        let stem = file_name.strip_suffix(".parquet")?.strip_prefix("ds")?;
        let mut parts = stem.split('_');
        let dsk = parts.next()?.parse().ok()?;
        let lo = parts.next()?.parse().ok()?;
        let hi = parts.next()?.parse().ok()?;
        parts.next().is_none().then_some((dsk, lo, hi))
    }
}

/// The UTC day of an epoch-seconds time.
pub fn day_of(epoch_secs: i64) -> NaiveDate {
    DateTime::from_timestamp(epoch_secs.div_euclid(86_400) * 86_400, 0)
        .map(|t| t.date_naive())
        .unwrap_or(NaiveDate::MIN)
}

/// The day of a `day=YYYY-MM-DD` folder name.
pub fn parse_day_folder(name: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(name.strip_prefix("day=")?, "%Y-%m-%d").ok()
}
