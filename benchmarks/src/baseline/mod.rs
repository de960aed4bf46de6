//! Peer baselines of the voice transform: the views of Job_TransformGIM's voice stream
//! (`tidemark_plans::transform::voice::views()`) run over the same input rows by three
//! engines, each timed from the loaded inputs to the materialized outputs.
//!
//! - **DataFusion** (Tidemark, [`df`]): every voice input over the whole backlog (all merged
//!   interaction files, every GIDB day) materialized in memory, untimed; then timed:
//!   `materialize_views_keeping(voice::views(), OUTPUTS)` and collecting each output.
//! - **PostgreSQL in database**, the way Genesys Info Mart transforms ([`postgres`]): the
//!   same rows loaded by `COPY` into a fresh database and analyzed, untimed; then timed:
//!   the views in PostgreSQL's dialect and each output materialized by `CREATE TABLE AS`.
//! - **DuckDB** ([`duckdb`], the Python package): the same rows written as Parquet and
//!   loaded as tables, untimed; then timed the same way inside the script.
//!
//! DataFusion materializes every view; the two others materialize the views several later
//! views read ([`shared_views`]) and keep the rest as plain views. For every output the
//! engines must agree on the row count and on the sum of every integer column; what they
//! disagree on is listed in [`TransformBaselines::mismatches`], not raised.

pub mod df;
pub mod dialect;
pub mod duckdb;
pub mod postgres;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use tidemark::config::Config;
use tidemark::jobs::extract::open_gidb;
use tidemark::jobs::transform as tx;
use tidemark_plans::transform::{voice, View};
use tidemark_sinks::database::Database;

use crate::pg::PgServer;

/// One engine's run of the voice transform views.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EngineRun {
    /// `datafusion`, `postgres` or `duckdb`.
    pub engine: String,
    /// Seconds from the loaded inputs to every output materialized (0 when it failed).
    pub wall_s: f64,
    /// Rows and integer sums of each output, in [`OUTPUTS`] order.
    pub outputs: Vec<OutputRows>,
    /// Why the engine could not run the views, if it could not.
    pub error: Option<String>,
}

/// What one engine produced for one output view.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct OutputRows {
    /// The output view (`voice_interaction_fact`, …).
    pub output: String,
    /// Rows of the output.
    pub rows: u64,
    /// Sum of every integer column of the output (0 for no row or only NULLs), by column.
    pub sums: BTreeMap<String, i64>,
}

/// The three engines over the same voice inputs, and where they disagree.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TransformBaselines {
    /// Rows of each input table, as every engine received them.
    pub input_rows: Vec<(String, u64)>,
    /// Tidemark's engine.
    pub datafusion: EngineRun,
    /// The views in PostgreSQL, in database.
    pub postgres: EngineRun,
    /// The views in DuckDB.
    pub duckdb: EngineRun,
    /// One line per difference in rows or an integer sum, naming output, column and
    /// engines; empty when the engines that ran agree.
    pub mismatches: Vec<String>,
}

/// The voice outputs compared, in the order reported.
pub const OUTPUTS: [&str; 5] = [
    voice::INTERACTION_FACT,
    voice::IRF,
    voice::MSF,
    voice::RESOURCE_GROUP_COMBINATION,
    voice::DISCARDS,
];

/// One input table of the views, with the rows DataFusion materialized for it.
#[derive(Debug, Clone)]
pub struct InputTable {
    /// The input's name (`tx_call`, `im_resource`, …).
    pub name: String,
    /// Its columns.
    pub schema: SchemaRef,
    /// Its rows.
    pub batches: Vec<RecordBatch>,
}

impl InputTable {
    /// Number of rows.
    pub fn rows(&self) -> u64 {
        self.batches.iter().map(|b| b.num_rows() as u64).sum()
    }
}

/// Runs the three engines over the voice inputs of everything extracted so far.
pub async fn measure(
    config: &Arc<Config>,
    infomart: &dyn Database,
    pg: &PgServer,
    scratch: &Path,
) -> Result<TransformBaselines> {
    let gidb = open_gidb(config)?;
    let ctx = tx::new_session(&gidb);
    df::register_inputs(&ctx, &gidb, infomart).await?;
    let inputs = df::input_tables(&ctx).await?;
    let views = voice::views();
    let shared = shared_views(&views);
    let datafusion = EngineRun::of("datafusion", df::run(&ctx, &views).await);
    drop(ctx);
    let postgres = EngineRun::of(
        "postgres",
        postgres::run(pg, &inputs, &views, &shared).await,
    );
    let duckdb = EngineRun::of(
        "duckdb",
        duckdb::run(scratch, &inputs, &views, &shared).await,
    );
    let mismatches = compare(&[&datafusion, &postgres, &duckdb]);
    Ok(TransformBaselines {
        input_rows: inputs.iter().map(|t| (t.name.clone(), t.rows())).collect(),
        datafusion,
        postgres,
        duckdb,
        mismatches,
    })
}

impl EngineRun {
    /// The run of `engine` from its wall time and outputs, or its error.
    fn of(engine: &str, result: Result<(f64, Vec<OutputRows>)>) -> Self {
        let (wall_s, outputs, error) = match result {
            Ok((wall_s, outputs)) => (wall_s, outputs, None),
            Err(e) => (0.0, Vec::new(), Some(format!("{e:#}"))),
        };
        EngineRun {
            engine: engine.to_string(),
            wall_s,
            outputs,
            error,
        }
    }
}

/// The views that two or more later views read by name. PostgreSQL and DuckDB materialize
/// them as tables (as DataFusion materializes every view), so a view several others read
/// is computed once; the others stay views, planned into their readers. With the current
/// voice views these are 16 of them: the calls, parties and legs (`vx_call`, `vx_party`,
/// `vx_leg`, `vx_irf_origin`), the virtual-queue rows (`vx_vq`), the IRFs ranked, numbered
/// and kept (`vx_irf_ranked`, `vx_interaction_ids`, `vx_irf_ids`, `vx_irf_kept`), the
/// mediation segments (`vx_msf`), the discards (`vx_discard`) and the group-combination
/// steps (`vx_group_membership`, `vx_segment_group`, `vx_segment_set`,
/// `vx_known_combination`, `vx_new_combination`).
pub fn shared_views(views: &[View]) -> BTreeSet<String> {
    views
        .iter()
        .enumerate()
        .filter(|(i, view)| {
            views[i + 1..]
                .iter()
                .filter(|later| reads(&later.sql, &view.name))
                .count()
                >= 2
        })
        .map(|(_, view)| view.name.clone())
        .collect()
}

/// Whether `sql` names `table` as a whole identifier.
fn reads(sql: &str, table: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    sql.match_indices(table).any(|(at, _)| {
        let before = sql.as_bytes().get(at.wrapping_sub(1)).copied();
        let after = sql.as_bytes().get(at + table.len()).copied();
        !(before.is_some_and(word) || after.is_some_and(word))
    })
}

/// `select count(*), coalesce(cast(sum(c) as bigint), 0), …` over `table`, in the SQL all
/// three engines read.
pub fn sums_sql(table: &str, columns: &[String]) -> String {
    let mut items = vec!["count(*)".to_string()];
    items.extend(
        columns
            .iter()
            .map(|c| format!("coalesce(cast(sum({c}) as bigint), 0)")),
    );
    format!("select {} from {table}", items.join(", "))
}

/// Every difference between the first engine that ran and each other that ran.
fn compare(runs: &[&EngineRun]) -> Vec<String> {
    let mut ran = runs.iter().filter(|r| r.error.is_none());
    let Some(reference) = ran.next() else {
        return Vec::new();
    };
    let mut mismatches = Vec::new();
    for other in ran {
        let (a, b) = (&reference.engine, &other.engine);
        for expected in &reference.outputs {
            let name = &expected.output;
            let Some(got) = other.outputs.iter().find(|o| &o.output == name) else {
                mismatches.push(format!("{name}: no output from {b}"));
                continue;
            };
            if expected.rows != got.rows {
                mismatches.push(format!(
                    "{name}: rows {a} {}, {b} {}",
                    expected.rows, got.rows
                ));
            }
            let columns: BTreeSet<&String> = expected.sums.keys().chain(got.sums.keys()).collect();
            for column in columns {
                let show =
                    |v: Option<&i64>| v.map_or("not an integer column".into(), i64::to_string);
                let (x, y) = (expected.sums.get(column), got.sums.get(column));
                if x != y {
                    mismatches.push(format!(
                        "{name}.{column}: sum {a} {}, {b} {}",
                        show(x),
                        show(y)
                    ));
                }
            }
        }
    }
    mismatches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_views_are_read_by_two_later_views() {
        let views = vec![
            View::new("a", "select 1 as x"),
            View::new("ab", "select * from a"),
            View::new("b", "select * from a join ab on true"),
            View::new("c", "select * from b"),
        ];
        let shared: Vec<String> = shared_views(&views).into_iter().collect();
        assert_eq!(shared, vec!["a".to_string()]);
    }

    #[test]
    fn voice_views_shared_by_later_views() {
        let shared = shared_views(&voice::views());
        println!("shared voice views: {shared:?}");
        for name in [
            "vx_call",
            "vx_party",
            "vx_leg",
            "vx_irf_origin",
            "vx_irf_ids",
        ] {
            assert!(shared.contains(name), "{name}");
        }
        assert!(!shared.contains(voice::IRF));
    }

    #[test]
    fn differences_name_output_column_and_engines() {
        let run = |engine: &str, rows: u64, sum: i64| EngineRun {
            engine: engine.into(),
            wall_s: 1.0,
            outputs: vec![OutputRows {
                output: "voice_interaction_fact".into(),
                rows,
                sums: BTreeMap::from([("interaction_id".to_string(), sum)]),
            }],
            error: None,
        };
        let failed = EngineRun::of("duckdb", Err(anyhow::anyhow!("dialect")));
        let found = compare(&[&run("datafusion", 2, 3), &run("postgres", 2, 4), &failed]);
        assert_eq!(
            found,
            vec!["voice_interaction_fact.interaction_id: sum datafusion 3, postgres 4"]
        );
    }
}
