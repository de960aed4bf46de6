//! Plan-file parameters: the `-- @param name TYPE [= default] [description]` header lines and
//! the typed values bound to `$name` placeholders.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::scalar::ScalarValue;

/// The type of a declared parameter, named as in SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// `BIGINT` (64-bit integer): epoch seconds, date-time keys, ids.
    BigInt,
    /// `INTEGER` (32-bit integer).
    Integer,
    /// `SMALLINT` (16-bit integer).
    SmallInt,
    /// `DOUBLE` (64-bit floating point).
    Double,
    /// `VARCHAR` (text).
    Varchar,
    /// `BOOLEAN` (`true`/`false`).
    Boolean,
    /// `DATE` (`YYYY-MM-DD`).
    Date,
    /// `TIMESTAMP` (`YYYY-MM-DD HH:MM:SS`, no time zone).
    Timestamp,
}

/// Every type with the names it is written as; the first name is the canonical one.
const TYPE_NAMES: [(ParamType, &[&str]); 8] = [
    (ParamType::BigInt, &["BIGINT", "INT8", "LONG"]),
    (ParamType::Integer, &["INTEGER", "INT", "INT4"]),
    (ParamType::SmallInt, &["SMALLINT", "INT2"]),
    (ParamType::Double, &["DOUBLE", "FLOAT", "FLOAT8", "REAL"]),
    (ParamType::Varchar, &["VARCHAR", "TEXT", "STRING"]),
    (ParamType::Boolean, &["BOOLEAN", "BOOL"]),
    (ParamType::Date, &["DATE"]),
    (ParamType::Timestamp, &["TIMESTAMP"]),
];

impl ParamType {
    /// The type called `name` (any case), or an error listing the allowed names.
    pub fn from_name(name: &str) -> Result<ParamType, String> {
        let upper = name.to_ascii_uppercase();
        TYPE_NAMES
            .iter()
            .find(|(_, names)| names.contains(&upper.as_str()))
            .map(|(ty, _)| *ty)
            .ok_or_else(|| {
                let allowed: Vec<&str> = TYPE_NAMES.iter().map(|(_, names)| names[0]).collect();
                format!("unknown type {name} (allowed: {})", allowed.join(", "))
            })
    }

    /// The Arrow type values of this parameter have.
    pub fn data_type(self) -> DataType {
        match self {
            ParamType::BigInt => DataType::Int64,
            ParamType::Integer => DataType::Int32,
            ParamType::SmallInt => DataType::Int16,
            ParamType::Double => DataType::Float64,
            ParamType::Varchar => DataType::Utf8,
            ParamType::Boolean => DataType::Boolean,
            ParamType::Date => DataType::Date32,
            ParamType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, None),
        }
    }

    /// Parses `text` as a value of this type; `NULL` (any case) is the typed null.
    pub fn parse(self, text: &str) -> Result<ScalarValue, String> {
        if text.eq_ignore_ascii_case("null") {
            return ScalarValue::try_new_null(&self.data_type()).map_err(|e| e.to_string());
        }
        let int = |min: i64, max: i64| -> Result<i64, String> {
            let value: i64 = text
                .trim()
                .parse()
                .map_err(|_| "not an integer".to_string())?;
            (min..=max)
                .contains(&value)
                .then_some(value)
                .ok_or_else(|| format!("out of range {min}..={max}"))
        };
        Ok(match self {
            ParamType::BigInt => ScalarValue::Int64(Some(int(i64::MIN, i64::MAX)?)),
            ParamType::Integer => {
                ScalarValue::Int32(Some(int(i32::MIN.into(), i32::MAX.into())? as i32))
            }
            ParamType::SmallInt => {
                ScalarValue::Int16(Some(int(i16::MIN.into(), i16::MAX.into())? as i16))
            }
            ParamType::Double => ScalarValue::Float64(Some(
                text.trim()
                    .parse()
                    .map_err(|_| "not a number".to_string())?,
            )),
            ParamType::Varchar => ScalarValue::Utf8(Some(text.to_string())),
            ParamType::Boolean => {
                ScalarValue::Boolean(Some(match text.trim().to_ascii_lowercase().as_str() {
                    "true" | "t" | "1" => true,
                    "false" | "f" | "0" => false,
                    _ => return Err("not true or false".into()),
                }))
            }
            ParamType::Date => {
                let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                    .map_err(|_| "not a date YYYY-MM-DD".to_string())?;
                ScalarValue::Date32(Some((date - epoch_day()).num_days() as i32))
            }
            ParamType::Timestamp => {
                let text = text.trim();
                let time = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
                    .iter()
                    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
                    .or_else(|| {
                        NaiveDate::parse_from_str(text, "%Y-%m-%d")
                            .ok()
                            .and_then(|d| d.and_hms_opt(0, 0, 0))
                    })
                    .ok_or_else(|| "not a timestamp YYYY-MM-DD HH:MM:SS".to_string())?;
                ScalarValue::TimestampMicrosecond(Some(time.and_utc().timestamp_micros()), None)
            }
        })
    }

    /// Converts a literal given in SQL (a report called as a table function) to this type.
    pub fn coerce(self, value: &ScalarValue) -> Result<ScalarValue, String> {
        match value.try_as_str() {
            Some(Some(text)) => self.parse(text),
            _ => value
                .cast_to(&self.data_type())
                .map_err(|e| e.strip_backtrace()),
        }
    }
}

fn epoch_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
}

impl fmt::Display for ParamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = TYPE_NAMES
            .iter()
            .find(|(ty, _)| ty == self)
            .map_or("?", |(_, names)| names[0]);
        f.write_str(name)
    }
}

/// One `@param` line of a plan file.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDecl {
    /// Name, as used in `$name` and `--param name=…`.
    pub name: String,
    /// Declared type.
    pub ty: ParamType,
    /// Value used when none is given (`None`: the parameter is required).
    pub default: Option<ScalarValue>,
    /// Free text after the type and default.
    pub description: String,
    /// 1-based line of the declaration.
    pub line: usize,
}

/// Parses a `-- @param …` line; `None` when `line` is no parameter declaration.
pub fn parse_decl(line: &str, line_number: usize) -> Option<Result<ParamDecl, String>> {
    let rest = line.trim_start().strip_prefix("--")?.trim_start();
    let rest = rest.strip_prefix("@param")?;
    Some(decl_body(rest, line_number))
}

fn decl_body(text: &str, line: usize) -> Result<ParamDecl, String> {
    let usage = "expected `@param name TYPE [= default] [description]`";
    let mut words = Words(text);
    let name = words.next_word().ok_or(usage)?;
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || name.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(format!(
            "@param {name}: a name is letters, digits and _, not starting with a digit"
        ));
    }
    let ty = ParamType::from_name(words.next_word().ok_or(usage)?)
        .map_err(|e| format!("@param {name}: {e}"))?;
    let default = match words.0.trim_start().strip_prefix('=') {
        Some(after) => {
            words.0 = after;
            let text = words
                .next_value()
                .map_err(|e| format!("@param {name}: {e}"))?;
            Some(
                ty.parse(&text)
                    .map_err(|e| format!("@param {name}: default `{text}` is {e}"))?,
            )
        }
        None => None,
    };
    Ok(ParamDecl {
        name: name.to_string(),
        ty,
        default,
        description: words.0.trim().to_string(),
        line,
    })
}

/// A cursor over the rest of a declaration line.
struct Words<'a>(&'a str);

impl<'a> Words<'a> {
    fn next_word(&mut self) -> Option<&'a str> {
        let text = self.0.trim_start();
        let end = text.find(char::is_whitespace).unwrap_or(text.len());
        let (word, rest) = text.split_at(end);
        self.0 = rest;
        (!word.is_empty()).then_some(word)
    }

    /// A bare word or a single-quoted string (`''` inside is one quote).
    fn next_value(&mut self) -> Result<String, String> {
        let text = self.0.trim_start();
        let Some(quoted) = text.strip_prefix('\'') else {
            return self
                .next_word()
                .map(str::to_string)
                .ok_or_else(|| "a default value is missing after `=`".to_string());
        };
        let mut value = String::new();
        let mut chars = quoted.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c != '\'' {
                value.push(c);
            } else if chars.peek().is_some_and(|(_, next)| *next == '\'') {
                value.push('\'');
                chars.next();
            } else {
                self.0 = &quoted[i + 1..];
                return Ok(value);
            }
        }
        Err("the quoted default is not closed".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_have_name_type_default_and_description() {
        let decl = parse_decl("-- @param from_ts BIGINT = 1709596800 first interval", 3)
            .expect("a declaration")
            .expect("valid");
        assert_eq!(decl.name, "from_ts");
        assert_eq!(decl.ty, ParamType::BigInt);
        assert_eq!(decl.default, Some(ScalarValue::Int64(Some(1_709_596_800))));
        assert_eq!(decl.description, "first interval");
        assert_eq!(decl.line, 3);
        let quoted = parse_decl("--@param queue varchar = 'O''Brien queue'", 1)
            .expect("a declaration")
            .expect("valid");
        assert_eq!(
            quoted.default,
            Some(ScalarValue::Utf8(Some("O'Brien queue".into())))
        );
        let required = parse_decl("-- @param to_ts bigint", 2)
            .expect("a declaration")
            .expect("valid");
        assert_eq!(required.default, None);
        assert!(parse_decl("-- plain comment", 1).is_none());
        assert!(parse_decl("select 1", 1).is_none());
    }

    #[test]
    fn bad_declarations_say_what_is_wrong() {
        let err = |line: &str| {
            parse_decl(line, 1)
                .expect("a declaration")
                .expect_err("bad")
        };
        assert!(err("-- @param x BIGNUM").contains("unknown type BIGNUM"));
        assert!(err("-- @param x INTEGER = abc").contains("default `abc` is not an integer"));
        assert!(err("-- @param 1x INTEGER").contains("a name is"));
        assert!(err("-- @param").contains("expected"));
        assert!(err("-- @param q VARCHAR = 'open").contains("not closed"));
    }

    #[test]
    fn values_parse_to_their_types() {
        assert_eq!(
            ParamType::Integer.parse("70000"),
            Ok(ScalarValue::Int32(Some(70_000)))
        );
        assert!(ParamType::SmallInt
            .parse("70000")
            .expect_err("too big")
            .contains("out of range"));
        assert_eq!(
            ParamType::Date.parse("1970-01-02"),
            Ok(ScalarValue::Date32(Some(1)))
        );
        assert_eq!(
            ParamType::Timestamp.parse("1970-01-01 00:00:01"),
            Ok(ScalarValue::TimestampMicrosecond(Some(1_000_000), None))
        );
        assert_eq!(
            ParamType::Varchar.parse("NULL"),
            Ok(ScalarValue::Utf8(None))
        );
        assert_eq!(
            ParamType::Boolean.parse("yes"),
            Err("not true or false".to_string())
        );
        assert_eq!(
            ParamType::BigInt.coerce(&ScalarValue::Int32(Some(5))),
            Ok(ScalarValue::Int64(Some(5)))
        );
    }
}
