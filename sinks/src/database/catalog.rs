//! Reading catalog query results, shared by the flavours. Each flavour writes its own catalog
//! SQL so that it answers in the shapes read here.

use tidemark_schemas::catalog_types::CatalogColumn;

use super::error::DatabaseError;
use super::value::SqlValue;

/// The name as a lower-case plain identifier, safe to place in SQL text unquoted or inside
/// a string literal. Tidemark creates only such names, so anything else is refused.
pub(crate) fn identifier(name: &str) -> Result<String, DatabaseError> {
    let plain = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if plain {
        Ok(name.to_ascii_lowercase())
    } else {
        Err(DatabaseError::Identifier {
            name: name.to_owned(),
        })
    }
}

/// Catalog rows `(name, data_type, precision, scale, is_nullable 'YES'/'NO')` as columns.
pub(crate) fn columns(
    table: &str,
    rows: Result<Vec<Vec<SqlValue>>, DatabaseError>,
) -> Result<Vec<CatalogColumn>, DatabaseError> {
    let rows = rows.map_err(|e| DatabaseError::table("reading the column catalog", table, e))?;
    rows.into_iter()
        .map(|row| match row.as_slice() {
            [name, data_type, precision, scale, nullable] => Ok(CatalogColumn {
                name: text(name).to_ascii_lowercase(),
                data_type: text(data_type).to_owned(),
                precision: precision.as_i64(),
                scale: scale.as_i64(),
                nullable: text(nullable).eq_ignore_ascii_case("yes"),
            }),
            _ => Err(DatabaseError::table(
                "reading the column catalog",
                table,
                format!("expected 5 catalog fields per column, got {}", row.len()),
            )),
        })
        .collect()
}

/// The first field of every row as text (catalog names).
pub(crate) fn names(
    operation: &'static str,
    table: &str,
    rows: Result<Vec<Vec<SqlValue>>, DatabaseError>,
) -> Result<Vec<String>, DatabaseError> {
    let rows = rows.map_err(|e| DatabaseError::table(operation, table, e))?;
    Ok(rows
        .iter()
        .filter_map(|row| row.first())
        .map(|v| text(v).to_owned())
        .collect())
}

/// Whether a count query found at least one row.
pub(crate) fn exists(
    table: &str,
    count: Result<Vec<Vec<SqlValue>>, DatabaseError>,
) -> Result<bool, DatabaseError> {
    let rows = count.map_err(|e| DatabaseError::table("looking the table up", table, e))?;
    let count = rows
        .first()
        .and_then(|row| row.first())
        .and_then(SqlValue::as_i64);
    Ok(count.unwrap_or(0) > 0)
}

fn text(value: &SqlValue) -> &str {
    value.as_str().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_plain_and_lower_case() {
        assert_eq!(
            identifier("GC_AGENT_LOGIN").expect("plain"),
            "gc_agent_login"
        );
        assert_eq!(identifier("t$1").expect("plain"), "t$1");
        for bad in ["", "1abc", "a b", "x'; drop table y; --", "naïve", "a.b"] {
            assert!(identifier(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn catalog_rows_become_columns() {
        let rows = vec![vec![
            SqlValue::Text("ID".into()),
            SqlValue::Text("numeric".into()),
            SqlValue::Int(20),
            SqlValue::Int(0),
            SqlValue::Text("NO".into()),
        ]];
        let cols = columns("t", Ok(rows)).expect("five fields");
        assert_eq!(
            cols,
            vec![CatalogColumn {
                name: "id".into(),
                data_type: "numeric".into(),
                precision: Some(20),
                scale: Some(0),
                nullable: false,
            }]
        );
        let err = columns("t", Ok(vec![vec![SqlValue::Null]])).expect_err("short row");
        assert!(err.to_string().contains("table t"), "{err}");
    }
}
