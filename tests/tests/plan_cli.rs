//! `tidemark plan` end to end with the real binary, over a real SQLite and a real PostgreSQL
//! Info Mart (plus GIDB and a Parquet export): the report library with parameters in every
//! output format (Parquet read back by pyarrow and DuckDB), multi-statement files, the
//! ADMIN_* views, GIDB and export tables, `explain`, `tables`, and the errors, which name
//! the file and line and exit non-zero.

mod plan_common;
mod server_common;

use plan_common::{python, report, PlanMart, DAY};
use serde_json::Value;
use tidemark_tests::{fresh_postgres, fresh_sqlite};

#[tokio::test]
async fn plan_files_over_a_sqlite_info_mart() {
    let mart = fresh_sqlite();
    check_plans(&PlanMart::new(&mart.url).await);
}

#[tokio::test]
async fn plan_files_over_a_postgres_info_mart() {
    let mart = fresh_postgres().await;
    check_plans(&PlanMart::new(&mart.url).await);
}

fn check_plans(mart: &PlanMart) {
    formats(mart);
    reports(mart);
    sources(mart);
    explain_and_tables(mart);
    errors(mart);
}

/// `plan run <report> --param from_ts=… --param to_ts=… <extra>` for the fixture day.
fn run_args(report: &str, extra: &[&str]) -> Vec<String> {
    let from = format!("from_ts={}", DAY.0);
    let to = format!("to_ts={}", DAY.1);
    ["plan", "run", report, "--param", &from, "--param", &to]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
}

fn ok(mart: &PlanMart, args: &[String]) -> String {
    mart.ok(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

const HANDLE_TIME_CSV: &str =
    "day,interval_start,agent,handled,talk_sec,hold_sec,acw_sec,handle_sec,aht_sec\n\
    2024-03-05,10:00,alice,2,180,10,50,240,120.0\n\
    2024-03-05,10:15,bob,1,200,0,0,200,200.0\n";

fn formats(mart: &PlanMart) {
    let handle = report("agent_handle_time");
    assert_eq!(
        ok(mart, &run_args(&handle, &["--format", "csv"])),
        HANDLE_TIME_CSV
    );

    let json: Value = serde_json::from_str(&ok(mart, &run_args(&handle, &["--format", "json"])))
        .expect("a JSON array");
    let rows = json.as_array().expect("an array of objects");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["agent"], "alice");
    assert_eq!(rows[0]["handled"], 2);
    assert_eq!(rows[0]["handle_sec"], 240);
    assert_eq!(rows[0]["aht_sec"], 120.0);
    assert_eq!(rows[1]["interval_start"], "10:15");

    let ndjson = ok(mart, &run_args(&handle, &["--format", "ndjson"]));
    let lines: Vec<Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).expect("one object per line"))
        .collect();
    assert_eq!(lines, rows.to_vec());

    let table = ok(mart, &run_args(&handle, &[]));
    assert!(table.contains("| aht_sec"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.contains("| alice") && l.contains("| 240 ")),
        "{table}"
    );
    assert!(table.ends_with("(2 rows)\n"), "{table}");

    let csv_file = mart.dir.path().join("handle.csv");
    let csv_path = csv_file.display().to_string();
    let quiet = ok(
        mart,
        &run_args(&handle, &["--format", "csv", "--out", &csv_path]),
    );
    assert_eq!(quiet, "");
    assert_eq!(std::fs::read_to_string(&csv_file).unwrap(), HANDLE_TIME_CSV);

    let parquet = mart.dir.path().join("handle.parquet").display().to_string();
    ok(
        mart,
        &run_args(&handle, &["--format", "parquet", "--out", &parquet]),
    );
    let read_back = python(
        "import json, sys, duckdb, pyarrow.parquet as pq\n\
         t = pq.read_table(sys.argv[1])\n\
         codec = pq.ParquetFile(sys.argv[1]).metadata.row_group(0).column(0).compression\n\
         ducks = duckdb.sql(f\"select agent, handle_sec from '{sys.argv[1]}' order by agent\").fetchall()\n\
         print(json.dumps({'rows': t.to_pylist(), 'codec': codec, 'duckdb': ducks}))",
        &[&parquet],
    );
    let read_back: Value = serde_json::from_str(&read_back).expect("python output");
    assert_eq!(read_back["rows"], json);
    assert_eq!(read_back["codec"], "ZSTD");
    assert_eq!(
        read_back["duckdb"],
        serde_json::json!([["alice", 240], ["bob", 200]])
    );
}

fn reports(mart: &PlanMart) {
    let queue = report("queue_service_level");
    let header = "day,queue,offered,answered,answered_in_sl,abandoned,service_level_pct,abandon_rate_pct,avg_answer_sec\n";
    assert_eq!(
        ok(mart, &run_args(&queue, &["--format", "csv"])),
        format!("{header}2024-03-05,VQ_Sales,3,2,1,1,33.3,33.3,28.5\n")
    );
    let wider = ["--param", "threshold_sec=45", "--format", "csv"];
    assert_eq!(
        ok(mart, &run_args(&queue, &wider)),
        format!("{header}2024-03-05,VQ_Sales,3,2,2,1,66.7,33.3,28.5\n")
    );

    assert_eq!(
        ok(mart, &run_args(&report("transfers_per_agent"), &["--format", "csv"])),
        "agent,attempts,handled,transfers_made,transfers_received,consults_dialed,conferences_started,transfer_rate_pct\n\
         alice,2,2,1,0,0,0,50.0\n\
         bob,1,1,0,1,0,0,0.0\n"
    );

    let voice = ["--param", "media=voice", "--format", "csv"];
    assert_eq!(
        ok(
            mart,
            &run_args(&report("interactions_by_technical_result"), &voice)
        ),
        "resource_type,role,technical_result,result_reason,attempts,share_pct\n\
         AGENT,RECEIVEDTRANSFER,COMPLETED,UNSPECIFIED,1,33.3\n\
         AGENT,ROUTEDTO,COMPLETED,UNSPECIFIED,1,33.3\n\
         AGENT,ROUTEDTO,TRANSFERRED,UNSPECIFIED,1,33.3\n"
    );

    assert_eq!(
        ok(
            mart,
            &run_args(&report("agent_state_summary"), &["--format", "csv"])
        ),
        "agent,state,periods,total_sec,share_pct\n"
    );
}

/// Runs the plan `text` (written as `name`) with `extra` arguments, as CSV.
fn csv_of(mart: &PlanMart, name: &str, text: &str, extra: &[&str]) -> String {
    mart.plan_file(name, text);
    let mut args = vec!["plan", "run", name, "--format", "csv"];
    args.extend_from_slice(extra);
    mart.ok(&args)
}

fn sources(mart: &PlanMart) {
    let agent_view = "-- Talk time of one agent, through a view.\n\
        -- @param agent VARCHAR = 'alice'\n\
        create view agent_irf as\n\
        select f.* from interaction_resource_fact f\n\
        join resource_ r on r.resource_key = f.resource_key\n\
        where r.resource_name = $agent;\n\
        \n\
        select count(*) as irfs, sum(talk_duration) as talk from agent_irf\n";
    assert_eq!(
        csv_of(mart, "agent.sql", agent_view, &[]),
        "irfs,talk\n2,180\n"
    );
    assert_eq!(
        csv_of(mart, "agent.sql", agent_view, &["--param", "agent=bob"]),
        "irfs,talk\n2,250\n"
    );

    let history = "select job_name, status from admin_etl_job_history";
    assert_eq!(
        csv_of(mart, "history.sql", history, &[]),
        "job_name,status\nJob_InitializeGIM,COMPLETE\n"
    );
    let gidb = "select g.name, f.versions, e.calls\n\
        from gidb.gc_tenant g\n\
        cross join (select count(*) as versions from gidb.gc_tenant_files) f\n\
        cross join (select count(*) as calls from gidb.g_call_v) e";
    assert_eq!(
        csv_of(mart, "gidb.sql", gidb, &[]),
        "name,versions,calls\nResources,2,0\n"
    );
    let export = "select date_key, count(*) as n, sum(interaction_id) as ids\n\
        from export.interaction_fact group by date_key";
    assert_eq!(
        csv_of(mart, "export.sql", export, &[]),
        "date_key,n,ids\n2024-03-05,2,3\n"
    );
    let functions = "select date_time_key(1709632923) as k, count(*) as irfs\n\
        from interaction_resource_fact";
    assert_eq!(
        csv_of(mart, "udf.sql", functions, &[]),
        "k,irfs\n1709632800,4\n"
    );

    // Only the needed columns are read, with the range filter applied by the database.
    let handle = report("agent_handle_time");
    let args = run_args(&handle, &["--format", "csv"]);
    let (_, _, log) = mart.tidemark(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let read = log
        .lines()
        .find(|l| l.contains("reading Info Mart table") && l.contains("interaction_resource_fact"))
        .unwrap_or_else(|| panic!("no read of interaction_resource_fact logged:\n{log}"));
    assert!(read.contains("start_date_time_key >= 1709596800"), "{read}");
    assert!(
        read.contains("talk_duration") && !read.contains("orssessionid"),
        "{read}"
    );

    // A LIMIT DataFusion pushes into the scan is read as such from the database.
    mart.plan_file(
        "limit.sql",
        "select interaction_resource_id from interaction_resource_fact limit 2",
    );
    let (ok, out, log) = mart.tidemark(&["plan", "run", "limit.sql", "--format", "csv"]);
    assert!(ok, "{out}\n{log}");
    assert_eq!(out.lines().count(), 3, "{out}");
    let read = log
        .lines()
        .find(|l| l.contains("reading Info Mart table") && l.contains("interaction_resource_fact"))
        .unwrap_or_else(|| panic!("no read logged:\n{log}"));
    assert!(read.contains("Some(2)"), "{read}");
}

fn explain_and_tables(mart: &PlanMart) {
    let handle = report("agent_handle_time");
    let from = format!("from_ts={}", DAY.0);
    let to = format!("to_ts={}", DAY.1);
    let args = ["plan", "explain", &handle, "--param", &from, "--param", &to];
    let (ok, plan, log) = mart.tidemark(&args);
    assert!(ok, "{plan}\n{log}");
    assert!(plan.starts_with("Logical plan:\n"), "{plan}");
    assert!(
        plan.contains("TableScan: interaction_resource_fact projection=["),
        "{plan}"
    );
    assert!(plan.contains("\nPhysical plan:\n"), "{plan}");
    assert!(plan.contains("StreamingTableExec"), "{plan}");
    assert!(
        !log.contains("reading Info Mart table"),
        "explain read rows:\n{log}"
    );

    let tables = mart.ok(&["plan", "tables"]);
    for block in [
        "\ninteraction_fact\n",
        "\nadmin_etl_latency\n",
        "\ngidb.g_call_v\n",
        "\ngidb.gc_tenant_files\n",
        "\nexport.interaction_fact\n",
    ] {
        assert!(tables.contains(block), "{block:?} missing:\n{tables}");
    }
    assert!(
        tables
            .lines()
            .any(|l| l.starts_with("    interaction_id ") && l.ends_with("Int64 not null")),
        "{tables}"
    );
    assert!(!tables.contains("_batches"), "{tables}");
    let exports = mart.ok(&["plan", "tables", "export."]);
    assert_eq!(
        exports,
        "export.interaction_fact\n    interaction_id       Int64\n    start_date_time_key  Int32\n    date_key             Utf8 not null\n\n"
    );
}

fn errors(mart: &PlanMart) {
    let fails = |name: &str, text: &str| {
        mart.plan_file(name, text);
        mart.fails(&["plan", "run", name])
    };
    let missing = fails(
        "missing.sql",
        "-- Finds nothing.\nselect *\nfrom no_such_table\n",
    );
    assert!(
        missing.contains("error: missing.sql:3: table 'no_such_table' not found"),
        "{missing}"
    );
    let syntax = fails(
        "syntax.sql",
        "select count(*)\nfrom interaction_fact\nwhere start_ts >>> 1\n",
    );
    assert!(syntax.contains("error: syntax.sql:3: "), "{syntax}");
    let column = fails(
        "column.sql",
        "select interaction_id,\n  no_such_column\nfrom interaction_fact\n",
    );
    assert!(column.contains("error: column.sql:2: "), "{column}");
    assert!(column.contains("no_such_column"), "{column}");
    let undeclared = fails("undeclared.sql", "select 1\nwhere 1 = $limit\n");
    assert!(
        undeclared.contains("undeclared.sql:2: `$limit` is not declared"),
        "{undeclared}"
    );

    let handle = report("agent_handle_time");
    let text = std::fs::read_to_string(&handle).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let cases = [
        (
            vec!["--param", "from_ts=yesterday"],
            format!(
                "{handle}:{}: parameter `from_ts` expects BIGINT, got `yesterday`: not an integer",
                line_of("@param from_ts")
            ),
        ),
        (
            vec!["--param", "nope=1"],
            "unknown parameter `nope` (the file declares: from_ts, to_ts)".to_string(),
        ),
        (
            vec!["--param", "from_ts=1"],
            format!(
                "{handle}:{}: parameter `to_ts` (BIGINT) has no value",
                line_of("@param to_ts")
            ),
        ),
        (
            vec!["--format", "parquet"],
            "--format parquet writes a file".to_string(),
        ),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["plan", "run", handle.as_str()];
        args.extend(extra);
        let message = mart.fails(&args);
        assert!(message.contains(&expected), "{expected}:\n{message}");
    }
    let no_file = mart.fails(&["plan", "run", "absent.sql"]);
    assert!(
        no_file.contains("cannot read plan file absent.sql"),
        "{no_file}"
    );
}
