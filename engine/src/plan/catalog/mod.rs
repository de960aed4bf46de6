//! What plan files can query, registered on one DataFusion session:
//!
//! * the Info Mart tables of the model (and custom calendars) by their lower-case names, read
//!   lazily from the database ([`mart`]), and the ADMIN_* views over them ([`views`]);
//! * GIDB as `gidb.<name>` and the Parquet export as `export.<table>` ([`files`]).

mod files;
mod mart;
mod pushdown;
mod views;

use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use datafusion::catalog::MemorySchemaProvider;
use datafusion::prelude::SessionContext;
use tidemark_schemas::mart::dimensions_fixed::date_time_table;
use tidemark_schemas::TableDef;

pub use files::{EXPORT_SCHEMA, GIDB_SCHEMA};

use super::PlanError;
use crate::config::Config;
use crate::sources::mart::MartReader;

/// The schema the Info Mart tables are in (DataFusion's default).
pub const MART_SCHEMA: &str = "public";

/// One queryable table: its name as plan files write it and its columns.
#[derive(Debug, Clone)]
pub struct TableListing {
    /// `interaction_fact`, `gidb.g_call_v`, `export.interaction_fact`.
    pub name: String,
    /// Columns, types and nullability.
    pub schema: SchemaRef,
}

/// Registers every Info Mart table and view, GIDB table and export table of `config` on
/// `ctx`. Connects to the Info Mart; reads no rows.
pub async fn register_all(ctx: &SessionContext, config: &Config) -> Result<(), PlanError> {
    let reader = open_mart(config).await?;
    for def in mart_tables(config) {
        let table = mart::MartTable::new(def.sql_name(), def.columns.clone(), reader.clone());
        ctx.register_table(def.sql_name(), Arc::new(table))
            .map_err(|e| PlanError::Catalog {
                what: def.sql_name(),
                reason: e.to_string(),
            })?;
    }
    views::register_views(ctx).await;
    let catalog = ctx
        .catalog(&default_catalog(ctx))
        .expect("the default catalog exists");
    for schema in [GIDB_SCHEMA, EXPORT_SCHEMA] {
        catalog
            .register_schema(schema, Arc::new(MemorySchemaProvider::new()))
            .map_err(|e| PlanError::Catalog {
                what: schema.to_string(),
                reason: e.to_string(),
            })?;
    }
    files::register_gidb(ctx, &config.gidb.url).await?;
    files::register_exports(ctx, export_parquet_url(config)).await
}

/// `[gim-export] parquet-url`, when set.
fn export_parquet_url(config: &Config) -> Option<&str> {
    config.gim_export.parquet_url.as_deref()
}

/// The model's tables, and the custom calendars the configuration adds (`[date-time-<name>]`).
fn mart_tables(config: &Config) -> Vec<TableDef> {
    let mut tables = tidemark_schemas::mart::tables().to_vec();
    for (_, calendar) in config.all_calendars() {
        let name = calendar.date_time_table_name.to_ascii_uppercase();
        if !tables.iter().any(|t| t.name == name) {
            tables.push(date_time_table(&name));
        }
    }
    tables
}

/// Connects to the Info Mart; a SQLite file must exist (plans never create one).
async fn open_mart(config: &Config) -> Result<MartReader, PlanError> {
    let url = &config.infomart.url;
    if let Some(path) = config.infomart.sqlite_path().filter(|p| !p.exists()) {
        return Err(PlanError::Config(format!(
            "[infomart] url: {} does not exist; Job_InitializeGIM creates the Info Mart",
            path.display()
        )));
    }
    MartReader::open(url).await.map_err(PlanError::Mart)
}

fn default_catalog(ctx: &SessionContext) -> String {
    ctx.state()
        .config()
        .options()
        .catalog
        .default_catalog
        .clone()
}

/// Every registered table: the Info Mart's, then GIDB's, then the export's, each sorted.
pub async fn list(ctx: &SessionContext) -> Result<Vec<TableListing>, PlanError> {
    let catalog = ctx
        .catalog(&default_catalog(ctx))
        .expect("the default catalog exists");
    let mut listing = Vec::new();
    for schema_name in [MART_SCHEMA, GIDB_SCHEMA, EXPORT_SCHEMA] {
        let Some(schema) = catalog.schema(schema_name) else {
            continue;
        };
        let mut names = schema.table_names();
        names.sort();
        for name in names {
            let table = schema.table(&name).await.map_err(|e| PlanError::Catalog {
                what: name.clone(),
                reason: e.to_string(),
            })?;
            let Some(table) = table else { continue };
            listing.push(TableListing {
                name: match schema_name {
                    MART_SCHEMA => name,
                    _ => format!("{schema_name}.{name}"),
                },
                schema: table.schema(),
            });
        }
    }
    Ok(listing)
}
