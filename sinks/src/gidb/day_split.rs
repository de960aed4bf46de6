//! Splitting rows by the UTC day of an epoch-seconds column.

use std::collections::BTreeMap;

use arrow::array::{Array, AsArray, UInt32Array};
use arrow::compute::{cast, take_record_batch};
use arrow::datatypes::{DataType, Int64Type};
use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;

use super::names::day_of;

/// Groups the rows of `batches` by the UTC day of `day_column` (integer epoch seconds; a
/// NULL counts as day 0), keeping row order within a day. With `drop_column` the day column
/// is left out of the result.
pub fn split_by_day(
    batches: &[RecordBatch],
    day_column: &str,
    drop_column: bool,
) -> Result<BTreeMap<NaiveDate, Vec<RecordBatch>>, String> {
    let mut days: BTreeMap<NaiveDate, Vec<RecordBatch>> = BTreeMap::new();
    for batch in batches.iter().filter(|b| b.num_rows() > 0) {
        let index = batch
            .schema()
            .index_of(day_column)
            .map_err(|_| format!("the rows have no day column {day_column}"))?;
        let seconds = cast(batch.column(index), &DataType::Int64)
            .map_err(|e| format!("day column {day_column}: {e}"))?;
        let seconds = seconds.as_primitive::<Int64Type>();
        let mut rows_by_day: BTreeMap<i64, Vec<u32>> = BTreeMap::new();
        for row in 0..seconds.len() {
            let t = if seconds.is_null(row) {
                0
            } else {
                seconds.value(row)
            };
            rows_by_day
                .entry(t.div_euclid(86_400))
                .or_default()
                .push(row as u32);
        }
        let batch = if drop_column {
            let mut b = batch.clone();
            b.remove_column(index);
            b
        } else {
            batch.clone()
        };
        for (day, rows) in rows_by_day {
            let part = if rows.len() == batch.num_rows() {
                batch.clone()
            } else {
                take_record_batch(&batch, &UInt32Array::from(rows)).map_err(|e| e.to_string())?
            };
            days.entry(day_of(day * 86_400)).or_default().push(part);
        }
    }
    Ok(days)
}
