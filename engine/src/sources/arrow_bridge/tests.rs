//! The bridge on every Arrow type the IDB schemas use, and on a real connectorx read from
//! PostgreSQL.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use arrow::array::{self as a59, Array};
use arrow::datatypes::{DataType, TimeUnit};
use arrow56::array as a56;
use connectorx::prelude::{get_arrow, SourceConn};
use connectorx::sql::CXQuery;
use tidemark_schemas::ddl::{create_table, Dialect};

use super::batch_56_to_59;

/// Addresses of an array's value buffers and validity bitmap (arrow 56).
fn addresses_56(data: &arrow56::array::ArrayData) -> Vec<usize> {
    let mut out: Vec<usize> = data.buffers().iter().map(|b| b.as_ptr() as usize).collect();
    out.extend(data.nulls().map(|n| n.buffer().as_ptr() as usize));
    out
}

/// Addresses of an array's value buffers and validity bitmap (arrow 59).
fn addresses_59(data: &arrow::array::ArrayData) -> Vec<usize> {
    let mut out: Vec<usize> = data.buffers().iter().map(|b| b.as_ptr() as usize).collect();
    out.extend(data.nulls().map(|n| n.buffer().as_ptr() as usize));
    out
}

/// One arrow-56 column and the arrow-59 array it must arrive as.
fn pairs() -> Vec<(&'static str, a56::ArrayRef, a59::ArrayRef)> {
    let ts = 1_709_632_800_123_000_i64;
    let big = 12_345_678_901_234_567_890_i128;
    vec![
        (
            "f_conn",
            Arc::new(a56::Int16Array::from(vec![Some(1), None, Some(-3)])),
            Arc::new(a59::Int16Array::from(vec![Some(1), None, Some(-3)])),
        ),
        (
            "state",
            Arc::new(a56::Int32Array::from(vec![Some(2), Some(i32::MAX), None])),
            Arc::new(a59::Int32Array::from(vec![Some(2), Some(i32::MAX), None])),
        ),
        (
            "gsys_seq",
            Arc::new(a56::Int64Array::from(vec![None, Some(i64::MIN), Some(9)])),
            Arc::new(a59::Int64Array::from(vec![None, Some(i64::MIN), Some(9)])),
        ),
        (
            "connidnum",
            Arc::new(
                a56::Decimal128Array::from(vec![Some(big), None, Some(0)])
                    .with_precision_and_scale(20, 0)
                    .expect("precision 20"),
            ),
            Arc::new(
                a59::Decimal128Array::from(vec![Some(big), None, Some(0)])
                    .with_precision_and_scale(20, 0)
                    .expect("precision 20"),
            ),
        ),
        (
            "callid",
            Arc::new(a56::StringArray::from(vec![
                Some("C1"),
                None,
                Some("ünïcode"),
            ])),
            Arc::new(a59::StringArray::from(vec![
                Some("C1"),
                None,
                Some("ünïcode"),
            ])),
        ),
        (
            "created",
            Arc::new(a56::TimestampMicrosecondArray::from(vec![
                Some(ts),
                None,
                Some(0),
            ])),
            Arc::new(a59::TimestampMicrosecondArray::from(vec![
                Some(ts),
                None,
                Some(0),
            ])),
        ),
        (
            "value",
            Arc::new(a56::Float64Array::from(vec![
                Some(0.85),
                Some(f64::NAN),
                None,
            ])),
            Arc::new(a59::Float64Array::from(vec![
                Some(0.85),
                Some(f64::NAN),
                None,
            ])),
        ),
        (
            "all_null",
            Arc::new(a56::Int32Array::from(vec![None, None, None])),
            Arc::new(a59::Int32Array::from(vec![None, None, None])),
        ),
    ]
}

#[test]
fn every_idb_type_crosses_without_copying() {
    let pairs = pairs();
    let fields: Vec<arrow56::datatypes::Field> = pairs
        .iter()
        .map(|(name, a, _)| arrow56::datatypes::Field::new(*name, a.data_type().clone(), true))
        .collect();
    let schema56 = arrow56::datatypes::Schema::new(fields).with_metadata(
        [("table".to_string(), "g_call".to_string())]
            .into_iter()
            .collect(),
    );
    let columns: Vec<a56::ArrayRef> = pairs.iter().map(|(_, a, _)| Arc::clone(a)).collect();
    let before: Vec<Vec<usize>> = columns.iter().map(|c| addresses_56(&c.to_data())).collect();
    let batch56 =
        arrow56::record_batch::RecordBatch::try_new(Arc::new(schema56), columns).expect("batch");

    let batch = batch_56_to_59(batch56).expect("bridge");

    assert_eq!(batch.num_rows(), 3);
    assert_eq!(
        batch.schema().metadata().get("table").map(String::as_str),
        Some("g_call")
    );
    for (i, (name, _, expected)) in pairs.iter().enumerate() {
        let field = batch.schema().field(i).clone();
        assert_eq!(field.name(), name);
        assert!(field.is_nullable());
        assert_eq!(field.data_type(), expected.data_type(), "{name}");
        let got = batch.column(i);
        assert_eq!(got.to_data(), expected.to_data(), "{name}");
        assert_eq!(addresses_59(&got.to_data()), before[i], "{name} was copied");
    }
}

#[test]
fn sliced_and_empty_batches_cross() {
    let ints = a56::Int64Array::from(vec![Some(1), None, Some(3), Some(4)]);
    let strings = a56::StringArray::from(vec![Some("a"), Some("bb"), None, Some("dddd")]);
    let schema56 = Arc::new(arrow56::datatypes::Schema::new(vec![
        arrow56::datatypes::Field::new("id", arrow56::datatypes::DataType::Int64, true),
        arrow56::datatypes::Field::new("s", arrow56::datatypes::DataType::Utf8, true),
    ]));
    let batch56 = arrow56::record_batch::RecordBatch::try_new(
        Arc::clone(&schema56),
        vec![Arc::new(ints), Arc::new(strings)],
    )
    .expect("batch");

    let sliced = batch_56_to_59(batch56.slice(1, 3)).expect("bridge sliced");
    let ids = sliced
        .column(0)
        .as_any()
        .downcast_ref::<a59::Int64Array>()
        .expect("Int64");
    assert_eq!(ids.iter().collect::<Vec<_>>(), vec![None, Some(3), Some(4)]);
    let s = sliced
        .column(1)
        .as_any()
        .downcast_ref::<a59::StringArray>()
        .expect("Utf8");
    assert_eq!(
        s.iter().collect::<Vec<_>>(),
        vec![Some("bb"), None, Some("dddd")]
    );

    let empty = batch_56_to_59(batch56.slice(0, 0)).expect("bridge empty");
    assert_eq!((empty.num_rows(), empty.num_columns()), (0, 2));

    let no_columns = arrow56::record_batch::RecordBatch::try_new_with_options(
        Arc::new(arrow56::datatypes::Schema::empty()),
        vec![],
        &arrow56::record_batch::RecordBatchOptions::new().with_row_count(Some(5)),
    )
    .expect("batch");
    assert_eq!(batch_56_to_59(no_columns).expect("bridge").num_rows(), 5);
}

/// A uniquely named PostgreSQL schema holding one IDB table, dropped when the test ends.
struct ScratchSchema {
    runtime: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
    name: String,
}

impl ScratchSchema {
    fn create(url: &str, setup: &[String]) -> ScratchSchema {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .subsec_nanos();
        let name = format!("tm_bridge_{}_{nanos}", std::process::id());
        let client = runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {url} is needed for this test: {e}"));
            tokio::spawn(connection);
            client
        });
        let scratch = ScratchSchema {
            runtime,
            client,
            name,
        };
        let mut statements = vec![
            format!("create schema {}", scratch.name),
            format!("set search_path to {}", scratch.name),
        ];
        statements.extend(setup.iter().cloned());
        scratch
            .runtime
            .block_on(scratch.client.batch_execute(&statements.join(";\n")))
            .expect("set up the scratch schema");
        scratch
    }
}

impl Drop for ScratchSchema {
    fn drop(&mut self) {
        let drop = format!("drop schema if exists {} cascade", self.name);
        if let Err(e) = self.runtime.block_on(self.client.batch_execute(&drop)) {
            eprintln!("could not drop scratch schema {}: {e}", self.name);
        }
    }
}

#[test]
fn g_call_read_by_connectorx_from_postgres_crosses() {
    let url = std::env::var("TIDEMARK_TEST_PG_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".to_string());
    let g_call = tidemark_schemas::idb::table("G_CALL").expect("G_CALL");
    let inserts =
        "insert into g_call (callid, connidnum, irid, calltype, state, created, created_ts, \
                   terminated, terminated_ts, gsys_seq) values \
                   ('C1', 1234567890123456789, 'IR1', 2, 2, '2024-03-05 10:00:00.123', 1709632800, \
                    '2024-03-05 10:08:00', 1709633280, 9000000000), \
                   ('C2', null, 'IR2', 4, 1, '2024-03-05 10:03:00', 1709632980, null, null, null)";
    let scratch = ScratchSchema::create(
        &url,
        &[create_table(g_call, Dialect::Postgres), inserts.to_string()],
    );

    // connectorx starts its own runtime: called here, outside any async context.
    let source = SourceConn::try_from(url.as_str()).expect("connection url");
    let query = format!("select * from {}.g_call order by id", scratch.name);
    let destination =
        get_arrow(&source, None, &[CXQuery::from(&query)], None).expect("connectorx read");
    let batches: Vec<_> = destination
        .arrow()
        .expect("arrow batches")
        .into_iter()
        .map(|b| batch_56_to_59(b).expect("bridge"))
        .filter(|b| b.num_rows() > 0)
        .collect();
    let batch = arrow::compute::concat_batches(&batches[0].schema(), &batches).expect("concat");

    assert_eq!(batch.num_rows(), 2);
    assert_eq!(batch.num_columns(), g_call.columns.len());
    let column = |name: &str| Arc::clone(batch.column(batch.schema().index_of(name).expect(name)));

    let id = column("id");
    let id = id
        .as_any()
        .downcast_ref::<a59::Int64Array>()
        .expect("bigserial is Int64");
    assert_eq!(id.values().as_ref(), &[1, 2]);
    let callid = column("callid");
    let callid = callid
        .as_any()
        .downcast_ref::<a59::StringArray>()
        .expect("varchar is Utf8");
    assert_eq!(
        callid.iter().collect::<Vec<_>>(),
        vec![Some("C1"), Some("C2")]
    );

    let num = column("connidnum");
    let DataType::Decimal128(_, scale) = *num.data_type() else {
        panic!("numeric(20,0) read as {}", num.data_type());
    };
    let num = num
        .as_any()
        .downcast_ref::<a59::Decimal128Array>()
        .expect("Decimal128");
    assert_eq!(
        num.value(0),
        1_234_567_890_123_456_789_i128 * 10_i128.pow(scale as u32)
    );
    assert!(num.is_null(1));

    let created = column("created");
    assert_eq!(
        created.data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, None)
    );
    let created = created
        .as_any()
        .downcast_ref::<a59::TimestampMicrosecondArray>()
        .expect("µs");
    assert_eq!(created.value(0), 1_709_632_800_123_000);
    let terminated_ts = column("terminated_ts");
    let terminated_ts = terminated_ts
        .as_any()
        .downcast_ref::<a59::Int32Array>()
        .expect("integer is Int32");
    assert_eq!(
        terminated_ts.iter().collect::<Vec<_>>(),
        vec![Some(1_709_633_280), None]
    );
    let seq = column("gsys_seq");
    let seq = seq
        .as_any()
        .downcast_ref::<a59::Int64Array>()
        .expect("bigint is Int64");
    assert_eq!(
        seq.iter().collect::<Vec<_>>(),
        vec![Some(9_000_000_000), None]
    );
}
