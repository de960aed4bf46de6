//! The ADMIN_* views (operations.md §2.10), computed by DataFusion from the model's view
//! definitions over the lazily read tables, so a plan reading one reads only what it needs.

use std::sync::Arc;

use arrow::datatypes::DataType;
use datafusion::logical_expr::{create_udf, ColumnarValue, Volatility};
use datafusion::prelude::SessionContext;
use datafusion::scalar::ScalarValue;
use tidemark_schemas::mart;

/// `unixepoch()`: the current time in UTC epoch seconds. The view definitions call it (it is
/// built into SQLite and created in PostgreSQL by Job_InitializeGIM), so plans have it too.
fn unixepoch() -> datafusion::logical_expr::ScalarUDF {
    create_udf(
        "unixepoch",
        vec![],
        DataType::Int64,
        Volatility::Volatile,
        Arc::new(|_: &[ColumnarValue]| {
            Ok(ColumnarValue::Scalar(ScalarValue::Int64(Some(
                chrono::Utc::now().timestamp(),
            ))))
        }),
    )
}

/// Registers `unixepoch()` and every ADMIN_* view under its lower-case name, in creation
/// order (a view may read an earlier one). A view DataFusion cannot plan is left out with a
/// warning, so one view never makes the tables unusable.
pub async fn register_views(ctx: &SessionContext) {
    ctx.register_udf(unixepoch());
    for view in mart::views() {
        let planned = match ctx.sql(&view.select).await {
            Ok(frame) => ctx.register_table(view.sql_name(), frame.into_view()),
            Err(e) => Err(e),
        };
        if let Err(e) = planned {
            tracing::warn!(view = %view.name, "view left out of plan files: {e}");
        }
    }
}
