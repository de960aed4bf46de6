//! `ud_convert(expression, value)`: the CONVERT_EXPRESSION of a CTL_UD_TO_UDE_MAPPING row
//! applied to a raw user-data value before it is stored (infomart.md §3.28, §4.15:
//! `v = convert(v, m.convert_expression) ?? m.default_value`).
//!
//! The expression language is one SQL scalar expression (DataFusion's dialect and built-in
//! scalar functions) over the identifier `value`, the raw KVP value as text; its result is
//! stored as text. Rules:
//!
//! * A NULL or blank expression stores the value as attached; a NULL value (no change
//!   picked, or a deletion) stays NULL and the expression is not applied.
//! * Only deterministic scalar expressions are accepted: no aggregate or window functions,
//!   subqueries, parameters or functions whose result depends on the moment they run
//!   (`now()`, `random()`), so that a re-run stores the same values. A rejected or
//!   unparsable expression yields NULL for every row (a warning names it once per process).
//! * A row for which the expression fails (e.g. `cast(value as int)` of `abc`) yields NULL;
//!   the other rows keep their results.
//!
//! ```sql
//! select ud_convert('upper(trim(value))', ' gold ');                       -- GOLD
//! select ud_convert('cast(cast(value as double) * 100 as bigint)', '2.5'); -- 250
//! select ud_convert('cast(value as int)', 'abc');                          -- NULL
//! ```

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray, UInt32Array};
use arrow::compute::{cast, take};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::{exec_err, DFSchema, Result};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::physical_plan::PhysicalExpr;
use datafusion::prelude::SessionContext;

/// The identifier naming the raw value in an expression.
pub const VALUE: &str = "value";

/// Distinct expressions kept compiled; the cache starts over beyond this.
const CACHE_LIMIT: usize = 1024;

/// Why an expression cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    /// The text is not one SQL scalar expression over `value`.
    #[error("CONVERT_EXPRESSION `{expression}` is not an SQL expression over `value`: {reason}")]
    Invalid {
        /// The expression.
        expression: String,
        /// The parser's or planner's message.
        reason: String,
    },
    /// The expression uses something the language excludes.
    #[error("CONVERT_EXPRESSION `{expression}` is refused: {reason}")]
    Refused {
        /// The expression.
        expression: String,
        /// What it uses.
        reason: String,
    },
}

/// The `ud_convert` function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct UdConvert {
    signature: Signature,
}

impl UdConvert {
    /// Creates the function.
    pub fn new() -> Self {
        UdConvert {
            signature: Signature::string(2, Volatility::Immutable),
        }
    }
}

impl Default for UdConvert {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for UdConvert {
    fn name(&self) -> &str {
        "ud_convert"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if args.args.len() != 2 {
            return exec_err!("ud_convert takes an expression and a value");
        }
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let expressions = cast(&arrays[0], &DataType::Utf8)?;
        let values = cast(&arrays[1], &DataType::Utf8)?;
        Ok(ColumnarValue::Array(convert_all(
            expressions.as_string::<i32>(),
            values.as_string::<i32>(),
        )))
    }
}

/// The session that plans expressions: DataFusion's built-in functions, no tables.
static PLANNER: LazyLock<SessionContext> = LazyLock::new(SessionContext::new);

/// The one-column schema expressions are planned against.
static VALUE_SCHEMA: LazyLock<SchemaRef> =
    LazyLock::new(|| Arc::new(Schema::new(vec![Field::new(VALUE, DataType::Utf8, true)])));

/// A compiled expression, or why there is none, and whether a row failure was reported.
struct Entry {
    compiled: std::result::Result<Arc<dyn PhysicalExpr>, ConvertError>,
    row_failure_reported: AtomicBool,
}

static CACHE: LazyLock<Mutex<HashMap<String, Arc<Entry>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Checks `expression` against the language; `Ok` when rows can be converted with it.
pub fn check(expression: &str) -> std::result::Result<(), ConvertError> {
    compile(expression).map(|_| ())
}

fn compile(expression: &str) -> std::result::Result<Arc<dyn PhysicalExpr>, ConvertError> {
    let invalid = |reason: String| ConvertError::Invalid {
        expression: expression.to_string(),
        reason,
    };
    let schema =
        DFSchema::try_from(VALUE_SCHEMA.as_ref().clone()).map_err(|e| invalid(e.to_string()))?;
    let expr = PLANNER
        .parse_sql_expr(expression, &schema)
        .map_err(|e| invalid(e.to_string()))?;
    if let Some(reason) = refusal(&expr) {
        return Err(ConvertError::Refused {
            expression: expression.to_string(),
            reason,
        });
    }
    PLANNER
        .create_physical_expr(expr, &schema)
        .map_err(|e| invalid(e.to_string()))
}

/// What in `expr` the language excludes, if anything.
fn refusal(expr: &Expr) -> Option<String> {
    let mut reason = None;
    let _ = expr.apply(|e| {
        reason = match e {
            Expr::ScalarFunction(f) if f.func.signature().volatility != Volatility::Immutable => {
                Some(format!("`{}` is not deterministic", f.func.name()))
            }
            Expr::AggregateFunction(_) => Some("aggregate functions are not allowed".into()),
            Expr::WindowFunction(_) => Some("window functions are not allowed".into()),
            Expr::ScalarSubquery(_) | Expr::Exists(_) | Expr::InSubquery(_) => {
                Some("subqueries are not allowed".into())
            }
            Expr::Placeholder(_) => Some("parameters are not allowed".into()),
            _ => None,
        };
        Ok(if reason.is_some() {
            TreeNodeRecursion::Stop
        } else {
            TreeNodeRecursion::Continue
        })
    });
    reason
}

/// The cached compilation of `expression`, compiling (and warning once about a rejected
/// expression) on first use.
fn entry(expression: &str) -> Arc<Entry> {
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(entry) = cache.get(expression) {
        return entry.clone();
    }
    let compiled = compile(expression);
    if let Err(e) = &compiled {
        tracing::warn!(
            rule = "CTL_UD_TO_UDE_MAPPING.CONVERT_EXPRESSION",
            "{e}; values are stored as NULL"
        );
    }
    if cache.len() >= CACHE_LIMIT {
        cache.clear();
    }
    let entry = Arc::new(Entry {
        compiled,
        row_failure_reported: AtomicBool::new(false),
    });
    cache.insert(expression.to_string(), entry.clone());
    entry
}

/// Applies each row's expression to its value.
fn convert_all(expressions: &StringArray, values: &StringArray) -> ArrayRef {
    let mut results: Vec<Option<String>> = values.iter().map(|v| v.map(str::to_string)).collect();
    let mut groups: HashMap<&str, Vec<u32>> = HashMap::new();
    for (row, expression) in expressions.iter().enumerate() {
        match expression {
            Some(e) if !e.trim().is_empty() && values.is_valid(row) => {
                groups.entry(e).or_default().push(row as u32);
            }
            _ => {}
        }
    }
    for (expression, rows) in groups {
        let entry = entry(expression);
        let converted = match &entry.compiled {
            Ok(compiled) => evaluate_rows(expression, &entry, compiled, values, &rows),
            Err(_) => vec![None; rows.len()],
        };
        for (row, value) in rows.into_iter().zip(converted) {
            results[row as usize] = value;
        }
    }
    Arc::new(StringArray::from(results))
}

/// The expression's results for `rows` of `values`: evaluated on all of them at once, or
/// row by row when that fails, a failing row giving NULL.
fn evaluate_rows(
    expression: &str,
    entry: &Entry,
    compiled: &Arc<dyn PhysicalExpr>,
    values: &StringArray,
    rows: &[u32],
) -> Vec<Option<String>> {
    let taken = take(values, &UInt32Array::from(rows.to_vec()), None);
    let all = taken
        .map_err(|e| e.to_string())
        .and_then(|v| evaluate(compiled, v));
    if let Ok(all) = all {
        return all;
    }
    rows.iter()
        .map(|&row| {
            let one = Arc::new(values.slice(row as usize, 1)) as ArrayRef;
            match evaluate(compiled, one) {
                Ok(mut v) => v.pop().flatten(),
                Err(reason) => {
                    if !entry.row_failure_reported.swap(true, Ordering::Relaxed) {
                        tracing::warn!(
                            rule = "CTL_UD_TO_UDE_MAPPING.CONVERT_EXPRESSION",
                            "CONVERT_EXPRESSION `{expression}` fails for a value: {reason}; \
                             such values are stored as NULL"
                        );
                    }
                    None
                }
            }
        })
        .collect()
}

/// `compiled` over a batch holding `values`, as text.
fn evaluate(
    compiled: &Arc<dyn PhysicalExpr>,
    values: ArrayRef,
) -> std::result::Result<Vec<Option<String>>, String> {
    let rows = values.len();
    let run = || -> Result<Vec<Option<String>>> {
        let batch = RecordBatch::try_new(VALUE_SCHEMA.clone(), vec![values])?;
        let result = compiled.evaluate(&batch)?.into_array(rows)?;
        let text = cast(&result, &DataType::Utf8)?;
        Ok(text
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect())
    };
    match catch_unwind(AssertUnwindSafe(run)) {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err("the evaluation panicked".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(expression: Option<&str>, values: &[Option<&str>]) -> Vec<Option<String>> {
        let expressions = StringArray::from(vec![expression; values.len()]);
        let values = StringArray::from(values.to_vec());
        let out = convert_all(&expressions, &values);
        out.as_string::<i32>()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    }

    fn text(v: &[Option<&str>]) -> Vec<Option<String>> {
        v.iter().map(|v| v.map(str::to_string)).collect()
    }

    #[test]
    fn no_expression_keeps_the_value() {
        let values = [Some("Gold"), None];
        assert_eq!(convert(None, &values), text(&values));
        assert_eq!(convert(Some("  "), &values), text(&values));
    }

    #[test]
    fn expression_over_value() {
        assert_eq!(
            convert(Some("upper(trim(value))"), &[Some(" gold "), None]),
            text(&[Some("GOLD"), None])
        );
        assert_eq!(
            convert(
                Some("cast(cast(value as double) * 100 as bigint)"),
                &[Some("2.5")]
            ),
            text(&[Some("250")])
        );
    }

    #[test]
    fn failing_rows_give_null_and_the_others_keep_their_result() {
        assert_eq!(
            convert(
                Some("cast(value as int) + 1"),
                &[Some("1"), Some("abc"), Some("41")]
            ),
            text(&[Some("2"), None, Some("42")])
        );
    }

    #[test]
    fn bad_expressions_are_reported_and_give_null() {
        for bad in [
            "upper(",
            "no_such_function(value)",
            "other_column",
            "random()",
            "now()",
            "count(value)",
            "(select 1)",
            "$1",
        ] {
            assert!(check(bad).is_err(), "{bad} accepted");
            assert_eq!(convert(Some(bad), &[Some("x")]), text(&[None]), "{bad}");
        }
        assert!(matches!(
            check("random()"),
            Err(ConvertError::Refused { .. })
        ));
        assert!(check("case when value = '1' then 'Yes' else 'No' end").is_ok());
    }
}
