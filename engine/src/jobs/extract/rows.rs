//! Turning connectorx batches into GIDB rows: every kept IDB column cast to its declared
//! type (connectorx reads PostgreSQL numerics as Decimal128(38, 10), SQLite timestamps as
//! text, …), the data source, ICON and audit columns appended, and the extraction key kept
//! last for filing rows by day.

use std::sync::Arc;

use arrow::array::{new_null_array, ArrayRef, Int32Array, Int64Array};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use tidemark_schemas::gidb;
use tidemark_schemas::TableDef;

use crate::sources::window_sql::KEY_COLUMN;

/// The GIDB schema of `table` with the extraction key column appended.
pub fn keyed_schema(table: &TableDef) -> SchemaRef {
    let base = gidb::arrow_schema(table);
    let mut fields: Vec<Field> = base.fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(Field::new(KEY_COLUMN, DataType::Int64, true));
    Arc::new(Schema::new(fields))
}

/// The GIDB columns every extracted row carries besides its IDB columns.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    /// DATA_SOURCE_KEY.
    pub data_source_key: i32,
    /// ICON_DBID of the IDB read.
    pub icon_dbid: i32,
    /// CREATE_AUDIT_KEY of the chunk.
    pub audit_key: i64,
}

/// Casts one connectorx batch to `schema` (from [`keyed_schema`]), filling the stamp
/// columns. Fails naming the column when a value does not convert.
pub fn to_gidb(
    batch: &RecordBatch,
    schema: &SchemaRef,
    stamp: Stamp,
) -> Result<RecordBatch, String> {
    let rows = batch.num_rows();
    let options = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .map(|field| -> Result<ArrayRef, String> {
            Ok(match field.name().as_str() {
                gidb::DATA_SOURCE_KEY => {
                    Arc::new(Int32Array::from(vec![stamp.data_source_key; rows]))
                }
                gidb::ICON_DBID => Arc::new(Int32Array::from(vec![stamp.icon_dbid; rows])),
                gidb::CREATE_AUDIT_KEY => Arc::new(Int64Array::from(vec![stamp.audit_key; rows])),
                name => match batch.schema().index_of(name) {
                    Ok(i) => {
                        let column = batch.column(i);
                        if column.data_type() == field.data_type() {
                            Arc::clone(column)
                        } else {
                            cast_with_options(column, field.data_type(), &options)
                                .map_err(|e| format!("column {name}: {e}"))?
                        }
                    }
                    Err(_) => new_null_array(field.data_type(), rows),
                },
            })
        })
        .collect::<Result<_, _>>()?;
    RecordBatch::try_new(Arc::clone(schema), columns).map_err(|e| e.to_string())
}

/// The largest extraction key of `batches`.
pub fn newest_key(batches: &[RecordBatch]) -> Option<i64> {
    batches
        .iter()
        .filter_map(|b| {
            let i = b.schema().index_of(KEY_COLUMN).ok()?;
            let keys = b.column(i).as_any().downcast_ref::<Int64Array>()?;
            arrow::compute::max(keys)
        })
        .max()
}
