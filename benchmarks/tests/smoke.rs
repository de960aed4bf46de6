//! The extraction benchmark end to end at a tiny size against the test PostgreSQL server
//! (`TIDEMARK_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`): it runs, writes
//! its JSON, both sides read the same rows, the transform that follows writes facts and the
//! export writes every row of the exported tables once; and the backlog benchmark over two
//! sizes. No timing is asserted.

use tidemark_benchmarks::extract::{self, ExtractArgs};
use tidemark_benchmarks::measure::StageCost;
use tidemark_benchmarks::stages::EtlOptions;

/// The test PostgreSQL server.
fn test_pg() -> String {
    std::env::var("TIDEMARK_TEST_PG_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extraction_benchmark_reads_the_same_rows_as_copy() {
    let pg = test_pg();
    let results = tempfile::tempdir().expect("results folder");
    let args = ExtractArgs {
        interactions_per_day: 200,
        days: 1,
        seed: 9001,
        pg,
        etl: EtlOptions {
            threads: Some(2),
            chunk_seconds: None,
        },
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

/// `benchmarks backlog` with a two-size sweep at a tiny size, run as the program an engineer
/// runs (each size then catches up in a process of its own): every stage ran, the COPY
/// limits read and loaded exactly the rows the jobs did, the three transform engines agree,
/// the steady-state cycle ran and the report and chart were written. No timing is asserted.
#[test]
fn backlog_benchmark_sweeps_two_sizes_against_copy_and_peer_engines() {
    use tidemark_benchmarks::backlog::BacklogReport;

    let results = tempfile::tempdir().expect("results folder");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_benchmarks"))
        .args(["backlog", "--interactions-per-day", "150", "--sweep", "2,1"])
        .args(["--seed", "9002", "--pg", &test_pg(), "--threads", "2"])
        .args(["--cycle-minutes", "60", "--no-export", "--no-progress"])
        .arg("--results")
        .arg(results.path())
        .output()
        .expect("running benchmarks");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "benchmark failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Backlog catch-up"), "{stdout}");
    let written = |extension: &str| {
        std::fs::read_dir(results.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == extension))
            .unwrap_or_else(|| panic!("no .{extension} written"))
    };
    let report: BacklogReport =
        serde_json::from_str(&std::fs::read_to_string(written("json")).unwrap()).unwrap();
    let days: Vec<u32> = report.runs.iter().map(|r| r.size.days).collect();
    assert_eq!(days, vec![1, 2]);
    for run in &report.runs {
        let stages: Vec<&str> = run.stages.iter().map(|s| s.cost.stage.as_str()).collect();
        assert_eq!(
            stages,
            ["Job_InitializeGIM", "Job_ExtractICON", "Job_TransformGIM"]
        );
        let extracted = run.stages[1].rows_out;
        assert!(extracted > 0);
        assert_eq!(
            run.copy_out.throughput.rows, extracted,
            "COPY-out = extracted"
        );
        assert_eq!(
            run.copy_in.throughput.rows, run.stages[2].rows_out,
            "COPY-in = mart rows"
        );
        assert!(run.copy_in.throughput.rows > run.interactions && run.interactions > 20);
        let baselines = run.baselines.as_ref().expect("baselines ran");
        for engine in [
            &baselines.engines.datafusion,
            &baselines.engines.postgres,
            &baselines.engines.duckdb,
        ] {
            assert_eq!(engine.error, None, "{}", engine.engine);
            assert!(
                engine.outputs.iter().any(|o| o.rows > 0),
                "{}",
                engine.engine
            );
        }
        assert!(
            baselines.engines.mismatches.is_empty(),
            "{:?}",
            baselines.engines.mismatches
        );
        assert!(baselines.voice_stream_vs_postgres.is_some_and(|r| r > 0.0));
        let span_keys = |stage: &StageCost| -> Vec<(String, u64)> {
            stage
                .spans
                .iter()
                .map(|t| (t.span.clone(), t.count))
                .collect()
        };
        let extract_spans = span_keys(&run.stages[1].cost);
        for table in ["G_CALL", "G_IR", "G_PARTY"] {
            let key = format!("extract_table[{table}]");
            assert!(
                extract_spans.iter().any(|(k, n)| *k == key && *n > 0),
                "{key} in {extract_spans:?}"
            );
        }
        assert!(extract_spans.iter().any(|(k, _)| k == "voice_merge"));
        let transform_spans = span_keys(&run.stages[2].cost);
        for stream in ["configuration", "voice", "late user data", "multimedia"] {
            let key = format!("transform_stream[{stream}]");
            assert!(
                transform_spans.contains(&(key.clone(), 1)),
                "{key} once in {transform_spans:?}"
            );
        }
        assert!(transform_spans
            .iter()
            .any(|(k, _)| k.starts_with("transform_stream[voice] › ") && k.ends_with("db_write")));
        let steady = run.steady_state.as_ref().expect("steady state ran");
        assert!(steady.rows > 0, "the cycle found new activity");
        assert!(span_keys(&steady.transform).contains(&("transform_stream[voice]".into(), 1)));
        assert!(run.end_to_end.ratio > 0.0);
    }
    assert_eq!(report.growth.us_per_row.len(), 2);
    let svg = std::fs::read_to_string(written("svg")).expect("chart written");
    assert!(svg.contains("<svg") && svg.contains("Peak resident memory"));
    let markdown = std::fs::read_to_string(written("md")).unwrap();
    assert!(markdown.contains("Backlog catch-up") && markdown.contains("Steady state"));
    assert!(
        markdown.contains("Where the time went") && markdown.contains("`transform_stream[voice]`")
    );
}
