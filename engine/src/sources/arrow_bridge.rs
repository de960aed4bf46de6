//! The arrow 56 → 59 bridge: connectorx 0.4.6 returns arrow-56 record batches, the rest of
//! Tidemark (DataFusion, Parquet) runs on arrow 59.
//!
//! Each column goes through the Arrow C Data Interface: exported by arrow 56 as an
//! `FFI_ArrowArray` + `FFI_ArrowSchema`, reinterpreted as arrow 59's structs of the same C
//! layout, and imported by arrow 59. The buffers are not copied: the arrow-59 arrays point
//! at the memory arrow 56 allocated and release it through the C interface's release
//! callback when the last reference goes away. The schema (field names, nullability,
//! metadata) takes the same path as one struct-typed `FFI_ArrowSchema`.

use std::mem::transmute;
use std::sync::Arc;

use arrow::array::{make_array, ArrayRef};
use arrow::datatypes::Schema;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};

/// Why a connectorx (arrow 56) batch could not be handed to arrow 59.
#[derive(Debug, thiserror::Error)]
pub enum ArrowBridgeError {
    /// arrow 56 could not describe a column or the schema through the C Data Interface.
    #[error("exporting {what} from arrow 56 through the C Data Interface failed: {source}")]
    Export {
        /// The column name, or `schema`.
        what: String,
        /// The arrow-56 error.
        source: arrow56::error::ArrowError,
    },
    /// arrow 59 rejected what arrow 56 exported (an Arrow type it cannot import).
    #[error("importing {what} into arrow 59 failed: {source}")]
    Import {
        /// The column name, or `schema` / `batch`.
        what: String,
        /// The arrow-59 error.
        source: arrow::error::ArrowError,
    },
}

/// Moves an arrow-56 record batch to arrow 59 without copying its buffers.
pub fn batch_56_to_59(
    batch: arrow56::record_batch::RecordBatch,
) -> Result<RecordBatch, ArrowBridgeError> {
    let schema56 = batch.schema();
    let exported_schema =
        arrow56::ffi::FFI_ArrowSchema::try_from(schema56.as_ref()).map_err(|source| {
            ArrowBridgeError::Export {
                what: "schema".into(),
                source,
            }
        })?;
    let mut exported = Vec::with_capacity(batch.num_columns());
    for (field, column) in schema56.fields().iter().zip(batch.columns()) {
        let pair =
            arrow56::ffi::to_ffi(&column.to_data()).map_err(|source| ArrowBridgeError::Export {
                what: format!("column {}", field.name()),
                source,
            })?;
        exported.push((field.name().clone(), pair));
    }

    // SAFETY: `FFI_ArrowArray` and `FFI_ArrowSchema` are `#[repr(C)]` definitions of the
    // Arrow C Data Interface structs `ArrowArray` and `ArrowSchema` in both arrow 56 and
    // arrow 59, so their layouts are identical (and `transmute` checks the sizes). Each
    // struct is moved exactly once: arrow 59 takes ownership and calls the release callback
    // arrow 56 installed, which frees arrow 56's buffers when the imported arrays are dropped.
    // The exported arrays were produced by arrow 56's `to_ffi`, so they agree with the
    // C Data Interface, as `from_ffi` requires.
    let (schema59, imported) = unsafe {
        let schema59: arrow::ffi::FFI_ArrowSchema = transmute(exported_schema);
        let imported: Vec<(String, Result<_, _>)> = exported
            .into_iter()
            .map(|(name, (array, schema))| {
                let array: arrow::ffi::FFI_ArrowArray = transmute(array);
                let schema: arrow::ffi::FFI_ArrowSchema = transmute(schema);
                (name, arrow::ffi::from_ffi(array, &schema))
            })
            .collect();
        (schema59, imported)
    };

    let schema = Schema::try_from(&schema59).map_err(|source| ArrowBridgeError::Import {
        what: "schema".into(),
        source,
    })?;
    let columns = imported
        .into_iter()
        .map(|(name, data)| {
            data.map(make_array)
                .map_err(|source| ArrowBridgeError::Import {
                    what: format!("column {name}"),
                    source,
                })
        })
        .collect::<Result<Vec<ArrayRef>, _>>()?;
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    RecordBatch::try_new_with_options(Arc::new(schema), columns, &options).map_err(|source| {
        ArrowBridgeError::Import {
            what: "batch".into(),
            source,
        }
    })
}

#[cfg(test)]
mod tests;
