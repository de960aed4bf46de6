//! The voice views in the SQL of PostgreSQL and DuckDB: only what those dialects reject or
//! read differently is rewritten, at the text level, and every rewrite is listed here.
//!
//! | DataFusion                     | PostgreSQL 15                      | DuckDB                  |
//! |--------------------------------|------------------------------------|-------------------------|
//! | `first_value(X order by Y)` (aggregate) | `(array_agg(X order by Y))[1]` | `first(X order by Y)` |
//! | UDF `date_time_key(x)`         | SQL function ([`postgres_setup`])  | macro ([`duckdb_setup`]) |
//! | NULLs last ascending, first descending | the same                   | session setting ([`duckdb_setup`]) |
//! | UDF `ud_convert(e, v)`         | PL/pgSQL function running `e` dynamically | macro: `v` when `e` is NULL, else NULL |
//!
//! `first_value(…) over (…)` is the window function every engine has and is left alone.
//! Everything else the views use (`string_agg(… order by …)`, `greatest`, `least`, `||` on
//! numbers, `union`, windows) reads the same in all three; the subqueries in FROM carry
//! aliases in the views themselves, as PostgreSQL requires. DuckDB cannot evaluate an
//! expression held as data, so its `ud_convert` only stores values of mapping rows without a
//! CONVERT_EXPRESSION, as the benchmark's seeded mapping has.

/// `date_time_key(x)` (udfs/src/date_time_key.rs): `x - x mod 900` with a non-negative
/// remainder; NULL stays NULL.
const DATE_TIME_KEY: &str = "x - ((x % 900) + 900) % 900";

/// Statements run in the fresh PostgreSQL database before the views: the `date_time_key`
/// function (an inlinable SQL function; smaller integer arguments widen to `bigint`) and
/// `ud_convert` (the expression run over the value; NULL where it fails, as the UDF). The
/// latter catches the failure in a subtransaction, which PostgreSQL cannot start while a
/// parallel plan runs, so it is `parallel unsafe`: a query calling it runs in one process.
pub fn postgres_setup() -> Vec<String> {
    vec![
        format!(
            "create function date_time_key(x bigint) returns bigint language sql immutable \
             parallel safe as $$ select {DATE_TIME_KEY} $$"
        ),
        "create function ud_convert(expression text, value text) returns text \
         language plpgsql immutable parallel unsafe as $$ \
         declare result text; \
         begin \
           if value is null or expression is null or trim(expression) = '' then \
             return value; \
           end if; \
           execute format('select (%s)::text from (select $1 as value) v', expression) \
             into result using value; \
           return result; \
         exception when others then return null; \
         end $$"
            .into(),
    ]
}

/// Statements run in a fresh DuckDB database before the views: NULL ordering as DataFusion
/// and PostgreSQL have it (DuckDB sorts NULLs last either way by default, which would change
/// what `first(… order by … desc)` picks), and the `date_time_key` and `ud_convert` macros.
pub fn duckdb_setup() -> Vec<String> {
    vec![
        "set default_null_order = 'nulls_last_on_asc_first_on_desc'".into(),
        format!("create macro date_time_key(x) as {DATE_TIME_KEY}"),
        "create macro ud_convert(e, v) as case when e is null then v end".into(),
    ]
}

/// A view's `select` in PostgreSQL's dialect.
pub fn postgres(sql: &str) -> String {
    rewrite_aggregate(sql, "first_value", &|arg| format!("(array_agg({arg}))[1]"))
}

/// A view's `select` in DuckDB's dialect.
pub fn duckdb(sql: &str) -> String {
    rewrite_aggregate(sql, "first_value", &|arg| format!("first({arg})"))
}

/// Replaces every call `name(<arg>)` that is not followed by `over` (an aggregate, not a
/// window function) by `with(<arg>)`, rewriting calls nested in the argument first.
/// Parentheses inside string literals do not count.
fn rewrite_aggregate(sql: &str, name: &str, with: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(start) = find_call(rest, name) {
        let open = start + name.len() + spaces(&rest[start + name.len()..]);
        let Some(close) = matching_paren(rest, open) else {
            break;
        };
        let arg = rewrite_aggregate(&rest[open + 1..close], name, with);
        out.push_str(&rest[..start]);
        let after = &rest[close + 1..];
        if next_word(after).eq_ignore_ascii_case("over") {
            out.push_str(&rest[start..=open]);
            out.push_str(&arg);
            out.push(')');
        } else {
            out.push_str(&with(&arg));
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Byte offset of the first call of function `name` in `sql` outside string literals:
/// the name as a whole word, then optional spaces and `(`.
fn find_call(sql: &str, name: &str) -> Option<usize> {
    let bytes = sql.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            in_string = b != b'\'';
        } else if b == b'\'' {
            in_string = true;
        } else if bytes[i..]
            .get(..name.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(name.as_bytes()))
            && (i == 0 || !is_word(bytes[i - 1]))
        {
            let after = i + name.len();
            let open = after + spaces(&sql[after..]);
            if bytes.get(open) == Some(&b'(') {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// Offset of the `)` closing the `(` at `open`, skipping string literals.
fn matching_paren(sql: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    for (i, b) in sql.bytes().enumerate().skip(open) {
        match b {
            b'\'' => in_string = !in_string,
            b'(' if !in_string => depth += 1,
            b')' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Number of leading whitespace bytes of `s`.
fn spaces(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

/// The identifier `s` starts with, after whitespace.
fn next_word(s: &str) -> &str {
    let s = s.trim_start();
    let end = s.bytes().position(|b| !is_word(b)).unwrap_or(s.len());
    &s[..end]
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregate_with_nested_parentheses_and_case() {
        let sql = "select k, first_value(case when prole = 1 then endpointdn end \
                   order by case when prole = 1 then 0 else 1 end, coalesce(a, (b)) desc) \
                   as source_address from t group by k";
        assert_eq!(
            postgres(sql),
            "select k, (array_agg(case when prole = 1 then endpointdn end \
             order by case when prole = 1 then 0 else 1 end, coalesce(a, (b)) desc))[1] \
             as source_address from t group by k"
        );
        assert_eq!(
            duckdb(sql),
            "select k, first(case when prole = 1 then endpointdn end \
             order by case when prole = 1 then 0 else 1 end, coalesce(a, (b)) desc) \
             as source_address from t group by k"
        );
    }

    #[test]
    fn several_calls_and_nulls_first() {
        let sql = "select first_value(a order by b desc nulls first, c desc) as x, \
                   first_value (d order by e) as y from t";
        assert_eq!(
            postgres(sql),
            "select (array_agg(a order by b desc nulls first, c desc))[1] as x, \
             (array_agg(d order by e))[1] as y from t"
        );
        assert_eq!(
            duckdb(sql),
            "select first(a order by b desc nulls first, c desc) as x, \
             first(d order by e) as y from t"
        );
    }

    #[test]
    fn window_function_and_strings_are_left_alone() {
        let sql = "select first_value(x) over (partition by k order by t) as f, \
                   'first_value(not a call' as s, my_first_value(y) from t";
        assert_eq!(postgres(sql), sql);
        assert_eq!(duckdb(sql), sql);
    }

    #[test]
    fn nested_aggregate_inside_argument() {
        let sql = "select first_value(coalesce(first_value(a order by b), 0) order by c) from t";
        assert_eq!(
            postgres(sql),
            "select (array_agg(coalesce((array_agg(a order by b))[1], 0) order by c))[1] from t"
        );
    }

    #[test]
    fn every_voice_view_translates_without_first_value_left() {
        for view in tidemark_plans::transform::voice::views() {
            for translated in [postgres(&view.sql), duckdb(&view.sql)] {
                assert!(
                    !translated.contains("first_value("),
                    "{}: {translated}",
                    view.name
                );
                assert_eq!(
                    translated.matches('(').count(),
                    translated.matches(')').count(),
                    "{}",
                    view.name
                );
            }
        }
    }

    #[test]
    fn setup_defines_date_time_key_with_the_udf_formula() {
        assert!(postgres_setup()[0].contains("select x - ((x % 900) + 900) % 900 $$"));
        assert!(duckdb_setup()[1].ends_with("as x - ((x % 900) + 900) % 900"));
    }
}
