//! Late UserEvent KVPs end to end (infomart.md §4.15): after a cycle has transformed the
//! simulated day, an agent sends a KVP on a call that ended within
//! `user-event-data-timeout` and another on a call that ended before it; the next cycle
//! gives the first call's agent IRF the value (rule PARTY) and ignores the second, and a
//! further run changes nothing. Info Marts in SQLite and PostgreSQL.

mod extract_common;

use std::sync::Arc;

use extract_common::*;
use tidemark::config::Config;
use tidemark::jobs::names;
use tidemark_sinks::database::Database;
use tidemark_tests::{fresh_postgres, fresh_sqlite};

/// When the late KVPs are sent: ten minutes after the first extraction's `as_of`.
const SENT_AT: i64 = 1_709_690_400 + 600;
/// The second extraction's `as_of`, an hour after the first.
const LATER: &str = "2024-03-06T03:00:00Z";

/// The mapping row of the after-call-work key: `WrapCode` into CUSTOM_DATA_2 by PARTY.
const WRAP_CODE_MAPPING: &str = "insert into ctl_ud_to_ude_mapping (id, ud_key_name, \
     ude_table_name, ude_column_name, propagation_rule, default_value, active_flag) \
     values (101, 'WrapCode', 'IRF_USER_DATA_CUST_1', 'CUSTOM_DATA_2', 'PARTY', null, 1)";

/// A voice interaction with one call and one agent party: its CallID (the interaction's
/// GUID), the agent party's PartyGUID and the call's end.
#[derive(Debug, Clone)]
struct AgentCall {
    callid: String,
    partyguid: String,
    terminated_ts: i64,
}

/// The voice interactions of the Info Mart with one agent IRF whose call has one agent
/// party in the IDB, by end time.
async fn agent_calls(mart: &dyn Database, idb: &dyn Database) -> Vec<AgentCall> {
    let guids = texts(
        mart,
        "select f.media_server_ixn_guid from interaction_fact f \
         join media_type m on m.media_type_key = f.media_type_key \
         join interaction_resource_fact i on i.interaction_id = f.interaction_id \
         join resource_ r on r.resource_key = i.resource_key \
         where m.media_name_code = 'VOICE' and r.resource_type_code = 'AGENT' \
         group by f.media_server_ixn_guid having count(*) = 1",
    )
    .await;
    let rows = idb
        .query(
            "select p.callid, min(p.partyguid), max(c.terminated_ts) from g_party p \
             join g_call c on c.callid = p.callid where p.agentid > 0 \
             group by p.callid having count(*) = 1 order by 3",
        )
        .await
        .unwrap();
    rows.into_iter()
        .filter(|r| guids.contains(&r[0].to_string()))
        .map(|r| AgentCall {
            callid: r[0].to_string(),
            partyguid: r[1].to_string(),
            terminated_ts: r[2].as_i64().unwrap(),
        })
        .collect()
}

/// Adds a WrapCode KVP to the IDB's G_CUSTOM_DATA_S, sent at [`SENT_AT`] by `call`'s agent,
/// on the call or, when `name_call` is false, on no call (PartyGUID only); the other
/// columns (the ICON session among them) are copied from an existing row.
async fn send_wrap_code(idb: &dyn Database, call: &AgentCall, value: &str, name_call: bool) {
    let table = tidemark_schemas::idb::table("G_CUSTOM_DATA_S").unwrap();
    let text = |v: &str| format!("'{v}'");
    let callid = if name_call {
        text(&call.callid)
    } else {
        "null".into()
    };
    let columns: Vec<String> = table.columns.iter().map(|c| c.sql_name()).collect();
    let values: Vec<String> = columns
        .iter()
        .map(|c| match c.as_str() {
            "id" => "(select max(id) + 1 from g_custom_data_s)".into(),
            "callid" => callid.clone(),
            "partyid" => text(&call.partyguid),
            "keyname" => text("WrapCode"),
            "value" => text(value),
            "changetype" => "1".into(),
            "added_ts" => SENT_AT.to_string(),
            other => other.to_string(),
        })
        .collect();
    let sql = format!(
        "insert into g_custom_data_s ({}) select {} from g_custom_data_s \
         where id = (select min(id) from g_custom_data_s)",
        columns.join(", "),
        values.join(", ")
    );
    idb.execute(&sql).await.unwrap();
}

/// The CUSTOM_DATA_2 values of the voice IRFs, by interaction GUID.
async fn wrap_codes(mart: &dyn Database) -> Vec<(String, String)> {
    mart.query(
        "select f.media_server_ixn_guid, u.custom_data_2 from irf_user_data_cust_1 u \
         join interaction_resource_fact i on i.interaction_resource_id = u.interaction_resource_id \
         join interaction_fact f on f.interaction_id = i.interaction_id \
         where u.custom_data_2 is not null order by 1",
    )
    .await
    .unwrap()
    .into_iter()
    .map(|r| (r[0].to_string(), r[1].to_string()))
    .collect()
}

/// Row counts of the facts and their user data.
async fn counts(mart: &dyn Database) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "interaction_fact",
        "interaction_resource_fact",
        "irf_user_data_gen_1",
        "irf_user_data_keys",
        "irf_user_data_cust_1",
    ] {
        out.push(scalar(mart, &format!("select count(*) from {table}")).await);
    }
    out
}

async fn late_kvps_reach_their_irfs(mart_url: &str) {
    let idb = fresh_sqlite();
    let dir = tempfile::tempdir().unwrap();
    simulate(&sim_args(&[&idb.url], 23, 150)).await;
    let idb_db = tidemark_sinks::database::connect(&idb.url).await.unwrap();
    let gidb = dir.path().join("gidb");
    let config_with = |extra: &str| {
        let text = config_text(mart_url, &gidb, &[all_roles(&idb.url)], extra);
        Arc::new(Config::from_toml_str(&text).unwrap())
    };

    let config = config_with("");
    extract(&config, DAY_END).await;
    let mart = tidemark_sinks::database::connect(mart_url).await.unwrap();
    mart.execute(WRAP_CODE_MAPPING).await.unwrap();
    run_job(&config, names::TRANSFORM).await;
    assert!(wrap_codes(mart.as_ref()).await.is_empty());

    // The next cycles run with a timeout between the ends of the earliest- and the
    // latest-ending call, seen from SENT_AT: the latter within it, the former not.
    let calls = agent_calls(mart.as_ref(), idb_db.as_ref()).await;
    assert!(calls.len() > 10, "{} single-agent voice calls", calls.len());
    let (early, late) = (&calls[0], &calls[calls.len() - 1]);
    assert!(
        early.terminated_ts < late.terminated_ts,
        "{early:?} {late:?}"
    );
    let timeout = SENT_AT - (early.terminated_ts + late.terminated_ts) / 2;
    let config = config_with(&format!("[gim-etl]\nuser-event-data-timeout = {timeout}\n"));
    let before = counts(mart.as_ref()).await;

    send_wrap_code(idb_db.as_ref(), late, "late-1", false).await;
    send_wrap_code(idb_db.as_ref(), early, "too-late", true).await;
    extract(&config, LATER).await;
    let report = run_job(&config, names::TRANSFORM).await;
    assert!(
        report
            .iter()
            .any(|l| l.starts_with("late user data: 1 chunk(s)")),
        "{report:?}"
    );
    assert_eq!(
        wrap_codes(mart.as_ref()).await,
        vec![(late.callid.clone(), "late-1".to_string())],
        "the late KVP on its agent's IRF, the one past the timeout nowhere"
    );
    assert_eq!(counts(mart.as_ref()).await, before, "rows added or lost");
    let stored = mart
        .query("select hwm_value from ctl_hwm where hwm_name = 'transform:GIDB_G_CUSTOM_DATA_S_V'")
        .await
        .unwrap();
    assert!(
        stored.first().and_then(|r| r[0].as_i64()) >= Some(SENT_AT),
        "{stored:?}"
    );

    let again = run_job(&config, names::TRANSFORM).await;
    assert!(again.iter().all(|l| l.contains("nothing new")), "{again:?}");
    assert_eq!(wrap_codes(mart.as_ref()).await.len(), 1);
}

#[tokio::test]
async fn sqlite_late_kvps_reach_their_irfs() {
    let mart = fresh_sqlite();
    late_kvps_reach_their_irfs(&mart.url).await;
}

#[tokio::test]
async fn postgres_late_kvps_reach_their_irfs() {
    let mart = fresh_postgres().await;
    late_kvps_reach_their_irfs(&mart.url).await;
}
