//! Every DDL Tidemark renders applies on the real servers, and the database's own catalog
//! reports back exactly the Arrow schema of each table: IDB tables on PostgreSQL, MariaDB
//! and SQLite; Info Mart tables (partitioned in PostgreSQL) on PostgreSQL and SQLite.

use tidemark_schemas::catalog_types::arrow_type_of;
use tidemark_schemas::{ddl, idb, mart, Dialect, TableDef};
use tidemark_sinks::database::{self, Database};
use tidemark_tests::{fresh_mysql, fresh_postgres, fresh_sqlite};

async fn create_all(db: &dyn Database, tables: &[TableDef]) {
    let statements: Vec<String> = tables
        .iter()
        .flat_map(|t| ddl::create_table_with_indexes(t, db.dialect()))
        .collect();
    db.execute_all(&statements)
        .await
        .expect("every DDL statement applies");
}

/// Compares each table's catalog columns with its Arrow schema: names, order, types and
/// nullability.
async fn assert_catalog_matches(db: &dyn Database, tables: &[TableDef]) {
    let dialect = db.dialect();
    let mut mismatches = Vec::new();
    for table in tables {
        let catalog = db.table_columns(&table.sql_name()).await.unwrap();
        let schema = table.arrow_schema();
        if catalog.len() != schema.fields().len() {
            mismatches.push(format!(
                "{}: {} catalog columns, {} fields",
                table.name,
                catalog.len(),
                schema.fields().len()
            ));
            continue;
        }
        for (column, field) in catalog.iter().zip(schema.fields()) {
            let reported = arrow_type_of(dialect, column);
            if column.name != *field.name()
                || reported.as_ref() != Some(field.data_type())
                || column.nullable != field.is_nullable()
            {
                mismatches.push(format!(
                    "{}.{}: catalog says {} {:?} (→ {reported:?}, nullable {}), schema says {} {} (nullable {})",
                    table.name,
                    column.name,
                    column.data_type,
                    (column.precision, column.scale),
                    column.nullable,
                    field.name(),
                    field.data_type(),
                    field.is_nullable()
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{dialect:?} catalog differs:\n{}",
        mismatches.join("\n")
    );
}

#[tokio::test]
async fn idb_tables_round_trip_on_postgres() {
    let server = fresh_postgres().await;
    let db = database::connect(&server.url).await.unwrap();
    create_all(db.as_ref(), idb::tables()).await;
    assert_catalog_matches(db.as_ref(), idb::tables()).await;
}

#[tokio::test]
async fn idb_tables_round_trip_on_mariadb() {
    let server = fresh_mysql().await;
    let db = database::connect(&server.url).await.unwrap();
    assert_eq!(db.dialect(), Dialect::MySql);
    create_all(db.as_ref(), idb::tables()).await;
    assert_catalog_matches(db.as_ref(), idb::tables()).await;
}

#[tokio::test]
async fn idb_tables_round_trip_on_sqlite() {
    let server = fresh_sqlite();
    let db = database::connect(&server.url).await.unwrap();
    create_all(db.as_ref(), idb::tables()).await;
    assert_catalog_matches(db.as_ref(), idb::tables()).await;
}

#[tokio::test]
async fn infomart_tables_round_trip_on_postgres() {
    let server = fresh_postgres().await;
    let db = database::connect(&server.url).await.unwrap();
    create_all(db.as_ref(), mart::tables()).await;
    assert_catalog_matches(db.as_ref(), mart::tables()).await;
    // Partitioned tables are declared as such.
    for table in mart::tables().iter().filter(|t| t.partition_key.is_some()) {
        let kind = db
            .query_strings(&format!(
                "select relkind::text from pg_class where relname = '{}'",
                table.sql_name()
            ))
            .await
            .unwrap();
        assert_eq!(
            kind,
            vec!["p".to_string()],
            "{} is not partitioned",
            table.name
        );
    }
}

#[tokio::test]
async fn infomart_tables_round_trip_on_sqlite() {
    let server = fresh_sqlite();
    let db = database::connect(&server.url).await.unwrap();
    create_all(db.as_ref(), mart::tables()).await;
    assert_catalog_matches(db.as_ref(), mart::tables()).await;
}
