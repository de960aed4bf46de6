//! `tidemark demo` end to end with no database server: a simulated SQLite IDB, an initialized
//! SQLite Info Mart, a configuration file that validates, an export, and a re-run that starts
//! afresh.

use tidemark::config::Config;
use tidemark::demo::DemoArgs;
use tidemark_sinks::database;

#[tokio::test]
async fn demo_builds_idb_and_infomart_in_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let args = DemoArgs {
        dir: dir.path().join("demo"),
        interactions_per_day: 300,
        days: 1,
        seed: 5,
    };
    tidemark::demo::run(&args).await.expect("demo runs");

    let config =
        Config::load(&args.dir.join("tidemark.toml")).expect("the demo's configuration validates");
    let mart = database::connect(&config.infomart.url).await.unwrap();
    assert!(tidemark::jobs::initialize::is_initialized(mart.as_ref())
        .await
        .unwrap());
    assert!(
        mart.query_i64("select count(*) from date_time")
            .await
            .unwrap()
            > 35_000
    );
    let idb = database::connect(&config.dap[0].url).await.unwrap();
    let calls = idb.query_i64("select count(*) from g_call").await.unwrap();
    assert!(calls >= 300, "{calls} calls");
    assert!(args.dir.join("truth.jsonl").metadata().unwrap().len() > 0);

    // A second run replaces the first one's databases rather than adding to them.
    tidemark::demo::run(&args).await.expect("demo runs again");
    let idb = database::connect(&config.dap[0].url).await.unwrap();
    assert_eq!(
        idb.query_i64("select count(*) from g_call").await.unwrap(),
        calls
    );
    let mart = database::connect(&config.infomart.url).await.unwrap();
    assert_eq!(
        mart.query_i64("select count(*) from ctl_etl_history")
            .await
            .unwrap(),
        tidemark::jobs::registry().len() as i64,
        "one run of every job"
    );
    assert_eq!(
        mart.query_i64("select count(*) from ctl_etl_history where status <> 'COMPLETE'")
            .await
            .unwrap(),
        0
    );
    let facts = mart
        .query_i64("select count(*) from interaction_fact")
        .await
        .unwrap();
    assert!(facts > 0, "the demo transforms voice interactions");
    let exported = mart
        .query_i64("select coalesce(sum(row_count), 0) from ctl_export_history")
        .await
        .unwrap();
    assert!(
        exported > facts,
        "the demo exports what it transformed: {exported}"
    );
    let folders = std::fs::read_dir(args.dir.join("export")).unwrap().count() as i64;
    let batches = mart
        .query_i64("select count(*) from ctl_export_history")
        .await
        .unwrap();
    assert_eq!(folders, batches, "the second run's export starts afresh");
    assert!(args.dir.join("warehouse/interaction_fact").is_dir());
}
