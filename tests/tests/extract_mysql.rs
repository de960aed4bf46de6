//! Job_ExtractICON from a MariaDB IDB into a SQLite Info Mart.

mod extract_common;

use extract_common::*;
use tidemark_tests::{fresh_mysql, fresh_sqlite};

#[tokio::test]
async fn mariadb_idb_is_extracted_completely() {
    let (idb, mart) = (fresh_mysql().await, fresh_sqlite());
    let dir = tempfile::tempdir().unwrap();
    simulate(&sim_args(&[&idb.url], 29, 200)).await;
    let gidb = dir.path().join("gidb");
    extract(&config(&mart.url, &gidb, &[all_roles(&idb.url)]), DAY_END).await;
    let source = idb.connect().await;
    for (table, column, folders) in [
        (
            "g_party_history",
            "added_ts",
            vec!["gidb_g_party_history_v", "gidb_g_party_history_mm"],
        ),
        (
            "g_login_session",
            "lastchange_ts",
            vec!["gidb_g_login_session_v", "gidb_g_login_session_mm"],
        ),
        ("gc_skill", "lastchange_ts", vec!["gidb_gc_skill"]),
        (
            "go_chainrec_hist",
            "added_ts",
            vec!["gidb_go_chainrec_hist"],
        ),
    ] {
        let expected = idb_ids(source.as_ref(), table, column).await;
        assert!(!expected.is_empty(), "{table} is empty");
        assert_eq!(gidb_ids(&gidb, &folders).await, expected, "{table}");
    }
    let times = gidb_column_expr(&gidb, "gidb_g_call_v", "cast(min(created) as varchar)").await;
    assert!(
        times[0].starts_with("2024-03-05"),
        "timestamps survive: {times:?}"
    );
}
