//! The multimedia stream across cycles (infomart.md §1.6, §4.1): a simulated day extracted
//! and transformed in two cycles — the second one transforming again the e-mails and chats
//! that changed after the first — gives the multimedia facts of one cycle over the whole
//! day, and every interaction keeps the INTERACTION_ID its first cycle gave it.

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
