//! The indexes extraction needs in each configured IDB: checked on every initialization run,
//! created where missing. An IDB that cannot be reached, or whose tables do not exist yet, is
//! reported and skipped; extraction checks again when it first reads that IDB.

use tidemark_schemas::{ddl, idb, Domain};
use tidemark_sinks::database;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::jobs::{JobError, JobOutcome};

/// Checks every DAP's IDB for the extraction indexes of the tables of its domains.
pub async fn ensure_idb_indexes(
    config: &Config,
    cancel: &CancellationToken,
    outcome: &mut JobOutcome,
) -> Result<(), JobError> {
    for dap in &config.dap {
        if cancel.is_cancelled() {
            return Err(JobError::Stopped);
        }
        let domains: Vec<Domain> = dap.domains();
        let db = match database::connect(&dap.url).await {
            Ok(db) => db,
            Err(e) => {
                outcome.say(format!(
                    "DAP {}: IDB not reachable, indexes not checked: {e}",
                    dap.name
                ));
                continue;
            }
        };
        let (mut created, mut present, mut missing_tables) = (0, 0, 0);
        for table in idb::tables() {
            let wanted = table
                .extraction
                .as_ref()
                .is_some_and(|x| x.domains.iter().any(|d| domains.contains(d)));
            if !wanted || table.indexes.is_empty() {
                continue;
            }
            if !db.table_exists(&table.sql_name()).await? {
                missing_tables += 1;
                continue;
            }
            let existing = db.index_names(&table.sql_name()).await?;
            let statements: Vec<String> = ddl::create_indexes(table)
                .into_iter()
                .zip(&table.indexes)
                .filter(|(_, ix)| !existing.iter().any(|e| e.eq_ignore_ascii_case(&ix.name)))
                .map(|(sql, _)| sql)
                .collect();
            present += table.indexes.len() - statements.len();
            if !statements.is_empty() {
                db.execute_all(&statements).await?;
                created += statements.len();
                outcome.changed = true;
            }
        }
        let mut line = format!(
            "DAP {}: {present} extraction indexes present, {created} created",
            dap.name
        );
        if missing_tables > 0 {
            line.push_str(&format!(", {missing_tables} tables not in the IDB yet"));
        }
        outcome.say(line);
    }
    Ok(())
}
