//! Reading a chunk in slices: a chunk's rows of a table are read and written a range of
//! audit keys at a time, so that exporting a large catch-up holds no more than a slice of a
//! table in memory, however many keys the chunk spans.
//!
//! Slices are planned once per chunk from CTL_TRANSFORM_HISTORY: the rows each transform
//! chunk wrote (its ROW_COUNT) weigh its audit key, and consecutive keys are grouped until
//! the next would take a slice past [`SLICE_ROWS`]. Keys without a transform row (extraction,
//! initialization) weigh nothing. A key is never split, so a slice holds at most the rows of
//! one transform chunk or [`SLICE_ROWS`], whichever is greater.

use tidemark_sinks::database::{Database, SqlValue};

use super::super::JobError;

/// Transform rows a slice holds at most, unless one audit key alone wrote more.
pub const SLICE_ROWS: i64 = 1_000_000;

/// The rows each audit key of the chunk `(low, high]` wrote, in key order (keys with no
/// transform row are left out).
pub async fn key_weights(
    db: &dyn Database,
    (low, high): (i64, i64),
) -> Result<Vec<(i64, i64)>, JobError> {
    let rows = db
        .query(&format!(
            "select audit_key, max(row_count) from ctl_transform_history \
             where audit_key > {low} and audit_key <= {high} group by audit_key \
             order by audit_key"
        ))
        .await?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            let key = row.first().and_then(SqlValue::as_i64)?;
            Some((key, row.get(1).and_then(SqlValue::as_i64).unwrap_or(0)))
        })
        .collect())
}

/// Splits the chunk `(low, high]` into consecutive slices `(l, h]` whose keys' `weights`
/// add up to at most `budget` (or hold one key that alone weighs more).
pub fn plan((low, high): (i64, i64), weights: &[(i64, i64)], budget: i64) -> Vec<(i64, i64)> {
    let mut slices = Vec::new();
    let (mut start, mut sum) = (low, 0);
    for &(key, weight) in weights.iter().filter(|(k, _)| *k > low && *k <= high) {
        let weight = weight.max(0);
        if sum > 0 && sum + weight > budget {
            slices.push((start, key - 1));
            (start, sum) = (key - 1, 0);
        }
        sum += weight;
    }
    slices.push((start, high));
    slices
}

#[cfg(test)]
mod tests {
    use datafusion::prelude::SessionContext;

    use super::super::tables::{chunk_filter, Selection};
    use super::*;

    #[test]
    fn slices_group_keys_up_to_the_budget_and_cover_the_chunk() {
        assert_eq!(plan((0, 10), &[], 100), vec![(0, 10)]);
        assert_eq!(plan((0, 10), &[(3, 60), (5, 30)], 100), vec![(0, 10)]);
        assert_eq!(
            plan((0, 10), &[(2, 60), (5, 60), (6, 10), (9, 500)], 100),
            vec![(0, 4), (4, 8), (8, 10)]
        );
        assert_eq!(
            plan((4, 10), &[(1, 900), (5, 900), (6, 900), (11, 900)], 100),
            vec![(4, 5), (5, 10)],
            "keys outside the chunk are ignored; a heavy key is a slice of its own"
        );
    }

    /// Every row a chunk selects lands in exactly one of its slices, and no other row does.
    #[tokio::test]
    async fn each_row_of_the_chunk_falls_in_exactly_one_slice() {
        let ctx = SessionContext::new();
        let mut values = Vec::new();
        for create in 0..=12 {
            values.push(format!("({create}, null)"));
            for update in create..=12 {
                values.push(format!("({create}, {update})"));
            }
        }
        let rows = format!(
            "select column1 as create_audit_key, column2 as update_audit_key from (values {})",
            values.join(", ")
        );
        let chunk = (2, 10);
        let slices = [(2, 4), (4, 5), (5, 10)];
        for updates in [true, false] {
            let selection = Selection::AuditKeys { updates };
            let count = |slice: (i64, i64)| {
                let filter = chunk_filter(selection, chunk, slice).expect("a filter");
                format!("(case when {filter} then 1 else 0 end)")
            };
            let in_slices: Vec<String> = slices.iter().map(|s| count(*s)).collect();
            let sql = format!(
                "select count(*) from ({rows}) r where {} <> {}",
                in_slices.join(" + "),
                count(chunk)
            );
            let batches = ctx
                .sql(&sql)
                .await
                .expect("plan")
                .collect()
                .await
                .expect("run");
            let wrong = arrow::array::AsArray::as_primitive::<arrow::datatypes::Int64Type>(
                batches[0].column(0),
            )
            .value(0);
            assert_eq!(wrong, 0, "rows in no slice or in two (updates: {updates})");
        }
    }
}
