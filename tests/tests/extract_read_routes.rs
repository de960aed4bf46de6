//! An IDB read returns the same values whichever route it takes: small reads on the control
//! connection, bulk reads through connectorx. Every IDB table, filled by the simulator, is
//! read whole both ways from PostgreSQL and from MariaDB.

mod extract_common;

use arrow::array::RecordBatch;
use arrow::compute::cast;
use arrow::util::display::array_value_to_string;
use extract_common::{sim_args, simulate};
use tidemark::config::Dap;
use tidemark::sources::idb::{Idb, ReadSize};
use tidemark::sources::window_sql::whole_table_query;
use tidemark_schemas::{idb, TableDef};
use tidemark_tests::{fresh_mysql, fresh_postgres};

/// Every row of `batches` rendered in the Arrow types of `table`'s columns, sorted.
fn rendered(table: &TableDef, batches: &[RecordBatch]) -> Vec<String> {
    let mut rows = Vec::new();
    for batch in batches {
        assert_eq!(batch.num_columns(), table.columns.len(), "{}", table.name);
        let columns: Vec<_> = table
            .columns
            .iter()
            .zip(batch.columns())
            .map(|(c, column)| cast(column, &c.sql_type.arrow_type()).expect("cast"))
            .collect();
        for row in 0..batch.num_rows() {
            let values: Vec<String> = columns
                .iter()
                .map(|c| array_value_to_string(c, row).expect("render"))
                .collect();
            rows.push(values.join("|"));
        }
    }
    rows.sort();
    rows
}

async fn both_routes_agree(url: &str) {
    simulate(&sim_args(&[url], 41, 150)).await;
    let dap = Dap {
        name: "idb".into(),
        url: url.into(),
        ..Dap::default()
    };
    let source = Idb::open(&dap, 3).await.expect("open the IDB");
    assert!(source.reads_on_control(ReadSize::Small));
    assert!(!source.reads_on_control(ReadSize::Bulk));
    let mut filled = 0;
    for table in idb::tables() {
        let query = whole_table_query(table, source.dialect);
        let read = |size| source.read(vec![query.clone()], table, &table.name, size);
        let small = read(ReadSize::Small).await.expect("control read");
        let bulk = read(ReadSize::Bulk).await.expect("connectorx read");
        let (small, bulk) = (rendered(table, &small), rendered(table, &bulk));
        assert_eq!(small, bulk, "{}: the two routes differ", table.name);
        filled += usize::from(!small.is_empty());
    }
    assert!(filled >= 20, "only {filled} IDB tables hold rows");
}

#[tokio::test]
async fn postgres_reads_agree_on_both_routes() {
    both_routes_agree(&fresh_postgres().await.url).await;
}

#[tokio::test]
async fn mariadb_reads_agree_on_both_routes() {
    both_routes_agree(&fresh_mysql().await.url).await;
}
