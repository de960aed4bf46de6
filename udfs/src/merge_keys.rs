//! Keys of the voice-merge call graph (idb.md §5.4):
//!
//! * `merge_node(kind, data_source_key, id)` — the graph node of one IDB object:
//!   `'C'` a call (CallID), `'I'` an interaction record (IRID), `'L'` an IS-link (LinkID,
//!   shared by both sites, so `data_source_key` is NULL). Text `kind:dsk:id`; NULL when `id`
//!   is NULL, so a missing reference never becomes an edge.
//! * `merge_root_key(created_ts, data_source_key, callid)` — a text that sorts like the tuple
//!   `(created_ts, data_source_key, callid)`: the smallest key of a component is its root,
//!   the earliest-created call, ties broken by data source then CallID. NULL when any
//!   argument is NULL.
//!
//! ```sql
//! select merge_node('C', 3, 'abc');          -- 'C:3:abc'
//! select merge_node('L', null, 'link-9');    -- 'L::link-9'
//! select merge_root_key(1709632800, 1, 'C1') < merge_root_key(1709632801, 0, 'C0');  -- true
//! ```

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Int64Array, StringArray, StringBuilder};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

/// Which of the two keys a [`MergeKey`] function builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// `merge_node(kind, data_source_key, id)`.
    Node,
    /// `merge_root_key(created_ts, data_source_key, callid)`.
    Root,
}

/// The `merge_node` or `merge_root_key` function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct MergeKey {
    kind: KeyKind,
    signature: Signature,
}

impl MergeKey {
    /// Creates the function building `kind`.
    pub fn new(kind: KeyKind) -> Self {
        MergeKey {
            kind,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    /// `merge_node`.
    pub fn node() -> Self {
        Self::new(KeyKind::Node)
    }

    /// `merge_root_key`.
    pub fn root() -> Self {
        Self::new(KeyKind::Root)
    }

    /// Argument list named in errors.
    fn arguments(&self) -> &'static str {
        match self.kind {
            KeyKind::Node => "(kind text, data_source_key integer, id text)",
            KeyKind::Root => "(created_ts integer, data_source_key integer, callid text)",
        }
    }
}

/// An `i64` as 20 digits that sort like the number, negatives included.
fn sortable(v: i64) -> String {
    format!("{:020}", (v as u64) ^ (1 << 63))
}

/// The root key of one call.
fn root_key(created_ts: i64, data_source_key: i64, callid: &str) -> String {
    format!(
        "{}:{}:{callid}",
        sortable(created_ts),
        sortable(data_source_key)
    )
}

/// The node id of one object; `data_source_key` is left empty when NULL.
fn node_id(kind: &str, data_source_key: Option<i64>, id: &str) -> String {
    let source = data_source_key.map(|d| d.to_string()).unwrap_or_default();
    format!("{kind}:{source}:{id}")
}

fn as_text(a: &ArrayRef) -> Result<StringArray> {
    let a = cast(a, &DataType::Utf8)?;
    Ok(a.as_any()
        .downcast_ref::<StringArray>()
        .expect("cast to Utf8")
        .clone())
}

fn as_int(a: &ArrayRef) -> Result<Int64Array> {
    let a = cast(a, &DataType::Int64)?;
    Ok(a.as_any()
        .downcast_ref::<Int64Array>()
        .expect("cast to Int64")
        .clone())
}

impl ScalarUDFImpl for MergeKey {
    fn name(&self) -> &str {
        match self.kind {
            KeyKind::Node => "merge_node",
            KeyKind::Root => "merge_root_key",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Text arguments become Utf8 and integers Int64; NULL literals are accepted anywhere.
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let text = |t: &DataType| {
            matches!(
                t,
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
            )
        };
        let int = |t: &DataType| t.is_integer() || matches!(t, DataType::Null);
        let (first, first_ok): (DataType, &dyn Fn(&DataType) -> bool) = match self.kind {
            KeyKind::Node => (DataType::Utf8, &text),
            KeyKind::Root => (DataType::Int64, &int),
        };
        match arg_types {
            [a, b, c] if first_ok(a) && int(b) && text(c) => {
                Ok(vec![first, DataType::Int64, DataType::Utf8])
            }
            _ => plan_err!(
                "{} takes {}, got {arg_types:?}",
                self.name(),
                self.arguments()
            ),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let [first, dsk, id] = arrays.as_slice() else {
            return exec_err!("{} takes {}", self.name(), self.arguments());
        };
        let (dsk, id) = (as_int(dsk)?, as_text(id)?);
        let mut out = StringBuilder::with_capacity(id.len(), id.len() * 64);
        match self.kind {
            KeyKind::Node => {
                let kind = as_text(first)?;
                for row in 0..id.len() {
                    match kind.is_null(row) || id.is_null(row) {
                        true => out.append_null(),
                        false => {
                            let source = dsk.is_valid(row).then(|| dsk.value(row));
                            out.append_value(node_id(kind.value(row), source, id.value(row)))
                        }
                    }
                }
            }
            KeyKind::Root => {
                let ts = as_int(first)?;
                for row in 0..id.len() {
                    match ts.is_null(row) || dsk.is_null(row) || id.is_null(row) {
                        true => out.append_null(),
                        false => {
                            out.append_value(root_key(ts.value(row), dsk.value(row), id.value(row)))
                        }
                    }
                }
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_keys_sort_like_their_tuples() {
        let mut keys = [
            (5, 1, "b"),
            (-3, 9, "z"),
            (5, 1, "a"),
            (5, -2, "z"),
            (100, 0, "a"),
        ];
        let mut encoded: Vec<String> = keys.iter().map(|&(t, d, c)| root_key(t, d, c)).collect();
        keys.sort();
        encoded.sort();
        let expected: Vec<String> = keys.iter().map(|&(t, d, c)| root_key(t, d, c)).collect();
        assert_eq!(encoded, expected);
    }

    #[test]
    fn node_ids_leave_a_missing_source_empty() {
        assert_eq!(node_id("C", Some(3), "abc"), "C:3:abc");
        assert_eq!(node_id("L", None, "l9"), "L::l9");
    }

    #[test]
    fn sortable_keeps_the_order_of_extremes() {
        assert!(sortable(i64::MIN) < sortable(-1));
        assert!(sortable(-1) < sortable(0));
        assert!(sortable(0) < sortable(i64::MAX));
        assert_eq!(sortable(0).len(), 20);
        assert_eq!(sortable(i64::MAX).len(), 20);
    }
}
