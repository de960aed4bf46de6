//! Where the multimedia stream keeps its active-thread state
//! ([`tidemark_plans::transform::multimedia::state`]): in the GIDB store as
//! `state_mm_active/<input>/hwm=<mark>.parquet`, one file per multimedia GIDB input and one
//! for the covered calls (`tx_mm_covered`), written by the chunk that commits `<mark>` before
//! it commits and read by the chunk after it. The covered calls are written last: a state
//! without them is incomplete and reads as no state, which costs a wider GIDB read, never a
//! wrong row. A state of another mark than the stream's is a leftover (spent, or written by a
//! chunk that did not commit) and is removed once a chunk commits.
//!
//! A chunk splits the state it received ([`split`]): the interactions it transforms again
//! are read with its day folders; the others are passed on, appended as they came to the
//! state it writes.

use std::sync::Arc;

use arrow::array::{new_null_array, RecordBatch};
use arrow::datatypes::SchemaRef;
use bytes::Bytes;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use tidemark_plans::transform::multimedia::inputs::{self as mm, MM_COVERED};
use tidemark_plans::transform::multimedia::state::{self, STATE_COVERED, STATE_ROWS};
use tidemark_sinks::gidb::GidbStore;

use super::super::JobError;
use super::session;

/// The state's folder in the GIDB store.
const ROOT: &str = "state_mm_active";

/// The file name of the state handed on at `mark`.
fn file_name(mark: i64) -> String {
    format!("hwm={mark}.parquet")
}

/// The file of input `input` in the state handed on at `mark`.
fn file(input: &str, mark: i64) -> Path {
    Path::from(ROOT).join(input).join(file_name(mark))
}

fn store_error(path: &Path, e: impl std::fmt::Display) -> JobError {
    JobError::Data(format!("active-thread state {path}: {e}"))
}

/// Writes the state computed in `ctx` (the views of the state module), followed by the
/// state `passed_on` unchanged, as the state handed on at `mark`.
pub async fn write(
    ctx: &SessionContext,
    gidb: &GidbStore,
    mark: i64,
    passed_on: Option<&ActiveState>,
) -> Result<(), JobError> {
    let store = gidb.object_store();
    let files = STATE_ROWS
        .iter()
        .map(|(input, view)| (*input, *view))
        .chain([(MM_COVERED, STATE_COVERED)]);
    for (input, view) in files {
        let schema = mm::schema(input).expect("multimedia input schema");
        let mut batches = session::collect(ctx, view).await?;
        if let Some(passed) = passed_on {
            batches.extend(passed.rows_of(input).iter().cloned());
        }
        let path = file(input, mark);
        let bytes = parquet_bytes(&schema, &batches).map_err(|e| store_error(&path, e))?;
        store
            .put(&path, bytes.into())
            .await
            .map_err(|e| store_error(&path, e))?;
    }
    Ok(())
}

/// `batches` as one Parquet file.
fn parquet_bytes(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Bytes, String> {
    let mut buffer = Vec::new();
    let mut writer =
        ArrowWriter::try_new(&mut buffer, Arc::clone(schema), None).map_err(|e| e.to_string())?;
    for batch in batches {
        let batch = batch
            .clone()
            .with_schema(Arc::clone(schema))
            .map_err(|e| e.to_string())?;
        writer.write(&batch).map_err(|e| e.to_string())?;
    }
    writer.close().map_err(|e| e.to_string())?;
    Ok(Bytes::from(buffer))
}

/// The rows of one state file, `None` when it does not exist.
async fn read(store: &dyn ObjectStore, path: &Path) -> Result<Option<Vec<RecordBatch>>, JobError> {
    let bytes = match store.get(path).await {
        Ok(result) => result.bytes().await.map_err(|e| store_error(path, e))?,
        Err(object_store::Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(store_error(path, e)),
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
        .and_then(|b| b.build())
        .map_err(|e| store_error(path, e))?;
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| store_error(path, e))?;
    Ok(Some(batches))
}

/// A state read back: the covered calls and the rows of each GIDB input.
#[derive(Debug, Clone, Default)]
pub struct ActiveState {
    covered: Vec<RecordBatch>,
    rows: Vec<(&'static str, Vec<RecordBatch>)>,
}

impl ActiveState {
    /// The rows of GIDB input `input`, or the covered calls for [`MM_COVERED`].
    fn rows_of(&self, input: &str) -> &[RecordBatch] {
        if input == MM_COVERED {
            return &self.covered;
        }
        self.rows
            .iter()
            .find(|(name, _)| *name == input)
            .map(|(_, batches)| batches.as_slice())
            .unwrap_or_default()
    }

    /// Number of covered calls.
    pub fn covered_calls(&self) -> usize {
        self.covered.iter().map(RecordBatch::num_rows).sum()
    }
}

/// The state a chunk received, split: the part it transforms again with its day folders,
/// and the part it passes on unchanged.
#[derive(Debug, Clone)]
pub struct SplitState {
    /// Read with the day folders.
    pub transformed: ActiveState,
    /// Appended as it came to the state the chunk hands on.
    pub passed_on: ActiveState,
}

/// The table of the covered calls a chunk passes on, in the session that transforms: the
/// rows of these calls are left out of every input, also those the day folders hold.
pub const PASSED_CALLS: &str = "tx_mm_passed";

/// Registers the covered calls of `passed_on` as [`PASSED_CALLS`].
pub fn register_passed(ctx: &SessionContext, passed_on: &ActiveState) -> Result<(), JobError> {
    register_batches(ctx, PASSED_CALLS, MM_COVERED, passed_on.covered.clone())
}

/// Splits the state registered with `ctx` ([`register`]), once the window's touched GUIDs
/// and the due interactions of the Info Mart are registered too (`state::split_views`).
pub async fn split(ctx: &SessionContext) -> Result<SplitState, JobError> {
    let (views, parts) = state::split_views();
    session::materialize_views(ctx, &views).await?;
    let read = |input: &'static str, view: String| async move {
        let schema = mm::schema(input).expect("multimedia input schema");
        session::collect(ctx, &view)
            .await?
            .into_iter()
            .map(|b| b.with_schema(Arc::clone(&schema)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| JobError::Data(format!("active-thread state {view}: {e}")))
    };
    let collect = |(covered, rows): (&'static str, Vec<(&'static str, String)>)| async move {
        let mut state = ActiveState {
            covered: read(MM_COVERED, covered.to_string()).await?,
            rows: Vec::new(),
        };
        for (input, view) in rows {
            state.rows.push((input, read(input, view).await?));
        }
        Ok::<_, JobError>(state)
    };
    Ok(SplitState {
        transformed: collect(parts.transformed).await?,
        passed_on: collect(parts.passed_on).await?,
    })
}

/// Covered calls of a state written before they named their interaction get a null
/// `if_guid`: such calls are always transformed again.
fn with_if_guid(batches: Vec<RecordBatch>) -> Result<Vec<RecordBatch>, String> {
    let schema = mm::schema(MM_COVERED).expect("covered calls schema");
    batches
        .into_iter()
        .map(|batch| {
            if batch.num_columns() == schema.fields().len() {
                return Ok(batch);
            }
            let callid = batch
                .column_by_name("callid")
                .ok_or("no callid column")?
                .clone();
            let if_guid = new_null_array(schema.field(1).data_type(), batch.num_rows());
            RecordBatch::try_new(Arc::clone(&schema), vec![callid, if_guid])
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// Reads the state handed on at `mark`; `None` when there is no complete one.
pub async fn load(gidb: &GidbStore, mark: Option<i64>) -> Result<Option<ActiveState>, JobError> {
    let Some(mark) = mark else {
        return Ok(None);
    };
    let store = gidb.object_store();
    let path = file(MM_COVERED, mark);
    let Some(covered) = read(store.as_ref(), &path).await? else {
        return Ok(None);
    };
    let covered = with_if_guid(covered).map_err(|e| store_error(&path, e))?;
    let mut rows = Vec::new();
    for (input, _) in STATE_ROWS {
        let path = file(input, mark);
        let batches = read(store.as_ref(), &path)
            .await?
            .ok_or_else(|| store_error(&path, "missing beside the covered calls"))?;
        rows.push((input, batches));
    }
    Ok(Some(ActiveState { covered, rows }))
}

/// Registers `state` with `ctx`: the rows of each GIDB input as its state table
/// ([`mm::state_table`]) and the covered calls as [`MM_COVERED`]; all empty without a state.
pub fn register(ctx: &SessionContext, state: Option<&ActiveState>) -> Result<(), JobError> {
    let empty = ActiveState::default();
    let state = state.unwrap_or(&empty);
    register_batches(ctx, MM_COVERED, MM_COVERED, state.covered.clone())?;
    for (input, _) in STATE_ROWS {
        let rows = state.rows_of(input).to_vec();
        register_batches(ctx, mm::state_table(input), input, rows)?;
    }
    Ok(())
}

/// Registers `batches` under `name` with the schema of multimedia input `input`.
fn register_batches(
    ctx: &SessionContext,
    name: &str,
    input: &str,
    batches: Vec<RecordBatch>,
) -> Result<(), JobError> {
    let schema = mm::schema(input).expect("multimedia input schema");
    let table = MemTable::try_new(schema, vec![batches])
        .map_err(|e| JobError::Data(format!("{name}: {e}")))?;
    ctx.register_table(name, Arc::new(table))
        .map_err(|e| JobError::Data(format!("{name}: {e}")))?;
    Ok(())
}

/// Removes every state but the one handed on at `mark`.
pub async fn remove_all_but(gidb: &GidbStore, mark: i64) -> Result<(), JobError> {
    let store = gidb.object_store();
    let keep = file_name(mark);
    let root = Path::from(ROOT);
    let files: Vec<Path> = store
        .list(Some(&root))
        .map_ok(|m| m.location)
        .try_collect()
        .await
        .map_err(|e| store_error(&root, e))?;
    for file in files.iter().filter(|f| f.filename() != Some(keep.as_str())) {
        store.delete(file).await.map_err(|e| store_error(file, e))?;
    }
    Ok(())
}
