//! Job_ExtractICON from SQLite IDBs into a SQLite Info Mart: every row extracted once,
//! incremental runs equal one run, an HA pair with a session gap, and the Parquet read by
//! pyarrow.

mod extract_common;

use extract_common::*;
use tidemark_tests::fresh_sqlite;

#[tokio::test]
async fn every_completed_row_lands_in_gidb_once_with_marks_and_history() {
    let (idb, mart) = (fresh_sqlite(), fresh_sqlite());
    let dir = tempfile::tempdir().unwrap();
    simulate(&sim_args(&[&idb.url], 3, 300)).await;
    let gidb = dir.path().join("gidb");
    let config = config(&mart.url, &gidb, &[all_roles(&idb.url)]);
    let report = extract(&config, DAY_END).await;
    assert!(
        report.iter().any(|l| l.starts_with("total: ")),
        "{report:?}"
    );

    let source = idb.connect().await;
    let voice_sessions = "(select dss_id from g_dss_gcc_provider where ds_type = 1)";
    let mm_sessions = "(select dss_id from g_dss_gcc_provider where ds_type = 2)";
    let voice_calls = idb_ids_where(
        source.as_ref(),
        &format!("select id from g_call where terminated_ts is not null and gsys_domain in {voice_sessions} order by id"),
    )
    .await;
    assert!(!voice_calls.is_empty());
    assert_eq!(gidb_ids(&gidb, &["gidb_g_call_v"]).await, voice_calls);
    let mm_calls = idb_ids_where(
        source.as_ref(),
        &format!("select id from g_call where lastchange_ts is not null and gsys_domain in {mm_sessions} order by id"),
    )
    .await;
    assert_eq!(gidb_ids(&gidb, &["gidb_g_call_mm"]).await, mm_calls);
    for (table, column, folders) in [
        (
            "g_party_history",
            "added_ts",
            vec!["gidb_g_party_history_v", "gidb_g_party_history_mm"],
        ),
        ("gc_agent", "lastchange_ts", vec!["gidb_gc_agent"]),
        ("go_chain", "lastchange_ts", vec!["gidb_go_chain"]),
    ] {
        let expected = idb_ids(source.as_ref(), table, column).await;
        assert!(!expected.is_empty(), "{table} is empty");
        assert_eq!(gidb_ids(&gidb, &folders).await, expected, "{table}");
    }
    // Parties of voice calls come with their terminated call, whatever their own times.
    let voice_parties = idb_ids_where(
        source.as_ref(),
        &format!(
            "select p.id from g_party p join g_call c on c.callid = p.callid where c.terminated_ts is not null \
             and c.gsys_domain in {voice_sessions} order by p.id"
        ),
    )
    .await;
    assert_eq!(gidb_ids(&gidb, &["gidb_g_party_v"]).await, voice_parties);

    let infomart = mart.connect().await;
    let history = scalar(
        infomart.as_ref(),
        "select count(*) from ctl_extract_history",
    )
    .await;
    let hwm = scalar(
        infomart.as_ref(),
        "select count(*) from ctl_hwm where hwm_name like 'extract:%'",
    )
    .await;
    let audit_of = |filter: &str| {
        format!(
            "select count(*) from ctl_audit_log where job_id in \
             (select job_id from ctl_etl_history where job_name = 'Job_ExtractICON') and {filter}"
        )
    };
    let chunk_audits = scalar(infomart.as_ref(), &audit_of("data_source_key is not null")).await;
    assert!(history >= hwm && hwm > 20, "history {history}, marks {hwm}");
    assert_eq!(chunk_audits, history, "one audit row per committed chunk");
    // The voice merge commits one audit row per round of at most four hours of source
    // time, the last one at the merge mark.
    let rounds = scalar(infomart.as_ref(), &audit_of("data_source_key is null")).await;
    let merge_mark = scalar(
        infomart.as_ref(),
        "select hwm_value from ctl_hwm where hwm_name = 'merge:voice'",
    )
    .await;
    let last_round = scalar(
        infomart.as_ref(),
        &audit_of("data_source_key is null and max_chunk_ts = (select hwm_value from ctl_hwm where hwm_name = 'merge:voice')"),
    )
    .await;
    assert!(
        (2..=7).contains(&rounds) && last_round == 1 && merge_mark > 0,
        "merge rounds over the simulated day: {rounds}, last at the mark {merge_mark}: {last_round}"
    );
    let rows_recorded = scalar(
        infomart.as_ref(),
        "select sum(row_count) from ctl_extract_history",
    )
    .await;
    let rows_written: usize = extracted_rows(&gidb).await.values().map(Vec::len).sum();
    assert_eq!(rows_recorded as usize, rows_written);
    let icons = scalar(
        infomart.as_ref(),
        "select count(*) from ctl_extract_history where icon_dbid <= 0 or dss_id is null",
    )
    .await;
    assert_eq!(icons, 0, "every chunk records the ICON and session used");
    let sources = scalar(infomart.as_ref(), "select count(*) from ctl_ds").await;
    assert_eq!(
        sources, 4,
        "T-Server, Interaction Server, OCS, Configuration Server"
    );

    let again = extract(&config, DAY_END).await;
    assert!(
        again.iter().any(|l| l.starts_with("total: 0 rows")),
        "{again:?}"
    );
}

#[tokio::test]
async fn two_incremental_runs_equal_one_run() {
    let (idb, mart_a, mart_b) = (fresh_sqlite(), fresh_sqlite(), fresh_sqlite());
    let dir = tempfile::tempdir().unwrap();
    simulate(&sim_args(&[&idb.url], 8, 300)).await;
    let (gidb_a, gidb_b) = (dir.path().join("a"), dir.path().join("b"));
    let stepwise = config(&mart_a.url, &gidb_a, &[all_roles(&idb.url)]);
    extract(&stepwise, "2024-03-05T11:07:00Z").await;
    let first = gidb_rows(&gidb_a).await;
    assert!(first.values().map(Vec::len).sum::<usize>() > 0);
    extract(&stepwise, "2024-03-05T17:31:10Z").await;
    extract(&stepwise, DAY_END).await;
    let at_once = config(&mart_b.url, &gidb_b, &[all_roles(&idb.url)]);
    extract(&at_once, DAY_END).await;
    let (a, b) = (gidb_rows(&gidb_a).await, gidb_rows(&gidb_b).await);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (folder, rows) in &a {
        let mut unique = rows.clone();
        unique.dedup();
        assert_eq!(unique.len(), rows.len(), "{folder} holds a row twice");
        assert_eq!(
            rows, &b[folder],
            "{folder} differs between stepwise and one-run extraction"
        );
    }
    assert_eq!(marks(&mart_a.url).await, marks(&mart_b.url).await);
}

#[tokio::test]
async fn an_ha_pair_fills_one_idbs_session_gap_from_the_partner() {
    let (a, b, mart) = (fresh_sqlite(), fresh_sqlite(), fresh_sqlite());
    let dir = tempfile::tempdir().unwrap();
    let mut args = sim_args(&[&a.url, &b.url], 5, 400);
    args.ha = true;
    args.ha_gap_minutes = Some(45);
    simulate(&args).await;
    let gidb = dir.path().join("gidb");
    // B (the partner with the gap) is listed first, so it is preferred until its gap.
    let daps = [
        TestDap {
            name: "site-b",
            url: &b.url,
            roles: "ICON_CFG,ICON_CORE,ICON_MM,ICON_OCS",
            ha_group: Some("site"),
        },
        TestDap {
            name: "site-a",
            url: &a.url,
            roles: "ICON_CFG,ICON_CORE,ICON_MM,ICON_OCS",
            ha_group: Some("site"),
        },
    ];
    let config = config(&mart.url, &gidb, &daps);
    extract(&config, DAY_END).await;

    // Every terminated voice call of the complete IDB A is in GIDB, once per call id.
    let complete = a.connect().await;
    let expected = texts(
        complete.as_ref(),
        "select callid from g_call where terminated_ts is not null and gsys_domain in \
         (select dss_id from g_dss_gcc_provider where ds_type = 1) order by callid",
    )
    .await;
    let extracted = gidb_column(&gidb, "gidb_g_call_v", "callid").await;
    assert_eq!(
        extracted, expected,
        "voice calls of the gap period are taken from A"
    );

    // The history says which ICON supplied each window: B before the gap, A from it on.
    let infomart = mart.connect().await;
    let icon_a = scalar(
        complete.as_ref(),
        "select min(icon_dbid) from g_dss_gcc_provider",
    )
    .await;
    let icon_b = scalar(
        b.connect().await.as_ref(),
        "select min(icon_dbid) from g_dss_gcc_provider",
    )
    .await;
    let gap_start = scalar(
        b.connect().await.as_ref(),
        "select min(cast(strftime('%s', dsconn_etime) as integer)) from g_dss_gcc_provider where ds_type = 1 and dsconn_etime is not null",
    )
    .await;
    let before = scalar(
        infomart.as_ref(),
        &format!("select count(*) from ctl_extract_history where table_name = 'G_CALL' and data_source_type = 1 and max_ts <= {gap_start} and icon_dbid = {icon_b}"),
    )
    .await;
    let within = scalar(
        infomart.as_ref(),
        &format!("select count(*) from ctl_extract_history where table_name = 'G_CALL' and data_source_type = 1 and max_ts > {gap_start} and icon_dbid = {icon_a}"),
    )
    .await;
    assert!(
        before > 0 && within > 0,
        "B before the gap: {before} windows, A after: {within}"
    );
    let b_after = scalar(
        infomart.as_ref(),
        &format!("select count(*) from ctl_extract_history where table_name = 'G_CALL' and data_source_type = 1 and max_ts > {gap_start} and icon_dbid = {icon_b}"),
    )
    .await;
    assert_eq!(b_after, 0, "no window after the gap start comes from B");
}

#[tokio::test]
async fn pyarrow_and_duckdb_read_gidb_with_its_day_partitions() {
    let (idb, mart) = (fresh_sqlite(), fresh_sqlite());
    let dir = tempfile::tempdir().unwrap();
    simulate(&sim_args(&[&idb.url], 4, 150)).await;
    let gidb = dir.path().join("gidb");
    extract(&config(&mart.url, &gidb, &[all_roles(&idb.url)]), DAY_END).await;
    let ours = folder_rows(&gidb.join("gidb_g_party_history_v"))
        .await
        .len();
    let script = r#"
import sys, pyarrow.dataset as ds, duckdb
folder = sys.argv[1]
table = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
days = sorted(set(table.column("day").to_pylist()))
con = duckdb.connect()
n = con.execute(f"select count(*) from read_parquet('{folder}/*/*.parquet', hive_partitioning=true)").fetchall()[0][0]
ids = con.execute(f"select count(distinct (data_source_key, icon_dbid, phid)) from read_parquet('{folder}/*/*.parquet')").fetchall()[0][0]
print(table.num_rows, n, ids, days[0], table.schema.field("added_ts").type)
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(gidb.join("gidb_g_party_history_v"))
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(
        fields[0].parse::<usize>().unwrap(),
        ours,
        "pyarrow row count"
    );
    assert_eq!(
        fields[1].parse::<usize>().unwrap(),
        ours,
        "duckdb row count"
    );
    assert_eq!(
        fields[2].parse::<usize>().unwrap(),
        ours,
        "one row per identity"
    );
    assert_eq!(fields[3], "2024-03-05");
    assert_eq!(fields[4], "int32");
}
