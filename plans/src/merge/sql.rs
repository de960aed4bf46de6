//! `voice_merge(failed_is_link_timeout_secs, source_horizon_ts)`: the voice merge as a SQL
//! table function, so golden files and analysts can run [`merge_voice`] on the
//! `merge_*` tables of a session. Every call of the inputs appears once: emitted calls
//! with their interaction, waiting calls with `interaction_guid`, `merge_state` and the
//! rest NULL.
//!
//! ```sql
//! select callid, interaction_guid, merge_state from voice_merge(3600, 1709640000);
//! ```

use std::sync::Arc;

use arrow::array::{new_null_array, RecordBatch};
use arrow::datatypes::{Field, Schema, SchemaRef};
use async_trait::async_trait;
use datafusion::catalog::{Session, TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{exec_err, plan_err, ScalarValue};
use datafusion::datasource::{MemTable, TableType};
use datafusion::error::Result;
use datafusion::execution::SessionState;
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionContext;

use super::{emitted_schema, merge_voice, MergeOptions};

/// Name the function is registered under.
pub const FUNCTION: &str = "voice_merge";

/// Registers `voice_merge` on `ctx`.
pub fn register(ctx: &SessionContext) {
    ctx.register_udtf(FUNCTION, Arc::new(VoiceMerge));
}

/// The `voice_merge` table function.
#[derive(Debug)]
pub struct VoiceMerge;

impl TableFunctionImpl for VoiceMerge {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        let [timeout, horizon] = args.exprs() else {
            return plan_err!("{FUNCTION} takes (failed_is_link_timeout_secs, source_horizon_ts)");
        };
        let opts = MergeOptions {
            failed_is_link_timeout_secs: integer(timeout)?,
            source_horizon_ts: integer(horizon)?,
        };
        Ok(Arc::new(VoiceMergeTable { opts }))
    }
}

/// An integer literal argument, possibly negated.
fn integer(expr: &Expr) -> Result<i64> {
    match expr {
        Expr::Literal(v, _) => match v.cast_to(&arrow::datatypes::DataType::Int64)? {
            ScalarValue::Int64(Some(v)) => Ok(v),
            _ => plan_err!("{FUNCTION}: {expr} is not an integer"),
        },
        Expr::Negative(inner) => Ok(-integer(inner)?),
        _ => plan_err!("{FUNCTION} takes integer literals, got {expr}"),
    }
}

/// Schema of the function's rows: [`emitted_schema`] with every column nullable.
pub fn table_schema() -> SchemaRef {
    let fields: Vec<Field> = emitted_schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_nullable(true))
        .collect();
    Arc::new(Schema::new(fields))
}

/// The rows of one `voice_merge(…)` call, computed when the query is planned for execution.
#[derive(Debug)]
struct VoiceMergeTable {
    opts: MergeOptions,
}

#[async_trait]
impl TableProvider for VoiceMergeTable {
    fn schema(&self) -> SchemaRef {
        table_schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Temporary
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let Some(session) = state.as_any().downcast_ref::<SessionState>() else {
            return exec_err!("{FUNCTION} needs a DataFusion SessionState");
        };
        let ctx = SessionContext::new_with_state(session.clone());
        let outcome = merge_voice(&ctx, &self.opts).await?;
        let schema = table_schema();
        let mut rows = Vec::new();
        for batch in outcome.emitted {
            rows.push(RecordBatch::try_new(
                schema.clone(),
                batch.columns().to_vec(),
            )?);
        }
        for batch in outcome.waiting {
            let mut columns = batch.columns().to_vec();
            for field in schema.fields().iter().skip(columns.len()) {
                columns.push(new_null_array(field.data_type(), batch.num_rows()));
            }
            rows.push(RecordBatch::try_new(schema.clone(), columns)?);
        }
        let table = MemTable::try_new(schema, vec![rows])?;
        table.scan(state, projection, filters, limit).await
    }
}
