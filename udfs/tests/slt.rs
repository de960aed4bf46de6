//! Golden results of the Tidemark functions (`udfs/tests/slt/*.slt`).

use std::path::Path;

use tidemark_udfs::slt::{run_dir, DataFusionSlt};

#[tokio::test]
async fn golden_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slt");
    run_dir(&dir, DataFusionSlt::new).await;
}
