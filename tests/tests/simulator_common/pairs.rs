//! Checks across IDBs: IS-link pairs between two sites, and the two IDBs of an HA pair.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tidemark_sinks::database::{Database, SqlValue};

use super::{count, int, rows, text};

/// The IS-links of two site IDBs pair up by LinkID, except those towards the unmonitored
/// switch (listed in GSYS_DNPREMOTELOCATION) and the failed ones.
pub async fn check_links(site1: &dyn Database, site2: &dyn Database) {
    let links = |rows: Vec<Vec<SqlValue>>| -> BTreeMap<String, (i64, String, i64)> {
        rows.iter()
            .map(|r| (text(&r[0]), (int(&r[1]), text(&r[2]), int(&r[3]))))
            .collect()
    };
    let sql = "select linkid, islinktype, remotelocation, state from g_is_link";
    let (a, b) = (links(rows(site1, sql).await), links(rows(site2, sql).await));
    let unmonitored: BTreeSet<String> =
        rows(site1, "select remotelocation from gsys_dnpremotelocation")
            .await
            .iter()
            .map(|r| text(&r[0]))
            .collect();
    let (mut paired, mut remote, mut failed) = (0, 0, 0);
    for (id, (kind, location, state)) in &a {
        if unmonitored.contains(location) {
            assert!(
                !b.contains_key(id),
                "link {id} to an unmonitored switch has a pair"
            );
            remote += 1;
        } else if *state == 3 {
            assert!(!b.contains_key(id), "failed link {id} has a pair");
            failed += 1;
        } else {
            let other = b
                .get(id)
                .unwrap_or_else(|| panic!("link {id} has no pair on site 2"));
            assert_eq!(
                kind + other.0,
                5,
                "one source (2) and one target (3) half: {kind}, {}",
                other.0
            );
            assert_eq!(
                (location.as_str(), other.1.as_str()),
                ("SW2", "SW1"),
                "each half names the other switch"
            );
            paired += 1;
        }
    }
    for (id, (_, location, state)) in &b {
        if *state != 3 && !unmonitored.contains(location) {
            assert!(
                a.contains_key(id),
                "link {id} on site 2 has no pair on site 1"
            );
        }
    }
    assert!(
        paired > 0 && remote + failed > 0,
        "paired {paired}, unmonitored {remote}, failed {failed}"
    );
}

/// The two IDBs of an HA pair agree on business rows (B lacking only what its gaps
/// omitted) but differ in surrogate ids and sequences.
pub async fn check_ha_pair(a: &dyn Database, b: &dyn Database, gap_expected: bool) {
    let business = |rows: Vec<Vec<SqlValue>>| -> BTreeMap<String, String> {
        rows.iter()
            .map(|r| {
                (
                    text(&r[0]),
                    r[1..]
                        .iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join("|"),
                )
            })
            .collect()
    };
    for (table, key, cols) in [
        (
            "g_call",
            "callid",
            "irid, calltype, state, created, terminated, created_ts, terminated_ts",
        ),
        (
            "g_party",
            "partyid",
            "partyguid, callid, type, prole, state, endpointdn, created, terminated",
        ),
        (
            "g_login_session",
            "loginsessionid",
            "agentid, created, terminated",
        ),
        (
            "go_chain",
            "chainguid",
            "sessid, callresult, created, terminated",
        ),
    ] {
        let sql = format!("select {key}, {cols} from {table}");
        let (ra, rb) = (business(rows(a, &sql).await), business(rows(b, &sql).await));
        for (k, v) in &rb {
            assert_eq!(
                ra.get(k),
                Some(v),
                "{table} {k} differs between the HA partners"
            );
        }
        if !gap_expected {
            assert_eq!(
                ra.len(),
                rb.len(),
                "{table}: partners hold different rows without a gap"
            );
        }
    }
    let ids = |db| async move { rows(db, "select callid, id, gsys_seq from g_call").await };
    let (ia, ib) = (ids(a).await, ids(b).await);
    let a_by: HashMap<String, (i64, i64)> = ia
        .iter()
        .map(|r| (text(&r[0]), (int(&r[1]), int(&r[2]))))
        .collect();
    let mut compared = 0;
    for r in &ib {
        if let Some((id, seq)) = a_by.get(&text(&r[0])) {
            assert_ne!(*id, int(&r[1]), "surrogate ids must differ");
            assert_ne!(*seq, int(&r[2]), "sequences must differ");
            compared += 1;
        }
    }
    assert!(compared > 0);
    let icons =
        |db| async move { count(db, "select min(icon_dbid) from g_dss_gcc_provider").await };
    assert_ne!(
        icons(a).await,
        icons(b).await,
        "each partner has its own ICON"
    );
    let dss = |db| async move { count(db, "select min(dss_id) from g_dss_gcc_provider").await };
    assert_ne!(
        dss(a).await,
        dss(b).await,
        "each partner has its own DSS sessions"
    );
    if gap_expected {
        let reopened = count(
            b,
            "select count(*) from g_dss_gcc_provider where dsconn_type = 2",
        )
        .await;
        assert!(
            reopened > 0,
            "the gap reopens B's session with DSCONN_TYPE 2"
        );
        let closed = count(
            b,
            "select count(*) from g_dss_gcc_provider where dsconn_etime is not null",
        )
        .await;
        assert!(closed > 0, "the gap closes B's session");
        let missing = count(a, "select count(*) from g_call").await
            - count(b, "select count(*) from g_call").await;
        assert!(missing > 0, "B lacks the calls of its gap");
    }
}
