//! The exact window SQL sent to Microsoft SQL Server and Oracle IDBs.

use tidemark_schemas::{HwmRule, SqlType, TableDef, TableFamily};

use super::tests::select;
use super::{whole_table_query, IdbDialect};

/// A two-column stand-in for G_PARTY: an id and a `numeric(20)` CONNID.
fn party() -> TableDef {
    TableDef::new("G_PARTY", TableFamily::IdbOperational, "party")
        .col("PARTYID", SqlType::BigInt, "party")
        .col("CONNIDNUM", SqlType::Numeric(20, 0), "connection")
        .col("GSYS_TS", SqlType::Timestamp, "dropped from GIDB")
}

#[test]
fn t_sql_windows_name_every_column_and_cast_the_key() {
    let table = party();
    let rule = HwmRule::column("TERMINATED_TS");
    let mut plan = select(&table, &rule, &[("g_call", "callid")], IdbDialect::Mssql);
    plan.own_sessions = vec![7];
    assert_eq!(
        plan.queries(0, 50, 1),
        vec![
            "select t.partyid as partyid, cast(t.connidnum as varchar(64)) as connidnum, \
             cast(w.tidemark_key_ts as bigint) as tidemark_key_ts from g_party t \
             join (select p0.callid as wkey, max(p0.terminated_ts) as tidemark_key_ts from g_call p0 \
             where p0.terminated_ts > 0 and p0.terminated_ts <= 50 and p0.gsys_domain in (4, 9) \
             group by p0.callid) w on t.callid = w.wkey where t.gsys_domain in (7)"
        ]
    );
    assert_eq!(
        plan.next_key_query(0, 50),
        "select cast(min(p.terminated_ts) as bigint) from g_call p \
         where p.terminated_ts > 0 and p.terminated_ts <= 50 and p.gsys_domain in (4, 9)"
    );
}

#[test]
fn oracle_windows_quote_lower_case_names_and_cast_the_key() {
    let table = party();
    let rule = HwmRule::column("ADDED_TS");
    let plan = select(&table, &rule, &[], IdbDialect::Oracle);
    assert_eq!(
        plan.queries(100, 200, 2),
        vec![
            "select t.partyid as \"partyid\", to_char(t.connidnum) as \"connidnum\", \
             cast(t.added_ts as number(19)) as \"tidemark_key_ts\" from g_party t \
             where t.added_ts > 100 and t.added_ts <= 150 and t.gsys_domain in (4, 9)",
            "select t.partyid as \"partyid\", to_char(t.connidnum) as \"connidnum\", \
             cast(t.added_ts as number(19)) as \"tidemark_key_ts\" from g_party t \
             where t.added_ts > 150 and t.added_ts <= 200 and t.gsys_domain in (4, 9)",
        ]
    );
    assert_eq!(
        plan.next_key_query(100, 200),
        "select cast(min(t.added_ts) as number(19)) from g_party t \
         where t.added_ts > 100 and t.added_ts <= 200 and t.gsys_domain in (4, 9)"
    );
}

#[test]
fn greatest_of_several_keys_in_t_sql_and_oracle() {
    let table = party();
    let rule = HwmRule::greatest(&["CREATED_TS", "DELETED_TS"]);
    let key = "coalesce(t.created_ts, -1)";
    let other = "coalesce(t.deleted_ts, -1)";
    let mssql = select(&table, &rule, &[], IdbDialect::Mssql).next_key_query(1, 2);
    let case = format!("case when {key} >= {other} then {key} else {other} end");
    assert_eq!(
        mssql,
        format!(
            "select cast(min({case}) as bigint) from g_party t where {case} > 1 and {case} <= 2 \
             and t.gsys_domain in (4, 9)"
        )
    );
    let oracle = select(&table, &rule, &[], IdbDialect::Oracle).next_key_query(1, 2);
    assert!(
        oracle.starts_with(&format!(
            "select cast(min(greatest({key}, {other})) as number(19)) from g_party t"
        )),
        "{oracle}"
    );
}

#[test]
fn whole_tables_are_read_under_lower_case_names() {
    let table = party();
    assert_eq!(
        whole_table_query(&table, IdbDialect::Oracle),
        "select t.partyid as \"partyid\", to_char(t.connidnum) as \"connidnum\", \
         t.gsys_ts as \"gsys_ts\" from g_party t"
    );
    assert_eq!(
        whole_table_query(&table, IdbDialect::Mssql),
        "select t.partyid as partyid, cast(t.connidnum as varchar(64)) as connidnum, \
         t.gsys_ts as gsys_ts from g_party t"
    );
}
