//! `merge_voice` called from Rust, as the extraction job calls it: output schemas, the
//! caller's session left untouched, independence from row order, long chains, and errors.

mod merge_support;

use arrow::array::{AsArray, RecordBatch};
use arrow::util::pretty::pretty_format_batches;
use datafusion::prelude::SessionContext;
use tidemark_plans::merge::{
    emitted_schema, merge_voice, waiting_schema, MergeOptions, MergeOutcome, IRS, IS_LINKS,
};

/// t = 2024-03-05 10:00:00 UTC.
const T: i64 = 1_709_632_800;

async fn run(ctx: &SessionContext, sql: &[String]) {
    for statement in sql {
        ctx.sql(statement)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"))
            .collect()
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

/// Inserts of one terminated call (and its IR) per `(callid, parentcallid, created offset)`.
fn calls(rows: &[(&str, Option<&str>, i64)]) -> Vec<String> {
    rows.iter()
        .flat_map(|(call, parent, at)| {
            let parent = parent.map_or("null".to_string(), |p| format!("'{p}'"));
            let (created, ended) = (T + at, T + at + 60);
            [
                format!(
                    "insert into merge_calls (data_source_key, icon_dbid, callid, parentcallid, \
                     irid, created_ts, terminated_ts, lastchange_ts) values \
                     (1, 1101, '{call}', {parent}, 'IR-{call}', {created}, {ended}, {ended})"
                ),
                format!(
                    "insert into merge_irs (data_source_key, icon_dbid, irid, rootcallid, \
                     created_ts, terminated_ts, lastchange_ts) values \
                     (1, 1101, 'IR-{call}', '{call}', {created}, {ended}, {ended})"
                ),
            ]
        })
        .collect()
}

async fn merged(rows: &[(&str, Option<&str>, i64)]) -> (SessionContext, MergeOutcome) {
    let ctx = merge_support::session();
    run(&ctx, &calls(rows)).await;
    let outcome = merge_voice(&ctx, &MergeOptions::at_horizon(T + 600))
        .await
        .expect("merge_voice");
    (ctx, outcome)
}

fn text(batches: &[RecordBatch]) -> String {
    pretty_format_batches(batches).expect("format").to_string()
}

/// (callid, interaction_guid) of every emitted row.
fn pairs(outcome: &MergeOutcome) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for b in &outcome.emitted {
        let (call, guid) = (
            b.column(2).as_string::<i32>(),
            b.column(3).as_string::<i32>(),
        );
        out.extend((0..b.num_rows()).map(|r| (call.value(r).into(), guid.value(r).into())));
    }
    out
}

#[tokio::test]
async fn outputs_have_the_documented_schemas_and_the_session_is_left_alone() {
    let (ctx, outcome) = merged(&[
        ("C1", None, 0),
        ("C2", Some("C1"), 30),
        ("C9", Some("C8"), 5),
    ])
    .await;
    assert!(outcome
        .emitted
        .iter()
        .all(|b| b.schema() == emitted_schema()));
    assert!(outcome
        .waiting
        .iter()
        .all(|b| b.schema() == waiting_schema()));
    assert_eq!(
        pairs(&outcome),
        [("C1".into(), "C1".into()), ("C2".into(), "C1".into())]
    );
    let waiting: usize = outcome.waiting.iter().map(|b| b.num_rows()).sum();
    assert_eq!(waiting, 1, "C9 waits for its main call C8");
    for work in [
        "merge_call_nodes",
        "merge_edges",
        "merge_labels",
        "merge_components",
    ] {
        assert!(
            !ctx.table_exist(work).expect("lookup"),
            "{work} left on the caller's session"
        );
    }
}

#[tokio::test]
async fn row_order_does_not_change_the_outcome() {
    let rows = [
        ("B", None, 0),
        ("A", None, 0),
        ("C", Some("A"), 10),
        ("D", Some("B"), 0),
    ];
    let mut reversed = rows;
    reversed.reverse();
    let (_, one) = merged(&rows).await;
    let (_, two) = merged(&reversed).await;
    assert_eq!(text(&one.emitted), text(&two.emitted));
    // A and B were created in the same second: the smaller CallID is the root.
    assert_eq!(
        pairs(&one),
        [
            ("A".into(), "A".into()),
            ("C".into(), "A".into()),
            ("B".into(), "B".into()),
            ("D".into(), "B".into()),
        ]
    );
}

#[tokio::test]
async fn a_long_chain_of_consultations_is_one_interaction() {
    let names: Vec<String> = (0..40).map(|i| format!("C{i:02}")).collect();
    let rows: Vec<(&str, Option<&str>, i64)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                n.as_str(),
                i.checked_sub(1).map(|p| names[p].as_str()),
                i as i64,
            )
        })
        .collect();
    let (_, outcome) = merged(&rows).await;
    let pairs = pairs(&outcome);
    assert_eq!(pairs.len(), 40);
    assert!(pairs.iter().all(|(_, guid)| guid == "C00"), "{pairs:?}");
}

#[tokio::test]
async fn a_missing_input_table_is_an_error_naming_it() {
    let ctx = merge_support::session();
    ctx.deregister_table(IRS).expect("deregister");
    let err = merge_voice(&ctx, &MergeOptions::at_horizon(T))
        .await
        .expect_err("merge_irs is missing");
    assert!(err.to_string().contains(IRS), "{err}");
}

/// Sorted `column` values of the rows of `table` on `ctx`.
async fn column_values(ctx: &SessionContext, table: &str, column: &str) -> Vec<String> {
    let batches = ctx
        .sql(&format!(
            "select arrow_cast({column}, 'Utf8') from {table} order by 1"
        ))
        .await
        .expect("plan")
        .collect()
        .await
        .expect("collect");
    batches
        .iter()
        .flat_map(|b| {
            let values = b.column(0).as_string::<i32>();
            (0..b.num_rows()).map(move |r| values.value(r).to_string())
        })
        .collect()
}

#[tokio::test]
async fn rows_no_call_reaches_are_dropped_before_the_graph() {
    let ctx = merge_support::session();
    let mut sql = calls(&[("C1", None, 0)]);
    let link = |ds: i32, link: &str, call: &str| {
        format!(
            "insert into merge_is_links (data_source_key, icon_dbid, linkid, callid, state, \
             initiated_ts, terminated_ts, lastchange_ts) values \
             ({ds}, 1101, '{link}', '{call}', 1, {T}, {T}, {T})"
        )
    };
    let ir = |ds: i32, irid: &str, parent: &str, root: &str| {
        format!(
            "insert into merge_irs (data_source_key, icon_dbid, irid, parentirid, rootcallid, \
             created_ts, terminated_ts, lastchange_ts) values \
             ({ds}, 1101, '{irid}', {parent}, '{root}', {T}, {T}, {T})"
        )
    };
    sql.extend([
        // C1's link, paired on data source 2 with call X, whose IR has a parent IR: three
        // steps out from C1.
        link(1, "L1", "C1"),
        link(2, "L1", "X"),
        ir(2, "IR-X", "'IR-P'", "X"),
        ir(2, "IR-P", "null", "P"),
        // The same ids on another data source, and a pair of calls no input call reaches.
        ir(1, "IR-P", "null", "P"),
        link(1, "L9", "Z"),
        link(2, "L9", "Y"),
        ir(1, "IR-Z", "null", "Z"),
    ]);
    run(&ctx, &sql).await;
    tidemark_plans::merge::reach::narrow(&ctx)
        .await
        .expect("narrow");
    assert_eq!(
        column_values(&ctx, IRS, "concat(data_source_key, ':', irid)").await,
        ["1:IR-C1", "2:IR-P", "2:IR-X"]
    );
    assert_eq!(
        column_values(&ctx, IS_LINKS, "concat(data_source_key, ':', linkid)").await,
        ["1:L1", "2:L1"]
    );
}
