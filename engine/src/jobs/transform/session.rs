//! The DataFusion session of one transform chunk: GIDB inputs (latest versions, limited to
//! the days the chunk can reach), Info Mart key inputs and the chunk's ids, window and audit
//! key, then the transform views over them.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, Int64Builder, RecordBatch, StringBuilder};
use arrow::datatypes::{DataType, SchemaRef};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use tidemark_plans::gidb::{latest_version_sql, register_folder, RowKey};
use tidemark_plans::transform::{self, inputs, View};
use tidemark_schemas::gidb::{folder_name, MediaFamily};
use tidemark_schemas::{idb, mart};
use tidemark_sinks::database::{Database, SqlValue};
use tidemark_sinks::gidb::GidbStore;

use super::super::JobError;

/// Converts a DataFusion error into a job error naming what failed.
pub fn df_error(what: &str) -> impl Fn(datafusion::error::DataFusionError) -> JobError + '_ {
    move |e| JobError::Data(format!("transform {what}: {e}"))
}

/// A session with Tidemark's functions and the GIDB object store.
pub fn new_session(gidb: &GidbStore) -> SessionContext {
    let ctx = SessionContext::new();
    tidemark_udfs::register_all(&ctx);
    gidb.register_with(&ctx);
    ctx
}

/// Registers `name` as an in-memory table of `batches` with the input's schema.
pub fn register_rows(
    ctx: &SessionContext,
    name: &str,
    batches: Vec<RecordBatch>,
) -> Result<(), JobError> {
    let schema = inputs::schema(name).expect("known transform input");
    let table = MemTable::try_new(schema, vec![batches]).map_err(df_error(name))?;
    ctx.register_table(name, Arc::new(table))
        .map_err(df_error(name))?;
    Ok(())
}

/// The GIDB day folders a session reads, as `YYYY-MM-DD`: from `first` to `last`, each
/// unbounded when `None`; of their rows, with `only_calls`, those of some calls only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayRange {
    /// First day read.
    pub first: Option<String>,
    /// Last day read.
    pub last: Option<String>,
    /// A registered table of calls (`callid`): only their rows, and those without a CallID,
    /// are read (of a table with a `CALLID` column).
    pub only_calls: Option<String>,
}

impl DayRange {
    /// The `where` clause keeping the range's `day` partitions, and the rows of
    /// [`Self::only_calls`] when `has_callid` (empty when nothing is left out).
    fn filter(&self, has_callid: bool) -> String {
        let mut conditions: Vec<String> = [(">=", &self.first), ("<=", &self.last)]
            .into_iter()
            .filter_map(|(op, day)| day.as_ref().map(|day| format!("day {op} '{day}'")))
            .collect();
        if let Some(calls) = self.only_calls.as_ref().filter(|_| has_callid) {
            conditions.push(format!(
                "(callid is null or callid in (select callid from {calls}))"
            ));
        }
        if conditions.is_empty() {
            String::new()
        } else {
            format!(" where {}", conditions.join(" and "))
        }
    }
}

/// Registers input `name` as the latest versions of the GIDB copy of `table`: its rows in
/// the day partitions of `days` (only those of [`DayRange::only_calls`], if set) together
/// with those of the registered table `extra` (the active-thread state), if any; an empty
/// table when neither holds anything.
pub async fn register_gidb(
    ctx: &SessionContext,
    gidb: &GidbStore,
    name: &str,
    table: &str,
    family: MediaFamily,
    days: &DayRange,
    extra: Option<&str>,
) -> Result<(), JobError> {
    let def = idb::table(table).expect("IDB table of a transform input");
    let folder = folder_name(def, family);
    let present = gidb
        .days(&folder)
        .await
        .map_err(|e| JobError::Data(e.to_string()))?;
    let columns: Vec<String> = tidemark_schemas::gidb::arrow_schema(def)
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let has_callid = columns.iter().any(|c| c == "callid");
    let columns = columns.join(", ");
    let mut sources = Vec::new();
    if !present.is_empty() {
        let files = format!("{name}_files");
        register_folder(ctx, &files, &gidb.folder_url(&folder), def)
            .await
            .map_err(df_error(name))?;
        sources.push(format!(
            "select {columns} from {files}{}",
            days.filter(has_callid)
        ));
    }
    sources.extend(extra.map(|extra| format!("select {columns} from {extra}")));
    if sources.is_empty() {
        return register_rows(ctx, name, vec![]);
    }
    let source = format!("({}) rows_read", sources.join(" union all "));
    let view = ctx
        .sql(&latest_version_sql(def, &source, RowKey::Business))
        .await
        .map_err(df_error(name))?;
    ctx.register_table(name, view.into_view())
        .map_err(df_error(name))?;
    Ok(())
}

/// Registers every Info Mart key input from the current dimension tables.
#[tracing::instrument(name = "mart_keys", level = "debug", skip_all)]
pub async fn register_mart_inputs(ctx: &SessionContext, db: &dyn Database) -> Result<(), JobError> {
    for (name, table, columns) in inputs::MART_INPUTS {
        let def = mart::table(table).expect("mart table of a transform input");
        let sql = format!(
            "select {} from {}",
            columns
                .iter()
                .map(|c| c.to_ascii_lowercase())
                .collect::<Vec<_>>()
                .join(", "),
            def.sql_name()
        );
        let rows = db.query(&sql).await?;
        let schema = inputs::schema(name).expect("mart input schema");
        register_rows(ctx, name, vec![rows_to_batch(&schema, &rows)?])?;
    }
    Ok(())
}

/// The rows of several Info Mart queries together, read for input `name`.
#[tracing::instrument(name = "mart_lookup", level = "debug", skip_all, fields(table = name))]
pub async fn query_mart(
    db: &dyn Database,
    name: &str,
    sqls: &[String],
) -> Result<Vec<Vec<SqlValue>>, JobError> {
    let mut rows = Vec::new();
    for sql in sqls {
        rows.extend(db.query(sql).await?);
    }
    Ok(rows)
}

/// Registers input `name` as the rows of several Info Mart queries together, their columns
/// in the order of the input's schema.
pub async fn register_mart_queries(
    ctx: &SessionContext,
    db: &dyn Database,
    name: &str,
    sqls: &[String],
) -> Result<(), JobError> {
    let rows = query_mart(db, name, sqls).await?;
    register_mart_rows(ctx, name, &rows)
}

/// Registers input `name` as Info Mart rows already read, their columns in the order of the
/// input's schema.
pub fn register_mart_rows(
    ctx: &SessionContext,
    name: &str,
    rows: &[Vec<SqlValue>],
) -> Result<(), JobError> {
    let schema = inputs::schema(name).expect("mart input schema");
    register_rows(ctx, name, vec![rows_to_batch(&schema, rows)?])
}

/// Builds a batch of Int64 / Utf8 columns from query rows.
fn rows_to_batch(schema: &SchemaRef, rows: &[Vec<SqlValue>]) -> Result<RecordBatch, JobError> {
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, field)| -> ArrayRef {
            let cell = |row: &Vec<SqlValue>| row.get(i).cloned().unwrap_or(SqlValue::Null);
            if field.data_type() == &DataType::Int64 {
                let mut b = Int64Builder::with_capacity(rows.len());
                for row in rows {
                    b.append_option(cell(row).as_i64());
                }
                Arc::new(b.finish())
            } else {
                let mut b = StringBuilder::new();
                for row in rows {
                    match cell(row) {
                        SqlValue::Null => b.append_null(),
                        v => b.append_value(v.to_string()),
                    }
                }
                Arc::new(b.finish())
            }
        })
        .collect();
    RecordBatch::try_new(schema.clone(), columns).map_err(|e| JobError::Data(e.to_string()))
}

/// The first free ids of a chunk's facts (all 0 for a chunk that writes none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChunkIds {
    /// First free INTERACTION_ID.
    pub next_interaction_id: i64,
    /// First free id of the shared IRF/MSF id space.
    pub next_resource_id: i64,
    /// First free IXN_RESOURCE_STATE_FACT_KEY.
    pub next_state_fact_key: i64,
}

impl ChunkIds {
    /// Each id after the greatest the Info Mart holds (1 in an empty Info Mart).
    pub async fn after_greatest(db: &dyn Database) -> Result<Self, JobError> {
        let next = |sql: &'static str| async move {
            Ok::<i64, JobError>(db.query_opt_i64(sql).await?.unwrap_or(0) + 1)
        };
        Ok(ChunkIds {
            next_interaction_id: next("select max(interaction_id) from interaction_fact").await?,
            next_resource_id: next(
                "select max(id) from (select max(interaction_resource_id) as id from \
                 interaction_resource_fact union all select max(mediation_segment_id) \
                 from mediation_segment_fact) ids",
            )
            .await?,
            next_state_fact_key: next(
                "select max(ixn_resource_state_fact_key) from ixn_resource_state_fact",
            )
            .await?,
        })
    }
}

/// Registers `tx_ids` with the chunk's first free ids and audit key.
pub fn register_ids(ctx: &SessionContext, ids: ChunkIds, audit_key: i64) -> Result<(), JobError> {
    let schema = inputs::schema(inputs::IDS).expect("ids schema");
    let column = |v: i64| Arc::new(Int64Array::from(vec![v])) as ArrayRef;
    let batch = RecordBatch::try_new(
        schema,
        vec![
            column(ids.next_interaction_id),
            column(ids.next_resource_id),
            column(audit_key),
            column(ids.next_state_fact_key),
        ],
    )
    .map_err(|e| JobError::Data(e.to_string()))?;
    register_rows(ctx, inputs::IDS, vec![batch])
}

/// Registers `tx_user_data_settings` from the `[gim-etl]` options: whether voice and
/// multimedia MSFs get user data (`link-msf-userdata` or its per-media variant) and
/// `user-event-data-timeout`.
pub fn register_user_data_settings(
    ctx: &SessionContext,
    etl: &crate::config::GimEtl,
) -> Result<(), JobError> {
    let schema = inputs::schema(inputs::USER_DATA_SETTINGS).expect("user-data settings schema");
    let column = |v: i64| Arc::new(Int64Array::from(vec![v])) as ArrayRef;
    let batch = RecordBatch::try_new(
        schema,
        vec![
            column(i64::from(
                etl.link_msf_userdata || etl.link_msf_userdata_voice,
            )),
            column(i64::from(etl.link_msf_userdata || etl.link_msf_userdata_mm)),
            column(i64::from(etl.user_event_data_timeout)),
        ],
    )
    .map_err(|e| JobError::Data(e.to_string()))?;
    register_rows(ctx, inputs::USER_DATA_SETTINGS, vec![batch])
}

/// Registers `tx_window` = `(from, to]`.
pub fn register_window(ctx: &SessionContext, from: i64, to: i64) -> Result<(), JobError> {
    let name = tidemark_plans::transform::config::WINDOW;
    let schema = inputs::schema(name).expect("window schema");
    let column = |v: i64| Arc::new(Int64Array::from(vec![v])) as ArrayRef;
    let batch = RecordBatch::try_new(schema, vec![column(from), column(to)])
        .map_err(|e| JobError::Data(e.to_string()))?;
    register_rows(ctx, name, vec![batch])
}

/// Runs the output view and returns its rows.
pub async fn collect(ctx: &SessionContext, view: &str) -> Result<Vec<RecordBatch>, JobError> {
    let batches = ctx
        .table(view)
        .await
        .map_err(df_error(view))?
        .collect()
        .await
        .map_err(df_error(view))?;
    Ok(batches.into_iter().filter(|b| b.num_rows() > 0).collect())
}

/// Runs `sql` and returns its rows.
pub async fn collect_sql(ctx: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>, JobError> {
    ctx.sql(sql)
        .await
        .map_err(df_error(sql))?
        .collect()
        .await
        .map_err(df_error(sql))
}

/// Computes each view in order and registers its rows as an in-memory table under the view's
/// name ([`tidemark_plans::transform::materialize_views`]).
#[tracing::instrument(name = "views", level = "debug", skip_all)]
pub async fn materialize_views(ctx: &SessionContext, views: &[View]) -> Result<(), JobError> {
    transform::materialize_views(ctx, views)
        .await
        .map_err(|e| JobError::Data(e.to_string()))
}

/// Computes each view in order, dropping a view's rows once its last reader is computed
/// unless `keep` names it ([`tidemark_plans::transform::materialize_views_keeping`]).
#[tracing::instrument(name = "views", level = "debug", skip_all)]
pub async fn materialize_views_keeping(
    ctx: &SessionContext,
    views: &[View],
    keep: &[&str],
) -> Result<(), JobError> {
    transform::materialize_views_keeping(ctx, views, keep)
        .await
        .map_err(|e| JobError::Data(e.to_string()))
}

/// The output views of `outputs` (Info Mart table, view) followed by `more`.
pub fn output_views<'a>(outputs: &[(&str, &'a str)], more: &[&'a str]) -> Vec<&'a str> {
    outputs
        .iter()
        .map(|(_, view)| *view)
        .chain(more.iter().copied())
        .collect()
}

/// Replaces the registered input `name` (a lazy latest-version view) by its rows.
#[tracing::instrument(name = "input", level = "debug", skip_all, fields(table = name))]
pub async fn materialize_input(ctx: &SessionContext, name: &str) -> Result<(), JobError> {
    transform::materialize(ctx, name, &format!("select * from {name}"))
        .await
        .map_err(df_error(name))
}
