//! A session holding empty voice-merge inputs with their real schemas, for the merge tests.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::datasource::MemTable;
use datafusion::logical_expr::lit;
use datafusion::prelude::SessionContext;
use tidemark_plans::merge::{input_schema, sql, INPUTS};
use tidemark_schemas::gidb::CREATE_AUDIT_KEY;

/// A session with the Tidemark functions, `voice_merge` and empty `merge_*` input tables;
/// `create_audit_key` defaults to 0 so fixtures only insert the columns they need.
pub fn session() -> SessionContext {
    let ctx = SessionContext::new();
    tidemark_udfs::register_all(&ctx);
    sql::register(&ctx);
    for name in INPUTS {
        let schema = input_schema(name).expect("merge input schema");
        let defaults = HashMap::from([(CREATE_AUDIT_KEY.to_string(), lit(0i64))]);
        let table = MemTable::try_new(schema, vec![vec![]])
            .expect("empty input table")
            .with_column_defaults(defaults);
        ctx.register_table(name, Arc::new(table))
            .expect("register input table");
    }
    ctx
}
