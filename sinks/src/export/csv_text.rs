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

/// A table's CSV text written in slices: the header first, then rows as they come.
pub struct CsvTextWriter {
    encoding: CsvEncoding,
    options: FormatOptions<'static>,
    /// Whether nothing was encoded yet (where a byte-order mark goes).
    first: bool,
    written: CsvWritten,
    text: String,
    bytes: Vec<u8>,
}

impl CsvTextWriter {
    /// Writes the header of `header` column names to `out` in `encoding`.
    pub fn begin(
        header: &[String],
        encoding: CsvEncoding,
        out: &mut impl Write,
    ) -> Result<CsvTextWriter, String> {
        let mut writer = CsvTextWriter {
            encoding,
            options: FormatOptions::default()
                .with_null("")
                .with_timestamp_format(Some(TIMESTAMP_FORMAT))
                .with_datetime_format(Some(TIMESTAMP_FORMAT)),
            first: true,
            written: CsvWritten::default(),
            text: String::new(),
            bytes: Vec::new(),
        };
        for (i, name) in header.iter().enumerate() {
            if i > 0 {
                writer.text.push(',');
            }
            push_field(&mut writer.text, name);
        }
        writer.text.push_str("\r\n");
        writer.flush(out)?;
        Ok(writer)
    }

    /// Writes every row of `batches` to `out`.
    pub fn write(&mut self, batches: &[RecordBatch], out: &mut impl Write) -> Result<(), String> {
        let mut field = String::new();
        for batch in batches {
            let formatters = batch
                .columns()
                .iter()
                .map(|c| ArrayFormatter::try_new(c.as_ref(), &self.options))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            for row in 0..batch.num_rows() {
                for (i, formatter) in formatters.iter().enumerate() {
                    if i > 0 {
                        self.text.push(',');
                    }
                    field.clear();
                    std::fmt::Write::write_fmt(
                        &mut field,
                        format_args!("{}", formatter.value(row)),
                    )
                    .map_err(|e| e.to_string())?;
                    push_field(&mut self.text, &field);
                }
                self.text.push_str("\r\n");
                self.written.rows += 1;
                if self.text.len() >= 1 << 20 {
                    self.flush(out)?;
                }
            }
        }
        self.flush(out)
    }

    /// What was written so far.
    pub fn written(&self) -> CsvWritten {
        self.written
    }

    /// Encodes the pending text to `out`.
    fn flush(&mut self, out: &mut impl Write) -> Result<(), String> {
        if self.text.is_empty() {
            return Ok(());
        }
        self.bytes.clear();
        self.written.replaced += self
            .encoding
            .encode(&self.text, self.first, &mut self.bytes);
        self.first = false;
        self.text.clear();
        self.written.bytes += self.bytes.len() as u64;
        out.write_all(&self.bytes).map_err(|e| e.to_string())
    }
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
        let mut csv = CsvTextWriter::begin(&header, CsvEncoding::Utf8, &mut out).expect("header");
        let (first, rest) = (batch.slice(0, 1), batch.slice(1, 2));
        csv.write(&[first], &mut out).expect("first slice");
        csv.write(&[], &mut out).expect("empty slice");
        csv.write(&[rest], &mut out).expect("second slice");
        let written = csv.written();
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
