//! Planner statistics of the facts the transform looks up again (docs/transform.md, "How a
//! PostgreSQL Info Mart is written").
//!
//! The late user data and multimedia streams read back INTERACTION_FACT and its child facts
//! by GUID and by id, through their indexes. PostgreSQL picks those indexes only when it
//! has statistics of the rows; a backlog loads hundreds of thousands of facts within
//! seconds, long before autovacuum's next round analyzes them, and without statistics every
//! lookup scans the whole table. Before such a stream and each multimedia chunk,
//! [`refresh`] analyzes the fact tables (the partitions, where partitioned) never analyzed
//! yet, and those autovacuum would analyze next (more rows changed since their last analysis
//! than `50 + 10 %` of their rows, its default thresholds, as far as the server's activity
//! counters know), so the lookups run on current statistics. The rows of a table are the
//! larger of the live rows the activity counters hold and the count its last analysis
//! stored: the counters start from zero when the server resets them (after a crash, in a
//! database created from a template), and a partition of a million rows is not analyzed
//! again for fifty changes. Other databases keep their own.

use tidemark_schemas::{mart, Dialect};
use tidemark_sinks::database::Database;

use super::super::JobError;

/// The facts the streams look up by GUID or id.
const LOOKED_UP: [&str; 4] = [
    "INTERACTION_FACT",
    "INTERACTION_RESOURCE_FACT",
    "MEDIATION_SEGMENT_FACT",
    "IXN_RESOURCE_STATE_FACT",
];

/// Analyzes the tables and partitions of [`LOOKED_UP`] never analyzed or changed enough since
/// their last analysis (PostgreSQL only).
#[tracing::instrument(name = "refresh_statistics", level = "debug", skip_all)]
pub async fn refresh(db: &dyn Database) -> Result<(), JobError> {
    if db.dialect() != Dialect::Postgres {
        return Ok(());
    }
    let parents: Vec<String> = LOOKED_UP
        .iter()
        .map(|t| {
            let fact = mart::table(t).expect("Info Mart fact");
            format!("to_regclass('{}')", fact.sql_name())
        })
        .collect();
    let parents = parents.join(", ");
    let stale = db
        .query(&format!(
            "select c.relname::text from pg_class c \
             join pg_stat_user_tables s on s.relid = c.oid \
             where (c.oid in ({parents}) \
                    or c.oid in (select inhrelid from pg_inherits where inhparent in ({parents}))) \
               and c.relkind = 'r' \
               and (c.reltuples < 0 or s.n_mod_since_analyze > 50 + 0.1 * greatest(s.n_live_tup, c.reltuples)) \
             order by 1"
        ))
        .await?;
    for row in stale {
        if let Some(table) = row.first().and_then(|v| v.as_str()) {
            db.execute(&format!("analyze \"{table}\"")).await?;
        }
    }
    Ok(())
}
