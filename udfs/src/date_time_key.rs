//! `date_time_key(ts)`: the DATE_TIME key of the 15-minute interval holding a UTC epoch
//! second, `ts - ts mod 900` (infomart.md §1.3). NULL stays NULL.
//!
//! ```sql
//! select date_time_key(1700000123);  -- 1700000100
//! ```

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Int64Array};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

/// Length of one DATE_TIME interval in seconds.
const GRAIN: i64 = 900;

/// The `date_time_key` function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DateTimeKey {
    signature: Signature,
}

impl DateTimeKey {
    /// Creates the function.
    pub fn new() -> Self {
        let ints = [DataType::Int16, DataType::Int32, DataType::Int64];
        DateTimeKey {
            signature: Signature::one_of(
                ints.into_iter()
                    .map(|t| TypeSignature::Exact(vec![t]))
                    .collect(),
                Volatility::Immutable,
            ),
        }
    }
}

impl Default for DateTimeKey {
    fn default() -> Self {
        Self::new()
    }
}

fn key_of(ts: i64) -> i64 {
    ts - ts.rem_euclid(GRAIN)
}

impl ScalarUDFImpl for DateTimeKey {
    fn name(&self) -> &str {
        "date_time_key"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [arg] = args.args.as_slice() else {
            return exec_err!("date_time_key takes one argument");
        };
        match arg {
            ColumnarValue::Scalar(s) => {
                let v = match s.cast_to(&DataType::Int64)? {
                    ScalarValue::Int64(v) => v.map(key_of),
                    _ => None,
                };
                Ok(ColumnarValue::Scalar(ScalarValue::Int64(v)))
            }
            ColumnarValue::Array(a) => {
                let a = cast(a, &DataType::Int64)?;
                let a = a
                    .as_any()
                    .downcast_ref::<Int64Array>()
                    .expect("cast to Int64");
                let out: Int64Array = a.unary(key_of);
                Ok(ColumnarValue::Array(Arc::new(out) as ArrayRef))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_truncates_to_the_quarter_hour() {
        assert_eq!(key_of(1_700_000_123), 1_700_000_100);
        assert_eq!(key_of(0), 0);
        assert_eq!(key_of(899), 0);
        assert_eq!(key_of(-1), -900);
    }
}
