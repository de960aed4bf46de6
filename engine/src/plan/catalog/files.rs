//! Parquet folders as tables: GIDB (`gidb.<name>`, the latest version of each row) and the
//! Parquet export (`export.<table>`, Hive-partitioned by `date_key`).

use std::sync::Arc;

use arrow::datatypes::DataType;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use tidemark_plans::gidb::{register_latest, RowKey};
use tidemark_schemas::gidb::{self, folder_name, MediaFamily};
use tidemark_schemas::idb;
use tidemark_sinks::gidb::GidbStore;

use super::super::PlanError;
use crate::config::{Gidb, GidbLocation};

/// Schema of the GIDB tables.
pub const GIDB_SCHEMA: &str = "gidb";
/// Schema of the Parquet export tables.
pub const EXPORT_SCHEMA: &str = "export";
/// The prefix GIDB folder names carry and table names leave out.
const GIDB_PREFIX: &str = "gidb_";

/// Registers every GIDB table of the model as `gidb.<folder without gidb_>` (`gidb.g_call_v`):
/// the latest version of each row by business key, with `gidb.<name>_files` holding every
/// stored version and its `day`. A table GIDB holds nothing of yet is empty; other folders
/// (the voice merge's) are registered with the schema of their files.
pub async fn register_gidb(ctx: &SessionContext, url: &str) -> Result<(), PlanError> {
    let store = open_store(ctx, url, "[gidb] url")?;
    let present = match &store {
        Some(store) => folders(store, "[gidb] url").await?,
        None => Vec::new(),
    };
    let mut known = Vec::new();
    for def in idb::tables().iter().filter(|t| t.extraction.is_some()) {
        for family in [MediaFamily::Voice, MediaFamily::Multimedia] {
            let folder = folder_name(def, family);
            if known.contains(&folder) {
                continue;
            }
            let name = table_name(GIDB_SCHEMA, &folder);
            match &store {
                Some(store) if present.contains(&folder) => {
                    register_latest(
                        ctx,
                        &name,
                        &store.folder_url(&folder),
                        def,
                        RowKey::Business,
                    )
                    .await
                    .map_err(|e| catalog_error(&name, e))?;
                }
                _ => {
                    let table = MemTable::try_new(gidb::arrow_schema(def), vec![vec![]])
                        .map_err(|e| catalog_error(&name, e))?;
                    ctx.register_table(name.as_str(), Arc::new(table))
                        .map_err(|e| catalog_error(&name, e))?;
                }
            }
            known.push(folder);
        }
    }
    if let Some(store) = &store {
        for folder in present.iter().filter(|f| !known.contains(f)) {
            let name = table_name(GIDB_SCHEMA, folder);
            register_inferred(ctx, &name, &store.folder_url(folder), "day").await?;
        }
    }
    Ok(())
}

/// Registers every table folder of the Parquet export at `url` as `export.<table>`, with the
/// `date_key` partition column (`YYYY-MM-DD`); folders whose name starts with `_` (the batch
/// manifests) are not tables.
pub async fn register_exports(ctx: &SessionContext, url: Option<&str>) -> Result<(), PlanError> {
    let option = "[gim-export] parquet-url";
    let Some(store) = (match url {
        Some(url) => open_store(ctx, url, option)?,
        None => None,
    }) else {
        return Ok(());
    };
    for folder in folders(&store, option).await? {
        let name = table_name(EXPORT_SCHEMA, &folder);
        register_inferred(ctx, &name, &store.folder_url(&folder), "date_key").await?;
    }
    Ok(())
}

/// `schema.table` for a folder.
fn table_name(schema: &str, folder: &str) -> String {
    let table = match schema {
        GIDB_SCHEMA => folder.strip_prefix(GIDB_PREFIX).unwrap_or(folder),
        _ => folder,
    };
    format!("{schema}.{table}")
}

/// The store at `url` (written like `[gidb] url`), registered with `ctx`, or `None` for a
/// local folder that does not exist yet.
fn open_store(
    ctx: &SessionContext,
    url: &str,
    option: &str,
) -> Result<Option<GidbStore>, PlanError> {
    let location = Gidb {
        url: url.to_string(),
    }
    .location()
    .map_err(|e| PlanError::Config(format!("{option}: {e}")))?;
    let store = match location {
        GidbLocation::Local(path) if !path.is_dir() => return Ok(None),
        GidbLocation::Local(path) => GidbStore::local(&path),
        GidbLocation::ObjectStore { url, .. } => GidbStore::from_url(&url),
    };
    let store = store.map_err(|e| PlanError::Config(format!("{option}: {e}")))?;
    store.register_with(ctx);
    Ok(Some(store))
}

/// The top-level folders of `store` that are tables (not starting with `_`), sorted.
async fn folders(store: &GidbStore, option: &str) -> Result<Vec<String>, PlanError> {
    let listing = store
        .object_store()
        .list_with_delimiter(None)
        .await
        .map_err(|e| catalog_error(option, e))?;
    let mut names: Vec<String> = listing
        .common_prefixes
        .iter()
        .filter_map(|p| p.filename().map(str::to_string))
        .filter(|name| !name.starts_with('_'))
        .collect();
    names.sort();
    Ok(names)
}

/// Registers the Parquet files under `folder_url` as table `name`, with the schema of the
/// files and the Hive partition column `partition`; a folder without files is left out.
async fn register_inferred(
    ctx: &SessionContext,
    name: &str,
    folder_url: &str,
    partition: &str,
) -> Result<(), PlanError> {
    let fail = |e| catalog_error(name, e);
    let url = ListingTableUrl::parse(folder_url).map_err(fail)?;
    let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
        .with_file_extension(".parquet")
        .with_table_partition_cols(vec![(partition.to_string(), DataType::Utf8)]);
    let schema = options
        .infer_schema(&ctx.state(), &url)
        .await
        .map_err(fail)?;
    if schema.fields().is_empty() {
        return Ok(());
    }
    let config = ListingTableConfig::new(url)
        .with_listing_options(options)
        .with_schema(schema);
    let table = ListingTable::try_new(config).map_err(fail)?;
    ctx.register_table(name, Arc::new(table)).map_err(fail)?;
    Ok(())
}

fn catalog_error(what: &str, error: impl std::fmt::Display) -> PlanError {
    PlanError::Catalog {
        what: what.to_string(),
        reason: error.to_string(),
    }
}
