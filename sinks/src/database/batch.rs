//! Lining a record batch up with the table it is written into.
//!
//! Batch columns are matched to table columns by name (any case, any order). Table columns
//! missing from the batch are left out of the statement, so the database fills them: their
//! `DEFAULT`, the `bigserial`/`auto_increment` sequence, or NULL. A batch column the table
//! does not have is an error. Each column is cast to the Arrow type of its table column
//! (integer widths, timestamp units, string layouts, decimal precision); a value that does
//! not fit is an error, never a silent NULL.

use arrow::array::{
    Array, ArrayRef, AsArray, Decimal128Array, Float64Array, Int16Array, Int32Array, Int64Array,
    RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::{
    DataType, Decimal128Type, Float64Type, Int16Type, Int32Type, Int64Type, TimeUnit,
    TimestampMicrosecondType,
};
use tidemark_schemas::{ColumnDef, Dialect, TableDef};

use super::catalog::identifier;
use super::error::DatabaseError;

/// A batch whose columns are the table's columns it holds, in table order, each of the
/// table column's Arrow type.
pub(crate) struct AlignedBatch<'t> {
    table: &'t TableDef,
    columns: Vec<&'t ColumnDef>,
    arrays: Vec<ArrayRef>,
    rows: usize,
}

impl<'t> AlignedBatch<'t> {
    /// Matches and casts the batch's columns; see the module documentation for the rules.
    pub(crate) fn new(table: &'t TableDef, batch: &RecordBatch) -> Result<Self, DatabaseError> {
        identifier(&table.name)?;
        let schema = batch.schema();
        for (i, field) in schema.fields().iter().enumerate() {
            if table.column(field.name()).is_none() {
                return Err(DatabaseError::batch(
                    &table.name,
                    format!(
                        "the batch has column `{}`, which the table does not",
                        field.name()
                    ),
                ));
            }
            let duplicate = schema.fields()[..i]
                .iter()
                .any(|f| f.name().eq_ignore_ascii_case(field.name()));
            if duplicate {
                return Err(DatabaseError::batch(
                    &table.name,
                    format!("the batch has column `{}` twice", field.name()),
                ));
            }
        }
        let options = CastOptions {
            safe: false,
            ..Default::default()
        };
        let mut columns = Vec::new();
        let mut arrays = Vec::new();
        for column in &table.columns {
            let Some(index) = schema
                .fields()
                .iter()
                .position(|f| f.name().eq_ignore_ascii_case(&column.name))
            else {
                continue;
            };
            identifier(&column.name)?;
            let target = column.sql_type.arrow_type();
            let array = cast_with_options(batch.column(index), &target, &options).map_err(|e| {
                DatabaseError::batch(
                    &table.name,
                    format!(
                        "column {} of type {} cannot be written as {target}: {e}",
                        column.sql_name(),
                        batch.column(index).data_type()
                    ),
                )
            })?;
            columns.push(column);
            arrays.push(array);
        }
        if columns.is_empty() {
            return Err(DatabaseError::batch(
                &table.name,
                "the batch has no columns",
            ));
        }
        Ok(AlignedBatch {
            table,
            columns,
            arrays,
            rows: batch.num_rows(),
        })
    }

    /// The table written into.
    pub(crate) fn table(&self) -> &'t TableDef {
        self.table
    }

    /// The table's columns the batch holds, in table order.
    pub(crate) fn columns(&self) -> &[&'t ColumnDef] {
        &self.columns
    }

    /// Number of rows.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// `col_a, col_b, …` for the column list of an INSERT or COPY, quoted where the
    /// dialect needs it (MySQL reserves some IDB column names, e.g. `terminated`).
    pub(crate) fn column_list(&self, dialect: Dialect) -> String {
        self.columns
            .iter()
            .map(|c| dialect.ident(&c.sql_name()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// One reader per column, in [`columns`](Self::columns) order.
    pub(crate) fn readers(&self) -> Vec<CellReader<'_>> {
        self.arrays.iter().map(CellReader::new).collect()
    }

    /// An error about one value: names the table, the column and the row.
    pub(crate) fn value_error(
        &self,
        column: usize,
        row: usize,
        reason: impl std::fmt::Display,
    ) -> DatabaseError {
        let name = self
            .columns
            .get(column)
            .map(|c| c.sql_name())
            .unwrap_or_default();
        DatabaseError::batch(
            &self.table.name,
            format!("column {name}, row {row}: {reason}"),
        )
    }
}

/// One value of a batch, borrowed from its array.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    /// NULL.
    Null,
    /// Any integer column.
    Int(i64),
    /// `double precision`.
    Float(f64),
    /// Character data.
    Text(&'a str),
    /// Timestamp as microseconds since the Unix epoch.
    Timestamp(i64),
    /// Decimal as its unscaled value and scale.
    Decimal(i128, i8),
}

/// Typed access to one aligned column.
pub(crate) enum CellReader<'a> {
    Int16(&'a Int16Array),
    Int32(&'a Int32Array),
    Int64(&'a Int64Array),
    Decimal(&'a Decimal128Array, i8),
    Text(&'a StringArray),
    Timestamp(&'a TimestampMicrosecondArray),
    Float(&'a Float64Array),
}

impl<'a> CellReader<'a> {
    /// The reader for an array of one of the types [`SqlType::arrow_type`] produces.
    ///
    /// [`SqlType::arrow_type`]: tidemark_schemas::SqlType::arrow_type
    fn new(array: &'a ArrayRef) -> Self {
        match array.data_type() {
            DataType::Int16 => CellReader::Int16(array.as_primitive::<Int16Type>()),
            DataType::Int32 => CellReader::Int32(array.as_primitive::<Int32Type>()),
            DataType::Int64 => CellReader::Int64(array.as_primitive::<Int64Type>()),
            DataType::Decimal128(_, scale) => {
                CellReader::Decimal(array.as_primitive::<Decimal128Type>(), *scale)
            }
            DataType::Utf8 => CellReader::Text(array.as_string::<i32>()),
            DataType::Timestamp(TimeUnit::Microsecond, None) => {
                CellReader::Timestamp(array.as_primitive::<TimestampMicrosecondType>())
            }
            DataType::Float64 => CellReader::Float(array.as_primitive::<Float64Type>()),
            other => unreachable!("SqlType::arrow_type never yields {other}"),
        }
    }

    /// The value in `row`.
    pub(crate) fn cell(&self, row: usize) -> Cell<'a> {
        let array: &dyn Array = match self {
            CellReader::Int16(a) => *a,
            CellReader::Int32(a) => *a,
            CellReader::Int64(a) => *a,
            CellReader::Decimal(a, _) => *a,
            CellReader::Text(a) => *a,
            CellReader::Timestamp(a) => *a,
            CellReader::Float(a) => *a,
        };
        if array.is_null(row) {
            return Cell::Null;
        }
        match self {
            CellReader::Int16(a) => Cell::Int(a.value(row).into()),
            CellReader::Int32(a) => Cell::Int(a.value(row).into()),
            CellReader::Int64(a) => Cell::Int(a.value(row)),
            CellReader::Decimal(a, scale) => Cell::Decimal(a.value(row), *scale),
            CellReader::Text(a) => Cell::Text(a.value(row)),
            CellReader::Timestamp(a) => Cell::Timestamp(a.value(row)),
            CellReader::Float(a) => Cell::Float(a.value(row)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int32Array, StringArray, TimestampNanosecondArray};
    use arrow::datatypes::{Field, Schema};
    use tidemark_schemas::{SqlType, TableFamily};

    use super::*;

    fn table() -> TableDef {
        TableDef::new("T_ALIGN", TableFamily::MartControl, "test table")
            .req("ID", SqlType::BigInt, "key")
            .col("NAME", SqlType::Varchar(10), "name")
            .col("AT", SqlType::Timestamp, "time")
            .col("FLAG", SqlType::SmallInt, "flag")
            .default_value("0")
    }

    fn batch(fields: Vec<(&str, ArrayRef)>) -> RecordBatch {
        let schema = Schema::new(
            fields
                .iter()
                .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
                .collect::<Vec<_>>(),
        );
        RecordBatch::try_new(
            Arc::new(schema),
            fields.into_iter().map(|(_, a)| a).collect(),
        )
        .expect("valid batch")
    }

    #[test]
    fn columns_follow_table_order_and_are_cast() {
        let table = table();
        let b = batch(vec![
            (
                "at",
                Arc::new(TimestampNanosecondArray::from(vec![Some(1_500_999), None])),
            ),
            ("NAME", Arc::new(StringArray::from(vec![Some("ä"), None]))),
            ("id", Arc::new(Int32Array::from(vec![-1, 2]))),
        ]);
        let aligned = AlignedBatch::new(&table, &b).expect("aligns");
        assert_eq!(aligned.column_list(Dialect::Postgres), "id, name, at");
        assert_eq!(aligned.column_list(Dialect::MySql), "`id`, `name`, `at`");
        assert_eq!(aligned.rows(), 2);
        let readers = aligned.readers();
        let row0: Vec<Cell> = readers.iter().map(|r| r.cell(0)).collect();
        assert_eq!(
            row0,
            vec![Cell::Int(-1), Cell::Text("ä"), Cell::Timestamp(1_500)]
        );
        let row1: Vec<Cell> = readers.iter().map(|r| r.cell(1)).collect();
        assert_eq!(row1, vec![Cell::Int(2), Cell::Null, Cell::Null]);
    }

    #[test]
    fn unknown_duplicate_and_overflowing_columns_are_errors() {
        let table = table();
        let unknown = batch(vec![("nope", Arc::new(Int32Array::from(vec![1])))]);
        let err = AlignedBatch::new(&table, &unknown)
            .err()
            .expect("unknown column")
            .to_string();
        assert!(err.contains("t_align") && err.contains("`nope`"), "{err}");

        let twice = batch(vec![
            ("id", Arc::new(Int32Array::from(vec![1]))),
            ("ID", Arc::new(Int32Array::from(vec![1]))),
        ]);
        let err = AlignedBatch::new(&table, &twice)
            .err()
            .expect("duplicate")
            .to_string();
        assert!(err.contains("twice"), "{err}");

        let wide = batch(vec![("flag", Arc::new(Int32Array::from(vec![70_000])))]);
        let err = AlignedBatch::new(&table, &wide)
            .err()
            .expect("overflow")
            .to_string();
        assert!(
            err.contains("column flag") && err.contains("t_align"),
            "{err}"
        );
    }
}
