//! Golden cases of the report library (`plans/reports/<report>.slt` beside each
//! `<report>.sql`): each file inserts Info Mart fixtures and queries the report as a table
//! function with parameter values. `TIDEMARK_SLT_COMPLETE=1` rewrites the expected blocks.

mod report_support;

use tidemark_udfs::slt::{run_dir, DataFusionSlt};

#[tokio::test(flavor = "multi_thread")]
async fn report_golden_files() {
    run_dir(&report_support::reports_dir(), || {
        DataFusionSlt::with_context(report_support::session())
    })
    .await;
}

#[test]
fn every_report_has_a_golden_file_and_parses() {
    let reports = report_support::report_files();
    assert!(reports.len() >= 5, "the report library is missing");
    for report in reports {
        tidemark_plans::plan_file::PlanFile::load(&report).unwrap_or_else(|e| panic!("{e}"));
        let golden = report.with_extension("slt");
        assert!(golden.exists(), "{} has no golden file", report.display());
    }
}
