//! Consistency of the IDB catalogue with idb.md §0.1, §1.4 and §5.1.

use std::collections::{BTreeSet, HashSet};

use super::{table, tables, tables_for};
use crate::ddl::{self, Dialect};
use crate::extraction::{Domain, HwmRule};
use crate::gidb::{folder_name, MediaFamily};
use crate::table::{SqlType, TableDef, TableFamily};

const GSYS: [&str; 11] = [
    "GSYS_DOMAIN",
    "GSYS_PARTITION",
    "GSYS_SYS_ID",
    "GSYS_SEQ",
    "GSYS_USEQ",
    "GSYS_TS",
    "GSYS_TC",
    "GSYS_EXT_VCH1",
    "GSYS_EXT_VCH2",
    "GSYS_EXT_INT1",
    "GSYS_EXT_INT2",
];

fn has_column(t: &TableDef, name: &str) -> bool {
    t.column(name).is_some()
}

/// Columns a window rule selects on.
fn rule_columns(rule: &HwmRule) -> Vec<&str> {
    match rule {
        HwmRule::Column(c) => vec![c.as_str()],
        HwmRule::Greatest(cs) => cs.iter().map(String::as_str).collect(),
        HwmRule::ByParent { key, .. } => vec![key.as_str()],
        HwmRule::FullRead | HwmRule::ReadOnce => Vec::new(),
    }
}

fn rules(t: &TableDef) -> Vec<&HwmRule> {
    let e = t.extraction.as_ref().expect("extraction rule");
    std::iter::once(&e.hwm).chain(e.mm_hwm.as_ref()).collect()
}

#[test]
fn every_table_ends_with_the_gsys_block_in_order() {
    for t in tables() {
        let n = t.columns.len();
        assert!(n > GSYS.len(), "{} has no business columns", t.name);
        let tail: Vec<&str> = t.columns[n - GSYS.len()..]
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(tail, GSYS, "GSYS block of {}", t.name);
        let before = &t.columns[..n - GSYS.len()];
        assert!(
            before.iter().all(|c| !c.name.starts_with("GSYS_")),
            "{}: GSYS column before the block",
            t.name
        );
    }
}

#[test]
fn every_ts_column_has_its_time_and_time_code() {
    for t in tables() {
        for c in t
            .columns
            .iter()
            .filter(|c| c.name.ends_with("_TS") && !c.name.starts_with("GSYS_"))
        {
            let base = c.name.trim_end_matches("_TS");
            let time = t
                .column(base)
                .unwrap_or_else(|| panic!("{}.{} lacks {base}", t.name, c.name));
            assert_eq!(time.sql_type, SqlType::Timestamp, "{}.{base}", t.name);
            assert_eq!(c.sql_type, SqlType::Integer, "{}.{}", t.name, c.name);
            let code = format!("{base}_TCODE");
            assert!(has_column(t, &code), "{} lacks {code}", t.name);
        }
    }
}

#[test]
fn names_are_unique_upper_case_and_indexes_fit() {
    let mut table_names = HashSet::new();
    let mut index_names = HashSet::new();
    for t in tables() {
        assert!(t.family.is_idb(), "{}", t.name);
        assert_eq!(t.name, t.name.to_ascii_uppercase());
        assert!(
            table_names.insert(t.name.as_str()),
            "duplicate table {}",
            t.name
        );
        let mut cols = HashSet::new();
        for c in &t.columns {
            assert_eq!(c.name, c.name.to_ascii_uppercase(), "{}", t.name);
            assert!(
                cols.insert(c.name.as_str()),
                "duplicate column {}.{}",
                t.name,
                c.name
            );
            assert!(!c.doc.is_empty(), "{}.{} has no doc", t.name, c.name);
        }
        for ix in &t.indexes {
            assert!(ix.name.len() <= 60, "index name too long: {}", ix.name);
            assert!(
                index_names.insert(ix.name.clone()),
                "duplicate index {}",
                ix.name
            );
        }
    }
}

#[test]
fn key_and_index_columns_exist() {
    for t in tables() {
        assert!(!t.primary_key.is_empty(), "{} has no primary key", t.name);
        for c in &t.primary_key {
            let col = t
                .column(c)
                .unwrap_or_else(|| panic!("{}: PK column {c} missing", t.name));
            assert!(!col.nullable, "{}: PK column {c} is nullable", t.name);
        }
        for ix in &t.indexes {
            for c in &ix.columns {
                assert!(has_column(t, c), "{}: index column {c} missing", t.name);
            }
        }
        let e = t
            .extraction
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no extraction rule", t.name));
        for c in &e.business_key {
            assert!(
                has_column(t, c),
                "{}: business key column {c} missing",
                t.name
            );
        }
    }
}

#[test]
fn window_columns_exist_are_indexed_and_parents_resolve() {
    for t in tables() {
        for rule in rules(t) {
            for c in rule_columns(rule) {
                let col = t
                    .column(c)
                    .unwrap_or_else(|| panic!("{}: rule column {c} missing", t.name));
                assert!(
                    t.indexes
                        .iter()
                        .any(|ix| ix.columns.first() == Some(&col.name)),
                    "{}: no index leads with {c}",
                    t.name
                );
            }
            match rule {
                HwmRule::Column(_) | HwmRule::Greatest(_) => {
                    for c in rule_columns(rule) {
                        assert!(
                            c.ends_with("_TS"),
                            "{}: window column {c} is not a _ts column",
                            t.name
                        );
                    }
                }
                HwmRule::ByParent { parent, key } => {
                    let p = table(parent)
                        .unwrap_or_else(|| panic!("{}: parent {parent} unknown", t.name));
                    assert!(
                        has_column(p, key),
                        "{}: parent {parent} lacks {key}",
                        t.name
                    );
                    assert!(
                        !matches!(p.extraction.as_ref().map(|e| &e.hwm), Some(HwmRule::ByParent { parent, .. }) if parent == &t.name),
                        "{} and {parent} select each other",
                        t.name
                    );
                    let pe = p.extraction.as_ref().expect("parent rule");
                    let domains = &t.extraction.as_ref().expect("rule").domains;
                    assert!(
                        domains.iter().all(|d| pe.domains.contains(d)),
                        "{}: parent {parent} not extracted in all its domains",
                        t.name
                    );
                }
                _ => {}
            }
        }
    }
}

#[test]
fn tables_without_a_window_have_no_index() {
    for t in tables() {
        let windowless = rules(t)
            .iter()
            .all(|r| matches!(r, HwmRule::FullRead | HwmRule::ReadOnce));
        assert_eq!(windowless, t.indexes.is_empty(), "{}", t.name);
    }
}

fn names_for(domain: Domain) -> BTreeSet<&'static str> {
    tables_for(domain).map(|t| t.name.as_str()).collect()
}

fn set<'a>(names: &[&'a [&'a str]]) -> BTreeSet<&'a str> {
    names.iter().flat_map(|n| n.iter().copied()).collect()
}

const CONTROL: [&str; 8] = [
    "G_DSS_CFG_PROVIDER",
    "G_DSS_GCC_PROVIDER",
    "G_DSS_GUD_PROVIDER",
    "G_DSS_GLS_PROVIDER",
    "G_DSS_GOS_PROVIDER",
    "G_PROV_CONTROL",
    "G_DICTIONARY",
    "G_DICT_TYPE",
];

/// Interaction and agent tables of both voice and multimedia (idb.md §1.4).
const VOICE_AND_MM: [&str; 16] = [
    "G_IR",
    "G_CALL",
    "G_IR_HISTORY",
    "G_CALL_HISTORY",
    "G_PARTY",
    "G_PARTY_HISTORY",
    "G_VIRTUAL_QUEUE",
    "G_ROUTE_RESULT",
    "G_USERDATA_HISTORY",
    "G_SECURE_USERDATA_HISTORY",
    "G_CUSTOM_DATA_S",
    "G_LOGIN_SESSION",
    "GX_SESSION_ENDPOINT",
    "G_AGENT_STATE_HISTORY",
    "G_AGENT_STATE_RC",
    "G_DND_HISTORY",
];

#[test]
fn domain_matrix_matches_the_spec() {
    let gc = [
        "GC_TENANT",
        "GC_AGENT",
        "GC_PLACE",
        "GC_GROUP",
        "GC_SKILL",
        "GC_LOGIN",
        "GC_ENDPOINT",
        "GC_SWITCH",
        "GC_APPLICATION",
        "GC_TIME_ZONE",
        "GC_FOLDER",
        "GC_ACTION_CODE",
        "GC_BUS_ATTRIBUTE",
        "GC_ATTR_VALUE",
        "GC_SCRIPT",
        "GC_CAMPAIGN",
        "GC_CALL_LIST",
        "GC_ANNEX",
    ];
    let gcx = [
        "GCX_SKILL_LEVEL",
        "GCX_LOGIN_INFO",
        "GCX_AGENT_PLACE",
        "GCX_GROUP_AGENT",
        "GCX_GROUP_PLACE",
        "GCX_GROUP_ENDPOINT",
        "GCX_ENDPOINT_PLACE",
        "GCX_GROUP_ROUTEDN",
        "GCX_SUBCODE",
        "GCX_CAMPLIST",
        "GCX_CAMPGROUP_INFO",
    ];
    assert_eq!(names_for(Domain::Cfg), set(&[&gc, &gcx, &CONTROL]));

    let core_only = [
        "G_IS_LINK",
        "G_IS_LINK_HISTORY",
        "GSYS_DNPREMOTELOCATION",
        "G_CALL_STAT",
    ];
    assert_eq!(
        names_for(Domain::Core),
        set(&[&VOICE_AND_MM, &core_only, &CONTROL])
    );

    let mm_only = ["GM_F_USERDATA", "GM_L_USERDATA"];
    assert_eq!(
        names_for(Domain::Mm),
        set(&[&VOICE_AND_MM, &mm_only, &CONTROL])
    );

    let ocs = [
        "GO_CAMPAIGN",
        "GO_CAMPAIGNHISTORY",
        "GO_CAMPPROP_HIST",
        "GO_CHAIN",
        "GO_CHAINREC_HIST",
        "GO_FIELDHIST",
        "GO_SEC_FIELDHIST",
        "GO_CUSTOM_FIELDS",
        "GO_METRICS",
        "GOX_CHAIN_CALL",
    ];
    assert_eq!(names_for(Domain::Ocs), set(&[&ocs, &CONTROL]));

    let every: BTreeSet<&str> = Domain::ALL.into_iter().flat_map(names_for).collect();
    assert_eq!(
        every.len(),
        tables().len(),
        "a table is extracted for no domain"
    );
}

#[test]
fn config_tables_follow_their_skeletons() {
    for t in tables()
        .iter()
        .filter(|t| t.family == TableFamily::IdbConfig)
    {
        let e = t.extraction.as_ref().expect("rule");
        if t.name.starts_with("GCX_") {
            assert_eq!(
                e.hwm,
                HwmRule::greatest(&["CREATED_TS", "DELETED_TS"]),
                "{}",
                t.name
            );
            assert_eq!(
                t.column("ID").map(|c| c.sql_type),
                Some(SqlType::BigSerial),
                "{}",
                t.name
            );
        } else {
            assert_eq!(e.hwm, HwmRule::column("LASTCHANGE_TS"), "{}", t.name);
            assert!(has_column(t, "STATUS"), "{}", t.name);
        }
        if t.name.starts_with("GC_") && t.name != "GC_ANNEX" {
            assert_eq!(
                t.column("ID").map(|c| c.sql_type),
                Some(SqlType::Integer),
                "{}",
                t.name
            );
            assert_eq!(e.business_key, vec!["ID".to_string()], "{}", t.name);
        }
    }
}

#[test]
fn gidb_folder_names() {
    let folder = |name: &str, family| folder_name(table(name).expect(name), family);
    assert_eq!(
        folder("G_SECURE_USERDATA_HISTORY", MediaFamily::Voice),
        "gidb_g_secure_ud_history_v"
    );
    assert_eq!(
        folder("G_SECURE_USERDATA_HISTORY", MediaFamily::Multimedia),
        "gidb_g_secure_ud_history_mm"
    );
    assert_eq!(folder("G_CALL", MediaFamily::Multimedia), "gidb_g_call_mm");
    assert_eq!(
        folder("G_CALL_STAT", MediaFamily::Voice),
        "gidb_g_call_stat_v"
    );
    assert_eq!(folder("GC_AGENT", MediaFamily::Voice), "gidb_gc_agent");
    assert_eq!(
        folder("GM_F_USERDATA", MediaFamily::Multimedia),
        "gidb_gm_f_userdata"
    );
    assert_eq!(folder("GO_CHAIN", MediaFamily::Voice), "gidb_go_chain");
}

#[test]
fn split_tables_are_the_spec_list() {
    let split: BTreeSet<&str> = tables()
        .iter()
        .filter(|t| t.extraction.as_ref().is_some_and(|e| e.split_voice_mm))
        .map(|t| t.name.as_str())
        .collect();
    let expected = set(&[
        &VOICE_AND_MM,
        &["G_CALL_STAT", "G_IS_LINK", "G_IS_LINK_HISTORY"],
    ]);
    assert_eq!(split, expected);
}

#[test]
fn g_ir_history_renders_in_postgres() {
    let t = table("g_ir_history").expect("G_IR_HISTORY");
    let gsys: String = GSYS
        .iter()
        .map(|c| {
            let ty = match *c {
                "GSYS_SEQ" | "GSYS_USEQ" => "bigint",
                "GSYS_TS" => "timestamp",
                "GSYS_EXT_VCH1" | "GSYS_EXT_VCH2" => "varchar(255)",
                _ => "integer",
            };
            format!("  {} {ty},\n", c.to_ascii_lowercase())
        })
        .collect();
    let expected = format!(
        "create table if not exists g_ir_history (\n  irhid bigserial not null,\n  irid varchar(50) not null,\n  \
         xseq numeric(19,0),\n  changetype integer,\n  refid varchar(50),\n  added timestamp not null,\n  \
         added_ts integer,\n  added_tcode integer,\n{gsys}  primary key (irhid)\n)"
    );
    assert_eq!(ddl::create_table(t, Dialect::Postgres), expected);
    assert_eq!(
        ddl::create_indexes(t),
        vec![
            "create index if not exists g_ir_history_irid on g_ir_history (irid)",
            "create index if not exists g_ir_history_added_ts on g_ir_history (added_ts)",
        ]
    );
}

#[test]
fn ddl_renders_in_every_dialect() {
    for dialect in [Dialect::Postgres, Dialect::MySql, Dialect::Sqlite] {
        for t in tables() {
            let statements = ddl::create_table_with_indexes(t, dialect);
            assert_eq!(statements.len(), 1 + t.indexes.len());
            assert!(statements[0]
                .starts_with(&format!("create table if not exists {} (", t.sql_name())));
        }
    }
    let call = table("G_CALL").expect("G_CALL");
    let mysql = ddl::create_table(call, Dialect::MySql);
    assert!(
        mysql.contains("\n  `id` bigint auto_increment not null,\n"),
        "{mysql}"
    );
    assert!(
        mysql.contains("\n  `connidnum` decimal(20,0),\n"),
        "{mysql}"
    );
    assert!(mysql.contains("\n  `terminated` datetime(6),\n"), "{mysql}");
    assert!(mysql.ends_with("  primary key (`id`)\n)"), "{mysql}");
    let sqlite = ddl::create_table(call, Dialect::Sqlite);
    assert!(sqlite.contains("\n  id bigint not null,\n"), "{sqlite}");
    assert!(sqlite.ends_with("  primary key (id)\n)"), "{sqlite}");
}

#[test]
fn extraction_rules_of_the_main_tables() {
    let e = |name: &str| table(name).and_then(|t| t.extraction.clone()).expect(name);
    let call = e("G_CALL");
    assert_eq!(call.hwm, HwmRule::column("TERMINATED_TS"));
    assert_eq!(call.mm_hwm, Some(HwmRule::column("LASTCHANGE_TS")));
    assert_eq!(call.business_key, vec!["CALLID".to_string()]);
    let party = e("G_PARTY");
    assert_eq!(party.hwm, HwmRule::by_parent("G_CALL", "CALLID"));
    assert_eq!(party.mm_hwm, Some(HwmRule::column("LASTCHANGE_TS")));
    assert_eq!(
        e("G_PARTY_HISTORY").hwm,
        HwmRule::by_parent("G_PARTY", "PARTYID")
    );
    assert_eq!(e("G_CUSTOM_DATA_S").hwm, HwmRule::column("ADDED_TS"));
    assert_eq!(e("GO_CUSTOM_FIELDS").hwm, HwmRule::column("LASTCHANGED_TS"));
    assert_eq!(e("G_DSS_GCC_PROVIDER").hwm, HwmRule::FullRead);
    assert_eq!(e("G_DICT_TYPE").hwm, HwmRule::ReadOnce);
    let arrow = table("G_CALL").expect("G_CALL").arrow_schema();
    assert_eq!(
        arrow
            .field_with_name("connidnum")
            .map(|f| f.data_type().clone())
            .ok(),
        Some(arrow::datatypes::DataType::Decimal128(20, 0))
    );
}

#[test]
fn every_table_and_index_is_created_in_sqlite() {
    let db = rusqlite::Connection::open_in_memory().expect("sqlite");
    for t in tables() {
        for statement in ddl::create_table_with_indexes(t, Dialect::Sqlite) {
            db.execute_batch(&statement)
                .unwrap_or_else(|e| panic!("{}: {e}\n{statement}", t.name));
        }
        let mut pragma = db
            .prepare(&format!(
                "select name from pragma_table_info('{}')",
                t.sql_name()
            ))
            .expect("pragma");
        let created: Vec<String> = pragma
            .query_map([], |row| row.get(0))
            .expect("columns")
            .collect::<Result<_, _>>()
            .expect("column names");
        let described: Vec<String> = t.columns.iter().map(|c| c.sql_name()).collect();
        assert_eq!(created, described, "{}", t.name);
    }
    let indexes: i64 = db
        .query_row(
            "select count(*) from sqlite_master where type = 'index' and sql is not null",
            [],
            |row| row.get(0),
        )
        .expect("index count");
    let described: usize = tables().iter().map(|t| t.indexes.len()).sum();
    assert_eq!(indexes as usize, described);
}
