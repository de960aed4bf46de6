//! Values read back from a database by [`Database::query`](super::Database::query).

use std::fmt;

use chrono::NaiveDateTime;

/// One value of a query result, in a vocabulary every flavour can answer in.
///
/// PostgreSQL and MySQL report `numeric`/`decimal` columns as [`SqlValue::Decimal`]; SQLite
/// keeps numbers by storage class, so its numeric columns come back as [`SqlValue::Int`] or
/// [`SqlValue::Float`]. SQLite timestamps are text; columns declared `datetime`, `timestamp`
/// or `date` are parsed back into [`SqlValue::Timestamp`].
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// SQL NULL.
    Null,
    /// Any integer type (booleans as 0/1).
    Int(i64),
    /// `double precision`, `real`, `float`.
    Float(f64),
    /// Character data.
    Text(String),
    /// Timestamp without time zone (UTC wall clock); dates at midnight.
    Timestamp(NaiveDateTime),
    /// Exact decimal as the database prints it: optional `-`, digits, and as many fraction
    /// digits as the column's scale (`-12.3400`).
    Decimal(String),
}

impl SqlValue {
    /// Whether the value is NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, SqlValue::Null)
    }

    /// The value as an integer: an [`SqlValue::Int`], or a [`SqlValue::Decimal`] without a
    /// fraction that fits 64 bits (what `sum()` returns in PostgreSQL).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            SqlValue::Int(v) => Some(*v),
            SqlValue::Decimal(text) => text.parse().ok(),
            _ => None,
        }
    }

    /// The text of a [`SqlValue::Text`] or [`SqlValue::Decimal`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            SqlValue::Text(text) | SqlValue::Decimal(text) => Some(text),
            _ => None,
        }
    }
}

impl fmt::Display for SqlValue {
    /// SQL-ish rendering: `NULL`, numbers as written, timestamps as `YYYY-MM-DD hh:mm:ss[.f]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlValue::Null => f.write_str("NULL"),
            SqlValue::Int(v) => write!(f, "{v}"),
            SqlValue::Float(v) => write!(f, "{v}"),
            SqlValue::Text(text) | SqlValue::Decimal(text) => f.write_str(text),
            SqlValue::Timestamp(t) => write!(f, "{}", t.format(TIMESTAMP_FORMAT)),
        }
    }
}

/// How timestamps are written as text (SQLite storage, messages): fraction only when
/// non-zero, in 3, 6 or 9 digits, as rusqlite's own chrono support writes them.
pub(crate) const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.f";

/// Microseconds since the Unix epoch as a wall-clock timestamp.
pub(crate) fn timestamp_from_micros(micros: i64) -> Option<NaiveDateTime> {
    chrono::DateTime::from_timestamp_micros(micros).map(|t| t.naive_utc())
}

/// A `Decimal128` value as decimal text: `-` if negative, digits, and exactly `scale`
/// fraction digits (a negative scale appends zeros).
pub(crate) fn decimal_text(value: i128, scale: i8) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let digits = value.unsigned_abs().to_string();
    if scale <= 0 {
        let zeros = if value == 0 {
            0
        } else {
            usize::from(scale.unsigned_abs())
        };
        return format!("{sign}{digits}{}", "0".repeat(zeros));
    }
    let scale = usize::from(scale.unsigned_abs());
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_text_keeps_the_scale() {
        assert_eq!(decimal_text(0, 0), "0");
        assert_eq!(decimal_text(0, 4), "0.0000");
        assert_eq!(decimal_text(1, 4), "0.0001");
        assert_eq!(decimal_text(-123_456_781_234, 4), "-12345678.1234");
        assert_eq!(
            decimal_text(9_999_999_999_999_999_999, 0),
            "9999999999999999999"
        );
        assert_eq!(decimal_text(-5, -2), "-500");
        assert_eq!(decimal_text(i128::MIN, 0), i128::MIN.to_string());
    }

    #[test]
    fn integers_read_from_ints_and_integral_decimals() {
        assert_eq!(SqlValue::Int(-3).as_i64(), Some(-3));
        assert_eq!(SqlValue::Decimal("200000".into()).as_i64(), Some(200_000));
        assert_eq!(SqlValue::Decimal("1.5".into()).as_i64(), None);
        assert_eq!(SqlValue::Text("7".into()).as_i64(), None);
        assert_eq!(SqlValue::Null.as_i64(), None);
    }

    #[test]
    fn timestamps_print_their_fraction_only_when_present() {
        let t = timestamp_from_micros(1_709_251_199_123_456).expect("in range");
        assert_eq!(
            SqlValue::Timestamp(t).to_string(),
            "2024-02-29 23:59:59.123456"
        );
        let whole = timestamp_from_micros(0).expect("in range");
        assert_eq!(
            SqlValue::Timestamp(whole).to_string(),
            "1970-01-01 00:00:00"
        );
    }
}
