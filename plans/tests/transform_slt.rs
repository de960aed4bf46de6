//! Golden cases of the transform (`plans/tests/slt/transform_*.slt`): each file inserts GIDB
//! and Info Mart fixtures into the empty inputs and reads the output views.

mod transform_support;

use std::path::Path;

use tidemark_udfs::slt::{slt_files, DataFusionSlt};

#[tokio::test]
async fn transform_golden_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slt");
    let files: Vec<_> = slt_files(&dir)
        .into_iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("transform_"))
        })
        .collect();
    assert!(!files.is_empty(), "transform golden files missing");
    let mut failures = Vec::new();
    for file in files {
        let ctx = transform_support::session().await;
        let mut runner = sqllogictest::Runner::new(move || {
            let ctx = ctx.clone();
            async move { Ok(DataFusionSlt::with_context(ctx)) }
        });
        if let Err(e) = runner.run_file_async(&file).await {
            failures.push(format!("{}: {e}", file.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_output_column_is_a_mart_column() {
    let ctx = transform_support::session().await;
    let outputs = tidemark_plans::transform::config::OUTPUTS
        .iter()
        .copied()
        .chain([
            (
                "INTERACTION_FACT",
                tidemark_plans::transform::voice::INTERACTION_FACT,
            ),
            (
                "INTERACTION_RESOURCE_FACT",
                tidemark_plans::transform::voice::IRF,
            ),
            (
                "MEDIATION_SEGMENT_FACT",
                tidemark_plans::transform::voice::MSF,
            ),
            (
                "IXN_RESOURCE_STATE_FACT",
                tidemark_plans::transform::voice::IXN_RESOURCE_STATE_FACT,
            ),
            (
                "RESOURCE_GROUP_COMBINATION",
                tidemark_plans::transform::voice::RESOURCE_GROUP_COMBINATION,
            ),
        ])
        .chain(tidemark_plans::transform::voice::USER_DATA_OUTPUTS)
        .chain(tidemark_plans::transform::multimedia::OUTPUTS);
    for (table, view) in outputs {
        let def = tidemark_schemas::mart::table(table).expect("mart table");
        let frame = ctx.table(view).await.expect("output view");
        for field in frame.schema().fields() {
            assert!(
                def.column(field.name()).is_some(),
                "{view} column {} is not a column of {table}",
                field.name()
            );
        }
        for column in def
            .columns
            .iter()
            .filter(|c| !c.nullable && c.default.is_none())
        {
            assert!(
                frame
                    .schema()
                    .field_with_unqualified_name(&column.sql_name())
                    .is_ok(),
                "{view} lacks required column {} of {table}",
                column.name
            );
        }
    }
}
