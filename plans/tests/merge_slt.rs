//! Golden cases of the voice merge (`plans/tests/slt/merge_*.slt`): each file inserts its
//! fixture into empty `merge_*` input tables with the real GIDB schemas and reads
//! `voice_merge(timeout, horizon)`, which runs `merge_voice` on them.

mod merge_support;

use std::path::Path;

use tidemark_udfs::slt::{slt_files, DataFusionSlt};

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
        let mut runner = sqllogictest::Runner::new(|| async {
            Ok(DataFusionSlt::with_context(merge_support::session()))
        });
        if let Err(e) = runner.run_file_async(&file).await {
            failures.push(format!("{}: {e}", file.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
