//! Reading Info Mart tables and views into Arrow record batches typed by the model: what
//! Job_ExportGIM exports and what `tidemark plan` queries.
//!
//! PostgreSQL is read with connectorx (binary protocol) and each column cast to the model's
//! Arrow type; SQLite is read on the Database connection, converted value by value (connectorx
//! cannot type a SQLite `numeric` column whose first value is NULL). Either way the batches
//! have exactly the requested columns, lower-case names, the model's types and nullability.

use std::sync::Arc;

use arrow::array::{
    new_null_array, Array, ArrayRef, Decimal128Builder, Float64Builder, Int16Builder, Int32Builder,
    Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::{DataType, SchemaRef};
use arrow::record_batch::RecordBatch;
use connectorx::prelude::{get_arrow, SourceConn};
use connectorx::sql::CXQuery;
use tidemark_schemas::table::{ColumnDef, SqlType};
use tidemark_schemas::Dialect;
use tidemark_sinks::database::{self, Database, DatabaseError, SqlValue};

use super::arrow_bridge::batch_56_to_59;

/// Why an Info Mart read failed.
#[derive(Debug, thiserror::Error)]
pub enum MartReadError {
    /// The database refused the query or the connection.
    #[error(transparent)]
    Database(#[from] DatabaseError),
    /// connectorx failed, or a value did not fit the model's type.
    #[error("reading {source_object} from the Info Mart failed: {reason}")]
    Read {
        /// Table or view read.
        source_object: String,
        /// What went wrong.
        reason: String,
    },
}

/// An Info Mart opened for bulk reads.
#[derive(Clone)]
pub struct MartReader {
    db: Arc<dyn Database>,
    connectorx_url: Option<String>,
}

impl MartReader {
    /// Connects to the Info Mart at `url`.
    pub async fn open(url: &str) -> Result<MartReader, MartReadError> {
        let db: Arc<dyn Database> = Arc::from(database::connect(url).await?);
        Ok(MartReader::with_connection(url, db))
    }

    /// Reads through an open connection; `url` is the one it was opened with.
    pub fn with_connection(url: &str, db: Arc<dyn Database>) -> MartReader {
        let connectorx_url = match db.dialect() {
            Dialect::Postgres => Some(super::connectorx_url(url)),
            _ => None,
        };
        MartReader { db, connectorx_url }
    }

    /// The connection small queries go through.
    pub fn database(&self) -> &Arc<dyn Database> {
        &self.db
    }

    /// Rows of `columns` of the table or view `source` that match the SQL condition
    /// `filter` (all rows when `None`), as batches of [`schema_of`]`(columns)`.
    pub async fn read(
        &self,
        source: &str,
        columns: &[ColumnDef],
        filter: Option<&str>,
    ) -> Result<Vec<RecordBatch>, MartReadError> {
        self.read_limited(source, columns, filter, None).await
    }

    /// As [`read`](Self::read), reading at most `limit` rows when given.
    pub async fn read_limited(
        &self,
        source: &str,
        columns: &[ColumnDef],
        filter: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Vec<RecordBatch>, MartReadError> {
        let schema = schema_of(columns);
        let list: Vec<String> = columns.iter().map(ColumnDef::sql_name).collect();
        let mut sql = format!("select {} from {}", list.join(", "), source);
        if let Some(filter) = filter {
            sql.push_str(&format!(" where {filter}"));
        }
        if let Some(limit) = limit {
            sql.push_str(&format!(" limit {limit}"));
        }
        let fail = |reason: String| MartReadError::Read {
            source_object: source.to_string(),
            reason,
        };
        let Some(url) = self.connectorx_url.clone() else {
            let rows = self.db.query(&sql).await?;
            if rows.is_empty() {
                return Ok(Vec::new());
            }
            return rows_to_batch(&schema, columns, &rows)
                .map(|b| vec![b])
                .map_err(fail);
        };
        let batches = tokio::task::spawn_blocking(move || {
            let source = SourceConn::try_from(url.as_str()).map_err(|e| e.to_string())?;
            let destination = get_arrow(&source, None, &[CXQuery::from(sql.as_str())], None)
                .map_err(|e| e.to_string())?;
            destination.arrow().map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| fail(e.to_string()))?
        .map_err(fail)?;
        batches
            .into_iter()
            .filter(|b| b.num_rows() > 0)
            .map(|b| {
                let b = batch_56_to_59(b).map_err(|e| fail(e.to_string()))?;
                conform(&schema, &b).map_err(fail)
            })
            .collect()
    }
}

/// The Arrow schema of a read of `columns`: lower-case names, model types and nullability.
pub use tidemark_schemas::table::columns_schema as schema_of;

/// Casts each column of a connectorx batch to the model type at the same position.
fn conform(schema: &SchemaRef, batch: &RecordBatch) -> Result<RecordBatch, String> {
    let options = CastOptions {
        safe: false,
        ..Default::default()
    };
    let columns = schema
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(field, column)| {
            if column.data_type() == field.data_type() {
                return Ok(Arc::clone(column));
            }
            if column.data_type() == &DataType::Null {
                return Ok(new_null_array(field.data_type(), column.len()));
            }
            cast_with_options(column, field.data_type(), &options)
                .map_err(|e| format!("column {}: {e}", field.name()))
        })
        .collect::<Result<Vec<ArrayRef>, String>>()?;
    RecordBatch::try_new(Arc::clone(schema), columns).map_err(|e| e.to_string())
}

/// Builds one batch from query rows, converting each value to its column's model type.
pub fn rows_to_batch(
    schema: &SchemaRef,
    columns: &[ColumnDef],
    rows: &[Vec<SqlValue>],
) -> Result<RecordBatch, String> {
    let arrays = columns
        .iter()
        .enumerate()
        .map(|(i, column)| column_array(column, rows.iter().map(|r| &r[i])))
        .collect::<Result<Vec<ArrayRef>, String>>()?;
    RecordBatch::try_new(Arc::clone(schema), arrays).map_err(|e| e.to_string())
}

fn column_array<'a>(
    column: &ColumnDef,
    values: impl ExactSizeIterator<Item = &'a SqlValue>,
) -> Result<ArrayRef, String> {
    let wrong = |v: &SqlValue| {
        format!(
            "column {}: {v:?} does not fit {:?}",
            column.name, column.sql_type
        )
    };
    let n = values.len();
    macro_rules! ints {
        ($builder:ty, $t:ty) => {{
            let mut b = <$builder>::with_capacity(n);
            for v in values {
                match v {
                    SqlValue::Null => b.append_null(),
                    other => {
                        let int = integer(other).ok_or_else(|| wrong(other))?;
                        b.append_value(<$t>::try_from(int).map_err(|_| wrong(other))?);
                    }
                }
            }
            Arc::new(b.finish()) as ArrayRef
        }};
    }
    Ok(match column.sql_type {
        SqlType::SmallInt => ints!(Int16Builder, i16),
        SqlType::Integer => ints!(Int32Builder, i32),
        SqlType::BigInt | SqlType::BigSerial => ints!(Int64Builder, i64),
        SqlType::Numeric(p, s) => {
            let mut b = Decimal128Builder::with_capacity(n);
            for v in values {
                match v {
                    SqlValue::Null => b.append_null(),
                    other => b.append_value(decimal(other, s).ok_or_else(|| wrong(other))?),
                }
            }
            Arc::new(
                b.finish()
                    .with_precision_and_scale(p, s)
                    .map_err(|e| e.to_string())?,
            )
        }
        SqlType::Double => {
            let mut b = Float64Builder::with_capacity(n);
            for v in values {
                match v {
                    SqlValue::Null => b.append_null(),
                    SqlValue::Float(f) => b.append_value(*f),
                    SqlValue::Int(i) => b.append_value(*i as f64),
                    SqlValue::Decimal(t) => b.append_value(t.parse().map_err(|_| wrong(v))?),
                    other => return Err(wrong(other)),
                }
            }
            Arc::new(b.finish())
        }
        SqlType::Varchar(_) | SqlType::Text => {
            let mut b = StringBuilder::with_capacity(n, n * 16);
            for v in values {
                match v {
                    SqlValue::Null => b.append_null(),
                    SqlValue::Text(t) | SqlValue::Decimal(t) => b.append_value(t),
                    other => b.append_value(other.to_string()),
                }
            }
            Arc::new(b.finish())
        }
        SqlType::Timestamp => {
            let mut b = TimestampMicrosecondBuilder::with_capacity(n);
            for v in values {
                match v {
                    SqlValue::Null => b.append_null(),
                    SqlValue::Timestamp(t) => b.append_value(t.and_utc().timestamp_micros()),
                    other => return Err(wrong(other)),
                }
            }
            Arc::new(b.finish())
        }
    })
}

/// An integer value, including a whole decimal and a float without fraction.
fn integer(value: &SqlValue) -> Option<i64> {
    match value {
        SqlValue::Float(f) if f.fract() == 0.0 => Some(*f as i64),
        other => other.as_i64().or_else(|| {
            let text = other.as_str()?;
            let (whole, fraction) = text.split_once('.')?;
            fraction
                .bytes()
                .all(|b| b == b'0')
                .then(|| whole.parse().ok())?
        }),
    }
}

/// A decimal value as the unscaled integer of a column of scale `scale`.
fn decimal(value: &SqlValue, scale: i8) -> Option<i128> {
    let factor = 10i128.checked_pow(scale.max(0) as u32)?;
    match value {
        SqlValue::Int(i) => (*i as i128).checked_mul(factor),
        SqlValue::Float(f) => Some((f * factor as f64).round() as i128),
        SqlValue::Decimal(text) | SqlValue::Text(text) => {
            let (negative, digits) = match text.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, text.as_str()),
            };
            let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
            let mut fraction = fraction.to_string();
            let scale = scale.max(0) as usize;
            if fraction.len() > scale {
                if fraction[scale..].bytes().any(|b| b != b'0') {
                    return None;
                }
                fraction.truncate(scale);
            }
            while fraction.len() < scale {
                fraction.push('0');
            }
            let unscaled: i128 = format!("{whole}{fraction}").parse().ok()?;
            Some(if negative { -unscaled } else { unscaled })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Decimal128Array, Int16Array, StringArray, TimestampMicrosecondArray};
    use tidemark_schemas::table::TableDef;

    fn columns() -> Vec<ColumnDef> {
        TableDef::new(
            "T",
            tidemark_schemas::table::TableFamily::MartDimension,
            "t",
        )
        .req("A", SqlType::SmallInt, "a")
        .col("B", SqlType::Numeric(10, 2), "b")
        .col("C", SqlType::Varchar(10), "c")
        .col("D", SqlType::Timestamp, "d")
        .columns
    }

    #[test]
    fn query_rows_become_model_types() {
        let cols = columns();
        let t = chrono::NaiveDate::from_ymd_opt(2024, 3, 5)
            .and_then(|d| d.and_hms_opt(1, 2, 3))
            .expect("time");
        let rows = vec![
            vec![
                SqlValue::Int(1),
                SqlValue::Decimal("-12.3".into()),
                SqlValue::Text("x".into()),
                SqlValue::Timestamp(t),
            ],
            vec![
                SqlValue::Decimal("2".into()),
                SqlValue::Null,
                SqlValue::Null,
                SqlValue::Null,
            ],
        ];
        let batch = rows_to_batch(&schema_of(&cols), &cols, &rows).expect("batch");
        let a = batch
            .column(0)
            .as_any()
            .downcast_ref::<Int16Array>()
            .expect("a");
        assert_eq!(a.values(), &[1, 2]);
        let b = batch
            .column(1)
            .as_any()
            .downcast_ref::<Decimal128Array>()
            .expect("b");
        assert_eq!(b.value(0), -1230);
        assert!(b.is_null(1));
        let c = batch
            .column(2)
            .as_any()
            .downcast_ref::<StringArray>()
            .expect("c");
        assert_eq!(c.value(0), "x");
        let d = batch
            .column(3)
            .as_any()
            .downcast_ref::<TimestampMicrosecondArray>()
            .expect("d");
        assert_eq!(d.value(0), t.and_utc().timestamp_micros());
        assert_eq!(batch.schema().field(0).name(), "a");
    }

    #[test]
    fn values_that_do_not_fit_name_the_column() {
        let cols = columns();
        let rows = vec![vec![
            SqlValue::Int(70_000),
            SqlValue::Null,
            SqlValue::Null,
            SqlValue::Null,
        ]];
        let err = rows_to_batch(&schema_of(&cols), &cols, &rows).expect_err("too big");
        assert!(err.contains("column A"), "{err}");
        assert_eq!(decimal(&SqlValue::Decimal("1.234".into()), 2), None);
        assert_eq!(decimal(&SqlValue::Decimal("1.230".into()), 2), Some(123));
    }
}
