//! Golden cases of the transform (`plans/tests/slt/transform_*.slt`): each file inserts GIDB
//! and Info Mart fixtures into the empty inputs and reads the output views.

mod transform_support;

use std::path::Path;

use libtest_mimic::{Arguments, Failed, Trial};
use tidemark_udfs::slt::{run_file, slt_files};
use transform_support::MaterializedSlt;

/// One trial per golden file, so the files run in parallel and fail one by one, and the
/// column check.
fn main() {
    let args = Arguments::from_args();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slt");
    let files: Vec<_> = slt_files(&dir)
        .into_iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("transform_"))
        })
        .collect();
    assert!(!files.is_empty(), "transform golden files missing");
    let mut trials: Vec<Trial> = files
        .into_iter()
        .map(|file| {
            let name = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            Trial::test(format!("golden::{name}"), move || {
                block_on(async move {
                    let ctx = transform_support::session().await;
                    run_file(&file, move || MaterializedSlt::new(ctx.clone()))
                        .await
                        .map_err(Failed::from)
                })
            })
        })
        .collect();
    trials.push(Trial::test("every_output_column_is_a_mart_column", || {
        block_on(every_output_column_is_a_mart_column());
        Ok(())
    }));
    libtest_mimic::run(&args, trials).exit();
}

/// Runs `future` to completion on a runtime of its own.
fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}

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
