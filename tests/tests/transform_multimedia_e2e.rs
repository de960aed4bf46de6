//! The multimedia stream across cycles (infomart.md §1.6, §4.1): a simulated day extracted
//! and transformed in two cycles — the second one transforming again the e-mails and chats
//! that changed after the first — gives the multimedia facts of one cycle over the whole
//! day, and every interaction keeps the INTERACTION_ID its first cycle gave it. Chat
//! consultations and the virtual-queue stays of chats match the simulator's ground truth.

mod extract_common;

use std::collections::BTreeMap;

use extract_common::*;
use tidemark::jobs::names;
use tidemark_sinks::database::{connect, Database};
use tidemark_tests::fresh_sqlite;

/// The first cycle's extraction moment, in the middle of the simulated day.
const MIDDAY: &str = "2024-03-05T14:00:00Z";

/// Joins INTERACTION_FACT `f` to its media, keeping e-mails and chats.
const MULTIMEDIA: &str = "from interaction_fact f join media_type t \
     on t.media_type_key = f.media_type_key where t.media_name_code <> 'VOICE'";

/// Per multimedia interaction GUID: active flag, end, IRFs with their talk and ring
/// seconds, MSFs and the queue seconds of the closed ones (an open stay is measured up to
/// the horizon of the last chunk that touched it).
async fn multimedia_facts(db: &dyn Database) -> BTreeMap<String, Vec<String>> {
    let rows = db
        .query(&format!(
            "select f.media_server_ixn_guid, f.active_flag, f.end_ts, \
             (select count(*) from interaction_resource_fact i \
              where i.interaction_id = f.interaction_id), \
             (select coalesce(sum(i.talk_duration), 0) from interaction_resource_fact i \
              where i.interaction_id = f.interaction_id), \
             (select coalesce(sum(i.ring_duration), 0) from interaction_resource_fact i \
              where i.interaction_id = f.interaction_id), \
             (select count(*) from mediation_segment_fact m \
              where m.interaction_id = f.interaction_id), \
             (select coalesce(sum(m.mediation_duration), 0) from mediation_segment_fact m \
              where m.interaction_id = f.interaction_id and m.active_flag = 0) {MULTIMEDIA}"
        ))
        .await
        .unwrap();
    rows.into_iter()
        .map(|r| {
            let values = r[1..].iter().map(|v| v.to_string()).collect();
            (r[0].to_string(), values)
        })
        .collect()
}

/// INTERACTION_ID of each multimedia interaction, by GUID.
async fn interaction_ids(db: &dyn Database) -> BTreeMap<String, i64> {
    db.query(&format!(
        "select f.media_server_ixn_guid, f.interaction_id {MULTIMEDIA}"
    ))
    .await
    .unwrap()
    .into_iter()
    .map(|r| (r[0].to_string(), r[1].as_i64().unwrap()))
    .collect()
}

#[tokio::test]
async fn two_cycles_give_the_facts_of_one() {
    let idb = fresh_sqlite();
    simulate(&sim_args(&[&idb.url], 11, 400)).await;
    let dir = tempfile::tempdir().unwrap();

    let twice = fresh_sqlite();
    let config_twice = config(
        &twice.url,
        &dir.path().join("gidb_twice"),
        &[all_roles(&idb.url)],
    );
    extract(&config_twice, MIDDAY).await;
    let report = run_job(&config_twice, names::TRANSFORM).await;
    assert!(
        report.iter().any(|l| l.starts_with("multimedia: 1 chunk")),
        "{report:?}"
    );
    let db_twice = connect(&twice.url).await.unwrap();
    let first_ids = interaction_ids(db_twice.as_ref()).await;
    let active_at_midday = scalar(
        db_twice.as_ref(),
        &format!("select count(*) {MULTIMEDIA} and f.active_flag = 1"),
    )
    .await;
    assert!(
        first_ids.len() > 10 && active_at_midday > 0,
        "{} interactions, {active_at_midday} active at midday",
        first_ids.len()
    );
    extract(&config_twice, DAY_END).await;
    run_job(&config_twice, names::TRANSFORM).await;

    let once = fresh_sqlite();
    let config_once = config(
        &once.url,
        &dir.path().join("gidb_once"),
        &[all_roles(&idb.url)],
    );
    extract(&config_once, DAY_END).await;
    run_job(&config_once, names::TRANSFORM).await;
    let db_once = connect(&once.url).await.unwrap();

    let facts_twice = multimedia_facts(db_twice.as_ref()).await;
    let facts_once = multimedia_facts(db_once.as_ref()).await;
    assert!(facts_once.len() > first_ids.len(), "{}", facts_once.len());
    let differing: Vec<_> = facts_once
        .iter()
        .filter(|(guid, facts)| facts_twice.get(*guid) != Some(facts))
        .map(|(guid, facts)| format!("{guid}: {facts:?} vs {:?}", facts_twice.get(guid)))
        .collect();
    assert!(
        differing.is_empty() && facts_twice.len() == facts_once.len(),
        "{} of {} differ (one cycle vs two): {differing:#?}",
        differing.len(),
        facts_once.len()
    );
    let second_ids = interaction_ids(db_twice.as_ref()).await;
    let moved: Vec<_> = first_ids
        .iter()
        .filter(|(guid, id)| second_ids.get(*guid) != Some(id))
        .collect();
    assert!(moved.is_empty(), "ids changed: {moved:?}");
}

/// Per chat of the ground truth (root CallID): the consultation's initiator dialing and talk
/// seconds and the invited agent's ring and talk seconds (zero without a consultation), and
/// the virtual-queue stays with their seconds in the queue.
fn truth_chats(path: &std::path::Path) -> BTreeMap<String, ([f64; 4], usize, f64)> {
    let mut out = BTreeMap::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["kind"] != "interaction" || v["media"] != "chat" || v["end_ms"].is_null() {
            continue;
        }
        let legs = v["legs"].as_array().unwrap();
        let root = legs.iter().find(|l| l["call_type"] != 4).unwrap()["call_id"]
            .as_str()
            .unwrap()
            .to_string();
        let consults: Vec<_> = legs
            .iter()
            .filter(|l| l["call_type"] == 4)
            .map(|l| l["call_id"].clone())
            .collect();
        let mut consult = [0.0; 4];
        for p in v["parties"].as_array().unwrap() {
            if consults.contains(&p["call_id"]) {
                let at = if p["role"] == 1 { 0 } else { 2 };
                let first = if at == 0 { "dial_s" } else { "ring_s" };
                consult[at] += p[first].as_f64().unwrap();
                consult[at + 1] += p["talk_s"].as_f64().unwrap();
            }
        }
        let routing = v["routing"].as_array().unwrap();
        let queued = routing
            .iter()
            .map(|r| (r["left_ms"].as_i64().unwrap() - r["entered_ms"].as_i64().unwrap()) as f64)
            .sum::<f64>()
            / 1000.0;
        out.insert(root, (consult, routing.len(), queued));
    }
    out
}

/// The same per chat from the Info Mart: consultation measures by role, and the MSFs of
/// virtual queues with their seconds.
async fn mart_chats(db: &dyn Database) -> BTreeMap<String, ([i64; 4], i64, i64)> {
    let role = |code: &str, column: &str| {
        format!(
            "(select coalesce(sum(i.{column}), 0) from interaction_resource_fact i \
             join technical_descriptor d on d.technical_descriptor_key = i.technical_descriptor_key \
             where i.interaction_id = f.interaction_id and d.resource_role_code = '{code}')"
        )
    };
    let vq = "from mediation_segment_fact m join resource_ r on r.resource_key = m.resource_key \
              where m.interaction_id = f.interaction_id and r.resource_subtype = 'VirtualQueue'";
    let rows = db
        .query(&format!(
            "select f.media_server_ixn_guid, {}, {}, {}, {}, (select count(*) {vq}), \
             (select coalesce(sum(m.mediation_duration), 0) {vq}) {MULTIMEDIA} \
             and t.media_name_code = 'CHAT' and f.active_flag = 0",
            role("INITIATEDCONSULT", "cons_init_dial_duration"),
            role("INITIATEDCONSULT", "cons_init_talk_duration"),
            role("RECEIVEDCONSULT", "cons_rcv_ring_duration"),
            role("RECEIVEDCONSULT", "cons_rcv_talk_duration"),
        ))
        .await
        .unwrap();
    rows.into_iter()
        .map(|r| {
            let v: Vec<i64> = r[1..].iter().map(|x| x.as_i64().unwrap()).collect();
            (r[0].to_string(), ([v[0], v[1], v[2], v[3]], v[4], v[5]))
        })
        .collect()
}

#[tokio::test]
async fn chat_consultations_and_virtual_queues_match_the_truth() {
    let idb = fresh_sqlite();
    let dir = tempfile::tempdir().unwrap();
    let truth = dir.path().join("truth.jsonl");
    let mut args = sim_args(&[&idb.url], 23, 1500);
    args.truth = Some(truth.clone());
    args.agents = Some(96);
    simulate(&args).await;
    let mart = fresh_sqlite();
    let config = config(&mart.url, &dir.path().join("gidb"), &[all_roles(&idb.url)]);
    extract(&config, DAY_END).await;
    run_job(&config, names::TRANSFORM).await;
    let db = connect(&mart.url).await.unwrap();

    let expected = truth_chats(&truth);
    let actual = mart_chats(db.as_ref()).await;
    let consulted = expected.values().filter(|(c, ..)| c[1] > 0.0).count();
    assert!(
        expected.len() > 20 && consulted > 2,
        "{} chats, {consulted} with a consultation",
        expected.len()
    );
    let mut wrong = Vec::new();
    for (guid, (consult, stays, queued)) in &expected {
        let Some((mart_consult, mart_stays, mart_queued)) = actual.get(guid) else {
            wrong.push(format!("{guid}: not transformed"));
            continue;
        };
        // Whole seconds per state segment: up to a second each.
        let close = |mart: i64, truth: f64, slack: f64| (mart as f64 - truth).abs() <= slack;
        let consult_ok = (0..4).all(|k| close(mart_consult[k], consult[k], 1.0));
        if !consult_ok
            || *mart_stays != *stays as i64
            || !close(*mart_queued, *queued, *stays as f64)
        {
            wrong.push(format!(
                "{guid}: consultation {mart_consult:?} vs {consult:?}, \
                 virtual queues {mart_stays} ({mart_queued} s) vs {stays} ({queued:.1} s)"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {}: {wrong:#?}",
        wrong.len(),
        expected.len()
    );
}
