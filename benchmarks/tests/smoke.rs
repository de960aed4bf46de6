//! The extraction benchmark end to end at a tiny size against the test PostgreSQL server
//! (`TIDEMARK_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`): it runs, writes
//! its JSON, both sides read the same rows, the transform that follows writes facts and the
//! export writes every row of the exported tables once. No
//! timing is asserted.

use tidemark_benchmarks::extract::{self, ExtractArgs};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extraction_benchmark_reads_the_same_rows_as_copy() {
    let pg = std::env::var("TIDEMARK_TEST_PG_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let results = tempfile::tempdir().expect("results folder");
    let args = ExtractArgs {
        interactions_per_day: 200,
        days: 1,
        seed: 9001,
        pg,
        threads: Some(2),
        results: results.path().to_path_buf(),
        keep_infomart: false,
        no_progress: true,
        no_transform: false,
        no_export: false,
    };
    let (report, written) = extract::run(&args)
        .await
        .unwrap_or_else(|e| panic!("benchmark failed: {e:#}"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&written.json).expect("JSON written"))
            .expect("valid JSON");
    let extracted = json["extraction"]["throughput"]["rows"]
        .as_u64()
        .expect("extracted rows");
    let sequential = json["copy_sequential"]["throughput"]["rows"]
        .as_u64()
        .expect("COPY rows");
    let parallel = json["copy_parallel"]["throughput"]["rows"]
        .as_u64()
        .expect("parallel COPY rows");
    assert!(extracted > 0, "no rows extracted");
    assert!(sequential > 0, "no rows copied");
    assert_eq!(
        extracted, sequential,
        "extraction and COPY disagree: {:?}",
        report.extraction.mismatches
    );
    assert_eq!(sequential, parallel);
    assert!(json["ratio"]["percent"].as_f64().is_some_and(|p| p > 0.0));
    let interactions = json["transform"]["interactions"]
        .as_u64()
        .expect("transformed interactions");
    assert!(
        interactions > 100,
        "{interactions} voice interactions transformed"
    );
    assert!(json["transform"]["fact_rows"].as_u64().unwrap_or(0) > interactions);
    let exported = json["export"]["rows"].as_u64().expect("exported rows");
    let copied_out = json["export"]["copy"]["throughput"]["rows"]
        .as_u64()
        .expect("COPY-out rows");
    assert!(exported > json["transform"]["fact_rows"].as_u64().unwrap_or(0));
    assert_eq!(
        exported, copied_out,
        "the export wrote every row of the exported tables"
    );
    let markdown = std::fs::read_to_string(&written.markdown).expect("Markdown written");
    assert!(markdown.contains("Job_TransformGIM"));
    assert!(markdown.contains("Job_ExportGIM"));
}
