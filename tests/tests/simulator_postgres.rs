//! `tidemark simulate` into PostgreSQL IDBs (binary COPY): determinism, and two sites each
//! written into an HA pair, with every invariant and the truth file checked.

mod simulator_common;

use simulator_common::*;
use tidemark_tests::fresh_postgres;

#[tokio::test]
async fn same_seed_same_rows() {
    let (a, b) = (fresh_postgres().await, fresh_postgres().await);
    simulate(&args(&[&a.url], 41, 250)).await;
    simulate(&args(&[&b.url], 41, 250)).await;
    let (a, b) = (a.connect().await, b.connect().await);
    for table in tidemark_schemas::idb::tables() {
        let t = table.sql_name();
        assert_eq!(
            dump(a.as_ref(), &t).await,
            dump(b.as_ref(), &t).await,
            "{t} differs for the same seed"
        );
    }
}

#[tokio::test]
async fn two_sites_in_ha_pairs() {
    let dbs = [
        fresh_postgres().await,
        fresh_postgres().await,
        fresh_postgres().await,
        fresh_postgres().await,
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let urls: Vec<&str> = dbs.iter().map(|d| d.url.as_str()).collect();
    let mut flags = args(&urls, 51, 600);
    flags.sites = 2;
    flags.ha = true;
    flags.ha_gap_minutes = Some(60);
    flags.truth = Some(truth_path(&dir, "truth.jsonl"));
    let report = simulate(&flags).await;
    let mut conns = Vec::new();
    for d in &dbs {
        conns.push(d.connect().await);
    }
    for (i, c) in conns.iter().enumerate() {
        check_idb(c.as_ref(), i < 2, i % 2 == 0).await;
    }
    check_truth(
        conns[0].as_ref(),
        flags.truth.as_deref().expect("truth"),
        1,
        &report,
    )
    .await;
    check_links(conns[0].as_ref(), conns[2].as_ref()).await;
    check_ha_pair(conns[0].as_ref(), conns[1].as_ref(), true).await;
    check_ha_pair(conns[2].as_ref(), conns[3].as_ref(), true).await;
}
