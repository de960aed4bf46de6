//! The voice views in PostgreSQL, in database, the way Genesys Info Mart transforms: the
//! input rows loaded into a fresh database (untimed), then the views created and each output
//! materialized by `CREATE TABLE … AS` (timed).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use arrow::datatypes::{DataType, Schema};
use futures::SinkExt;
use tidemark_plans::transform::View;
use tokio_postgres::Client;

use super::{dialect, sums_sql, InputTable, OutputRows, OUTPUTS};
use crate::pg::PgServer;

/// `work_mem` of the session running the views. The server default (4MB) spills every
/// sort and hash of the backlog to disk; an ETL session is given more, as Info Mart
/// deployments tune it.
pub const WORK_MEM: &str = "256MB";

/// The NULL marker of the CSV rows loaded by `COPY` (an unquoted empty field is then an
/// empty string, as in the Arrow rows).
const NULL: &str = "\\N";

/// Loads `inputs` into a new database, times `views` and the [`OUTPUTS`] materialized in
/// it, then sums the outputs; the database is dropped afterwards.
pub async fn run(
    pg: &PgServer,
    inputs: &[InputTable],
    views: &[View],
    shared: &BTreeSet<String>,
) -> Result<(f64, Vec<OutputRows>)> {
    let database = format!(
        "tmbench_baseline_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp()
    );
    pg.create(&database).await?;
    let result = async {
        let client = pg.client(&database).await?;
        check_collation(&client).await?;
        for input in inputs {
            load(&client, input)
                .await
                .with_context(|| format!("loading {}", input.name))?;
        }
        client.batch_execute("analyze").await?;
        for statement in dialect::postgres_setup() {
            client.batch_execute(&statement).await?;
        }
        client
            .batch_execute(&format!("set work_mem = '{WORK_MEM}'"))
            .await?;
        let wall_s = run_views(&client, views, shared).await?;
        let mut outputs = Vec::new();
        for output in OUTPUTS {
            outputs.push(sums(&client, output).await?);
        }
        Ok((wall_s, outputs))
    }
    .await;
    if let Err(e) = pg.drop_database(&database).await {
        tracing::warn!("dropping baseline database {database}: {e:#}");
    }
    result
}

/// Refuses a database whose default collation would order text unlike DataFusion (bytes):
/// keys numbered in text order (group combinations) would differ.
async fn check_collation(client: &Client) -> Result<()> {
    let row = client
        .query_one(
            "select datcollate from pg_database where datname = current_database()",
            &[],
        )
        .await?;
    let collation: String = row.get(0);
    if !matches!(collation.as_str(), "C" | "POSIX" | "C.UTF-8" | "C.utf8") {
        bail!("database collation {collation} does not order text by bytes as DataFusion does");
    }
    Ok(())
}

/// The views in dialect order (shared ones as analyzed tables), then each output as a
/// table; returns the seconds taken.
async fn run_views(client: &Client, views: &[View], shared: &BTreeSet<String>) -> Result<f64> {
    let started = Instant::now();
    for view in views {
        let sql = dialect::postgres(&view.sql);
        let name = &view.name;
        let statement = if shared.contains(name) {
            format!("create table {name} as {sql}; analyze {name}")
        } else {
            format!("create view {name} as {sql}")
        };
        client
            .batch_execute(&statement)
            .await
            .with_context(|| format!("view {name}: {sql}"))?;
    }
    for output in OUTPUTS {
        client
            .batch_execute(&format!(
                "create table out_{output} as select * from {output}"
            ))
            .await
            .with_context(|| format!("materializing {output}"))?;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Creates the table of `input` and copies its rows in as CSV.
async fn load(client: &Client, input: &InputTable) -> Result<()> {
    client
        .batch_execute(&create_table(&input.name, &input.schema)?)
        .await?;
    let sink = client
        .copy_in(format!("copy {} from stdin (format csv, null '{NULL}')", input.name).as_str())
        .await?;
    futures::pin_mut!(sink);
    for batch in &input.batches {
        let mut writer = arrow::csv::WriterBuilder::new()
            .with_header(false)
            .with_null(NULL.to_string())
            .build(Vec::new());
        writer.write(batch)?;
        sink.send(bytes::Bytes::from(writer.into_inner())).await?;
    }
    sink.finish().await?;
    Ok(())
}

/// `create table <name> (…)` with the PostgreSQL type of each Arrow column.
fn create_table(name: &str, schema: &Schema) -> Result<String> {
    let columns = schema
        .fields()
        .iter()
        .map(|f| Ok(format!("{} {}", f.name(), pg_type(f.data_type())?)))
        .collect::<Result<Vec<_>>>()
        .with_context(|| format!("input {name}"))?;
    Ok(format!("create table {name} ({})", columns.join(", ")))
}

/// The PostgreSQL type holding an Arrow type's values.
fn pg_type(data_type: &DataType) -> Result<String> {
    Ok(match data_type {
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => "bigint".into(),
        DataType::Int32 | DataType::UInt16 => "integer".into(),
        DataType::Int16 | DataType::Int8 | DataType::UInt8 => "smallint".into(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "text".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Float64 => "double precision".into(),
        DataType::Float32 => "real".into(),
        DataType::Timestamp(_, None) => "timestamp".into(),
        DataType::Timestamp(_, Some(_)) => "timestamptz".into(),
        DataType::Date32 => "date".into(),
        DataType::Decimal128(p, s) => format!("numeric({p}, {s})"),
        other => bail!("no PostgreSQL type for Arrow {other}"),
    })
}

/// Rows and integer-column sums of output `output`'s table.
async fn sums(client: &Client, output: &str) -> Result<OutputRows> {
    let table = format!("out_{output}");
    let columns: Vec<String> = client
        .query(
            "select column_name::text from information_schema.columns \
             where table_schema = current_schema() and table_name = $1 \
             and data_type in ('smallint', 'integer', 'bigint') order by ordinal_position",
            &[&table],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let row = client
        .query_one(sums_sql(&table, &columns).as_str(), &[])
        .await
        .with_context(|| format!("summing {output}"))?;
    let mut sums = BTreeMap::new();
    for (i, column) in columns.into_iter().enumerate() {
        sums.insert(column, row.get::<_, i64>(i + 1));
    }
    Ok(OutputRows {
        output: output.to_string(),
        rows: row.get::<_, i64>(0).max(0) as u64,
        sums,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::Field;

    #[test]
    fn input_columns_map_to_postgres_types() {
        let schema = Schema::new(vec![
            Field::new("a", DataType::Int64, true),
            Field::new("b", DataType::Int32, true),
            Field::new("c", DataType::Int16, true),
            Field::new("d", DataType::Utf8, true),
            Field::new("e", DataType::Boolean, true),
            Field::new("f", DataType::Float64, true),
            Field::new(
                "g",
                DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, None),
                true,
            ),
        ]);
        assert_eq!(
            create_table("t", &schema).unwrap(),
            "create table t (a bigint, b integer, c smallint, d text, e boolean, \
             f double precision, g timestamp)"
        );
        assert!(pg_type(&DataType::Binary).is_err());
    }
}
