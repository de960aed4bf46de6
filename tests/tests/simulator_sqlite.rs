//! `tidemark simulate` into SQLite IDBs: determinism, the IDB invariants, the truth file,
//! multi-site IS-link pairing and HA pairs with a session gap.

mod simulator_common;

use simulator_common::*;
use tidemark_tests::fresh_sqlite;

#[tokio::test]
async fn same_seed_same_rows_other_seed_other_rows() {
    let (a, b, c) = (fresh_sqlite(), fresh_sqlite(), fresh_sqlite());
    simulate(&args(&[&a.url], 11, 250)).await;
    simulate(&args(&[&b.url], 11, 250)).await;
    simulate(&args(&[&c.url], 12, 250)).await;
    let (a, b, c) = (a.connect().await, b.connect().await, c.connect().await);
    for table in tidemark_schemas::idb::tables() {
        let t = table.sql_name();
        assert_eq!(
            dump(a.as_ref(), &t).await,
            dump(b.as_ref(), &t).await,
            "{t} differs for the same seed"
        );
    }
    assert_ne!(
        dump(a.as_ref(), "g_call").await,
        dump(c.as_ref(), "g_call").await
    );
}

#[tokio::test]
async fn one_site_idb_holds_consistent_rows_and_matches_the_truth() {
    let idb = fresh_sqlite();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut a = args(&[&idb.url], 5, 400);
    a.truth = Some(truth_path(&dir, "truth.jsonl"));
    let report = simulate(&a).await;
    assert_eq!(report.interactions, 400);
    assert!(
        report.unset_required.is_empty(),
        "NOT NULL columns left unset: {:?}",
        report.unset_required
    );
    for table in [
        "G_CALL",
        "G_PARTY_HISTORY",
        "G_VIRTUAL_QUEUE",
        "G_LOGIN_SESSION",
        "GO_CHAIN",
        "GM_F_USERDATA",
        "G_CUSTOM_DATA_S",
        "G_DICTIONARY",
        "GC_AGENT",
    ] {
        assert!(
            report.tables.get(table).copied().unwrap_or(0) > 0,
            "{table} is empty: {report}"
        );
    }
    let db = idb.connect().await;
    check_idb(db.as_ref(), true, true).await;
    check_truth(db.as_ref(), a.truth.as_deref().expect("truth"), 1, &report).await;
}

#[tokio::test]
async fn two_sites_pair_their_is_links() {
    let (s1, s2) = (fresh_sqlite(), fresh_sqlite());
    let dir = tempfile::tempdir().expect("temp dir");
    let mut a = args(&[&s1.url, &s2.url], 21, 600);
    a.sites = 2;
    a.truth = Some(truth_path(&dir, "truth.jsonl"));
    let report = simulate(&a).await;
    let (d1, d2) = (s1.connect().await, s2.connect().await);
    check_idb(d1.as_ref(), true, true).await;
    check_idb(d2.as_ref(), false, true).await;
    check_links(d1.as_ref(), d2.as_ref()).await;
    check_truth(d2.as_ref(), a.truth.as_deref().expect("truth"), 2, &report).await;
}

#[tokio::test]
async fn ha_partners_agree_on_business_rows_outside_the_gap() {
    let (a, b) = (fresh_sqlite(), fresh_sqlite());
    let mut flags = args(&[&a.url, &b.url], 31, 500);
    flags.ha = true;
    flags.ha_gap_minutes = Some(90);
    simulate(&flags).await;
    let (da, db) = (a.connect().await, b.connect().await);
    check_idb(da.as_ref(), true, true).await;
    check_idb(db.as_ref(), true, false).await;
    check_ha_pair(da.as_ref(), db.as_ref(), true).await;
}

#[tokio::test]
async fn url_counts_that_do_not_fit_are_refused() {
    let a = fresh_sqlite();
    let mut flags = args(&[&a.url], 1, 10);
    flags.ha = true;
    let err = tidemark::simulate::run(&flags)
        .await
        .expect_err("one URL cannot be an HA pair")
        .to_string();
    assert!(err.contains("HA pair"), "{err}");
}
