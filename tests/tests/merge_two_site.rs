//! The voice merge on a two-site simulation (idb.md §5.4): G_CALL, G_IR, G_IS_LINK and
//! GSYS_DNPREMOTELOCATION of both SQLite IDBs are loaded into DataFusion with their GIDB
//! schemas, `merge_voice` runs on them, and its interactions are compared with the
//! simulator's ground truth.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Int32Array, Int64Array, RecordBatch};
use arrow::datatypes::{Int16Type, Int32Type};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use serde_json::Value as Json;
use tidemark::simulate::{run, SimulateArgs};
use tidemark_plans::merge::{
    input_schema, merge_voice, MergeOptions, MergeOutcome, CALLS, INPUTS, IRS, IS_LINKS, MERGED,
    PARTIALLY_MERGED, REMOTE_LOCATIONS,
};
use tidemark_schemas::batch::{record_batch, Value};
use tidemark_schemas::{gidb, idb, TableDef};
use tidemark_sinks::database::{connect, Database, SqlValue};
use tidemark_tests::fresh_sqlite;

/// IDB tables the merge reads, by input table.
const SOURCES: [(&str, &str); 4] = [
    (CALLS, "G_CALL"),
    (IRS, "G_IR"),
    (IS_LINKS, "G_IS_LINK"),
    (REMOTE_LOCATIONS, "GSYS_DNPREMOTELOCATION"),
];

/// T-Server sessions of the provider table (DS_TYPE 1): the voice data sources.
const VOICE_SESSIONS: &str =
    "select dss_id, ds_dbid, icon_dbid from g_dss_gcc_provider where ds_type = 1";
/// The IDB's T-Server and ICON, once.
const VOICE_SOURCE: &str =
    "select distinct ds_dbid, icon_dbid from g_dss_gcc_provider where ds_type = 1";

fn value(v: &SqlValue) -> Value {
    match v {
        SqlValue::Null => Value::Null,
        SqlValue::Int(i) => Value::Int(*i),
        SqlValue::Float(f) => Value::Double(*f),
        SqlValue::Text(t) => Value::from(t.clone()),
        SqlValue::Timestamp(t) => Value::TimestampMicros(t.and_utc().timestamp_micros()),
        SqlValue::Decimal(d) => d.parse().map_or(Value::from(d.clone()), Value::Int),
    }
}

async fn query(db: &dyn Database, sql: &str) -> Vec<Vec<SqlValue>> {
    db.query(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The GIDB copy of `table`'s voice rows in one IDB: the kept IDB columns, plus the data
/// source (DS_DBID) and ICON of the T-Server session named by GSYS_DOMAIN.
/// GSYS_DNPREMOTELOCATION rows belong to no session: they keep every IDB column and get the
/// IDB's T-Server as data source.
async fn gidb_batch(db: &dyn Database, table: &TableDef) -> RecordBatch {
    let remote = table.name == "GSYS_DNPREMOTELOCATION";
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("t.{}", c.sql_name()))
        .collect();
    let (sessions, on) = match remote {
        true => (VOICE_SOURCE, "1 = 1"),
        false => (VOICE_SESSIONS, "s.dss_id = t.gsys_domain"),
    };
    let sql = format!(
        "select {}, s.ds_dbid, s.icon_dbid from {} t join ({sessions}) s on {on} order by t.id",
        columns.join(", "),
        table.sql_name()
    );
    let rows = query(db, &sql).await;
    let idb_rows: Vec<Vec<(&str, Value)>> = rows
        .iter()
        .map(|r| {
            table
                .columns
                .iter()
                .zip(r)
                .map(|(c, v)| (c.name.as_str(), value(v)))
                .collect()
        })
        .collect();
    let idb_batch = record_batch(table, &idb_rows).expect("IDB rows fit their table");
    let added = |i: usize| -> ArrayRef {
        let ints: Int32Array = rows
            .iter()
            .map(|r| r[table.columns.len() + i].as_i64().map(|v| v as i32))
            .collect();
        Arc::new(ints)
    };
    let mut arrays: Vec<ArrayRef> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| remote || gidb::keeps_column(&c.name))
        .map(|(i, _)| idb_batch.column(i).clone())
        .collect();
    arrays.push(added(0));
    let schema = match remote {
        true => input_schema(REMOTE_LOCATIONS).expect("schema"),
        false => {
            arrays.push(added(1));
            arrays.push(Arc::new(Int64Array::from(vec![0i64; rows.len()])));
            gidb::arrow_schema(table)
        }
    };
    RecordBatch::try_new(schema, arrays).expect("GIDB batch")
}

/// One simulated site: its rows of every merge input.
struct Site {
    inputs: BTreeMap<&'static str, RecordBatch>,
}

async fn load(url: &str) -> Site {
    let db = connect(url).await.expect("open IDB");
    let mut inputs = BTreeMap::new();
    for (input, table) in SOURCES {
        let def = idb::table(table).expect("IDB table");
        inputs.insert(input, gidb_batch(db.as_ref(), def).await);
    }
    Site { inputs }
}

/// A session holding the inputs of `sites`, in that order.
fn session(sites: &[&Site]) -> SessionContext {
    let ctx = SessionContext::new();
    for name in INPUTS {
        let batches: Vec<RecordBatch> = sites.iter().map(|s| s.inputs[name].clone()).collect();
        let schema = input_schema(name).expect("input schema");
        let table = MemTable::try_new(schema, vec![batches]).expect("input table");
        ctx.register_table(name, Arc::new(table))
            .expect("register input");
    }
    ctx
}

/// One emitted call.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Emitted {
    guid: String,
    callid: String,
    state: i16,
}

fn emitted(outcome: &MergeOutcome) -> Vec<Emitted> {
    let mut out = Vec::new();
    for b in &outcome.emitted {
        let (callid, guid) = (
            b.column(2).as_string::<i32>(),
            b.column(3).as_string::<i32>(),
        );
        let state = b.column(5).as_primitive::<Int16Type>();
        for r in 0..b.num_rows() {
            out.push(Emitted {
                guid: guid.value(r).to_string(),
                callid: callid.value(r).to_string(),
                state: state.value(r),
            });
        }
    }
    out
}

fn waiting(outcome: &MergeOutcome) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for b in &outcome.waiting {
        let callid = b.column(2).as_string::<i32>();
        out.extend((0..b.num_rows()).map(|r| callid.value(r).to_string()));
    }
    out
}

/// Emitted calls grouped by interaction, with the merge state of each interaction.
fn interactions(rows: &[Emitted]) -> BTreeMap<BTreeSet<String>, (String, i16)> {
    let mut by_guid: BTreeMap<&str, (BTreeSet<String>, i16)> = BTreeMap::new();
    for e in rows {
        let entry = by_guid.entry(&e.guid).or_insert((BTreeSet::new(), e.state));
        entry.0.insert(e.callid.clone());
        assert_eq!(entry.1, e.state, "one merge state per interaction");
    }
    by_guid
        .into_iter()
        .map(|(g, (calls, s))| (calls, (g.to_string(), s)))
        .collect()
}

/// A voice interaction of the truth file.
#[derive(Debug)]
struct Truth {
    scenario: String,
    /// (site, CallID, created second).
    legs: Vec<(i64, String, i64)>,
    failed_link: bool,
}

impl Truth {
    fn calls(&self, site: Option<i64>) -> BTreeSet<String> {
        self.legs
            .iter()
            .filter(|(s, _, _)| site.is_none_or(|x| x == *s))
            .map(|(_, c, _)| c.clone())
            .collect()
    }

    /// CallIDs created in the interaction's first second: the candidates for its root.
    fn first_calls(&self) -> BTreeSet<String> {
        let first = self.legs.iter().map(|l| l.2).min().unwrap_or_default();
        self.legs
            .iter()
            .filter(|l| l.2 == first)
            .map(|l| l.1.clone())
            .collect()
    }
}

fn truth(path: &Path) -> Vec<Truth> {
    let text = std::fs::read_to_string(path).expect("truth file");
    let mut out = Vec::new();
    for line in text.lines() {
        let v: Json = serde_json::from_str(line).expect("truth line");
        if v["kind"] != "interaction" || v["media"] != "voice" {
            continue;
        }
        let legs = v["legs"]
            .as_array()
            .expect("legs")
            .iter()
            .map(|l| {
                let site = l["site"].as_i64().expect("site");
                let call = l["call_id"].as_str().expect("call_id").to_string();
                (
                    site,
                    call,
                    l["created_ms"].as_i64().expect("created_ms") / 1000,
                )
            })
            .collect();
        let failed_link = v["links"]
            .as_array()
            .is_some_and(|ls| ls.iter().any(|l| l["failed"] == true));
        out.push(Truth {
            scenario: v["scenario"].as_str().unwrap_or_default().to_string(),
            legs,
            failed_link,
        });
    }
    out
}

/// Latest call event in the inputs of `site` (epoch seconds).
fn last_event(site: &Site) -> i64 {
    let calls = &site.inputs[CALLS];
    let index = calls
        .schema()
        .index_of("terminated_ts")
        .expect("terminated_ts");
    let ts = calls.column(index).as_primitive::<Int32Type>();
    (0..ts.len())
        .filter(|&i| ts.is_valid(i))
        .map(|i| i64::from(ts.value(i)))
        .max()
        .expect("calls")
}

async fn simulate_two_sites() -> (Site, Site, Vec<Truth>) {
    let (s1, s2) = (fresh_sqlite(), fresh_sqlite());
    let dir = tempfile::tempdir().expect("temp dir");
    let truth_file = dir.path().join("truth.jsonl");
    let args = SimulateArgs {
        idb: vec![s1.url.clone(), s2.url.clone()],
        days: 1,
        interactions_per_day: 800,
        seed: 42,
        sites: 2,
        ha: false,
        agents: None,
        start: Some("2026-11-02T00:00:00Z".into()),
        end: None,
        truth: Some(truth_file.clone()),
        ha_gap_minutes: None,
        no_progress: true,
    };
    if let Err(e) = run(&args).await {
        panic!("simulate failed: {e:#}");
    }
    (load(&s1.url).await, load(&s2.url).await, truth(&truth_file))
}

async fn merge(sites: &[&Site], horizon: i64) -> MergeOutcome {
    let ctx = session(sites);
    merge_voice(&ctx, &MergeOptions::at_horizon(horizon))
        .await
        .expect("merge_voice")
}

#[tokio::test]
async fn two_site_merge_matches_the_truth_and_times_out_unpaired_links() {
    let (site1, site2, truth) = simulate_two_sites().await;
    let multi_site: Vec<&Truth> = truth
        .iter()
        .filter(|t| t.scenario == "multi_site_route")
        .collect();
    assert!(
        !multi_site.is_empty(),
        "the simulation routed no call to the other site"
    );
    assert!(
        truth.iter().any(|t| t.scenario == "unmonitored_remote"),
        "no unmonitored route"
    );
    assert!(truth.iter().any(|t| t.failed_link), "no failed IS-link");
    let end = last_event(&site1).max(last_event(&site2));

    // Both sites: every leg in exactly one interaction, the truth's legs together, all merged
    // (paired, failed and unmonitored links need no timeout).
    let outcome = merge(&[&site1, &site2], end).await;
    assert!(
        waiting(&outcome).is_empty(),
        "calls waiting: {:?}",
        waiting(&outcome)
    );
    let rows = emitted(&outcome);
    let distinct: BTreeSet<&String> = rows.iter().map(|e| &e.callid).collect();
    assert_eq!(distinct.len(), rows.len(), "a call emitted twice");
    let got = interactions(&rows);
    let expected: BTreeSet<BTreeSet<String>> = truth.iter().map(|t| t.calls(None)).collect();
    assert_eq!(got.keys().cloned().collect::<BTreeSet<_>>(), expected);
    for t in &truth {
        let (guid, state) = &got[&t.calls(None)];
        assert_eq!(*state, MERGED, "{} {guid}", t.scenario);
        assert!(
            t.first_calls().contains(guid),
            "root {guid} is not an earliest leg of {:?}",
            t.legs
        );
    }

    // The same inputs in another order give the same interactions.
    let again = emitted(&merge(&[&site2, &site1], end).await);
    assert_eq!(rows, again);

    // Site 2 not extracted yet: the site-1 half of every multi-site route (origin or target)
    // waits until the horizon passes its last event + the timeout, then is partially merged
    // alone; interactions of site 1 alone are merged at once.
    let site1_halves: BTreeSet<BTreeSet<String>> =
        multi_site.iter().map(|t| t.calls(Some(1))).collect();
    let start = end - 86_400;
    let early = merge(&[&site1], start).await;
    let waiting_calls: BTreeSet<String> = site1_halves.iter().flatten().cloned().collect();
    assert_eq!(waiting(&early), waiting_calls);
    let early_got = interactions(&emitted(&early));
    for t in truth
        .iter()
        .filter(|t| t.scenario != "multi_site_route" && t.calls(Some(2)).is_empty())
    {
        let (guid, state) = &early_got[&t.calls(None)];
        assert_eq!(*state, MERGED, "{} {guid} needs no pair", t.scenario);
    }
    let late = merge(&[&site1], end + MergeOptions::DEFAULT_TIMEOUT_SECS).await;
    assert!(waiting(&late).is_empty());
    let late_got = interactions(&emitted(&late));
    for half in &site1_halves {
        let (guid, state) = &late_got[half];
        assert_eq!(*state, PARTIALLY_MERGED, "{guid}");
    }
    assert_eq!(
        late_got
            .values()
            .filter(|(_, s)| *s == PARTIALLY_MERGED)
            .count(),
        site1_halves.len()
    );
}
