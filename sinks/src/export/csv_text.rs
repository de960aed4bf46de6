//! CSV text of exported rows (operations.md §3.2): RFC 4180 with CRLF records, a header of
//! column names, NULL and empty text both as an empty field, timestamps
//! `YYYY-MM-DD HH:MM:SS.mmm` (UTC, no zone), numbers in plain notation.

use std::io::Write;

use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};

use super::encoding::CsvEncoding;

/// Timestamp layout of CSV fields.
const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.3f";

/// What writing a table's CSV produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvWritten {
    /// Data records (header excluded).
    pub rows: u64,
    /// Encoded bytes.
    pub bytes: u64,
    /// Characters the encoding could not hold, written as `?`.
    pub replaced: usize,
}

/// Writes the header and every row of `batches` to `out` in `encoding`.
pub fn write_csv(
    header: &[String],
    batches: &[RecordBatch],
    encoding: CsvEncoding,
    out: &mut impl Write,
) -> Result<CsvWritten, String> {
    let options = FormatOptions::default()
        .with_null("")
        .with_timestamp_format(Some(TIMESTAMP_FORMAT))
        .with_datetime_format(Some(TIMESTAMP_FORMAT));
    let mut written = CsvWritten::default();
    let mut text = String::new();
    for (i, name) in header.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        push_field(&mut text, name);
    }
    text.push_str("\r\n");
    let mut first = true;
    let mut bytes = Vec::new();
    let mut flush = |text: &mut String, first: &mut bool, written: &mut CsvWritten| {
        bytes.clear();
        written.replaced += encoding.encode(text, *first, &mut bytes);
        *first = false;
        text.clear();
        written.bytes += bytes.len() as u64;
        out.write_all(&bytes).map_err(|e| e.to_string())
    };
    let mut field = String::new();
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        for row in 0..batch.num_rows() {
            for (i, formatter) in formatters.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                field.clear();
                std::fmt::Write::write_fmt(&mut field, format_args!("{}", formatter.value(row)))
                    .map_err(|e| e.to_string())?;
                push_field(&mut text, &field);
            }
            text.push_str("\r\n");
            written.rows += 1;
            if text.len() >= 1 << 20 {
                flush(&mut text, &mut first, &mut written)?;
            }
        }
    }
    flush(&mut text, &mut first, &mut written)?;
    Ok(written)
}

/// Appends one field, quoted when it holds a comma, quote, CR or LF.
fn push_field(text: &mut String, value: &str) {
    if value.contains([',', '"', '\r', '\n']) {
        text.push('"');
        text.push_str(&value.replace('"', "\"\""));
        text.push('"');
    } else {
        text.push_str(value);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Decimal128Array, Int64Array, StringArray, TimestampMicrosecondArray};
    use arrow::datatypes::{DataType, Field, Schema, TimeUnit};

    use super::*;

    #[test]
    fn rows_follow_rfc_4180_and_the_export_rules() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("note", DataType::Utf8, true),
            Field::new("at", DataType::Timestamp(TimeUnit::Microsecond, None), true),
            Field::new("amount", DataType::Decimal128(10, 2), true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![1, 2, 3])),
                Arc::new(StringArray::from(vec![
                    Some("plain"),
                    Some("say \"hi\", then\r\nleave"),
                    None,
                ])),
                Arc::new(TimestampMicrosecondArray::from(vec![
                    Some(1_709_600_000_123_456),
                    None,
                    Some(0),
                ])),
                Arc::new(
                    Decimal128Array::from(vec![Some(-1234), None, Some(5)])
                        .with_precision_and_scale(10, 2)
                        .expect("decimal"),
                ),
            ],
        )
        .expect("batch");
        let header: Vec<String> = ["id", "note", "at", "amount"].map(String::from).to_vec();
        let mut out = Vec::new();
        let written = write_csv(&header, &[batch], CsvEncoding::Utf8, &mut out).expect("csv");
        let text = String::from_utf8(out).expect("utf8");
        assert_eq!(
            text,
            "id,note,at,amount\r\n\
             1,plain,2024-03-05 00:53:20.123,-12.34\r\n\
             2,\"say \"\"hi\"\", then\r\nleave\",,\r\n\
             3,,1970-01-01 00:00:00.000,0.05\r\n"
        );
        assert_eq!(written.rows, 3);
        assert_eq!(written.bytes, text.len() as u64);
    }
}
