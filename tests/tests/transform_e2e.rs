//! Job_TransformGIM end to end: simulate → extract → transform into SQLite and PostgreSQL
//! Info Marts. Every simulated interaction (voice, e-mail, chat) appears once in
//! INTERACTION_FACT, its active ones active, IRF talk and hold time equal the simulator's
//! ground truth, the agent states of IXN_RESOURCE_STATE_FACT add up to their IRFs, and a
//! second run changes nothing.

mod extract_common;

use std::collections::{BTreeMap, BTreeSet};

use extract_common::*;
use tidemark::jobs::names;
use tidemark_sinks::database::{Database, SqlValue};
use tidemark_tests::{fresh_postgres, fresh_sqlite};

/// An interaction's agent talk and hold seconds and its number of agent parties.
type AgentSeconds = (f64, f64, usize);

/// The interactions of the ground truth: media, end (`None` while active) and the root
/// CallID (the GUID of its INTERACTION_FACT) with the agents' talk and hold seconds and
/// agent parties.
fn truth_interactions(path: &std::path::Path) -> Vec<(String, Option<i64>, String, AgentSeconds)> {
    let mut out = Vec::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["kind"] != "interaction" {
            continue;
        }
        let legs = v["legs"].as_array().unwrap();
        let root = legs
            .iter()
            .min_by_key(|l| l["created_ms"].as_i64().unwrap())
            .unwrap()["call_id"]
            .as_str()
            .unwrap()
            .to_string();
        let (mut talk, mut hold, mut parties) = (0.0, 0.0, 0);
        for p in v["parties"].as_array().unwrap() {
            if p["agent_id"].is_null() {
                continue;
            }
            talk += p["talk_s"].as_f64().unwrap();
            hold += p["hold_s"].as_f64().unwrap();
            parties += 1;
        }
        let media = v["media"].as_str().unwrap().to_string();
        out.push((media, v["end_ms"].as_i64(), root, (talk, hold, parties)));
    }
    out
}

/// Per voice interaction (root CallID): agent talk and hold seconds of the ground truth.
fn truth_voice(path: &std::path::Path) -> BTreeMap<String, AgentSeconds> {
    truth_interactions(path)
        .into_iter()
        .filter(|(media, ..)| media == "voice")
        .map(|(_, _, root, seconds)| (root, seconds))
        .collect()
}

/// The e-mails and chats of the ground truth: those the extraction up to `as_of` has seen
/// whole (active, or ended 10 minutes before it) with their agents' seconds, every one's
/// GUID, and how many are active.
fn truth_multimedia(
    path: &std::path::Path,
    as_of: &str,
) -> (BTreeMap<String, AgentSeconds>, BTreeSet<String>, usize) {
    let seen_by_ms = (chrono::DateTime::parse_from_rfc3339(as_of)
        .unwrap()
        .timestamp()
        - 600)
        * 1000;
    let (mut whole, mut all, mut active) = (BTreeMap::new(), BTreeSet::new(), 0);
    for (media, end_ms, root, seconds) in truth_interactions(path) {
        if media == "voice" {
            continue;
        }
        all.insert(root.clone());
        active += usize::from(end_ms.is_none());
        if end_ms.is_none_or(|end| end <= seen_by_ms) {
            whole.insert(root, seconds);
        }
    }
    (whole, all, active)
}

/// An IRF's (`i`) talk seconds in every context.
const IRF_TALK: &str = "i.talk_duration + i.cons_init_talk_duration + i.cons_rcv_talk_duration \
    + i.post_cons_xfer_talk_duration + i.conf_init_talk_duration + i.conf_join_talk_duration";
/// An IRF's (`i`) hold seconds in every context.
const IRF_HOLD: &str = "i.hold_duration + i.cons_init_hold_duration + i.cons_rcv_hold_duration \
    + i.post_cons_xfer_hold_duration + i.conf_init_hold_duration + i.conf_join_hold_duration";

/// Talk and hold seconds of the agent IRFs of each interaction, by GUID.
async fn mart_voice(db: &dyn Database) -> BTreeMap<String, (i64, i64)> {
    let (talk, hold) = (IRF_TALK, IRF_HOLD);
    let rows = db
        .query(&format!(
            "select f.media_server_ixn_guid, coalesce(sum(case when r.resource_type_code = 'AGENT' \
             then {talk} else 0 end), 0), coalesce(sum(case when r.resource_type_code = 'AGENT' \
             then {hold} else 0 end), 0) from interaction_fact f \
             left join interaction_resource_fact i on i.interaction_id = f.interaction_id \
             left join resource_ r on r.resource_key = i.resource_key \
             group by f.media_server_ixn_guid"
        ))
        .await
        .unwrap();
    rows.into_iter()
        .map(|r| {
            (
                r[0].to_string(),
                (r[1].as_i64().unwrap(), r[2].as_i64().unwrap()),
            )
        })
        .collect()
}

/// Voice agent IRFs whose IXN_RESOURCE_STATE_FACT rows do not add up to the IRF's seconds
/// in each state (docs/transform.md): IRF id, then IRF and state seconds of Initiate, Alert,
/// Connect, Hold and Wrap.
async fn states_off_their_irf(db: &dyn Database) -> Vec<String> {
    let irf_seconds = [
        "i.dial_duration + i.cons_init_dial_duration".to_string(),
        "i.ring_duration + i.cons_rcv_ring_duration + i.post_cons_xfer_ring_duration \
         + i.conf_join_ring_duration"
            .to_string(),
        IRF_TALK.to_string(),
        IRF_HOLD.to_string(),
        "i.after_call_work_duration + i.cons_rcv_acw_duration".to_string(),
    ];
    let states = ["INITIATE", "ALERT", "CONNECT", "HOLD", "WRAP"];
    let state_sums: Vec<String> = states
        .iter()
        .map(|code| {
            format!(
                "sum(case when d.state_name_code = '{code}' then x.total_duration else 0 end) \
                 as seconds_{code}"
            )
        })
        .collect();
    let pairs: Vec<String> = irf_seconds
        .iter()
        .zip(states)
        .map(|(irf, code)| format!("{irf}, coalesce(x.seconds_{code}, 0)"))
        .collect();
    let differs: Vec<String> = irf_seconds
        .iter()
        .zip(states)
        .map(|(irf, code)| format!("{irf} <> coalesce(x.seconds_{code}, 0)"))
        .collect();
    let sql = format!(
        "select i.interaction_resource_id, {pairs} from interaction_resource_fact i \
         join resource_ r on r.resource_key = i.resource_key \
         join media_type m on m.media_type_key = i.media_type_key \
         left join (select x.interaction_resource_id, {sums} from ixn_resource_state_fact x \
               join interaction_resource_state d \
               on d.interaction_resource_state_key = x.interaction_resource_state_key \
               group by x.interaction_resource_id) x \
         on x.interaction_resource_id = i.interaction_resource_id \
         where r.resource_type_code = 'AGENT' and m.media_name_code = 'VOICE' \
         and ({differs}) \
         order by i.interaction_resource_id",
        pairs = pairs.join(", "),
        sums = state_sums.join(", "),
        differs = differs.join(" or "),
    );
    db.query(&sql)
        .await
        .unwrap()
        .iter()
        .map(|row| {
            let cells: Vec<String> = row.iter().map(|v| v.to_string()).collect();
            cells.join(" ")
        })
        .collect()
}

/// A KVP key stored by rule CALL: where the simulator sends it (IDB table), where the
/// mapping stores it (Info Mart table and column), how it is converted, and how many IRFs at
/// least carry a value.
struct CallRuleKey {
    idb_table: &'static str,
    key: &'static str,
    mart_table: &'static str,
    column: &'static str,
    convert: fn(&str) -> String,
    at_least: usize,
}

/// CustomerID is attached data under the seeded mapping; Disposition is a UserEvent KVP
/// (G_CUSTOM_DATA_S) under [`DISPOSITION_MAPPING`], upper-cased by its CONVERT_EXPRESSION.
const CALL_RULE_KEYS: [CallRuleKey; 2] = [
    CallRuleKey {
        idb_table: "g_userdata_history",
        key: "CustomerID",
        mart_table: "irf_user_data_gen_1",
        column: "customer_id",
        convert: str::to_string,
        at_least: 50,
    },
    CallRuleKey {
        idb_table: "g_custom_data_s",
        key: "Disposition",
        mart_table: "irf_user_data_cust_1",
        column: "custom_data_1",
        convert: str::to_uppercase,
        at_least: 5,
    },
];

/// The mapping row added before the transform: Disposition into IRF_USER_DATA_CUST_1.
const DISPOSITION_MAPPING: &str = "insert into ctl_ud_to_ude_mapping (id, ud_key_name, \
     ude_table_name, ude_column_name, propagation_rule, default_value, active_flag, \
     convert_expression) values (100, 'Disposition', 'IRF_USER_DATA_CUST_1', 'CUSTOM_DATA_1', \
     'CALL', null, 1, 'upper(value)')";

/// User data (infomart.md §2.13, §4.15): one IRF_USER_DATA_GEN_1 and one IRF_USER_DATA_KEYS
/// row per IRF; each key of [`CALL_RULE_KEYS`] of a voice IRF is the value the simulator
/// sent on the interaction's call when it was sent before the IRF ended (rule CALL),
/// converted, else empty; the `Segment` KVP names the IRF's INTERACTION_DESCRIPTOR, found
/// once per tuple. (Multimedia user data: `transform_multimedia_e2e`.)
async fn user_data_matches_the_idb(db: &dyn Database, idb: &dyn Database) {
    let irfs = scalar(db, "select count(*) from interaction_resource_fact").await;
    for table in ["irf_user_data_gen_1", "irf_user_data_keys"] {
        let sql = format!(
            "select count(distinct i.interaction_resource_id) from interaction_resource_fact i \
             join {table} u on u.interaction_resource_id = i.interaction_resource_id"
        );
        assert_eq!(scalar(db, &sql).await, irfs, "{table} rows of IRFs");
        let all = format!("select count(*) from {table}");
        assert_eq!(scalar(db, &all).await, irfs, "{table} rows");
    }
    for key in &CALL_RULE_KEYS {
        call_rule_key_matches_the_idb(db, idb, key).await;
    }
    assert!(
        scalar(
            db,
            "select count(*) from irf_user_data_keys k join interaction_descriptor d \
             on d.interaction_descriptor_key = k.interaction_descriptor_key \
             where d.customer_segment in ('Gold', 'Silver', 'Bronze')"
        )
        .await
            > 0,
        "no IRF with the simulated Segment"
    );
    assert_eq!(
        scalar(
            db,
            "select count(*) from irf_user_data_keys k left join interaction_descriptor d \
             on d.interaction_descriptor_key = k.interaction_descriptor_key \
             where d.interaction_descriptor_key is null"
        )
        .await,
        0,
        "descriptor keys that were not written"
    );
    assert_eq!(
        scalar(
            db,
            "select count(*) - count(distinct customer_segment || '|' || service_type || '|' \
             || service_subtype || '|' || business_result) from interaction_descriptor"
        )
        .await,
        0,
        "a descriptor tuple written twice"
    );
}

/// The voice IRFs' `key.column` against what the simulator sent on each interaction's call:
/// its value (converted) when sent before the IRF ended, else NULL.
async fn call_rule_key_matches_the_idb(db: &dyn Database, idb: &dyn Database, key: &CallRuleKey) {
    let sent: BTreeMap<String, (String, i64)> = idb
        .query(&format!(
            "select callid, value, added_ts from {} where keyname = '{}'",
            key.idb_table, key.key
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r[0].to_string(), (r[1].to_string(), r[2].as_i64().unwrap())))
        .collect();
    assert!(
        sent.len() >= key.at_least,
        "{} {} KVPs",
        sent.len(),
        key.key
    );
    let rows = db
        .query(&format!(
            "select f.media_server_ixn_guid, i.interaction_resource_id, i.end_ts, u.{column} \
             from interaction_resource_fact i \
             join interaction_fact f on f.interaction_id = i.interaction_id \
             join {table} u on u.interaction_resource_id = i.interaction_resource_id \
             join media_type m on m.media_type_key = i.media_type_key \
             where m.media_name_code = 'VOICE'",
            column = key.column,
            table = key.mart_table,
        ))
        .await
        .unwrap();
    let mut wrong = Vec::new();
    let mut with_value = 0;
    for row in &rows {
        let (guid, end_ts) = (row[0].to_string(), row[2].as_i64().unwrap());
        let expected = sent
            .get(&guid)
            .filter(|(_, at)| *at <= end_ts)
            .map(|(value, _)| (key.convert)(value));
        let actual = match &row[3] {
            SqlValue::Null => None,
            value => Some(value.to_string()),
        };
        with_value += usize::from(actual.is_some());
        if actual != expected {
            wrong.push(format!(
                "IRF {} of {guid}: {actual:?} vs {expected:?}",
                row[1]
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{}: {} of {}: {wrong:#?}",
        key.key,
        wrong.len(),
        rows.len()
    );
    assert!(
        with_value >= key.at_least,
        "{with_value} IRFs with a {}",
        key.key
    );
}

/// A digest of the fact tables, to compare runs.
async fn digest(db: &dyn Database) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "select count(*) from interaction_fact",
        "select count(*) from interaction_resource_fact",
        "select count(*) from mediation_segment_fact",
        "select count(*) from resource_",
        "select count(*) from resource_group_fact_",
        "select count(*) from resource_group_combination",
        "select coalesce(sum(talk_duration + ring_duration + hold_duration), 0) from interaction_resource_fact",
        "select coalesce(max(update_audit_key), 0) from interaction_resource_fact",
        "select count(*) from irf_user_data_gen_1",
        "select count(*) from interaction_descriptor",
        "select count(*) from ixn_resource_state_fact",
        "select coalesce(sum(total_duration), 0) from ixn_resource_state_fact",
    ] {
        out.push(db.query_i64(sql).await.unwrap());
    }
    out
}

async fn cycle_matches_the_truth(mart_url: &str) {
    let idb = fresh_sqlite();
    let dir = tempfile::tempdir().unwrap();
    let truth = dir.path().join("truth.jsonl");
    let mut args = sim_args(&[&idb.url], 11, 400);
    args.truth = Some(truth.clone());
    simulate(&args).await;
    let gidb = dir.path().join("gidb");
    let config = config(mart_url, &gidb, &[all_roles(&idb.url)]);
    extract(&config, DAY_END).await;
    let db = tidemark_sinks::database::connect(mart_url).await.unwrap();
    db.execute(DISPOSITION_MAPPING).await.unwrap();
    let report = run_job(&config, names::TRANSFORM).await;
    assert!(
        report.iter().any(|l| l.starts_with("voice: "))
            && report.iter().any(|l| l.starts_with("multimedia: ")),
        "{report:?}"
    );

    let expected = truth_voice(&truth);
    let actual = mart_voice(db.as_ref()).await;
    assert!(
        expected.len() > 100,
        "{} voice interactions",
        expected.len()
    );
    // E-mails and chats too (infomart.md §2.1): a reply shares its e-mail's fact.
    let (multimedia, multimedia_guids, active) = truth_multimedia(&truth, DAY_END);
    assert!(
        multimedia.len() > 20 && active > 0,
        "{} e-mails and chats, {active} active",
        multimedia.len()
    );
    let expected: BTreeMap<_, _> = expected.into_iter().chain(multimedia).collect();
    let missing: Vec<_> = expected
        .keys()
        .filter(|k| !actual.contains_key(*k))
        .collect();
    let extra: Vec<_> = actual
        .keys()
        .filter(|k| !expected.contains_key(*k) && !multimedia_guids.contains(*k))
        .collect();
    assert!(missing.is_empty(), "not transformed: {missing:?}");
    assert!(extra.is_empty(), "not simulated: {extra:?}");
    assert_eq!(
        scalar(db.as_ref(), "select count(*) from interaction_fact").await,
        scalar(
            db.as_ref(),
            "select count(distinct media_server_ixn_guid) from interaction_fact"
        )
        .await,
        "one INTERACTION_FACT per interaction"
    );
    assert_eq!(
        scalar(
            db.as_ref(),
            "select count(*) from interaction_fact where active_flag = 1 and end_ts is null"
        )
        .await,
        active as i64,
        "the simulator's active interactions are the active facts"
    );
    let mut wrong = Vec::new();
    for (guid, (talk, hold, parties)) in &expected {
        let (mart_talk, mart_hold) = actual[guid];
        // Info Mart counts whole seconds per segment: up to one second per state change.
        let slack = 2.0 * *parties as f64 + 1.0;
        if (mart_talk as f64 - talk).abs() > slack || (mart_hold as f64 - hold).abs() > slack {
            wrong.push(format!(
                "{guid}: talk {mart_talk} vs {talk:.1}, hold {mart_hold} vs {hold:.1}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {}: {wrong:#?}",
        wrong.len(),
        expected.len()
    );

    // Configuration-history facts (infomart.md §2.14): one period per simulated association,
    // every member resolved; every simulated agent is in a group, so every agent IRF has a
    // group combination (§3.5).
    let idb_db = tidemark_sinks::database::connect(&idb.url).await.unwrap();
    for (fact, gcx) in [
        ("resource_group_fact_", "gcx_group_agent"),
        ("resource_skill_fact_", "gcx_skill_level"),
    ] {
        let members = if fact == "resource_group_fact_" {
            "groupid, agentid"
        } else {
            "skillid, agentid"
        };
        assert_eq!(
            scalar(db.as_ref(), &format!("select count(*) from {fact}")).await,
            scalar(
                idb_db.as_ref(),
                &format!("select count(*) from (select distinct {members} from {gcx}) pairs")
            )
            .await,
            "{fact}"
        );
    }
    assert_eq!(
        scalar(
            db.as_ref(),
            "select count(*) from resource_group_fact_ where resource_key < 0 or group_key < 0 \
             or tenant_key < 0 or active_flag <> 1"
        )
        .await,
        0,
        "group memberships with unresolved members"
    );
    let agent_irfs = "from interaction_resource_fact i join resource_ r \
                      on r.resource_key = i.resource_key where r.resource_type_code = 'AGENT'";
    assert!(scalar(db.as_ref(), &format!("select count(*) {agent_irfs}")).await > 0);
    assert_eq!(
        scalar(
            db.as_ref(),
            &format!("select count(*) {agent_irfs} and i.resource_group_combination_key <= 0")
        )
        .await,
        0,
        "agent IRFs without a group combination"
    );
    assert_eq!(
        scalar(
            db.as_ref(),
            "select count(*) from interaction_resource_fact i left join \
             (select distinct group_combination_key from resource_group_combination) c \
             on c.group_combination_key = i.resource_group_combination_key \
             where i.resource_group_combination_key > 0 and c.group_combination_key is null"
        )
        .await,
        0,
        "IRFs naming a combination that was not written"
    );

    // IXN_RESOURCE_STATE_FACT (infomart.md §4.12): voice agent IRFs have states, and only
    // agent IRFs; every state is a dimension member and the states of an IRF add up to its
    // durations.
    assert!(
        scalar(
            db.as_ref(),
            &format!(
                "select count(distinct x.interaction_resource_id) from ixn_resource_state_fact x \
                 join (select i.interaction_resource_id {agent_irfs}) a \
                 on a.interaction_resource_id = x.interaction_resource_id"
            )
        )
        .await
            > 0,
        "no agent IRF has states"
    );
    assert_eq!(
        scalar(
            db.as_ref(),
            "select count(*) from ixn_resource_state_fact x \
             left join interaction_resource_fact i \
             on i.interaction_resource_id = x.interaction_resource_id \
             left join resource_ r on r.resource_key = i.resource_key \
             where r.resource_type_code is null or r.resource_type_code <> 'AGENT' \
             or x.resource_key <> i.resource_key or x.place_key <> i.place_key \
             or x.interaction_resource_state_key <= 0 or x.end_ts < x.start_ts"
        )
        .await,
        0,
        "states of no agent IRF, unresolved or negative"
    );
    let off = states_off_their_irf(db.as_ref()).await;
    assert!(
        off.is_empty(),
        "{} agent IRFs whose states do not add up (id, IRF/state seconds of initiate, alert, \
         connect, hold, wrap): {:#?}",
        off.len(),
        &off[..off.len().min(10)]
    );

    user_data_matches_the_idb(db.as_ref(), idb_db.as_ref()).await;

    let before = digest(db.as_ref()).await;
    let again = run_job(&config, names::TRANSFORM).await;
    assert!(again.iter().all(|l| l.contains("nothing new")), "{again:?}");
    assert_eq!(
        digest(db.as_ref()).await,
        before,
        "a second run changes nothing"
    );
}

#[tokio::test]
async fn sqlite_cycle_matches_the_truth() {
    let mart = fresh_sqlite();
    cycle_matches_the_truth(&mart.url).await;
}

#[tokio::test]
async fn postgres_cycle_matches_the_truth() {
    let mart = fresh_postgres().await;
    cycle_matches_the_truth(&mart.url).await;
    // The facts the streams look up again were analyzed before the lookups: no fact row
    // lives in a partition the planner has no statistics of.
    let db = tidemark_sinks::database::connect(&mart.url).await.unwrap();
    for fact in ["interaction_fact", "interaction_resource_fact"] {
        let unanalyzed = db
            .query(&format!(
                "select count(*) from {fact} f join pg_class c on c.oid = f.tableoid \
                 where c.reltuples < 0"
            ))
            .await
            .unwrap();
        assert_eq!(unanalyzed[0][0].as_i64(), Some(0), "{fact}");
    }
}
