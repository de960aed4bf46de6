//! Smoke run of `tidemark simulate` into a MariaDB/MySQL IDB.

mod simulator_common;

use simulator_common::*;
use tidemark_tests::fresh_mysql;

#[tokio::test]
async fn mariadb_idb_is_filled_consistently() {
    let idb = fresh_mysql().await;
    let report = simulate(&args(&[&idb.url], 61, 150)).await;
    assert!(
        report.tables.get("G_PARTY_HISTORY").copied().unwrap_or(0) > 0,
        "{report}"
    );
    let db = idb.connect().await;
    check_references(db.as_ref(), true, true).await;
    check_histories(db.as_ref()).await;
    check_agent_states(db.as_ref()).await;
}
