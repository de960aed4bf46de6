//! Character encodings of exported CSV files (`[gim-export] output-files-encoding`): any
//! WHATWG label encoding_rs knows (`utf8`, `UTF-8`, `ISO-8859-1`, `windows-1252`, …) plus
//! UTF-16, which encoding_rs only decodes and is therefore written here (little endian with
//! a byte-order mark for `utf-16`/`utf-16le`, big endian for `utf-16be`).

use encoding_rs::{EncoderResult, Encoding, UTF_8};

/// An encoding label that names no known encoding.
#[derive(Debug, thiserror::Error)]
#[error(
    "unknown character encoding {0:?}; use a charset name such as utf8, UTF-8, utf-16, \
     ISO-8859-1 or windows-1252"
)]
pub struct UnknownEncoding(pub String);

/// How CSV text is turned into bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvEncoding {
    /// UTF-8 without byte-order mark.
    Utf8,
    /// UTF-16 little endian; the first file chunk starts with a byte-order mark.
    Utf16Le,
    /// UTF-16 big endian, no byte-order mark.
    Utf16Be,
    /// A single- or multi-byte legacy encoding; characters it cannot hold become `?`.
    Legacy(&'static Encoding),
}

impl CsvEncoding {
    /// The encoding a label names (case-insensitive; `utf8` and `UTF-8` alike).
    pub fn for_label(label: &str) -> Result<CsvEncoding, UnknownEncoding> {
        let key = label.trim().to_ascii_lowercase().replace('_', "-");
        match key.as_str() {
            "utf-16" | "utf16" | "utf-16le" | "utf16le" | "ucs-2" => {
                return Ok(CsvEncoding::Utf16Le)
            }
            "utf-16be" | "utf16be" => return Ok(CsvEncoding::Utf16Be),
            _ => {}
        }
        let encoding = Encoding::for_label(key.as_bytes())
            .or_else(|| Encoding::for_label(key.replace("utf", "utf-").as_bytes()))
            .ok_or_else(|| UnknownEncoding(label.to_string()))?;
        Ok(if encoding == UTF_8 {
            CsvEncoding::Utf8
        } else {
            CsvEncoding::Legacy(encoding)
        })
    }

    /// The canonical name written to manifests.
    pub fn name(self) -> &'static str {
        match self {
            CsvEncoding::Utf8 => "UTF-8",
            CsvEncoding::Utf16Le => "UTF-16LE",
            CsvEncoding::Utf16Be => "UTF-16BE",
            CsvEncoding::Legacy(e) => e.name(),
        }
    }

    /// Appends `text` in this encoding to `out`; `first` marks the start of a file (where a
    /// UTF-16LE byte-order mark goes). Returns how many characters became `?`.
    pub fn encode(self, text: &str, first: bool, out: &mut Vec<u8>) -> usize {
        match self {
            CsvEncoding::Utf8 => {
                out.extend_from_slice(text.as_bytes());
                0
            }
            CsvEncoding::Utf16Le => {
                if first {
                    out.extend_from_slice(&[0xFF, 0xFE]);
                }
                for unit in text.encode_utf16() {
                    out.extend_from_slice(&unit.to_le_bytes());
                }
                0
            }
            CsvEncoding::Utf16Be => {
                for unit in text.encode_utf16() {
                    out.extend_from_slice(&unit.to_be_bytes());
                }
                0
            }
            CsvEncoding::Legacy(encoding) => encode_legacy(encoding, text, out),
        }
    }
}

fn encode_legacy(encoding: &'static Encoding, text: &str, out: &mut Vec<u8>) -> usize {
    let mut encoder = encoding.new_encoder();
    let mut replaced = 0;
    let mut rest = text;
    let mut buffer = vec![0u8; text.len() * 2 + 16];
    loop {
        let (result, read, written) =
            encoder.encode_from_utf8_without_replacement(rest, &mut buffer, true);
        out.extend_from_slice(&buffer[..written]);
        rest = &rest[read..];
        match result {
            EncoderResult::InputEmpty => return replaced,
            EncoderResult::OutputFull => buffer.resize(buffer.len() * 2, 0),
            EncoderResult::Unmappable(_) => {
                out.push(b'?');
                replaced += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_encodings() {
        for label in ["utf8", "UTF-8", "utf-8"] {
            assert_eq!(
                CsvEncoding::for_label(label).expect(label),
                CsvEncoding::Utf8
            );
        }
        assert_eq!(
            CsvEncoding::for_label("utf-16").expect("16"),
            CsvEncoding::Utf16Le
        );
        assert_eq!(
            CsvEncoding::for_label("ISO-8859-1").expect("latin").name(),
            "windows-1252"
        );
        assert!(CsvEncoding::for_label("klingon").is_err());
    }

    #[test]
    fn text_is_encoded_and_unmappable_characters_become_question_marks() {
        let mut out = Vec::new();
        let latin = CsvEncoding::for_label("ISO-8859-1").expect("latin");
        assert_eq!(latin.encode("Zoë 中", true, &mut out), 1);
        assert_eq!(out, b"Zo\xEB ?");
        out.clear();
        CsvEncoding::Utf16Le.encode("a", true, &mut out);
        assert_eq!(out, [0xFF, 0xFE, b'a', 0]);
    }
}
