use std::sync::Arc;

use datafusion::arrow::array::{Int32Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::datasource::MemTable;

use super::*;

const REPORT: &str = "\
-- Rows of t from a key on.
-- @param from_key INTEGER = 2   first key
-- @param label VARCHAR = NULL   only this label
create view big as select * from t where k >= $from_key;

select k, v
from big
where $label is null or v = $label
order by k
";

fn session() -> SessionContext {
    let ctx = new_session();
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", DataType::Int32, false),
        Field::new("v", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int32Array::from(vec![1, 2, 3])),
            Arc::new(StringArray::from(vec!["a", "b", "c"])),
        ],
    )
    .expect("batch");
    let table = MemTable::try_new(schema, vec![vec![batch]]).expect("table");
    ctx.register_table("t", Arc::new(table)).expect("register");
    ctx
}

async fn run(file: &PlanFile, args: &[(&str, &str)]) -> Result<String, PlanFileError> {
    let args: Vec<(String, String)> = args
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let bindings = file.bind_args(&args)?;
    let frame = file.prepare(&session(), &bindings).await?;
    let batches = frame
        .collect()
        .await
        .map_err(|e| file.execution_error(&e))?;
    Ok(pretty_format_batches(&batches).expect("format").to_string())
}

#[tokio::test]
async fn statements_run_in_order_with_typed_parameters() {
    let file = PlanFile::parse("report.sql", REPORT).expect("parses");
    assert_eq!(file.params().len(), 2);
    assert_eq!(file.statements().len(), 2);
    let all = run(&file, &[]).await.expect("runs");
    assert!(
        all.contains("| 2 | b |") && all.contains("| 3 | c |"),
        "{all}"
    );
    assert!(!all.contains("| 1 | a |"), "{all}");
    let one = run(&file, &[("from_key", "1"), ("label", "a")])
        .await
        .expect("runs");
    assert!(one.contains("| 1 | a |") && !one.contains("| 2 |"), "{one}");
    let spliced = run(&file, &[("label", "a' or '1'='1")])
        .await
        .expect("runs");
    assert!(
        !spliced.contains("| 2 |"),
        "a value is a literal: {spliced}"
    );
}

#[tokio::test]
async fn parameter_errors_name_the_parameter_and_its_line() {
    let file = PlanFile::parse("report.sql", REPORT).expect("parses");
    let err = |args: &[(&str, &str)]| {
        let args: Vec<(String, String)> = args
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        file.bind_args(&args).expect_err("refused").to_string()
    };
    assert_eq!(
        err(&[("from_key", "x")]),
        "report.sql:2: parameter `from_key` expects INTEGER, got `x`: not an integer"
    );
    assert_eq!(
        err(&[("nope", "1")]),
        "report.sql: unknown parameter `nope` (the file declares: from_key, label)"
    );
    assert_eq!(
        err(&[("label", "a"), ("label", "b")]),
        "report.sql: parameter `label` is given twice"
    );
    let required = PlanFile::parse("r.sql", "-- @param to BIGINT\nselect $to").expect("parses");
    assert_eq!(
        required.bind_args(&[]).expect_err("missing").to_string(),
        "r.sql:1: parameter `to` (BIGINT) has no value and no default (--param to=…)"
    );
    let undeclared = PlanFile::parse("r.sql", "select 1,\n  $oops").expect_err("undeclared");
    assert_eq!(
        undeclared.to_string(),
        "r.sql:2: `$oops` is not declared: add `-- @param oops TYPE` to the file"
    );
}

async fn error(text: &str) -> String {
    let file = PlanFile::parse("r.sql", text).expect("parses");
    run(&file, &[]).await.expect_err("fails").to_string()
}

#[tokio::test]
async fn sql_errors_name_the_line() {
    let missing = error("-- one\nselect 1;\n\nselect *\nfrom nope").await;
    assert_eq!(missing, "r.sql:5: table 'nope' not found");
    let column = error("select k,\n  missing_column\nfrom t").await;
    assert!(column.starts_with("r.sql:2: "), "{column}");
    assert!(column.contains("missing_column"), "{column}");
    let syntax = error("-- x\nselect k\nfrom t\nwhere k >>> 1").await;
    assert!(syntax.starts_with("r.sql:4: "), "{syntax}");
    let empty = PlanFile::parse("r.sql", "-- nothing\n").expect_err("empty");
    assert_eq!(
        empty.to_string(),
        "r.sql: the plan file holds no SQL statement"
    );
}

#[test]
fn table_function_values_bind_in_declaration_order() {
    let file = PlanFile::parse("report.sql", REPORT).expect("parses");
    let bound = file
        .bind_values(&[ScalarValue::Int64(Some(3))])
        .expect("binds");
    assert_eq!(
        bound.values(),
        &[
            ("from_key".to_string(), ScalarValue::Int32(Some(3))),
            ("label".to_string(), ScalarValue::Utf8(None)),
        ]
    );
    let err = file
        .bind_values(&[
            ScalarValue::Int64(Some(3)),
            ScalarValue::Null,
            ScalarValue::Null,
        ])
        .expect_err("too many");
    assert_eq!(
        err.to_string(),
        "report.sql: 3 values given for 2 parameters"
    );
}
