//! A session holding the transform's input tables (empty GIDB inputs with every column
//! nullable, the seeded Info Mart dimensions, `tx_ids` 1 in every column) and every transform
//! view.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::logical_expr::lit;
use datafusion::prelude::SessionContext;
use tidemark_plans::transform::{config, inputs, multimedia, register_views, voice};
use tidemark_schemas::gidb::{CREATE_AUDIT_KEY, DATA_SOURCE_KEY, ICON_DBID};
use tidemark_schemas::mart::seed::seed_batches;

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
    register_views(&ctx, &config::views())
        .await
        .expect("configuration views");
    register_views(&ctx, &voice::views())
        .await
        .expect("voice views");
    register_views(&ctx, &[multimedia::touched_since_view()])
        .await
        .expect("multimedia window view");
    register_views(&ctx, &multimedia::views())
        .await
        .expect("multimedia views");
    ctx
}
