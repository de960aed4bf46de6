//! The multimedia stream across cycles (infomart.md §1.6, §4.1): a simulated day extracted
//! and transformed in two cycles — the second one transforming again the e-mails and chats
//! that changed after the first — gives the multimedia facts of one cycle over the whole
//! day, and every interaction keeps the INTERACTION_ID its first cycle gave it. The agent
//! IRFs' IXN_RESOURCE_STATE_FACT rows add up to their durations (open ones are active) and
//! every IRF carries the user data attached to its e-mail or chat. Chat consultations and
//! the virtual-queue stays of chats match the simulator's ground truth. Over several days,
//! the daily chunks with the active-thread state give the facts of cycles that lose the
//! state on the way (and read GIDB back to the oldest interaction that can be open).

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

/// Mapping rows added to the seeded CTL_UD_TO_UDE_MAPPING: the KVPs the simulator attaches
/// to e-mails (`Subject`, by the queue on arrival) and chats (`isOnline`, 1 on arrival and 0
/// when the customer leaves), rule CALL.
const MAPPING: &str = "insert into ctl_ud_to_ude_mapping (id, ud_key_name, ude_table_name, \
     ude_column_name, propagation_rule, active_flag) values \
     (11, 'Subject', 'IRF_USER_DATA_CUST_1', 'CUSTOM_DATA_1', 'CALL', 1), \
     (12, 'isOnline', 'IRF_USER_DATA_CUST_1', 'CUSTOM_DATA_2', 'CALL', 1)";

/// Joins the multimedia IRFs `i` to their interaction `f` (the last join condition is on
/// the media, further conditions may follow).
const MULTIMEDIA_IRFS: &str = "from interaction_resource_fact i \
     join interaction_fact f on f.interaction_id = i.interaction_id \
     join media_type t on t.media_type_key = i.media_type_key and t.media_name_code <> 'VOICE'";

/// Multimedia agent IRFs whose state rows do not add up to their ring, talk and hold
/// seconds, or whose open state is not the only active one of an active IRF: IRF id, then
/// the IRF's and the states' seconds and the active IRF and state flags.
async fn states_off_their_irf(db: &dyn Database) -> Vec<String> {
    let sum = |code: &str| {
        format!(
            "coalesce(sum(case when d.state_name_code = '{code}' then x.total_duration end), 0)"
        )
    };
    let rows = db
        .query(&format!(
            "select i.interaction_resource_id, i.cons_init_dial_duration, \
             i.ring_duration + i.cons_rcv_ring_duration + i.post_cons_xfer_ring_duration \
                 + i.conf_join_ring_duration, \
             i.talk_duration + i.cons_init_talk_duration + i.cons_rcv_talk_duration \
                 + i.post_cons_xfer_talk_duration + i.conf_init_talk_duration \
                 + i.conf_join_talk_duration, \
             i.hold_duration + i.cons_init_hold_duration + i.cons_rcv_hold_duration \
                 + i.post_cons_xfer_hold_duration + i.conf_init_hold_duration \
                 + i.conf_join_hold_duration, \
             s.initiate, s.alert, s.connect, s.hold, i.active_flag, s.active \
             {MULTIMEDIA_IRFS} and i.resource_key in \
                 (select resource_key from resource_ where resource_type_code = 'AGENT') \
             left join (select x.interaction_resource_id, {initiate} as initiate, \
                   {alert} as alert, \
                   {connect} as connect, {hold} as hold, \
                   coalesce(sum(x.active_flag), 0) as active from ixn_resource_state_fact x \
                   join interaction_resource_state d \
                   on d.interaction_resource_state_key = x.interaction_resource_state_key \
                   group by x.interaction_resource_id) s \
             on s.interaction_resource_id = i.interaction_resource_id",
            initiate = sum("INITIATE"),
            alert = sum("ALERT"),
            connect = sum("CONNECT"),
            hold = sum("HOLD"),
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.iter().map(|v| v.to_string()).collect::<Vec<_>>())
        .filter(|r| r[1..5] != r[5..9] || r[9] != r[10])
        .map(|r| r.join(" "))
        .collect()
}

/// Per multimedia IRF (interaction GUID and ordinal): its states (code, start, end, active)
/// and its user data (CUSTOMER_ID, the mapped Subject and isOnline, the customer segment).
async fn irf_extensions(db: &dyn Database) -> BTreeMap<String, Vec<String>> {
    let rows = db
        .query(&format!(
            "select f.media_server_ixn_guid || '/' || i.interaction_resource_ordinal, \
             coalesce(d.state_name_code || ' ' || x.start_ts || ' ' \
                      || coalesce(cast(x.end_ts as varchar), '-') || ' ' || x.active_flag, '') \
             {MULTIMEDIA_IRFS} \
             left join ixn_resource_state_fact x \
             on x.interaction_resource_id = i.interaction_resource_id \
             left join interaction_resource_state d \
             on d.interaction_resource_state_key = x.interaction_resource_state_key \
             union all \
             select f.media_server_ixn_guid || '/' || i.interaction_resource_ordinal, \
             coalesce(g.customer_id, '-') || ' ' || coalesce(c.custom_data_1, '-') || ' ' \
             || coalesce(c.custom_data_2, '-') || ' ' || coalesce(e.customer_segment, '-') \
             {MULTIMEDIA_IRFS} \
             left join irf_user_data_gen_1 g \
             on g.interaction_resource_id = i.interaction_resource_id \
             left join irf_user_data_cust_1 c \
             on c.interaction_resource_id = i.interaction_resource_id \
             left join irf_user_data_keys k \
             on k.interaction_resource_id = i.interaction_resource_id \
             left join interaction_descriptor e \
             on e.interaction_descriptor_key = k.interaction_descriptor_key"
        ))
        .await
        .unwrap();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in rows {
        out.entry(row[0].to_string())
            .or_default()
            .push(row[1].to_string());
    }
    for values in out.values_mut() {
        values.sort();
    }
    out
}

/// Multimedia IRFs whose user data is not the attached data in effect when they ended:
/// every IRF has one IRF_USER_DATA_GEN_1, IRF_USER_DATA_CUST_1 and IRF_USER_DATA_KEYS row;
/// an e-mail's Subject is its INTERACTION_FACT.SUBJECT; a chat is online (`1`) for its IRFs
/// but the one the interaction ended with (`0`); no CustomerID is attached to either.
async fn user_data_off(db: &dyn Database) -> Vec<String> {
    let rows = db
        .query(&format!(
            "select i.interaction_resource_id, t.media_name_code, f.subject, \
             case when i.end_ts is not null and i.end_ts = f.end_ts then '0' else '1' end, \
             (select count(*) from irf_user_data_gen_1 g \
              where g.interaction_resource_id = i.interaction_resource_id), \
             (select count(*) from irf_user_data_keys k \
              where k.interaction_resource_id = i.interaction_resource_id), \
             (select count(*) from irf_user_data_gen_1 g \
              where g.interaction_resource_id = i.interaction_resource_id \
              and g.customer_id is not null), \
             c.custom_data_1, c.custom_data_2 \
             {MULTIMEDIA_IRFS} left join irf_user_data_cust_1 c \
             on c.interaction_resource_id = i.interaction_resource_id"
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.iter().map(|v| v.to_string()).collect::<Vec<_>>())
        .filter(|r| {
            let expected = match r[1].as_str() {
                "EMAIL" => [r[2].as_str(), "NULL"],
                _ => ["NULL", r[3].as_str()],
            };
            r[4..7] != ["1", "1", "0"] || [r[7].as_str(), r[8].as_str()] != expected
        })
        .map(|r| r.join(" "))
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

/// Asserts that `a` and `b` hold the same entries, naming those that differ.
fn assert_same<V: PartialEq + std::fmt::Debug>(
    what: &str,
    a: &BTreeMap<String, V>,
    b: &BTreeMap<String, V>,
) {
    let differing: Vec<_> = a
        .iter()
        .filter(|(key, value)| b.get(*key) != Some(value))
        .map(|(key, value)| format!("{key}: {value:?} vs {:?}", b.get(key)))
        .collect();
    assert!(
        differing.is_empty() && a.len() == b.len(),
        "{what}: {} of {} differ ({} vs {}): {differing:#?}",
        differing.len(),
        a.len(),
        a.len(),
        b.len()
    );
}

/// Asserts that the multimedia IRFs' states add up to their durations and that their user
/// data is the attached data in effect when they ended.
async fn assert_irfs_consistent(db: &dyn Database) {
    let off = states_off_their_irf(db).await;
    assert!(off.is_empty(), "{} IRFs: {off:#?}", off.len());
    let off = user_data_off(db).await;
    assert!(off.is_empty(), "{} IRFs: {off:#?}", off.len());
}

/// Asserts that every interaction of `before` kept its INTERACTION_ID in `after`.
fn assert_ids_kept(before: &BTreeMap<String, i64>, after: &BTreeMap<String, i64>) {
    let moved: Vec<_> = before
        .iter()
        .filter(|(guid, id)| after.get(*guid) != Some(id))
        .collect();
    assert!(moved.is_empty(), "ids changed: {moved:?}");
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
    let db_twice = connect(&twice.url).await.unwrap();
    db_twice.execute(MAPPING).await.unwrap();
    let report = run_job(&config_twice, names::TRANSFORM).await;
    assert!(
        report.iter().any(|l| l.starts_with("multimedia: 1 chunk")),
        "{report:?}"
    );
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
    let off = states_off_their_irf(db_twice.as_ref()).await;
    assert!(off.is_empty(), "states at midday: {off:#?}");
    extract(&config_twice, DAY_END).await;
    run_job(&config_twice, names::TRANSFORM).await;

    let once = fresh_sqlite();
    let config_once = config(
        &once.url,
        &dir.path().join("gidb_once"),
        &[all_roles(&idb.url)],
    );
    extract(&config_once, DAY_END).await;
    let db_once = connect(&once.url).await.unwrap();
    db_once.execute(MAPPING).await.unwrap();
    run_job(&config_once, names::TRANSFORM).await;

    let facts_twice = multimedia_facts(db_twice.as_ref()).await;
    let facts_once = multimedia_facts(db_once.as_ref()).await;
    assert!(facts_once.len() > first_ids.len(), "{}", facts_once.len());
    assert_same("facts, one cycle vs two", &facts_once, &facts_twice);
    assert_ids_kept(&first_ids, &interaction_ids(db_twice.as_ref()).await);

    for db in [db_once.as_ref(), db_twice.as_ref()] {
        assert_irfs_consistent(db).await;
    }
    let talked = scalar(
        db_once.as_ref(),
        &format!("select count(*) {MULTIMEDIA_IRFS} and i.talk_duration > 0"),
    )
    .await;
    assert!(talked > 10, "{talked} multimedia IRFs that talked");
    assert_same(
        "states and user data of the IRFs, one cycle vs two",
        &irf_extensions(db_once.as_ref()).await,
        &irf_extensions(db_twice.as_ref()).await,
    );
}

/// The files of the active-thread state under `gidb`, as `<input>/<file>`.
fn state_files(gidb: &std::path::Path) -> Vec<String> {
    let root = gidb.join("state_mm_active");
    let mut files = Vec::new();
    for input in folders(&root) {
        for entry in std::fs::read_dir(root.join(&input)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            files.push(format!("{input}/{name}"));
        }
    }
    files.sort();
    files
}

/// The covered calls of the active-thread state handed on at `mark`.
async fn covered_calls(gidb: &std::path::Path, mark: i64) -> Vec<String> {
    let file = gidb.join(format!("state_mm_active/tx_mm_covered/hwm={mark}.parquet"));
    let ctx = datafusion::prelude::SessionContext::new();
    let batches = ctx
        .read_parquet(
            file.display().to_string(),
            datafusion::prelude::ParquetReadOptions::default(),
        )
        .await
        .expect("read covered calls")
        .collect()
        .await
        .expect("collect covered calls");
    let mut calls = Vec::new();
    for batch in &batches {
        for row in 0..batch.num_rows() {
            calls.push(
                arrow::util::display::array_value_to_string(batch.column(0), row).expect("cell"),
            );
        }
    }
    calls.sort();
    calls
}

#[tokio::test]
async fn daily_chunks_with_the_state_give_the_facts_of_cycles_without_it() {
    let idb = fresh_sqlite();
    let mut args = sim_args(&[&idb.url], 31, 300);
    args.days = 3;
    simulate(&args).await;
    let end = "2024-03-08T02:00:00Z";
    let dir = tempfile::tempdir().unwrap();

    // One run over the three days: a chunk per day, each handing the state on.
    let daily = fresh_sqlite();
    let daily_gidb = dir.path().join("gidb_daily");
    let config_daily = config(&daily.url, &daily_gidb, &[all_roles(&idb.url)]);
    extract(&config_daily, end).await;
    let db_daily = connect(&daily.url).await.unwrap();
    db_daily.execute(MAPPING).await.unwrap();
    let report = run_job(&config_daily, names::TRANSFORM).await;
    let chunks: Vec<u64> = report
        .iter()
        .filter_map(|l| {
            l.strip_prefix("multimedia: ")?
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    assert_eq!(
        chunks,
        vec![4],
        "a chunk per day and one to the horizon: {report:?}"
    );
    let wide: Vec<_> = report
        .iter()
        .filter(|l| l.contains("from before their window"))
        .collect();
    assert!(
        wide.is_empty(),
        "the state covered every open interaction: {wide:?}"
    );
    assert!(
        report
            .iter()
            .any(|l| l.starts_with("multimedia: ") && l.contains("passed on untouched")),
        "some open interactions were passed on, not transformed again: {report:?}"
    );
    assert!(
        report.iter().any(|l| l.starts_with("multimedia: ")
            && l.contains("read only the rows of the interactions they transform")),
        "chunks with the state read only the touched interactions' rows: {report:?}"
    );
    let mark = scalar(
        db_daily.as_ref(),
        "select hwm_value from ctl_hwm where hwm_name = 'transform:GIDB_G_IR_MM'",
    )
    .await;
    let inputs = [
        "tx_mm_call",
        "tx_mm_covered",
        "tx_mm_f_userdata",
        "tx_mm_party",
        "tx_mm_party_history",
        "tx_mm_secure_userdata_history",
        "tx_mm_user_event",
        "tx_mm_userdata_history",
        "tx_mm_virtual_queue",
    ];
    let expected: Vec<String> = inputs
        .iter()
        .map(|input| format!("{input}/hwm={mark}.parquet"))
        .collect();
    assert_eq!(
        state_files(&daily_gidb),
        expected,
        "only the last mark's state"
    );
    let covered = covered_calls(&daily_gidb, mark).await;
    let active = texts(
        db_daily.as_ref(),
        &format!("select f.media_server_ixn_guid {MULTIMEDIA} and f.active_flag = 1"),
    )
    .await;
    let uncovered: Vec<_> = active.iter().filter(|g| !covered.contains(g)).collect();
    assert!(
        uncovered.is_empty(),
        "active but not in the state: {uncovered:?}"
    );

    // Cycles in the middle of days; the state is lost before the last one.
    let cycles = fresh_sqlite();
    let cycles_gidb = dir.path().join("gidb_cycles");
    let config_cycles = config(&cycles.url, &cycles_gidb, &[all_roles(&idb.url)]);
    extract(&config_cycles, "2024-03-05T14:00:00Z").await;
    let db_cycles = connect(&cycles.url).await.unwrap();
    db_cycles.execute(MAPPING).await.unwrap();
    run_job(&config_cycles, names::TRANSFORM).await;
    let first_ids = interaction_ids(db_cycles.as_ref()).await;
    extract(&config_cycles, "2024-03-06T09:30:00Z").await;
    run_job(&config_cycles, names::TRANSFORM).await;
    let active_then = scalar(
        db_cycles.as_ref(),
        &format!("select count(*) {MULTIMEDIA} and f.active_flag = 1"),
    )
    .await;
    assert!(
        active_then > 0,
        "no interaction open when the state is lost"
    );
    assert_eq!(state_files(&cycles_gidb).len(), inputs.len());
    std::fs::remove_dir_all(cycles_gidb.join("state_mm_active")).unwrap();
    extract(&config_cycles, end).await;
    let report = run_job(&config_cycles, names::TRANSFORM).await;
    assert!(
        report
            .iter()
            .any(|l| l.contains("1 read GIDB from before their window")),
        "without its state the first chunk reads back: {report:?}"
    );

    let facts_daily = multimedia_facts(db_daily.as_ref()).await;
    let facts_cycles = multimedia_facts(db_cycles.as_ref()).await;
    assert!(facts_daily.len() > 60, "{}", facts_daily.len());
    assert_same("facts, daily chunks vs cycles", &facts_daily, &facts_cycles);
    assert_irfs_consistent(db_daily.as_ref()).await;
    assert_same(
        "states and user data of the IRFs, daily chunks vs cycles",
        &irf_extensions(db_daily.as_ref()).await,
        &irf_extensions(db_cycles.as_ref()).await,
    );
    assert_ids_kept(&first_ids, &interaction_ids(db_cycles.as_ref()).await);
}

/// Per chat of the ground truth (root CallID): the consultation's initiator dialing and talk
/// seconds, the invited agent's ring and talk seconds in it, and the invited agent's talk
/// seconds in the chat after the consultation became a transfer, then a conference (its
/// party moved into the chat: same PartyGUID); zero without a consultation. Then the
/// virtual-queue stays with their seconds in the queue, and the scenario.
fn truth_chats(path: &std::path::Path) -> BTreeMap<String, ([f64; 6], usize, f64, String)> {
    let mut out = BTreeMap::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["kind"] != "interaction" || v["media"] != "chat" || v["end_ms"].is_null() {
            continue;
        }
        let legs = v["legs"].as_array().unwrap();
        let root = legs.iter().find(|l| l["call_type"] != 4).unwrap()["call_id"].clone();
        let consults: Vec<_> = legs
            .iter()
            .filter(|l| l["call_type"] == 4)
            .map(|l| l["call_id"].clone())
            .collect();
        let scenario = v["scenario"].as_str().unwrap().to_string();
        let parties = v["parties"].as_array().unwrap();
        let mut consult = [0.0; 6];
        for p in parties {
            if consults.contains(&p["call_id"]) {
                let at = if p["role"] == 1 { 0 } else { 2 };
                let first = if at == 0 { "dial_s" } else { "ring_s" };
                consult[at] += p[first].as_f64().unwrap();
                consult[at + 1] += p["talk_s"].as_f64().unwrap();
            }
        }
        let moved = parties.iter().filter(|p| {
            p["call_id"] == root
                && parties
                    .iter()
                    .any(|k| consults.contains(&k["call_id"]) && k["party_guid"] == p["party_guid"])
        });
        for p in moved {
            let at = if scenario == "chat_consult_conference" {
                5
            } else {
                4
            };
            consult[at] += p["talk_s"].as_f64().unwrap();
        }
        let routing = v["routing"].as_array().unwrap();
        let queued = routing
            .iter()
            .map(|r| (r["left_ms"].as_i64().unwrap() - r["entered_ms"].as_i64().unwrap()) as f64)
            .sum::<f64>()
            / 1000.0;
        let root = root.as_str().unwrap().to_string();
        out.insert(root, (consult, routing.len(), queued, scenario));
    }
    out
}

/// The same per chat from the Info Mart: consultation measures by role, and the MSFs of
/// virtual queues with their seconds.
async fn mart_chats(db: &dyn Database) -> BTreeMap<String, ([i64; 6], i64, i64)> {
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
            "select f.media_server_ixn_guid, {}, {}, {}, {}, {}, {}, (select count(*) {vq}), \
             (select coalesce(sum(m.mediation_duration), 0) {vq}) {MULTIMEDIA} \
             and t.media_name_code = 'CHAT' and f.active_flag = 0",
            role("INITIATEDCONSULT", "cons_init_dial_duration"),
            role("INITIATEDCONSULT", "cons_init_talk_duration"),
            role("RECEIVEDCONSULT", "cons_rcv_ring_duration"),
            role("RECEIVEDCONSULT", "cons_rcv_talk_duration"),
            role("RECEIVEDCONSULT", "post_cons_xfer_talk_duration"),
            role("RECEIVEDCONSULT", "conf_join_talk_duration"),
        ))
        .await
        .unwrap();
    rows.into_iter()
        .map(|r| {
            let v: Vec<i64> = r[1..].iter().map(|x| x.as_i64().unwrap()).collect();
            (
                r[0].to_string(),
                ([v[0], v[1], v[2], v[3], v[4], v[5]], v[6], v[7]),
            )
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
    let ended = |scenario: &str| {
        expected
            .values()
            .filter(|(c, _, _, s)| s == scenario && c[4] + c[5] > 0.0)
            .count()
    };
    let (transferred, conferenced) = (
        ended("chat_consult_transfer"),
        ended("chat_consult_conference"),
    );
    assert!(
        expected.len() > 20 && consulted > 2 && transferred > 0 && conferenced > 0,
        "{} chats, {consulted} with a consultation, {transferred} completed as a transfer, \
         {conferenced} as a conference",
        expected.len()
    );
    let mut wrong = Vec::new();
    for (guid, (consult, stays, queued, _)) in &expected {
        let Some((mart_consult, mart_stays, mart_queued)) = actual.get(guid) else {
            wrong.push(format!("{guid}: not transformed"));
            continue;
        };
        // Whole seconds per state segment: up to a second each.
        let close = |mart: i64, truth: f64, slack: f64| (mart as f64 - truth).abs() <= slack;
        let consult_ok = (0..6).all(|k| close(mart_consult[k], consult[k], 1.0));
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
