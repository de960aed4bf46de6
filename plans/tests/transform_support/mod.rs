//! A session holding the transform's input tables (empty GIDB inputs with every column
//! nullable, the seeded Info Mart dimensions, `tx_ids` 1 in every column) and every transform
//! view computed into a table, and the golden-file database that recomputes the views after
//! the fixtures change.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{Field, Schema};
use async_trait::async_trait;
use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::lit;
use datafusion::prelude::SessionContext;
use sqllogictest::{AsyncDB, DBOutput, DefaultColumnType};
use tidemark_plans::transform::{config, inputs, materialize_views, multimedia, voice, View};
use tidemark_schemas::gidb::{CREATE_AUDIT_KEY, DATA_SOURCE_KEY, ICON_DBID};
use tidemark_schemas::mart::seed::seed_batches;
use tidemark_udfs::slt::{is_query, DataFusionSlt};

/// Rows of an Info Mart input taken from the seeded dimension tables.
fn seeded(name: &str, schema: &Schema) -> Vec<RecordBatch> {
    let Some((_, table, _)) = inputs::MART_INPUTS.iter().find(|(n, _, _)| *n == name) else {
        return vec![];
    };
    seed_batches(1)
        .into_iter()
        .filter(|(def, _)| def.name == *table)
        .map(|(_, batch)| {
            let columns: Vec<ArrayRef> = schema
                .fields()
                .iter()
                .map(|f| {
                    let column = batch.column_by_name(f.name()).expect("seeded column");
                    cast(column, f.data_type()).expect("cast seeded column")
                })
                .collect();
            RecordBatch::try_new(Arc::new(schema.clone()), columns).expect("seed batch")
        })
        .collect()
}

/// The session: Tidemark functions, input tables and the configuration and voice views.
pub async fn session() -> SessionContext {
    let ctx = SessionContext::new();
    tidemark_udfs::register_all(&ctx);
    for name in inputs::all() {
        let schema = inputs::schema(name).expect("input schema");
        let fields: Vec<Field> = schema
            .fields()
            .iter()
            .map(|f| f.as_ref().clone().with_nullable(true))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let mut rows = seeded(name, &schema);
        if name == inputs::IDS {
            rows = vec![RecordBatch::try_new(
                schema.clone(),
                vec![Arc::new(arrow::array::Int64Array::from(vec![1])) as ArrayRef; 4],
            )
            .expect("ids row")];
        }
        let mut defaults = HashMap::new();
        for (column, value) in [
            (DATA_SOURCE_KEY, 1i64),
            (ICON_DBID, 1101),
            (CREATE_AUDIT_KEY, 0),
        ] {
            if schema.column_with_name(column).is_some() {
                defaults.insert(column.to_string(), lit(value));
            }
        }
        let table = MemTable::try_new(schema, vec![rows])
            .expect("input table")
            .with_column_defaults(defaults);
        ctx.register_table(name, Arc::new(table))
            .expect("register input");
    }
    materialize_views(&ctx, &views())
        .await
        .expect("transform views");
    ctx
}

/// Every transform view, in dependency order.
pub fn views() -> Vec<View> {
    let mut views = config::views();
    views.extend(voice::late::touched_views());
    views.extend(voice::views());
    views.extend(voice::late::views());
    views.extend(multimedia::touched_guids_views());
    views.push(multimedia::touched_since_view());
    views.push(multimedia::touched_roots_view());
    views.extend(multimedia::views());
    views.push(multimedia::touched_members_view());
    views.extend(multimedia::state::views());
    views.extend(multimedia::state::split_views().0);
    views
}

/// A golden-file database that runs the views as the job does, computed one after the
/// other into tables: before a query, when a statement changed the inputs since the last
/// computation, every view is computed again.
pub struct MaterializedSlt {
    ctx: SessionContext,
    inner: DataFusionSlt,
    views: Vec<View>,
    stale: bool,
}

impl MaterializedSlt {
    /// A database over `ctx`, whose views are computed.
    pub fn new(ctx: SessionContext) -> Self {
        MaterializedSlt {
            inner: DataFusionSlt::with_context(ctx.clone()),
            ctx,
            views: views(),
            stale: false,
        }
    }
}

#[async_trait]
impl AsyncDB for MaterializedSlt {
    type Error = DataFusionError;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, DataFusionError> {
        if !is_query(sql) {
            self.stale = true;
        } else if self.stale {
            materialize_views(&self.ctx, &self.views).await?;
            self.stale = false;
        }
        self.inner.run(sql).await
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "tidemark-transform"
    }
}
