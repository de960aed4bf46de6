//! Reading chosen chunk files of a GIDB folder: the files whose extraction window a job step
//! can reach (file names carry the window, `tidemark_sinks::gidb::ChunkFile`), registered as
//! the latest versions of their rows. A step then costs what it reaches, not the size of
//! GIDB.

use std::sync::Arc;

use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use tidemark_plans::gidb::{latest_version_sql, RowKey};
use tidemark_schemas::gidb::arrow_schema;
use tidemark_schemas::TableDef;
use tidemark_sinks::gidb::{ChunkFile, GidbStore};

use super::JobError;

/// One chunk file of a GIDB folder: its extraction window `(lo, hi]` and its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkUrl {
    /// Window start, exclusive (epoch seconds).
    pub lo: i64,
    /// Window end, inclusive (epoch seconds).
    pub hi: i64,
    /// URL of the file, for DataFusion.
    pub url: String,
}

/// Every chunk file of `folder`, in path order.
pub async fn chunk_listing(gidb: &GidbStore, folder: &str) -> Result<Vec<ChunkUrl>, JobError> {
    let files = gidb
        .files(folder)
        .await
        .map_err(|e| JobError::Data(e.to_string()))?;
    let root = gidb.folder_url(folder);
    Ok(files
        .iter()
        .filter_map(|path| {
            let (_, lo, hi) = ChunkFile::parse(path.filename()?)?;
            let relative = path.as_ref().strip_prefix(folder)?.trim_start_matches('/');
            Some(ChunkUrl {
                lo,
                hi,
                url: format!("{root}{relative}"),
            })
        })
        .collect())
}

/// URLs of the chunk files of `folder` whose window `(lo, hi]` `keep` accepts, in path order.
pub async fn chunk_files(
    gidb: &GidbStore,
    folder: &str,
    keep: impl Fn(i64, i64) -> bool,
) -> Result<Vec<String>, JobError> {
    Ok(chunk_listing(gidb, folder)
        .await?
        .into_iter()
        .filter(|c| keep(c.lo, c.hi))
        .map(|c| c.url)
        .collect())
}

/// Keeps only the rows whose key column (and data source, unless `any_source`) are among
/// the rows of another registered table (a semi join).
#[derive(Debug, Clone, Copy)]
pub struct KeyFilter<'a> {
    /// The table holding the keys.
    pub table: &'a str,
    /// The key column, present in both.
    pub key: &'a str,
    /// Whether a key matches rows of every data source, not only its own.
    pub any_source: bool,
}

/// Registers `name` as the latest versions (per business key) of the rows of `files`, of
/// GIDB table `def`, that pass `filter`; an empty table without files. The files' rows are
/// registered as `<name>_files`.
pub async fn register_latest(
    ctx: &SessionContext,
    name: &str,
    def: &TableDef,
    files: Vec<String>,
    filter: Option<KeyFilter<'_>>,
) -> Result<(), JobError> {
    let error = |e: DataFusionError| JobError::Data(format!("reading GIDB {name}: {e}"));
    ctx.deregister_table(name).map_err(error)?;
    let schema = arrow_schema(def);
    if files.is_empty() {
        let empty = MemTable::try_new(schema, vec![vec![]]).map_err(error)?;
        ctx.register_table(name, Arc::new(empty)).map_err(error)?;
        return Ok(());
    }
    let rows = ctx
        .read_parquet(files, ParquetReadOptions::default().schema(&schema))
        .await
        .map_err(error)?;
    let files_table = format!("{name}_files");
    ctx.deregister_table(&files_table).map_err(error)?;
    ctx.register_table(&files_table, rows.into_view())
        .map_err(error)?;
    let source = match filter {
        Some(KeyFilter {
            table,
            key,
            any_source: true,
        }) => format!(
            "(select r.* from {files_table} r left semi join \
             (select distinct {key} from {table}) k on r.{key} = k.{key}) chunk_rows"
        ),
        Some(KeyFilter { table, key, .. }) => format!(
            "(select r.* from {files_table} r left semi join \
             (select distinct data_source_key, {key} from {table}) k \
             on r.data_source_key = k.data_source_key and r.{key} = k.{key}) chunk_rows"
        ),
        None => files_table,
    };
    let view = ctx
        .sql(&latest_version_sql(def, &source, RowKey::Business))
        .await
        .map_err(error)?;
    ctx.register_table(name, view.into_view()).map_err(error)?;
    Ok(())
}
