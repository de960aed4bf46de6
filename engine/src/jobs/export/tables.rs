//! What Job_ExportGIM exports: the enabled rows of CTL_EXPORT_TABLES (operations.md §3.1),
//! resolved to model tables, export views (§3.4) or GIDB folders.

use tidemark_schemas::batch::record_batch;
use tidemark_schemas::mart::seed::export_tables::{
    self, GIDB_PREFIX, MODE_AUDIT_KEYS, MODE_FULL, MODE_NONE,
};
use tidemark_schemas::table::{ColumnDef, SqlType, TableDef};
use tidemark_schemas::{gidb, idb, mart};
use tidemark_sinks::database::{Database, SqlValue};

use super::super::JobError;

/// Where an exported table's rows come from.
#[derive(Debug, Clone)]
pub enum Origin {
    /// A table or view of the Info Mart database.
    Database {
        /// Table or view name read.
        object: String,
    },
    /// The latest row versions of a GIDB folder.
    Gidb {
        /// The IDB table whose GIDB copy is read.
        idb_table: &'static TableDef,
    },
}

/// How rows are selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Rows whose CREATE_AUDIT_KEY or UPDATE_AUDIT_KEY falls in the chunk.
    AuditKeys {
        /// Whether the table has UPDATE_AUDIT_KEY.
        updates: bool,
    },
    /// Every row, with the first chunk of each run.
    Full,
}

/// One table to export.
#[derive(Debug, Clone)]
pub struct ExportTable {
    /// Lower-case exported name.
    pub name: String,
    /// Where the rows come from.
    pub origin: Origin,
    /// Columns in export order.
    pub columns: Vec<ColumnDef>,
    /// How rows are selected.
    pub selection: Selection,
    /// Epoch-seconds column the Parquet export partitions by, lower case.
    pub day_column: Option<String>,
}

/// Name of the export view of a table (`EXP_<TABLE>`, lower case).
pub fn view_name(table: &str) -> String {
    format!("exp_{}", table.to_ascii_lowercase())
}

/// Writes the default CTL_EXPORT_TABLES rows when the table is empty (an Info Mart
/// initialized before the list existed).
pub async fn ensure_defaults(db: &dyn Database) -> Result<(), JobError> {
    if db
        .query_i64("select count(*) from ctl_export_tables")
        .await?
        > 0
    {
        return Ok(());
    }
    let def = mart::table("CTL_EXPORT_TABLES").expect("CTL_EXPORT_TABLES in the model");
    let batch = record_batch(def, &export_tables::rows())
        .map_err(|e| JobError::Data(format!("default export tables: {e}")))?;
    db.write_batch(def, &batch).await?;
    Ok(())
}

/// The enabled tables, resolved; `use_views` reads model tables through their export
/// views, creating the missing ones from the current columns.
pub async fn load(db: &dyn Database, use_views: bool) -> Result<Vec<ExportTable>, JobError> {
    let rows = db
        .query(
            "select table_name, source_object, incremental_mode from ctl_export_tables \
             where enabled = 1 order by table_name",
        )
        .await?;
    let order: Vec<String> = export_tables::defaults()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let mut tables = Vec::new();
    for row in rows {
        let text = |i: usize| match row.get(i) {
            Some(SqlValue::Null) | None => String::new(),
            Some(v) => v.to_string(),
        };
        let (name, source, mode) = (text(0), text(1), text(2).to_ascii_uppercase());
        if mode == MODE_NONE {
            continue;
        }
        let table = resolve(db, &name, &source, &mode, use_views).await?;
        tables.push(table);
    }
    tables.sort_by_key(|t| {
        order
            .iter()
            .position(|n| n.eq_ignore_ascii_case(&t.name))
            .unwrap_or(usize::MAX)
    });
    Ok(tables)
}

async fn resolve(
    db: &dyn Database,
    name: &str,
    source: &str,
    mode: &str,
    use_views: bool,
) -> Result<ExportTable, JobError> {
    let bad = |why: String| JobError::Config(format!("CTL_EXPORT_TABLES row {name}: {why}"));
    if !matches!(mode, MODE_AUDIT_KEYS | MODE_FULL) {
        return Err(bad(format!(
            "INCREMENTAL_MODE {mode:?} is not AUDIT_KEYS, FULL or NONE"
        )));
    }
    let source = if source.trim().is_empty() {
        name
    } else {
        source.trim()
    };
    if let Some(idb_name) = source.to_ascii_uppercase().strip_prefix(GIDB_PREFIX) {
        let idb_table =
            idb::table(idb_name).ok_or_else(|| bad(format!("{source} is not a GIDB table")))?;
        return Ok(ExportTable {
            name: name.to_ascii_lowercase(),
            origin: Origin::Gidb { idb_table },
            columns: gidb_columns(idb_table),
            selection: Selection::AuditKeys { updates: false },
            day_column: None,
        });
    }
    let def =
        mart::table(source).ok_or_else(|| bad(format!("{source} is not an Info Mart table")))?;
    let (object, columns) = if use_views {
        (view_name(&def.name), view_columns(db, def).await?)
    } else {
        (def.sql_name(), def.columns.clone())
    };
    let has = |c: &str| columns.iter().any(|d| d.name.eq_ignore_ascii_case(c));
    let selection = if mode == MODE_FULL {
        Selection::Full
    } else if has("CREATE_AUDIT_KEY") {
        Selection::AuditKeys {
            updates: has("UPDATE_AUDIT_KEY"),
        }
    } else {
        return Err(bad(format!(
            "INCREMENTAL_MODE AUDIT_KEYS needs CREATE_AUDIT_KEY, which {source} lacks; use FULL"
        )));
    };
    let day_column = def
        .partition_key
        .clone()
        .filter(|k| has(k))
        .map(|k| k.to_ascii_lowercase());
    Ok(ExportTable {
        name: name.to_ascii_lowercase(),
        origin: Origin::Database { object },
        columns,
        selection,
        day_column,
    })
}

/// The columns of a table's export view, creating the view from the table's current
/// columns when it does not exist yet (so its column set stays frozen afterwards).
async fn view_columns(db: &dyn Database, def: &TableDef) -> Result<Vec<ColumnDef>, JobError> {
    let view = view_name(&def.name);
    if !db.table_exists(&view).await? {
        let current = db.table_columns(&def.sql_name()).await?;
        let list: Vec<String> = current
            .iter()
            .map(|c| c.name.to_ascii_lowercase())
            .collect();
        if list.is_empty() {
            return Err(JobError::Config(format!(
                "export view {view}: table {} does not exist",
                def.sql_name()
            )));
        }
        db.execute(&format!(
            "create view {view} as select {} from {}",
            list.join(", "),
            def.sql_name()
        ))
        .await?;
        tracing::info!(view = %view, "created export view");
    }
    let catalog = db.table_columns(&view).await?;
    catalog
        .iter()
        .map(|c| {
            def.column(&c.name).cloned().ok_or_else(|| {
                JobError::Config(format!(
                    "export view {view}: column {} is no longer in {}; re-create the view",
                    c.name, def.name
                ))
            })
        })
        .collect()
}

/// The columns of a GIDB copy: the kept IDB columns and the three GIDB service columns.
fn gidb_columns(idb_table: &TableDef) -> Vec<ColumnDef> {
    let schema = gidb::arrow_schema(idb_table);
    schema
        .fields()
        .iter()
        .map(|f| {
            let sql_type =
                idb_table
                    .column(f.name())
                    .map(|c| c.sql_type)
                    .unwrap_or(match f.name().as_str() {
                        gidb::CREATE_AUDIT_KEY => SqlType::BigInt,
                        _ => SqlType::Integer,
                    });
            ColumnDef {
                name: f.name().to_ascii_uppercase(),
                sql_type,
                nullable: f.is_nullable(),
                default: None,
                doc: "GIDB column",
            }
        })
        .collect()
}

/// The SQL condition selecting the rows of a table that a slice `(low, high]` of the chunk
/// `(chunk_low, chunk_high]` of audit keys holds (`None`: every row, for a full table).
///
/// A chunk holds the rows created or updated under its keys. Each such row falls in exactly
/// one slice: the one holding its UPDATE_AUDIT_KEY when that key is in the chunk, else the
/// one holding its CREATE_AUDIT_KEY.
pub fn chunk_filter(
    selection: Selection,
    (chunk_low, chunk_high): (i64, i64),
    (low, high): (i64, i64),
) -> Option<String> {
    let range = |c: &str, low: i64, high: i64| format!("({c} > {low} and {c} <= {high})");
    match selection {
        Selection::Full => None,
        Selection::AuditKeys { updates: false } => Some(range("create_audit_key", low, high)),
        Selection::AuditKeys { updates: true } if (low, high) == (chunk_low, chunk_high) => {
            Some(format!(
                "{} or {}",
                range("create_audit_key", low, high),
                range("update_audit_key", low, high)
            ))
        }
        Selection::AuditKeys { updates: true } => Some(format!(
            "{} or ({} and not coalesce({}, false))",
            range("update_audit_key", low, high),
            range("create_audit_key", low, high),
            range("update_audit_key", chunk_low, chunk_high)
        )),
    }
}
