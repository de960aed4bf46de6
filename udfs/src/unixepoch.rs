//! `unixepoch()`: the current time in UTC epoch seconds, as SQLite has it built in and
//! Job_InitializeGIM creates it in PostgreSQL, so the ADMIN_* view definitions plan in
//! DataFusion too.

use std::time::{SystemTime, UNIX_EPOCH};

use arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

/// The `unixepoch` function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct UnixEpoch {
    signature: Signature,
}

impl UnixEpoch {
    /// Creates the function.
    pub fn new() -> Self {
        UnixEpoch {
            signature: Signature::exact(vec![], Volatility::Volatile),
        }
    }
}

impl Default for UnixEpoch {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for UnixEpoch {
    fn name(&self) -> &str {
        "unixepoch"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(now) => Ok(ColumnarValue::Scalar(ScalarValue::Int64(Some(
                now.as_secs() as i64,
            )))),
            Err(e) => exec_err!("unixepoch: the clock is before 1970: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use datafusion::prelude::SessionContext;

    #[tokio::test]
    async fn unixepoch_is_the_current_epoch_second() {
        let ctx = SessionContext::new();
        crate::register_all(&ctx);
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs() as i64;
        let batches = ctx
            .sql("select unixepoch() as now")
            .await
            .expect("plan")
            .collect()
            .await
            .expect("run");
        let now = batches[0]
            .column(0)
            .as_any()
            .downcast_ref::<arrow::array::Int64Array>()
            .expect("int64")
            .value(0);
        assert!(now >= before && now <= before + 5, "{now} vs {before}");
    }
}
