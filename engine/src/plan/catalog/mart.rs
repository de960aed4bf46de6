//! Info Mart tables as DataFusion tables read lazily: a scan reads only the columns the plan
//! needs, and the simple filters [`super::pushdown`] translates, through [`MartReader`] when
//! the plan executes (planning and `explain` read nothing).

use std::fmt;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use async_trait::async_trait;
use datafusion::catalog::{Session, TableProvider};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::streaming::{PartitionStream, StreamingTableExec};
use datafusion::physical_plan::ExecutionPlan;
use futures::{stream, StreamExt, TryStreamExt};
use tidemark_schemas::table::ColumnDef;

use super::pushdown;
use crate::sources::mart::{schema_of, MartReader};

/// One Info Mart table or view of the model, read through `reader`.
pub struct MartTable {
    name: String,
    columns: Vec<ColumnDef>,
    schema: SchemaRef,
    reader: MartReader,
}

impl MartTable {
    /// The table `name` (its SQL name) with the model's `columns`.
    pub fn new(name: String, columns: Vec<ColumnDef>, reader: MartReader) -> MartTable {
        let schema = schema_of(&columns);
        MartTable {
            name,
            columns,
            schema,
            reader,
        }
    }
}

impl fmt::Debug for MartTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MartTable")
            .field("name", &self.name)
            .finish()
    }
}

#[async_trait]
impl TableProvider for MartTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        // Inexact: DataFusion applies every filter again, so the database's reading of a
        // pushed condition can only save rows, never decide the result.
        Ok(filters
            .iter()
            .map(|f| match pushdown::to_sql(f, &self.columns) {
                Some(_) => TableProviderFilterPushDown::Inexact,
                None => TableProviderFilterPushDown::Unsupported,
            })
            .collect())
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let columns: Vec<ColumnDef> = match projection {
            Some(indices) => indices.iter().map(|&i| self.columns[i].clone()).collect(),
            None => self.columns.clone(),
        };
        let conditions: Vec<String> = filters
            .iter()
            .filter_map(|f| pushdown::to_sql(f, &self.columns))
            .collect();
        let read = MartRead {
            table: self.name.clone(),
            schema: schema_of(&columns),
            // A scan that needs no column (count(*)) still reads one, for the row count.
            read_columns: match columns.is_empty() {
                true => self.columns.iter().take(1).cloned().collect(),
                false => columns,
            },
            filter: (!conditions.is_empty()).then(|| conditions.join(" and ")),
            limit,
            reader: self.reader.clone(),
        };
        let schema = Arc::clone(&read.schema);
        let exec =
            StreamingTableExec::try_new(schema, vec![Arc::new(read)], None, [], false, limit)?;
        Ok(Arc::new(exec))
    }
}

/// One read of a table: the columns and the condition sent to the database.
struct MartRead {
    table: String,
    schema: SchemaRef,
    read_columns: Vec<ColumnDef>,
    filter: Option<String>,
    /// Rows the plan needs at most (a `LIMIT` DataFusion pushed into the scan).
    limit: Option<usize>,
    reader: MartReader,
}

impl fmt::Debug for MartRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MartRead")
            .field("table", &self.table)
            .field("filter", &self.filter)
            .field("limit", &self.limit)
            .finish()
    }
}

impl PartitionStream for MartRead {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, _ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        let names: Vec<String> = self.read_columns.iter().map(ColumnDef::sql_name).collect();
        tracing::debug!(
            table = %self.table,
            columns = %names.join(","),
            filter = %self.filter.as_deref().unwrap_or("none"),
            limit = ?self.limit,
            "reading Info Mart table"
        );
        let (reader, table, columns, filter, limit, schema) = (
            self.reader.clone(),
            self.table.clone(),
            self.read_columns.clone(),
            self.filter.clone(),
            self.limit,
            Arc::clone(&self.schema),
        );
        let output = Arc::clone(&schema);
        let batches = stream::once(async move {
            let batches = reader
                .read_limited(&table, &columns, filter.as_deref(), limit)
                .await
                .map_err(|e| DataFusionError::External(Box::new(e)))?;
            let fitted: Result<Vec<RecordBatch>> =
                batches.into_iter().map(|b| fit(&output, b)).collect();
            Ok::<_, DataFusionError>(stream::iter(fitted?.into_iter().map(Ok)))
        })
        .try_flatten()
        .boxed();
        Box::pin(RecordBatchStreamAdapter::new(schema, batches))
    }
}

/// The batch as `schema` has it: unchanged, or its row count alone when no column is needed.
fn fit(schema: &SchemaRef, batch: RecordBatch) -> Result<RecordBatch> {
    if !schema.fields().is_empty() {
        return Ok(batch);
    }
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    Ok(RecordBatch::try_new_with_options(
        Arc::clone(schema),
        vec![],
        &options,
    )?)
}
