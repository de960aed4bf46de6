//! The voice views in DataFusion, as Job_TransformGIM runs them: a session with every voice
//! input over the whole backlog materialized in memory (untimed), then the views
//! materialized one after the other and each output collected (timed). The inputs it
//! materialized are the rows the other engines load.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Context, Result};
use arrow::array::{Array, Int64Array};
use arrow::datatypes::{DataType, SchemaRef};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use tidemark::config::GimEtl;
use tidemark::jobs::extract::merge_stage;
use tidemark::jobs::transform as tx;
use tidemark_plans::transform::{inputs, View};
use tidemark_schemas::gidb::MediaFamily;
use tidemark_sinks::database::Database;
use tidemark_sinks::gidb::{ChunkFile, GidbStore};

use super::{sums_sql, InputTable, OutputRows, OUTPUTS};

/// Registers every voice input over the whole backlog, as `run_voice` registers one chunk's:
/// all merged interaction files, every GIDB day (latest versions), the Info Mart keys,
/// `tx_ids` with the next free ids and the default user-data settings; then materializes the file-backed ones in memory.
pub async fn register_inputs(
    ctx: &SessionContext,
    gidb: &GidbStore,
    infomart: &dyn Database,
) -> Result<()> {
    let merged = merged_files(gidb).await?;
    if merged.is_empty() {
        tx::register_rows(ctx, inputs::VOICE_MERGE, vec![])?;
    } else {
        let schema = inputs::schema(inputs::VOICE_MERGE).context("merge schema")?;
        let frame = ctx
            .read_parquet(merged, ParquetReadOptions::default().schema(&schema))
            .await
            .context("reading the merged interaction files")?;
        ctx.register_table(inputs::VOICE_MERGE, frame.into_view())?;
    }
    for (name, table) in inputs::VOICE_GIDB_INPUTS {
        tx::register_gidb(
            ctx,
            gidb,
            name,
            table,
            MediaFamily::Voice,
            &tx::DayRange::default(),
            None,
        )
        .await?;
    }
    tx::register_mart_inputs(ctx, infomart).await?;
    tx::register_ids(ctx, tx::ChunkIds::after_greatest(infomart).await?, 0)?;
    tx::register_user_data_settings(ctx, &GimEtl::default())?;
    tx::materialize_input(ctx, inputs::VOICE_MERGE).await?;
    for (name, _) in inputs::VOICE_GIDB_INPUTS {
        tx::materialize_input(ctx, name).await?;
    }
    Ok(())
}

/// URLs of every merged interaction file the merge stage wrote.
async fn merged_files(gidb: &GidbStore) -> Result<Vec<String>> {
    let folder = merge_stage::MERGED_FOLDER;
    let mut urls = Vec::new();
    for file in gidb.files(folder).await? {
        if file.filename().and_then(ChunkFile::parse).is_none() {
            continue;
        }
        let relative = file.as_ref().trim_start_matches(folder);
        urls.push(format!(
            "{}{}",
            gidb.folder_url(folder),
            relative.trim_start_matches('/')
        ));
    }
    Ok(urls)
}

/// Every input of the voice views with its materialized rows.
pub async fn input_tables(ctx: &SessionContext) -> Result<Vec<InputTable>> {
    let mut names = vec![inputs::VOICE_MERGE];
    names.extend(inputs::VOICE_GIDB_INPUTS.iter().map(|(n, _)| *n));
    names.extend(inputs::MART_INPUTS.iter().map(|(n, _, _)| *n));
    names.extend([inputs::IDS, inputs::USER_DATA_SETTINGS]);
    let mut tables = Vec::new();
    for name in names {
        let frame = ctx.table(name).await?;
        let logical: SchemaRef = frame.schema().inner().clone();
        let batches = frame.collect().await?;
        let schema = batches.first().map_or(logical, |b| b.schema());
        tables.push(InputTable {
            name: name.to_string(),
            schema,
            batches: batches.into_iter().filter(|b| b.num_rows() > 0).collect(),
        });
    }
    Ok(tables)
}

/// Times the views as the job runs them (each materialized in memory, then every output
/// collected), then sums each output.
pub async fn run(ctx: &SessionContext, views: &[View]) -> Result<(f64, Vec<OutputRows>)> {
    let started = Instant::now();
    tx::materialize_views_keeping(ctx, views, &OUTPUTS).await?;
    for output in OUTPUTS {
        tx::collect(ctx, output).await?;
    }
    let wall_s = started.elapsed().as_secs_f64();
    let mut outputs = Vec::new();
    for output in OUTPUTS {
        outputs.push(sums(ctx, output).await?);
    }
    Ok((wall_s, outputs))
}

/// Rows and integer-column sums of `output`, computed by DataFusion.
async fn sums(ctx: &SessionContext, output: &str) -> Result<OutputRows> {
    let schema = ctx.table(output).await?.schema().inner().clone();
    let columns: Vec<String> = schema
        .fields()
        .iter()
        .filter(|f| holds_integers(f.data_type()))
        .map(|f| f.name().clone())
        .collect();
    let batches = ctx
        .sql(&sums_sql(output, &columns))
        .await?
        .collect()
        .await?;
    let batch = batches.first().context("a sum query returns one row")?;
    let value = |i: usize| -> Result<i64> {
        let column = arrow::compute::cast(batch.column(i), &DataType::Int64)?;
        let ints = column
            .as_any()
            .downcast_ref::<Int64Array>()
            .context("cast to Int64")?;
        Ok(if ints.is_null(0) { 0 } else { ints.value(0) })
    };
    let mut sums = BTreeMap::new();
    for (i, column) in columns.iter().enumerate() {
        sums.insert(column.clone(), value(i + 1)?);
    }
    Ok(OutputRows {
        output: output.to_string(),
        rows: value(0)?.max(0) as u64,
        sums,
    })
}

/// Whether DataFusion's `data_type` holds integers: Int*, UInt* and the `Decimal128(20, 0)`
/// DataFusion gives a signed integer plus `row_number()` (an unsigned one).
fn holds_integers(data_type: &DataType) -> bool {
    data_type.is_integer()
        || matches!(
            data_type,
            DataType::Decimal128(_, 0) | DataType::Decimal256(_, 0)
        )
}
