//! Record batches built from rows of named values, checked against a [`TableDef`]: the way
//! seed rows, fixtures and small control writes become Arrow data without a builder per
//! column.
//!
//! A row names only the columns it fills; a column it leaves out gets the column's default
//! (a numeric or quoted-text literal) or NULL. Every value is checked against the column's
//! type, length and nullability, and an error names the table, column and row.

use std::borrow::Cow;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, Decimal128Builder, Float64Builder, Int16Builder, Int32Builder, Int64Builder,
    StringBuilder, TimestampMicrosecondBuilder,
};
use arrow::compute::kernels::cast_utils::parse_decimal;
use arrow::datatypes::Decimal128Type;
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;

use crate::table::{ColumnDef, SqlType, TableDef};

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL (also what an omitted column without default gets).
    Null,
    /// An integer, for integer, decimal and floating-point columns.
    Int(i64),
    /// Text, for varchar and text columns, and a decimal number's digits (`-12.50`) for a
    /// decimal column.
    Text(Cow<'static, str>),
    /// A timestamp in microseconds since 1970-01-01 00:00 UTC.
    TimestampMicros(i64),
    /// A floating-point number, for double columns.
    Double(f64),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v.into())
    }
}

impl From<&'static str> for Value {
    fn from(v: &'static str) -> Self {
        Value::Text(Cow::Borrowed(v))
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Cow::Owned(v))
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// One row: column names (any case) and their values.
pub type Row<'a> = Vec<(&'a str, Value)>;

/// Why rows could not become a batch of a table.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// A row names a column the table does not have.
    #[error("{table}: row {row} names column {column}, which the table does not have")]
    UnknownColumn {
        /// Table name.
        table: String,
        /// Column named by the row.
        column: String,
        /// 0-based row index.
        row: usize,
    },
    /// A value does not fit the column's type.
    #[error("{table}.{column}: row {row} holds {value:?}, which does not fit {sql_type:?}")]
    TypeMismatch {
        /// Table name.
        table: String,
        /// Column name.
        column: String,
        /// 0-based row index.
        row: usize,
        /// The offending value.
        value: Value,
        /// Type of the column.
        sql_type: SqlType,
    },
    /// A NOT NULL column got no value and has no default.
    #[error("{table}.{column}: row {row} leaves the NOT NULL column empty and it has no default")]
    MissingValue {
        /// Table name.
        table: String,
        /// Column name.
        column: String,
        /// 0-based row index.
        row: usize,
    },
    /// A column default is not a literal this helper understands.
    #[error("{table}.{column}: default {default} is not a numeric or quoted-text literal")]
    UnsupportedDefault {
        /// Table name.
        table: String,
        /// Column name.
        column: String,
        /// The default expression.
        default: String,
    },
    /// Arrow refused the assembled columns.
    #[error("{table}: {source}")]
    Arrow {
        /// Table name.
        table: String,
        /// Arrow's error.
        source: ArrowError,
    },
}

/// The value a column default expression stands for.
fn default_value(table: &TableDef, column: &ColumnDef) -> Result<Value, BatchError> {
    let Some(expr) = column.default else {
        return Ok(Value::Null);
    };
    let expr = expr.trim();
    if let Ok(v) = expr.parse::<i64>() {
        return Ok(Value::Int(v));
    }
    if let Some(text) = expr.strip_prefix('\'').and_then(|e| e.strip_suffix('\'')) {
        return Ok(Value::from(text.replace("''", "'")));
    }
    Err(BatchError::UnsupportedDefault {
        table: table.name.clone(),
        column: column.name.clone(),
        default: expr.to_string(),
    })
}

/// Builds a record batch of `table` (schema [`TableDef::arrow_schema`]) from `rows`.
pub fn record_batch(table: &TableDef, rows: &[Row<'_>]) -> Result<RecordBatch, BatchError> {
    for (i, row) in rows.iter().enumerate() {
        if let Some((name, _)) = row.iter().find(|(name, _)| table.column(name).is_none()) {
            return Err(BatchError::UnknownColumn {
                table: table.name.clone(),
                column: name.to_string(),
                row: i,
            });
        }
    }
    let columns = table
        .columns
        .iter()
        .map(|column| {
            let default = default_value(table, column)?;
            let values = rows.iter().enumerate().map(|(i, row)| {
                let value = row
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(&column.name))
                    .map_or_else(|| default.clone(), |(_, v)| v.clone());
                if value == Value::Null && !column.nullable {
                    return Err(BatchError::MissingValue {
                        table: table.name.clone(),
                        column: column.name.clone(),
                        row: i,
                    });
                }
                Ok(value)
            });
            let values = values.collect::<Result<Vec<_>, _>>()?;
            column_array(table, column, &values)
        })
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(table.arrow_schema(), columns).map_err(|source| BatchError::Arrow {
        table: table.name.clone(),
        source,
    })
}

/// One column of values as an Arrow array of the column's type.
fn column_array(
    table: &TableDef,
    column: &ColumnDef,
    values: &[Value],
) -> Result<ArrayRef, BatchError> {
    let mismatch = |row: usize| BatchError::TypeMismatch {
        table: table.name.clone(),
        column: column.name.clone(),
        row,
        value: values[row].clone(),
        sql_type: column.sql_type,
    };
    let int = |row: usize| -> Result<Option<i64>, BatchError> {
        match &values[row] {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(*v)),
            _ => Err(mismatch(row)),
        }
    };
    let n = values.len();
    Ok(match column.sql_type {
        SqlType::SmallInt => {
            let mut b = Int16Builder::with_capacity(n);
            for row in 0..n {
                let v = int(row)?
                    .map(|v| i16::try_from(v).map_err(|_| mismatch(row)))
                    .transpose()?;
                b.append_option(v);
            }
            Arc::new(b.finish())
        }
        SqlType::Integer => {
            let mut b = Int32Builder::with_capacity(n);
            for row in 0..n {
                let v = int(row)?
                    .map(|v| i32::try_from(v).map_err(|_| mismatch(row)))
                    .transpose()?;
                b.append_option(v);
            }
            Arc::new(b.finish())
        }
        SqlType::BigInt | SqlType::BigSerial => {
            let mut b = Int64Builder::with_capacity(n);
            for row in 0..n {
                b.append_option(int(row)?);
            }
            Arc::new(b.finish())
        }
        SqlType::Numeric(precision, scale) => {
            let mut b = Decimal128Builder::with_capacity(n);
            for (row, value) in values.iter().enumerate() {
                let scaled = match value {
                    Value::Text(text) => Some(
                        parse_decimal::<Decimal128Type>(text, precision, scale)
                            .map_err(|_| mismatch(row))?,
                    ),
                    _ => int(row)?
                        .map(|v| {
                            let factor = 10i128.checked_pow(u32::try_from(scale).unwrap_or(0));
                            factor
                                .and_then(|f| i128::from(v).checked_mul(f))
                                .filter(|s| s.unsigned_abs() < 10u128.pow(u32::from(precision)))
                                .ok_or_else(|| mismatch(row))
                        })
                        .transpose()?,
                };
                b.append_option(scaled);
            }
            let array = b
                .finish()
                .with_precision_and_scale(precision, scale)
                .map_err(|source| BatchError::Arrow {
                    table: table.name.clone(),
                    source,
                })?;
            Arc::new(array)
        }
        SqlType::Varchar(_) | SqlType::Text => {
            let mut b = StringBuilder::with_capacity(n, 0);
            for (row, value) in values.iter().enumerate() {
                match value {
                    Value::Null => b.append_null(),
                    Value::Text(s) => match column.sql_type {
                        SqlType::Varchar(max) if s.chars().count() > usize::from(max) => {
                            return Err(mismatch(row))
                        }
                        _ => b.append_value(s),
                    },
                    _ => return Err(mismatch(row)),
                }
            }
            Arc::new(b.finish())
        }
        SqlType::Timestamp => {
            let mut b = TimestampMicrosecondBuilder::with_capacity(n);
            for (row, value) in values.iter().enumerate() {
                match value {
                    Value::Null => b.append_null(),
                    Value::TimestampMicros(v) => b.append_value(*v),
                    _ => return Err(mismatch(row)),
                }
            }
            Arc::new(b.finish())
        }
        SqlType::Double => {
            let mut b = Float64Builder::with_capacity(n);
            for (row, value) in values.iter().enumerate() {
                match value {
                    Value::Null => b.append_null(),
                    Value::Double(v) => b.append_value(*v),
                    Value::Int(v) => b.append_value(*v as f64),
                    _ => return Err(mismatch(row)),
                }
            }
            Arc::new(b.finish())
        }
    })
}

#[cfg(test)]
mod tests {
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::{Int16Type, Int32Type};

    use super::*;
    use crate::table::TableFamily;

    fn sample() -> TableDef {
        TableDef::new("SAMPLE", TableFamily::MartDimension, "sample")
            .req("K", SqlType::Integer, "key")
            .req("FLAG", SqlType::SmallInt, "flag")
            .default_value("1")
            .col("NAME", SqlType::Varchar(4), "name")
            .req("ATTR", SqlType::Varchar(10), "attribute")
            .default_value("'none'")
            .col("AMOUNT", SqlType::Numeric(20, 0), "amount")
    }

    #[test]
    fn omitted_columns_take_their_default_or_null() {
        let rows = vec![
            vec![("K", Value::from(1)), ("name", "ab".into())],
            vec![
                ("k", Value::from(2)),
                ("FLAG", 0.into()),
                ("ATTR", "x".into()),
                ("AMOUNT", 7.into()),
            ],
        ];
        let batch = record_batch(&sample(), &rows).unwrap();
        assert_eq!(batch.schema(), sample().arrow_schema());
        assert_eq!(
            batch.column(0).as_primitive::<Int32Type>().values(),
            &[1, 2]
        );
        assert_eq!(
            batch.column(1).as_primitive::<Int16Type>().values(),
            &[1, 0]
        );
        assert!(batch.column(2).is_null(1));
        assert_eq!(batch.column(3).as_string::<i32>().value(0), "none");
        assert!(batch.column(4).is_null(0));
    }

    #[test]
    fn decimal_columns_take_digits_beyond_64_bits() {
        let rows = vec![
            vec![
                ("K", Value::from(1)),
                ("AMOUNT", "18446744073709551615".into()),
            ],
            vec![("K", Value::from(2)), ("AMOUNT", "-12".into())],
        ];
        let batch = record_batch(&sample(), &rows).unwrap();
        assert_eq!(
            batch.column(4).as_primitive::<Decimal128Type>().values(),
            &[18_446_744_073_709_551_615, -12]
        );
        let bad = record_batch(&sample(), &[vec![("K", 1.into()), ("AMOUNT", "x1".into())]]);
        assert!(bad.unwrap_err().to_string().contains("SAMPLE.AMOUNT"));
    }

    #[test]
    fn errors_name_table_column_and_row() {
        let missing = record_batch(&sample(), &[vec![("NAME", "a".into())]]).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "SAMPLE.K: row 0 leaves the NOT NULL column empty and it has no default"
        );
        let long = record_batch(
            &sample(),
            &[vec![("K", 1.into()), ("NAME", "abcde".into())]],
        )
        .unwrap_err();
        assert!(long.to_string().starts_with("SAMPLE.NAME: row 0"), "{long}");
        let range =
            record_batch(&sample(), &[vec![("K", 1.into()), ("FLAG", 70_000.into())]]).unwrap_err();
        assert!(matches!(range, BatchError::TypeMismatch { .. }), "{range}");
        let unknown =
            record_batch(&sample(), &[vec![("K", 1.into()), ("NOPE", 1.into())]]).unwrap_err();
        assert!(
            matches!(unknown, BatchError::UnknownColumn { .. }),
            "{unknown}"
        );
        let text = record_batch(&sample(), &[vec![("K", "one".into())]]).unwrap_err();
        assert!(matches!(text, BatchError::TypeMismatch { .. }), "{text}");
    }
}
