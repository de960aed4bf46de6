//! The control connection of an IDB: the small read-only queries extraction runs besides
//! its data reads (ICON session info, probes for the next key). Extraction never writes to
//! an IDB, so a control connection only reads.

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::compute::{cast, cast_with_options, CastOptions};
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Decimal128Type, Float64Type, Int64Type, TimeUnit,
    TimestampMicrosecondType,
};
use arrow::record_batch::RecordBatch;
use arrow::util::display::array_value_to_string;
use async_trait::async_trait;
use tidemark_sinks::database::{Database, DatabaseError, SqlValue};

use crate::config::mask_url;
use crate::sources::connectorx_read::read_batches;
use crate::sources::idb_dialect::IdbDialect;

/// Read-only queries on one IDB.
#[async_trait]
pub trait IdbControl: Send + Sync {
    /// Runs a query and returns every row.
    async fn query(&self, sql: &str) -> Result<Vec<Vec<SqlValue>>, DatabaseError>;
}

/// A control connection over one of Tidemark's own database connections (PostgreSQL,
/// MySQL/MariaDB, SQLite).
pub struct NativeControl(pub Box<dyn Database>);

#[async_trait]
impl IdbControl for NativeControl {
    async fn query(&self, sql: &str) -> Result<Vec<Vec<SqlValue>>, DatabaseError> {
        self.0.query(sql).await
    }
}

/// A control connection reading through connectorx, one connection per query: for the IDB
/// databases Tidemark has no driver of its own for (SQL Server, Oracle).
pub struct ConnectorxControl {
    url: String,
}

impl ConnectorxControl {
    /// Checks that `url` answers [`IdbDialect::probe`]; `flavour` names the database in
    /// the error.
    pub async fn open(
        url: String,
        dialect: IdbDialect,
        flavour: &'static str,
    ) -> Result<ConnectorxControl, DatabaseError> {
        let control = ConnectorxControl { url };
        control
            .query(dialect.probe())
            .await
            .map_err(|e| DatabaseError::Connect {
                flavour,
                url: mask_url(&control.url),
                cause: e.into(),
            })?;
        Ok(control)
    }
}

#[async_trait]
impl IdbControl for ConnectorxControl {
    async fn query(&self, sql: &str) -> Result<Vec<Vec<SqlValue>>, DatabaseError> {
        let batches = read_batches(self.url.clone(), vec![sql.to_string()], ())
            .await
            .map_err(|e| DatabaseError::statement("query", sql, e))?;
        let mut rows = Vec::new();
        for batch in &batches {
            rows.extend(batch_rows(batch).map_err(|e| DatabaseError::statement("query", sql, e))?);
        }
        Ok(rows)
    }
}

/// The rows of a batch as query values.
fn batch_rows(batch: &RecordBatch) -> Result<Vec<Vec<SqlValue>>, String> {
    let columns: Vec<Vec<SqlValue>> = batch
        .columns()
        .iter()
        .zip(batch.schema().fields())
        .map(|(column, field)| {
            column_values(column).map_err(|e| format!("column {}: {e}", field.name()))
        })
        .collect::<Result<_, _>>()?;
    Ok((0..batch.num_rows())
        .map(|row| columns.iter().map(|c| c[row].clone()).collect())
        .collect())
}

/// `array` cast (strictly) to `T`, each value wrapped by `wrap`.
fn cast_values<T: ArrowPrimitiveType>(
    array: &ArrayRef,
    to: DataType,
    wrap: impl Fn(T::Native) -> SqlValue,
) -> Result<Vec<SqlValue>, String> {
    let options = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    let cast = cast_with_options(array, &to, &options).map_err(|e| e.to_string())?;
    Ok(cast
        .as_primitive::<T>()
        .iter()
        .map(|v| v.map_or(SqlValue::Null, &wrap))
        .collect())
}

/// One column's values in the vocabulary of [`SqlValue`]. Decimals holding whole numbers
/// become integers: connectorx reads every Oracle number without a declared scale (counts,
/// aggregates) as Decimal128(38, 10).
fn column_values(array: &ArrayRef) -> Result<Vec<SqlValue>, String> {
    Ok(match array.data_type() {
        DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => cast_values::<Int64Type>(array, DataType::Int64, SqlValue::Int)?,
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            cast_values::<Float64Type>(array, DataType::Float64, SqlValue::Float)?
        }
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => {
            cast_values::<TimestampMicrosecondType>(
                array,
                DataType::Timestamp(TimeUnit::Microsecond, None),
                |micros| {
                    chrono::DateTime::from_timestamp_micros(micros)
                        .map_or(SqlValue::Null, |t| SqlValue::Timestamp(t.naive_utc()))
                },
            )?
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let texts = cast(array, &DataType::Utf8).map_err(|e| e.to_string())?;
            texts
                .as_string::<i32>()
                .iter()
                .map(|v| v.map_or(SqlValue::Null, |t| SqlValue::Text(t.to_string())))
                .collect()
        }
        DataType::Decimal128(_, scale) => {
            let decimals = array.as_primitive::<Decimal128Type>();
            let unit = 10_i128.checked_pow(u32::from(scale.unsigned_abs()));
            (0..array.len())
                .map(|row| {
                    if decimals.is_null(row) {
                        return Ok(SqlValue::Null);
                    }
                    let value = decimals.value(row);
                    let whole = unit
                        .filter(|unit| *scale >= 0 && value % unit == 0)
                        .map(|unit| value / unit);
                    match whole.and_then(|w| i64::try_from(w).ok()) {
                        Some(int) => Ok(SqlValue::Int(int)),
                        None => array_value_to_string(array, row)
                            .map(SqlValue::Decimal)
                            .map_err(|e| e.to_string()),
                    }
                })
                .collect::<Result<_, String>>()?
        }
        other => {
            return Err(format!(
                "type {other} is not read on the control connection"
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Decimal128Array, Int32Array, LargeStringArray, TimestampMicrosecondArray};
    use arrow::datatypes::{Field, Schema};

    use super::*;

    #[test]
    fn connectorx_columns_become_query_values() {
        let decimals = Decimal128Array::from(vec![Some(120_000_000_000), None, Some(15)])
            .with_precision_and_scale(38, 10)
            .expect("decimal type");
        let when = chrono::NaiveDate::from_ymd_opt(2026, 3, 1)
            .and_then(|d| d.and_hms_opt(8, 30, 0))
            .expect("time");
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int32Array::from(vec![Some(7), None, Some(-1)])),
            Arc::new(decimals),
            Arc::new(LargeStringArray::from(vec![Some("a"), None, Some("c")])),
            Arc::new(TimestampMicrosecondArray::from(vec![
                Some(when.and_utc().timestamp_micros()),
                None,
                None,
            ])),
        ];
        let fields: Vec<Field> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| Field::new(format!("c{i}"), c.data_type().clone(), true))
            .collect();
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("batch");
        let rows = batch_rows(&batch).expect("rows");
        assert_eq!(
            rows[0],
            vec![
                SqlValue::Int(7),
                SqlValue::Int(12),
                SqlValue::Text("a".into()),
                SqlValue::Timestamp(when)
            ]
        );
        assert_eq!(rows[1], vec![SqlValue::Null; 4]);
        assert_eq!(rows[2][1], SqlValue::Decimal("0.0000000015".into()));
    }
}
