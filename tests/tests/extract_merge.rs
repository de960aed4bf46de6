//! The voice merge stage of Job_ExtractICON end to end: a two-site simulation extracted
//! from both IDBs gives the simulator's interactions in `gidb_voice_merge`, and a call
//! whose IS-link partner never arrives waits, then is emitted partially merged once the
//! pairing timeout has passed in source time.

mod extract_common;

use std::collections::{BTreeMap, BTreeSet};

use extract_common::*;
use tidemark_tests::fresh_sqlite;

/// Voice interactions of a truth file as sets of (site, CallID).
fn truth_interactions(path: &std::path::Path) -> BTreeSet<BTreeSet<(i64, String)>> {
    let text = std::fs::read_to_string(path).expect("truth file");
    let mut all = BTreeSet::new();
    for line in text.lines() {
        let record: serde_json::Value = serde_json::from_str(line).expect("truth record");
        if record["kind"] != "interaction" || record["media"] != "voice" {
            continue;
        }
        let legs: BTreeSet<(i64, String)> = record["legs"]
            .as_array()
            .expect("legs")
            .iter()
            .map(|leg| {
                (
                    leg["site"].as_i64().expect("site"),
                    leg["call_id"].as_str().expect("call id").to_string(),
                )
            })
            .collect();
        if !legs.is_empty() {
            all.insert(legs);
        }
    }
    all
}

/// Emitted interactions as sets of (site, CallID), with the merge state of each, where
/// the site is derived from the data source key through `site_of`.
async fn emitted(
    gidb: &std::path::Path,
    site_of: &BTreeMap<String, i64>,
) -> BTreeMap<BTreeSet<(i64, String)>, String> {
    let rows = gidb_column_expr(
        gidb,
        "gidb_voice_merge",
        "interaction_guid || '|' || cast(data_source_key as varchar) || '|' || callid || '|' || cast(merge_state as varchar)",
    )
    .await;
    let mut groups: BTreeMap<String, (BTreeSet<(i64, String)>, String)> = BTreeMap::new();
    for row in rows {
        let parts: Vec<&str> = row.split('|').collect();
        let entry = groups.entry(parts[0].to_string()).or_default();
        entry.0.insert((site_of[parts[1]], parts[2].to_string()));
        entry.1 = parts[3].to_string();
    }
    groups.into_values().collect()
}

async fn sites(mart_url: &str) -> BTreeMap<String, i64> {
    let db = tidemark_sinks::database::connect(mart_url).await.unwrap();
    let rows = db
        .query("select data_source_key, switch_dbid from ctl_ds where data_source_type = 1 order by switch_dbid")
        .await
        .unwrap();
    rows.iter()
        .enumerate()
        .map(|(i, r)| (r[0].to_string(), i as i64 + 1))
        .collect()
}

fn two_sites<'a>(s1: &'a str, s2: &'a str) -> [TestDap<'a>; 2] {
    [
        TestDap {
            name: "site1",
            url: s1,
            roles: "ICON_CFG,ICON_CORE,ICON_MM,ICON_OCS",
            ha_group: None,
        },
        TestDap {
            name: "site2",
            url: s2,
            roles: "ICON_CORE",
            ha_group: None,
        },
    ]
}

#[tokio::test]
async fn two_site_calls_merge_into_the_simulated_interactions() {
    let (s1, s2, mart) = (fresh_sqlite(), fresh_sqlite(), fresh_sqlite());
    let dir = tempfile::tempdir().unwrap();
    let mut args = sim_args(&[&s1.url, &s2.url], 21, 500);
    args.sites = 2;
    args.truth = Some(dir.path().join("truth.jsonl"));
    simulate(&args).await;
    let gidb = dir.path().join("gidb");
    let config = config(&mart.url, &gidb, &two_sites(&s1.url, &s2.url));
    let report = extract(&config, DAY_END).await;
    assert!(
        report.iter().any(|l| l.starts_with("voice merge up to")),
        "{report:?}"
    );

    let expected = truth_interactions(args.truth.as_deref().unwrap());
    let merged = emitted(&gidb, &sites(&mart.url).await).await;
    let multi_site = expected
        .iter()
        .filter(|legs| {
            legs.iter().any(|(site, _)| *site == 2) && legs.iter().any(|(site, _)| *site == 1)
        })
        .count();
    assert!(
        multi_site > 5,
        "the simulation has multi-site interactions: {multi_site}"
    );
    let got: BTreeSet<_> = merged.keys().cloned().collect();
    let missing: Vec<_> = expected.difference(&got).take(3).collect();
    let extra: Vec<_> = got.difference(&expected).take(3).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}\nextra {extra:?}"
    );
    assert!(
        merged.values().all(|state| state == "1"),
        "every interaction is completely merged"
    );
}

#[tokio::test]
async fn an_unpaired_link_waits_then_is_merged_partially_after_the_timeout() {
    let (s1, s2, mart) = (fresh_sqlite(), fresh_sqlite(), fresh_sqlite());
    let dir = tempfile::tempdir().unwrap();
    let mut args = sim_args(&[&s1.url, &s2.url], 33, 400);
    args.sites = 2;
    simulate(&args).await;
    // Site 2 loses the target half of one IS-link pair.
    let site2 = s2.connect().await;
    let rows = site2
        .query("select linkid, callid from g_is_link where linkid in (select linkid from g_is_link order by linkid limit 1)")
        .await
        .unwrap();
    let link = rows[0][0].to_string();
    site2
        .execute(&format!("delete from g_is_link where linkid = '{link}'"))
        .await
        .unwrap();
    let origin = s1.connect().await;
    let origin_call = texts(
        origin.as_ref(),
        &format!("select callid from g_is_link where linkid = '{link}'"),
    )
    .await;
    assert_eq!(origin_call.len(), 1, "the origin half stays");
    let ended = scalar(
        origin.as_ref(),
        &format!(
            "select max(terminated_ts) from g_call where callid = '{}'",
            origin_call[0]
        ),
    )
    .await;
    let at = |secs: i64| {
        chrono::DateTime::from_timestamp(secs, 0)
            .unwrap()
            .to_rfc3339()
    };

    let gidb = dir.path().join("gidb");
    let config = config(&mart.url, &gidb, &two_sites(&s1.url, &s2.url));
    extract(&config, &at(ended + 600)).await;
    let merged = gidb_column_expr(&gidb, "gidb_voice_merge", "callid").await;
    assert!(!merged.contains(&origin_call[0]), "the unpaired call waits");
    let waiting = gidb_column_expr(&gidb, "gidb_voice_merge_waiting", "callid").await;
    assert!(waiting.contains(&origin_call[0]), "and is kept as waiting");

    extract(&config, DAY_END).await;
    let states = gidb_column_expr(
        &gidb,
        "gidb_voice_merge",
        "cast(merge_state as varchar) || ':' || callid",
    )
    .await;
    assert!(
        states.contains(&format!("2:{}", origin_call[0])),
        "partially merged after the timeout: {states:?}"
    );
    let twice = gidb_column_expr(&gidb, "gidb_voice_merge", "callid").await;
    let mut unique = twice.clone();
    unique.dedup();
    assert_eq!(unique.len(), twice.len(), "every call is emitted once");
}
