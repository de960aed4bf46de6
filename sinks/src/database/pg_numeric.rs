//! PostgreSQL's binary `numeric` format, which tokio-postgres leaves to the caller: a header
//! (`ndigits`, `weight`, `sign`, `dscale`, all 16-bit) and base-10000 digits, the first
//! worth 10000^weight.

use bytes::{BufMut, BytesMut};
use tokio_postgres::types::{FromSql, Type};

use super::error::BoxError;

const POSITIVE: u16 = 0x0000;
const NEGATIVE: u16 = 0x4000;
const NAN: u16 = 0xC000;
const PLUS_INFINITY: u16 = 0xD000;
const MINUS_INFINITY: u16 = 0xF000;

/// Base-10000 digits of the largest `i128` times 1000.
const MAX_DIGITS: usize = 11;

/// Appends the binary `numeric` encoding of `value` × 10^-`scale`.
pub(crate) fn encode(value: i128, scale: i8, out: &mut BytesMut) {
    // Base-10000 digits must align with the decimal point, so the unscaled value is
    // multiplied by 10^pad to make the scale a multiple of 4; multiplying the digits rather
    // than the i128 keeps 38-digit values from overflowing.
    let scale = i32::from(scale);
    let pad = (4 - scale.rem_euclid(4)) % 4;
    let places_after_point = (scale + pad) / 4;
    let factor = 10u32.pow(pad as u32);
    let mut digits = [0u16; MAX_DIGITS];
    let (mut len, mut rest, mut carry) = (0, value.unsigned_abs(), 0u32);
    while rest > 0 || carry > 0 {
        let d = (rest % 10_000) as u32 * factor + carry;
        digits[len] = (d % 10_000) as u16;
        carry = d / 10_000;
        rest /= 10_000;
        len += 1;
    }
    let trailing_zeros = digits[..len].iter().take_while(|d| **d == 0).count();
    let weight = if len == 0 {
        0
    } else {
        len as i32 - 1 - places_after_point
    };
    out.put_i16((len - trailing_zeros) as i16);
    out.put_i16(weight as i16);
    out.put_u16(if value < 0 { NEGATIVE } else { POSITIVE });
    out.put_u16(scale.max(0) as u16);
    for digit in digits[trailing_zeros..len].iter().rev() {
        out.put_u16(*digit);
    }
}

/// Decodes a binary `numeric` into the text PostgreSQL itself prints (`-12.3400`, `NaN`).
pub(crate) fn decode(raw: &[u8]) -> Result<String, BoxError> {
    let field = |i: usize| -> Result<u16, BoxError> {
        raw.get(2 * i..2 * i + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "truncated numeric value".into())
    };
    let ndigits = usize::from(field(0)?);
    let weight = i64::from(field(1)? as i16);
    let sign = field(2)?;
    let dscale = usize::from(field(3)?);
    let digits = (0..ndigits)
        .map(|i| field(4 + i))
        .collect::<Result<Vec<u16>, _>>()?;
    match sign {
        NAN => return Ok("NaN".into()),
        PLUS_INFINITY => return Ok("Infinity".into()),
        MINUS_INFINITY => return Ok("-Infinity".into()),
        POSITIVE | NEGATIVE => {}
        other => return Err(format!("invalid numeric sign 0x{other:04x}").into()),
    }
    let digit_at = |power: i64| -> u16 {
        usize::try_from(weight - power)
            .ok()
            .and_then(|i| digits.get(i).copied())
            .unwrap_or(0)
    };
    let mut int: String = (0..=weight.max(0))
        .rev()
        .map(|p| format!("{:04}", digit_at(p)))
        .collect();
    let int_trimmed = int.trim_start_matches('0');
    int = if int_trimmed.is_empty() {
        "0".into()
    } else {
        int_trimmed.to_owned()
    };
    let groups = dscale.div_ceil(4) as i64;
    let mut frac: String = (1..=groups)
        .map(|k| format!("{:04}", digit_at(-k)))
        .collect();
    frac.truncate(dscale);
    let minus = if sign == NEGATIVE { "-" } else { "" };
    Ok(if dscale == 0 {
        format!("{minus}{int}")
    } else {
        format!("{minus}{int}.{frac}")
    })
}

/// A `numeric` value read as its PostgreSQL text.
pub(crate) struct PgNumeric(pub(crate) String);

impl<'a> FromSql<'a> for PgNumeric {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        decode(raw).map(PgNumeric)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::value::decimal_text;

    fn encoded(value: i128, scale: i8) -> Vec<u8> {
        let mut out = BytesMut::new();
        encode(value, scale, &mut out);
        out.to_vec()
    }

    fn words(values: &[i16]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_be_bytes()).collect()
    }

    #[test]
    fn encodes_as_postgres_does() {
        // 12345678.1234: digits 1234 5678 . 1234, weight 1, dscale 4
        assert_eq!(
            encoded(123_456_781_234, 4),
            words(&[3, 1, 0, 4, 1234, 5678, 1234])
        );
        // -0.0001: one digit at weight -1
        assert_eq!(encoded(-1, 4), words(&[1, -1, 0x4000, 4, 1]));
        // 10000: trailing zero groups are dropped
        assert_eq!(encoded(10_000, 0), words(&[1, 1, 0, 0, 1]));
        // 0.00: no digits, dscale kept
        assert_eq!(encoded(0, 2), words(&[0, 0, 0, 2]));
        // 1.0000000001: inner zero groups stay
        assert_eq!(
            encoded(10_000_000_001, 10),
            words(&[4, 0, 0, 10, 1, 0, 0, 100])
        );
    }

    #[test]
    fn decodes_what_it_encodes_at_every_scale() {
        let values = [
            0,
            1,
            -1,
            9_999,
            10_000,
            -123_456_781_234,
            9_999_999_999_999_999_999,
            -9_999_999_999_999_999_999,
            i128::from(i64::MAX),
            99_999_999_999_999_999_999_999_999_999_999_999_999,
            -10i128.pow(37),
            i128::MAX,
            i128::MIN,
        ];
        for value in values {
            for scale in [-5i8, -1, 0, 1, 2, 3, 4, 5, 8, 10, 17, 38] {
                let text = decode(&encoded(value, scale)).expect("decodes");
                assert_eq!(
                    text,
                    decimal_text(value, scale),
                    "value {value} scale {scale}"
                );
            }
        }
    }

    #[test]
    fn decodes_special_values() {
        assert_eq!(
            decode(&words(&[0, 0, 0xC000u16 as i16, 0])).expect("nan"),
            "NaN"
        );
        assert_eq!(
            decode(&words(&[0, 0, 0xF000u16 as i16, 0])).expect("inf"),
            "-Infinity"
        );
        assert!(decode(&[0, 1]).is_err());
    }
}
