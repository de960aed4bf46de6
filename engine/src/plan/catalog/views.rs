//! The ADMIN_* views (operations.md §2.10), computed by DataFusion from the model's view
//! definitions over the lazily read tables, so a plan reading one reads only what it needs.

use datafusion::prelude::SessionContext;
use tidemark_schemas::mart;

/// Registers every ADMIN_* view under its lower-case name, in creation order (a view may
/// read an earlier one; their `unixepoch()` is one of Tidemark's functions). A view DataFusion cannot plan is left out with a
/// warning, so one view never makes the tables unusable.
pub async fn register_views(ctx: &SessionContext) {
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
