//! A session for the report library's golden files: every Info Mart table of the model as an
//! empty in-memory table (columns nullable, model defaults kept) holding the seeded
//! dimensions and the DATE_TIME rows of 4–7 March 2024 (UTC), and every report under
//! `plans/reports/` as a table function of the same name whose arguments are the report's
//! parameters in declaration order (omitted trailing ones take their default):
//!
//! ```sql
//! select * from queue_service_level(1709596800, 1709683200, 20)
//! ```
//!
//! The function plans and runs the report file itself, so the golden file tests exactly the
//! SQL `tidemark plan run` runs, rows in the report's order.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::datatypes::{Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::datasource::MemTable;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{lit, Expr};
use datafusion::prelude::SessionContext;
use datafusion::scalar::ScalarValue;
use tidemark_plans::calendar::{calendar_batch, calendar_rows, CalendarRules};
use tidemark_plans::plan_file::{new_session, PlanFile};
use tidemark_schemas::mart::{self, seed::seed_batches};
use tidemark_schemas::TableDef;

/// First and last (exclusive) DATE_TIME keys of the fixture calendar.
const CALENDAR: (i64, i64) = (1_709_510_400, 1_709_769_600);

/// The report library folder.
pub fn reports_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("reports")
}

/// The session: fixture tables and one table function per report.
pub fn session() -> SessionContext {
    let ctx = new_session();
    let mut rows: HashMap<String, Vec<RecordBatch>> = HashMap::new();
    for (def, batch) in seed_batches(1) {
        rows.entry(def.name.clone()).or_default().push(batch);
    }
    let date_time = mart::table("DATE_TIME").expect("DATE_TIME in the model");
    let calendar = calendar_rows(&CalendarRules::default(), CALENDAR.0, CALENDAR.1);
    rows.entry(date_time.name.clone())
        .or_default()
        .push(calendar_batch(date_time, &calendar, 1).expect("calendar batch"));
    for def in mart::tables() {
        let batches = rows.remove(&def.name).unwrap_or_default();
        register_fixture(&ctx, def, batches);
    }
    for path in report_files() {
        let file = PlanFile::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let name = path
            .file_stem()
            .expect("report file name")
            .to_string_lossy()
            .to_string();
        let report = Report {
            file,
            ctx: ctx.clone(),
        };
        ctx.register_udtf(&name, Arc::new(report));
    }
    ctx
}

/// The `.sql` files of the report library, sorted.
pub fn report_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(reports_dir())
        .expect("plans/reports exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files
}

/// Registers `def` as an in-memory table of `batches`, every column nullable so fixtures
/// name only the columns they need, and the model's numeric defaults applied.
fn register_fixture(ctx: &SessionContext, def: &TableDef, batches: Vec<RecordBatch>) {
    let fields: Vec<Field> = def
        .arrow_schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_nullable(true))
        .collect();
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    let batches = batches
        .into_iter()
        .map(|b| RecordBatch::try_new(schema.clone(), b.columns().to_vec()).expect("seed batch"))
        .collect();
    let defaults: HashMap<String, Expr> = def
        .columns
        .iter()
        .filter_map(|c| {
            let value: i64 = c.default?.parse().ok()?;
            Some((c.sql_name(), lit(value)))
        })
        .collect();
    let table = MemTable::try_new(schema, vec![batches])
        .expect("fixture table")
        .with_column_defaults(defaults);
    ctx.register_table(def.sql_name(), Arc::new(table))
        .expect("register fixture table");
}

/// A report file called as a table function.
struct Report {
    file: PlanFile,
    ctx: SessionContext,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Report({})", self.file.file())
    }
}

impl TableFunctionImpl for Report {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        let values = args
            .exprs()
            .iter()
            .map(literal)
            .collect::<Result<Vec<_>>>()?;
        let plan_error =
            |e: tidemark_plans::plan_file::PlanFileError| DataFusionError::Plan(e.to_string());
        let bindings = self.file.bind_values(&values).map_err(plan_error)?;
        // Table functions are called while planning, which is synchronous; the report is
        // planned and run here, and its rows (in the report's order) are the table.
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async {
                let frame = self
                    .file
                    .prepare(&self.ctx, &bindings)
                    .await
                    .map_err(plan_error)?;
                let logical: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
                let batches = frame.collect().await?;
                let schema = batches.first().map_or(logical, |b| b.schema());
                Ok(Arc::new(MemTable::try_new(schema, vec![batches])?) as Arc<dyn TableProvider>)
            })
        })
    }
}

/// The value of a literal argument (a negative number included).
fn literal(expr: &Expr) -> Result<ScalarValue> {
    match expr {
        Expr::Literal(value, _) => Ok(value.clone()),
        Expr::Negative(inner) => literal(inner)?.arithmetic_negate(),
        other => Err(DataFusionError::Plan(format!(
            "report arguments are literals, got {other}"
        ))),
    }
}
