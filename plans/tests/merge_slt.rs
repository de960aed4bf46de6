//! Golden cases of the voice merge (`plans/tests/slt/merge_*.slt`): each file inserts its
//! fixture into empty `merge_*` input tables with the real GIDB schemas and reads
//! `voice_merge(timeout, horizon)`, which runs `merge_voice` on them.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use datafusion::datasource::MemTable;
use datafusion::logical_expr::lit;
use datafusion::prelude::SessionContext;
use tidemark_plans::merge::{input_schema, sql, INPUTS};
use tidemark_schemas::gidb::CREATE_AUDIT_KEY;
use tidemark_udfs::slt::{slt_files, DataFusionSlt};

/// A session with the Tidemark functions, `voice_merge` and the empty input tables;
/// `create_audit_key` defaults to 0 so fixtures only list the columns they need.
fn session() -> DataFusionSlt {
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
    DataFusionSlt::with_context(ctx)
}

#[tokio::test]
async fn merge_golden_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slt");
    let files: Vec<_> = slt_files(&dir)
        .into_iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("merge_"))
        })
        .collect();
    assert!(
        files.len() >= 7,
        "merge golden files missing under {}",
        dir.display()
    );
    let mut failures = Vec::new();
    for file in files {
        let mut runner = sqllogictest::Runner::new(|| async { Ok(session()) });
        if let Err(e) = runner.run_file_async(&file).await {
            failures.push(format!("{}: {e}", file.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
