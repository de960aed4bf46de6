//! Reading GIDB with DataFusion (idb.md §5.1): a GIDB folder registered as a table over its
//! Parquet files with the `day` partition column, and the "latest version wins" view that
//! keeps one row per row identity.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::error::Result;
use datafusion::prelude::SessionContext;
use tidemark_schemas::{gidb, TableDef};

/// Registers every file of the GIDB folder at `folder_url` (ending with `/`) as table
/// `name`, with the GIDB schema of `table` plus the `day` partition column (`YYYY-MM-DD`).
/// The object store of the URL must be registered with `ctx` (local files always are).
pub async fn register_folder(
    ctx: &SessionContext,
    name: &str,
    folder_url: &str,
    table: &TableDef,
) -> Result<()> {
    let url = ListingTableUrl::parse(folder_url)?;
    let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
        .with_file_extension(".parquet")
        .with_table_partition_cols(vec![("day".to_string(), DataType::Utf8)]);
    let config = ListingTableConfig::new(url)
        .with_listing_options(options)
        .with_schema(gidb::arrow_schema(table));
    ctx.register_table(name, Arc::new(ListingTable::try_new(config)?))?;
    Ok(())
}

/// Which rows count as versions of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKey {
    /// The row identity: `data_source_key`, `icon_dbid` and the IDB surrogate key.
    Identity,
    /// The business key within a data source (CallID, IRID, …; idb.md §4.1): one row per
    /// object even when both IDBs of an HA pair supplied it.
    Business,
}

impl RowKey {
    fn columns(self, table: &TableDef) -> Vec<String> {
        let extraction = table.extraction.as_ref();
        match self {
            RowKey::Business if extraction.is_some_and(|e| !e.business_key.is_empty()) => {
                let mut key = vec![gidb::DATA_SOURCE_KEY.to_string()];
                key.extend(
                    extraction
                        .into_iter()
                        .flat_map(|e| e.business_key.iter())
                        .map(|c| c.to_ascii_lowercase()),
                );
                key
            }
            _ => gidb::row_identity(table),
        }
    }
}

/// SQL keeping, per `key` (row identity or business key), the version with the greatest
/// (version time, `gsys_useq`, `create_audit_key`) of the rows of `source` (a registered
/// GIDB folder). The `day` partition column is not returned.
pub fn latest_version_sql(table: &TableDef, source: &str, key: RowKey) -> String {
    let columns: Vec<String> = gidb::arrow_schema(table)
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let mut order = Vec::new();
    if let Some(version) = gidb::version_column(table) {
        order.push(format!("{version} desc nulls last"));
    }
    if table.column("GSYS_USEQ").is_some() {
        order.push("gsys_useq desc nulls last".into());
    }
    order.push(format!("{} desc", gidb::CREATE_AUDIT_KEY));
    format!(
        "select {cols} from (select {cols}, row_number() over (partition by {identity} order by {order}) as version_rank \
         from {source}) where version_rank = 1",
        cols = columns.join(", "),
        identity = key.columns(table).join(", "),
        order = order.join(", ")
    )
}

/// Registers the GIDB folder of `table` as `<name>_files` and its latest versions per `key`
/// as view `name`.
pub async fn register_latest(
    ctx: &SessionContext,
    name: &str,
    folder_url: &str,
    table: &TableDef,
    key: RowKey,
) -> Result<()> {
    let files = format!("{name}_files");
    register_folder(ctx, &files, folder_url, table).await?;
    let view = ctx.sql(&latest_version_sql(table, &files, key)).await?;
    ctx.register_table(name, view.into_view())?;
    Ok(())
}
