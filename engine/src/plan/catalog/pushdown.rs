//! Filters a database can apply while reading an Info Mart table: an integer column compared
//! with an integer literal, a text column equal or unequal to a text literal, `IS [NOT] NULL`,
//! and `AND` of those. Only conditions that mean the same in PostgreSQL, SQLite and DataFusion
//! are translated (no text ordering, which depends on collation).

use datafusion::logical_expr::{BinaryExpr, Expr, Operator};
use datafusion::scalar::ScalarValue;
use tidemark_schemas::table::{ColumnDef, SqlType};

/// The SQL condition for `filter` over a table of `columns`, if it can be pushed.
pub fn to_sql(filter: &Expr, columns: &[ColumnDef]) -> Option<String> {
    match filter {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) if *op == Operator::And => Some(format!(
            "({} and {})",
            to_sql(left, columns)?,
            to_sql(right, columns)?
        )),
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => comparison(left, *op, right, columns)
            .or_else(|| comparison(right, op.swap()?, left, columns)),
        Expr::IsNull(e) => Some(format!("{} is null", column(e, columns)?.0)),
        Expr::IsNotNull(e) => Some(format!("{} is not null", column(e, columns)?.0)),
        _ => None,
    }
}

/// `column op literal`, when the pair is safe to push.
fn comparison(left: &Expr, op: Operator, right: &Expr, columns: &[ColumnDef]) -> Option<String> {
    let (name, sql_type) = column(left, columns)?;
    let Expr::Literal(value, _) = right else {
        return None;
    };
    let symbol = match op {
        Operator::Eq => "=",
        Operator::NotEq => "<>",
        Operator::Lt => "<",
        Operator::LtEq => "<=",
        Operator::Gt => ">",
        Operator::GtEq => ">=",
        _ => return None,
    };
    let literal = match sql_type {
        SqlType::SmallInt | SqlType::Integer | SqlType::BigInt | SqlType::BigSerial => {
            integer(value)?.to_string()
        }
        SqlType::Varchar(_) | SqlType::Text if matches!(op, Operator::Eq | Operator::NotEq) => {
            let text = value.try_as_str()??;
            format!("'{}'", text.replace('\'', "''"))
        }
        _ => return None,
    };
    Some(format!("{name} {symbol} {literal}"))
}

/// The model column `expr` names (possibly widened by a cast to another integer type).
fn column(expr: &Expr, columns: &[ColumnDef]) -> Option<(String, SqlType)> {
    match expr {
        Expr::Column(c) => columns
            .iter()
            .find(|d| d.sql_name() == c.name)
            .map(|d| (d.sql_name(), d.sql_type)),
        Expr::Cast(cast) if cast.field.data_type().is_integer() => {
            let (name, sql_type) = column(&cast.expr, columns)?;
            let integer = matches!(
                sql_type,
                SqlType::SmallInt | SqlType::Integer | SqlType::BigInt | SqlType::BigSerial
            );
            integer.then_some((name, sql_type))
        }
        _ => None,
    }
}

fn integer(value: &ScalarValue) -> Option<i64> {
    match value {
        ScalarValue::Int8(Some(v)) => Some((*v).into()),
        ScalarValue::Int16(Some(v)) => Some((*v).into()),
        ScalarValue::Int32(Some(v)) => Some((*v).into()),
        ScalarValue::Int64(Some(v)) => Some(*v),
        ScalarValue::UInt8(Some(v)) => Some((*v).into()),
        ScalarValue::UInt16(Some(v)) => Some((*v).into()),
        ScalarValue::UInt32(Some(v)) => Some((*v).into()),
        ScalarValue::UInt64(Some(v)) => i64::try_from(*v).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::{col, lit};

    fn columns() -> Vec<ColumnDef> {
        tidemark_schemas::mart::table("RESOURCE_")
            .expect("model table")
            .columns
            .clone()
    }

    #[test]
    fn safe_conditions_become_sql() {
        let c = columns();
        let filter = col("resource_key")
            .gt_eq(lit(5))
            .and(lit("O'Neil").eq(col("resource_name")));
        assert_eq!(
            to_sql(&filter, &c).as_deref(),
            Some("(resource_key >= 5 and resource_name = 'O''Neil')")
        );
        assert_eq!(
            to_sql(&lit(7).lt(col("tenant_key")), &c).as_deref(),
            Some("tenant_key > 7")
        );
        assert_eq!(
            to_sql(&col("agent_last_name").is_null(), &c).as_deref(),
            Some("agent_last_name is null")
        );
    }

    #[test]
    fn other_conditions_stay_in_datafusion() {
        let c = columns();
        assert_eq!(to_sql(&col("resource_name").lt(lit("m")), &c), None);
        assert_eq!(to_sql(&col("resource_key").eq(lit("5")), &c), None);
        assert_eq!(to_sql(&col("unknown").eq(lit(1)), &c), None);
        assert_eq!(
            to_sql(
                &col("resource_key")
                    .eq(lit(1))
                    .or(col("resource_key").eq(lit(2))),
                &c
            ),
            None
        );
    }
}
