//! A real Info Mart for `tidemark plan`: initialized by Job_InitializeGIM on PostgreSQL or
//! SQLite (calendar from 2024), with a few agents, a queue and their facts on 5–6 March 2024
//! in partitions created as the transform creates them; a GIDB written
//! by the GIDB store; a Parquet export written by pyarrow; and the real binary to run.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use arrow::array::{new_null_array, ArrayRef, Int32Array, Int64Array, StringArray};
use arrow::record_batch::RecordBatch;
use tempfile::TempDir;
use tidemark::config::Config;
use tidemark::jobs::initialize::partitions::missing_partitions;
use tidemark_schemas::{gidb, idb, mart};
use tidemark_sinks::database;
use tidemark_sinks::gidb::{ChunkFile, GidbStore};

use crate::server_common::{initialize, tidemark_binary};

/// 2024-03-05 00:00 UTC and 2024-03-06 00:00 UTC.
pub const DAY: (i64, i64) = (1_709_596_800, 1_709_683_200);
/// 2024-03-05 10:00 and 10:15 UTC.
pub const TEN: (i64, i64) = (1_709_632_800, 1_709_633_700);

/// The Info Mart, GIDB and export of one test, and its configuration file.
pub struct PlanMart {
    /// Holds every file of the test.
    pub dir: TempDir,
    /// `tidemark.toml`.
    pub config: PathBuf,
}

impl PlanMart {
    /// Builds everything over the empty database at `mart_url`.
    pub async fn new(mart_url: &str) -> PlanMart {
        let dir = tempfile::tempdir().expect("temporary folder");
        let text = format!(
            "[infomart]\nurl = \"{mart_url}\"\n\n[gidb]\nurl = \"{gidb}\"\n\n\
             [date-time]\ndate-time-start-year = 2024\n\n\
             [gim-export]\nparquet-url = \"{export}\"\n\n\
             [[dap]]\nname = \"idb\"\nrole = \"ICON_CFG,ICON_CORE\"\nurl = \"sqlite://{idb}\"\n",
            gidb = dir.path().join("gidb").display(),
            export = dir.path().join("export").display(),
            idb = dir.path().join("idb.db").display(),
        );
        let config = Arc::new(Config::from_toml_str(&text).expect("valid test configuration"));
        initialize(&config).await;
        let db = database::connect(mart_url).await.expect("Info Mart");
        let width = config.gim_etl.partitioning_interval_size_gim.into();
        let mut statements = missing_partitions(db.as_ref(), width, DAY.0, DAY.1)
            .await
            .expect("fact partitions of the fixture days");
        statements.extend(fact_rows());
        db.execute_all(&statements).await.expect("fixture rows");
        write_gidb(&dir.path().join("gidb")).await;
        write_export(&dir.path().join("export"));
        let config_path = dir.path().join("tidemark.toml");
        std::fs::write(&config_path, text).expect("write configuration");
        PlanMart {
            dir,
            config: config_path,
        }
    }

    /// Writes `text` as plan file `name` in the test folder and returns its path.
    pub fn plan_file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write plan file");
        path
    }

    /// `tidemark --config … <args>` with Info Mart reads logged: success, stdout, stderr.
    pub fn tidemark(&self, args: &[&str]) -> (bool, String, String) {
        let output = Command::new(tidemark_binary())
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env("TIDEMARK_LOG", "tidemark::plan=debug")
            .current_dir(self.dir.path())
            .output()
            .expect("tidemark runs");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).to_string(),
            String::from_utf8_lossy(&output.stderr).to_string(),
        )
    }

    /// Runs `tidemark <args>` expecting success; its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let (ok, out, err) = self.tidemark(args);
        assert!(ok, "`tidemark {}` failed:\n{out}\n{err}", args.join(" "));
        out
    }

    /// Runs `tidemark <args>` expecting failure; its standard error.
    pub fn fails(&self, args: &[&str]) -> String {
        let (ok, out, err) = self.tidemark(args);
        assert!(!ok, "`tidemark {}` succeeded:\n{out}", args.join(" "));
        err
    }
}

/// A report of the library.
pub fn report(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plans/reports")
        .join(format!("{name}.sql"))
        .display()
        .to_string()
}

/// The TECHNICAL_DESCRIPTOR key of a role and result, as a subquery.
fn descriptor(role: &str, result: &str, reason: &str) -> String {
    format!(
        "(select technical_descriptor_key from technical_descriptor \
         where resource_role_code = '{role}' and role_reason_code = 'UNSPECIFIED' \
         and technical_result_code = '{result}' and result_reason_code = '{reason}')"
    )
}

/// `insert into <table>` of one row: `values` (column, SQL expression), every other
/// mandatory column without a default 0.
fn insert(table: &str, values: &[(&str, String)]) -> String {
    let def = mart::table(table).expect("model table");
    let mut columns: Vec<String> = values.iter().map(|(c, _)| c.to_string()).collect();
    let mut exprs: Vec<String> = values.iter().map(|(_, v)| v.clone()).collect();
    for column in &def.columns {
        let name = column.sql_name();
        if !column.nullable && column.default.is_none() && !columns.contains(&name) {
            columns.push(name);
            exprs.push("0".into());
        }
    }
    format!(
        "insert into {} ({}) values ({})",
        def.sql_name(),
        columns.join(", "),
        exprs.join(", ")
    )
}

/// Agents alice (11) and bob (12) and queue VQ_Sales (22); alice handles two calls at 10:00
/// (one transferred to bob at 10:15), bob one more the next day; three stays in VQ_Sales.
fn fact_rows() -> Vec<String> {
    let mut rows: Vec<String> = [
        (11, "AGENT", "alice"),
        (12, "AGENT", "bob"),
        (22, "QUEUE", "VQ_Sales"),
    ]
    .iter()
    .map(|(key, kind, name)| {
        insert(
            "RESOURCE_",
            &[
                ("resource_key", key.to_string()),
                ("resource_type_code", format!("'{kind}'")),
                ("resource_name", format!("'{name}'")),
            ],
        )
    })
    .collect();
    let irfs = [
        (1, 11, TEN.0, 120, 10, 30, "ROUTEDTO", "COMPLETED"),
        (2, 11, TEN.0, 60, 0, 20, "ROUTEDTO", "TRANSFERRED"),
        (3, 12, TEN.1, 200, 0, 0, "RECEIVEDTRANSFER", "COMPLETED"),
        (4, 12, DAY.1, 50, 0, 10, "ROUTEDTO", "COMPLETED"),
    ];
    for (id, agent, start, talk, hold, acw, role, result) in irfs {
        rows.push(insert(
            "INTERACTION_RESOURCE_FACT",
            &[
                ("interaction_resource_id", id.to_string()),
                ("interaction_id", id.to_string()),
                ("resource_key", agent.to_string()),
                ("media_type_key", "1".into()),
                ("start_date_time_key", start.to_string()),
                ("end_date_time_key", start.to_string()),
                (
                    "technical_descriptor_key",
                    descriptor(role, result, "UNSPECIFIED"),
                ),
                ("customer_handle_count", "1".into()),
                ("talk_duration", talk.to_string()),
                ("hold_duration", hold.to_string()),
                ("after_call_work_duration", acw.to_string()),
            ],
        ));
    }
    let stays = [
        (5, TEN.0, 12, "DIVERTED", "ANSWEREDBYAGENT"),
        (6, TEN.0, 45, "DIVERTED", "ANSWEREDBYAGENT"),
        (7, TEN.1, 30, "ABANDONED", "ABANDONEDWHILEQUEUED"),
    ];
    for (id, start, wait, result, reason) in stays {
        rows.push(insert(
            "MEDIATION_SEGMENT_FACT",
            &[
                ("mediation_segment_id", id.to_string()),
                ("interaction_id", id.to_string()),
                ("resource_key", "22".into()),
                ("start_date_time_key", start.to_string()),
                ("end_date_time_key", start.to_string()),
                ("mediation_duration", wait.to_string()),
                (
                    "technical_descriptor_key",
                    descriptor("RECEIVED", result, reason),
                ),
            ],
        ));
    }
    rows
}

/// Two versions of tenant 101 in GIDB (renamed at 11:00), written by the GIDB store as an
/// extraction would.
async fn write_gidb(root: &Path) {
    let def = idb::table("GC_TENANT").expect("GC_TENANT");
    let schema = gidb::arrow_schema(def);
    let given: Vec<(&str, ArrayRef)> = vec![
        ("id", Arc::new(Int32Array::from(vec![101, 101]))),
        (
            "name",
            Arc::new(StringArray::from(vec!["Old name", "Resources"])),
        ),
        ("state", Arc::new(Int32Array::from(vec![1, 1]))),
        ("status", Arc::new(Int32Array::from(vec![1, 1]))),
        (
            "created_ts",
            Arc::new(Int32Array::from(vec![TEN.0 as i32; 2])),
        ),
        (
            "lastchange_ts",
            Arc::new(Int32Array::from(vec![TEN.0 as i32, TEN.0 as i32 + 3600])),
        ),
        ("data_source_key", Arc::new(Int32Array::from(vec![1, 1]))),
        ("icon_dbid", Arc::new(Int32Array::from(vec![1, 1]))),
        ("create_audit_key", Arc::new(Int64Array::from(vec![1, 2]))),
    ];
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .map(|f| match given.iter().find(|(name, _)| name == f.name()) {
            Some((_, array)) => array.clone(),
            None => new_null_array(f.data_type(), 2),
        })
        .collect();
    let batch = RecordBatch::try_new(schema, columns).expect("GIDB batch");
    let chunk = ChunkFile {
        folder: gidb::folder_name(def, gidb::MediaFamily::Voice),
        data_source_key: 1,
        lo: DAY.0,
        hi: DAY.1,
    };
    GidbStore::local(root)
        .expect("GIDB folder")
        .write_chunk(&chunk, &[batch], "lastchange_ts", false)
        .await
        .expect("GIDB chunk");
}

/// An export batch of two INTERACTION_FACT rows in Hive layout, with its manifest.
fn write_export(root: &Path) {
    let script = r#"
import os, sys, pyarrow as pa, pyarrow.parquet as pq
root = sys.argv[1]
day = os.path.join(root, "interaction_fact", "date_key=2024-03-05")
os.makedirs(day)
table = pa.table({"interaction_id": pa.array([1, 2], pa.int64()),
                  "start_date_time_key": pa.array([1709632800, 1709633700], pa.int32())})
pq.write_table(table, os.path.join(day, "part-b1.parquet"))
os.makedirs(os.path.join(root, "_batches", "b1"))
open(os.path.join(root, "_batches", "b1", "manifest.json"), "w").write("{}")
"#;
    python(script, &[&root.display().to_string()]);
}

/// Runs a Python script with `args`; its standard output.
pub fn python(script: &str, args: &[&str]) -> String {
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).to_string()
}
