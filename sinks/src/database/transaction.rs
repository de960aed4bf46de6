//! Several writes committed as one transaction: the transform job's facts, dimensions and
//! control rows reach the Info Mart together or not at all (DESIGN.md, data flow).
//!
//! A transaction is a list of [`WriteStep`]s given to [`Database::write_all`]. Batches are
//! aligned with their table as [`Database::write_batch`] aligns them (columns matched by
//! name, cast to the table column's type). Each flavour writes rows its fastest set-based
//! way: PostgreSQL binary-COPYs every batch into a temporary staging table and merges it
//! with one `INSERT … SELECT … ON CONFLICT`; SQLite runs one prepared
//! `INSERT … ON CONFLICT` per row; MySQL multi-row `INSERT … ON DUPLICATE KEY UPDATE`.
//!
//! ```no_run
//! # async fn demo(
//! #     db: &dyn tidemark_sinks::database::Database,
//! #     resource: tidemark_schemas::TableDef,
//! #     resources: arrow::record_batch::RecordBatch,
//! #     fact: tidemark_schemas::TableDef,
//! #     facts: arrow::record_batch::RecordBatch,
//! # ) -> Result<(), tidemark_sinks::database::DatabaseError> {
//! use tidemark_sinks::database::WriteStep;
//!
//! let affected = db
//!     .write_all(vec![
//!         WriteStep::Upsert {
//!             table: resource,
//!             batch: resources,
//!             keep: vec!["CREATE_AUDIT_KEY".into()],
//!         },
//!         WriteStep::Insert { table: fact, batch: facts },
//!         WriteStep::Sql("update ctl_hwm set hwm = 42 where name = 'transform'".into()),
//!     ])
//!     .await?;
//! assert_eq!(affected.len(), 3);
//! # Ok(()) }
//! ```
//!
//! [`Database::write_all`]: super::Database::write_all
//! [`Database::write_batch`]: super::Database::write_batch

use arrow::record_batch::RecordBatch;
use tidemark_schemas::ddl::rendered_primary_key;
use tidemark_schemas::{Dialect, TableDef};

use super::batch::AlignedBatch;
use super::error::DatabaseError;

/// One step of a write transaction.
#[derive(Debug, Clone)]
pub enum WriteStep {
    /// Runs a statement (or `;`-separated script).
    Sql(String),
    /// Inserts the batch's rows.
    Insert {
        /// Table written into; it must exist with the columns this description gives.
        table: TableDef,
        /// Rows to insert; columns matched to the table's by name, as `write_batch` does.
        batch: RecordBatch,
    },
    /// Inserts the batch's rows, or updates the existing row with the same primary key
    /// (the table's `pk`); columns named in `keep` (e.g. CREATE_AUDIT_KEY) keep their stored
    /// value on update.
    ///
    /// The batch must hold every primary-key column (in PostgreSQL also the partition key
    /// of a partitioned table) and no two rows with the same key. On update, the batch's
    /// other columns overwrite the stored ones except those in `keep`; table columns the
    /// batch lacks keep their stored value (and get their default on insert).
    Upsert {
        /// Table written into; it must have a primary key.
        table: TableDef,
        /// Rows to insert or update.
        batch: RecordBatch,
        /// Column names (any case) whose stored value an update leaves alone.
        keep: Vec<String>,
    },
}

impl WriteStep {
    /// What the step does, for messages: `insert into <table>`, `upsert into <table>` or
    /// `SQL statement`.
    pub fn label(&self) -> String {
        match self {
            WriteStep::Sql(_) => "SQL statement".into(),
            WriteStep::Insert { table, .. } => format!("insert into {}", table.sql_name()),
            WriteStep::Upsert { table, .. } => format!("upsert into {}", table.sql_name()),
        }
    }

    /// The step as the flavours run it: SQL text, rows to write, or nothing (a batch of
    /// no rows, which is skipped).
    pub(crate) fn work(&self) -> Work<'_> {
        match self {
            WriteStep::Sql(sql) => Work::Sql(sql),
            WriteStep::Insert { batch, .. } | WriteStep::Upsert { batch, .. }
                if batch.num_rows() == 0 =>
            {
                Work::Nothing
            }
            WriteStep::Insert { table, batch } => Work::Rows {
                table,
                batch,
                keep: None,
            },
            WriteStep::Upsert { table, batch, keep } => Work::Rows {
                table,
                batch,
                keep: Some(keep),
            },
        }
    }

    /// The error of step `index` (from 0) of `total`, wrapping its cause.
    pub(crate) fn failed(&self, index: usize, total: usize, cause: DatabaseError) -> DatabaseError {
        DatabaseError::Step {
            step: self.label(),
            number: index + 1,
            total,
            cause: Box::new(cause),
        }
    }
}

/// What one step asks of the database.
pub(crate) enum Work<'a> {
    /// Run the statement or script.
    Sql(&'a str),
    /// Write the rows: insert only (`keep` is `None`) or upsert.
    Rows {
        table: &'a TableDef,
        batch: &'a RecordBatch,
        keep: Option<&'a [String]>,
    },
    /// Skip the step: its batch has no rows.
    Nothing,
}

/// The clause that turns an INSERT of the aligned batch into an upsert, with a leading
/// space: `on conflict (key) do update set c = excluded.c, …` (PostgreSQL, SQLite) or
/// `on duplicate key update c = values(c), …` (MySQL). Every batch column that is neither
/// a key column nor in `keep` is updated; with none left, a conflicting row is left alone.
pub(crate) fn upsert_clause(
    aligned: &AlignedBatch<'_>,
    keep: &[String],
    dialect: Dialect,
) -> Result<String, DatabaseError> {
    let table = aligned.table();
    let key = rendered_primary_key(table, dialect);
    if key.is_empty() {
        return Err(DatabaseError::batch(
            &table.name,
            "an upsert needs a primary key, and the table has none",
        ));
    }
    let in_batch = |name: &str| aligned.columns().iter().any(|c| c.sql_name() == name);
    if let Some(missing) = key.iter().find(|k| !in_batch(k)) {
        return Err(DatabaseError::batch(
            &table.name,
            format!("an upsert needs every key column in the batch, and {missing} is missing"),
        ));
    }
    if let Some(unknown) = keep.iter().find(|k| table.column(k).is_none()) {
        return Err(DatabaseError::batch(
            &table.name,
            format!("`keep` names column `{unknown}`, which the table does not have"),
        ));
    }
    let updated: Vec<String> = aligned
        .columns()
        .iter()
        .map(|c| c.sql_name())
        .filter(|name| !key.contains(name) && !keep.iter().any(|k| k.eq_ignore_ascii_case(name)))
        .map(|name| dialect.ident(&name))
        .collect();
    Ok(match dialect {
        Dialect::MySql => {
            // MySQL has no DO NOTHING; assigning a key column its own value is the no-op
            // that does not also swallow other errors as INSERT IGNORE would.
            let assignments = if updated.is_empty() {
                let first = dialect.ident(&key[0]);
                format!("{first} = {first}")
            } else {
                assignments(&updated, |c| format!("values({c})"))
            };
            format!(" on duplicate key update {assignments}")
        }
        Dialect::Postgres | Dialect::Sqlite => {
            let target = key.join(", ");
            if updated.is_empty() {
                format!(" on conflict ({target}) do nothing")
            } else {
                let assignments = assignments(&updated, |c| format!("excluded.{c}"));
                format!(" on conflict ({target}) do update set {assignments}")
            }
        }
    })
}

/// `c = <new value of c>, …`.
fn assignments(columns: &[String], new_value: impl Fn(&str) -> String) -> String {
    columns
        .iter()
        .map(|c| format!("{c} = {}", new_value(c)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Int64Array, StringArray};
    use arrow::datatypes::{Field, Schema};
    use tidemark_schemas::{SqlType, TableFamily};

    use super::*;

    fn resource() -> TableDef {
        TableDef::new("RESOURCE_", TableFamily::MartDimension, "test dimension")
            .req("RESOURCE_KEY", SqlType::BigInt, "key")
            .col("RESOURCE_NAME", SqlType::Varchar(64), "name")
            .col(
                "CREATE_AUDIT_KEY",
                SqlType::BigInt,
                "audit key of the insert",
            )
            .col(
                "UPDATE_AUDIT_KEY",
                SqlType::BigInt,
                "audit key of the last update",
            )
            .pk(&["RESOURCE_KEY"])
    }

    fn batch(names: &[&str]) -> RecordBatch {
        let columns: Vec<(Field, ArrayRef)> = names
            .iter()
            .map(|n| match *n {
                "resource_name" => (
                    Field::new(*n, arrow::datatypes::DataType::Utf8, true),
                    Arc::new(StringArray::from(vec!["a"])) as ArrayRef,
                ),
                _ => (
                    Field::new(*n, arrow::datatypes::DataType::Int64, true),
                    Arc::new(Int64Array::from(vec![1])) as ArrayRef,
                ),
            })
            .collect();
        let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = columns.into_iter().unzip();
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).expect("valid batch")
    }

    fn clause(table: &TableDef, names: &[&str], keep: &[&str], dialect: Dialect) -> String {
        let batch = batch(names);
        let aligned = AlignedBatch::new(table, &batch).expect("aligns");
        let keep: Vec<String> = keep.iter().map(|k| k.to_string()).collect();
        match upsert_clause(&aligned, &keep, dialect) {
            Ok(clause) => clause,
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn upsert_updates_batch_columns_except_key_and_keep() {
        let all = [
            "update_audit_key",
            "resource_key",
            "create_audit_key",
            "resource_name",
        ];
        assert_eq!(
            clause(&resource(), &all, &["CREATE_AUDIT_KEY"], Dialect::Postgres),
            " on conflict (resource_key) do update set resource_name = excluded.resource_name, \
             update_audit_key = excluded.update_audit_key"
        );
        assert_eq!(
            clause(&resource(), &all, &["create_audit_key"], Dialect::MySql),
            " on duplicate key update `resource_name` = values(`resource_name`), \
             `update_audit_key` = values(`update_audit_key`)"
        );
        assert_eq!(
            clause(&resource(), &["resource_key"], &[], Dialect::Sqlite),
            " on conflict (resource_key) do nothing"
        );
        assert_eq!(
            clause(&resource(), &["resource_key"], &[], Dialect::MySql),
            " on duplicate key update `resource_key` = `resource_key`"
        );
    }

    #[test]
    fn partitioned_postgres_tables_conflict_on_key_and_partition_key() {
        let fact = TableDef::new("T_FACT", TableFamily::MartFact, "test fact")
            .req("ID", SqlType::BigInt, "key")
            .req("START_DATE_TIME_KEY", SqlType::BigInt, "partition key")
            .col("UPDATE_AUDIT_KEY", SqlType::BigInt, "audit")
            .pk(&["ID"])
            .partition_by("START_DATE_TIME_KEY");
        let names = ["id", "start_date_time_key", "update_audit_key"];
        assert_eq!(
            clause(&fact, &names, &[], Dialect::Postgres),
            " on conflict (id, start_date_time_key) do update set \
             update_audit_key = excluded.update_audit_key"
        );
        assert_eq!(
            clause(&fact, &names, &[], Dialect::Sqlite),
            " on conflict (id) do update set start_date_time_key = excluded.start_date_time_key, \
             update_audit_key = excluded.update_audit_key"
        );
        let err = clause(&fact, &["id"], &[], Dialect::Postgres);
        assert!(err.contains("start_date_time_key is missing"), "{err}");
    }

    #[test]
    fn upserts_without_key_or_with_unknown_keep_columns_are_refused() {
        let no_key = TableDef::new("T_LOG", TableFamily::MartControl, "no key").col(
            "RESOURCE_KEY",
            SqlType::BigInt,
            "key",
        );
        let err = clause(&no_key, &["resource_key"], &[], Dialect::Sqlite);
        assert!(err.contains("t_log") && err.contains("no"), "{err}");
        let err = clause(&resource(), &["resource_name"], &[], Dialect::Sqlite);
        assert!(err.contains("resource_key is missing"), "{err}");
        let err = clause(
            &resource(),
            &["resource_key"],
            &["CREATED"],
            Dialect::Sqlite,
        );
        assert!(err.contains("`CREATED`"), "{err}");
    }

    #[test]
    fn steps_name_their_table_and_skip_empty_batches() {
        let empty = RecordBatch::new_empty(resource().arrow_schema());
        let step = WriteStep::Upsert {
            table: resource(),
            batch: empty,
            keep: vec![],
        };
        assert_eq!(step.label(), "upsert into resource_");
        assert!(matches!(step.work(), Work::Nothing));
        let err = step
            .failed(2, 3, DatabaseError::batch("RESOURCE_", "bad"))
            .to_string();
        assert!(
            err.starts_with("upsert into resource_ (step 3 of 3"),
            "{err}"
        );
        assert!(
            err.ends_with("cannot write batch into table resource_: bad"),
            "{err}"
        );
    }
}
