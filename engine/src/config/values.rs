//! Value types shared by several sections: `HH:mm` times, two-field CRON expressions,
//! time zone ids, timestamps and `MM-DD` days.
//!
//! Each type parses from the string an operator writes and serialises back to the same
//! canonical text, so `Config::show()` output loads again unchanged. A parse error is the
//! text of the "allowed" part of a configuration problem.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An `HH:mm` value (operations.md §0.3): hours 00–24, minutes 00–59, at most `24:00`.
/// Used for times of day and for durations such as `aggregate-duration`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct HourMinute {
    minutes: u16,
}

impl HourMinute {
    /// Builds a value from hours and minutes; `None` when outside 00:00–24:00.
    pub const fn new(hours: u16, minutes: u16) -> Option<Self> {
        if minutes > 59 || hours * 60 + minutes > 24 * 60 {
            return None;
        }
        Some(Self {
            minutes: hours * 60 + minutes,
        })
    }

    /// Minutes since midnight (or the length of the duration in minutes), 0–1440.
    pub const fn minutes(self) -> u16 {
        self.minutes
    }
}

impl FromStr for HourMinute {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let allowed = || format!("`{text}` is not a valid HH:mm value; allowed: 00:00–24:00");
        let (hours, minutes) = text.split_once(':').ok_or_else(allowed)?;
        let digits = |s: &str, max_len| {
            (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u16>().ok())
                .flatten()
        };
        match (digits(hours, 2), minutes.len() == 2) {
            (Some(h), true) => digits(minutes, 2)
                .and_then(|m| Self::new(h, m))
                .ok_or_else(allowed),
            _ => Err(allowed()),
        }
    }
}

impl fmt::Display for HourMinute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

/// A two-field CRON expression, `minutes hours` (operations.md §0.4): each field is `*`,
/// a number, a range `a-b`, an increment `start/step` or `a-b/step` (`*/step` too), or a
/// comma list of those. Minutes are 0–59, hours 0–23; there are no day or month fields.
#[derive(Clone, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
pub struct CronSchedule {
    text: String,
    #[schemars(skip)]
    schedule: cron::Schedule,
}

impl CronSchedule {
    /// The expression as written in the configuration.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first fire time strictly after `after`, evaluated at minute resolution in the
    /// time zone of `after` (the scheduler passes a time in `[schedule] timezone`).
    ///
    /// Daylight-saving changes follow cron practice: a time that falls into the
    /// spring-forward gap fires once at the end of the gap, a repeated time after the
    /// fall-back fires once, at its first occurrence; an expression whose hours field is `*`
    /// keeps firing by the clock (it fires in the repeated hour, not for skipped minutes).
    pub fn next_after<Z: TimeZone>(&self, after: &DateTime<Z>) -> Option<DateTime<Z>> {
        use chrono::{LocalResult, Timelike};
        use cron::TimeUnitSpec;
        // Every expression fires at least once per wall-clock day; a day is at most 25 h.
        const SEARCH_MINUTES: i64 = 26 * 60;
        let zone = after.timezone();
        let at = |minute: i64| zone.timestamp_opt(minute * 60, 0).single();
        let matches = |wall: NaiveDateTime| {
            self.schedule.minutes().includes(wall.minute())
                && self.schedule.hours().includes(wall.hour())
        };
        let by_the_clock = self.schedule.hours().is_all();
        let first = after.timestamp().div_euclid(60);
        let mut previous = at(first)?.naive_local();
        for minute in first + 1..=first + SEARCH_MINUTES {
            let instant = at(minute)?;
            let wall = instant.naive_local();
            let fires = if wall - previous > chrono::Duration::minutes(1) {
                // The minutes strictly between `previous` and `wall` do not exist today.
                let skipped =
                    std::iter::successors(Some(previous + chrono::Duration::minutes(1)), |m| {
                        Some(*m + chrono::Duration::minutes(1))
                    })
                    .take_while(|m| *m < wall);
                matches(wall) || (!by_the_clock && skipped.into_iter().any(matches))
            } else if let LocalResult::Ambiguous(earliest, _) = zone.from_local_datetime(&wall) {
                matches(wall) && (by_the_clock || earliest == instant)
            } else {
                matches(wall)
            };
            if fires {
                return Some(instant);
            }
            previous = wall;
        }
        None
    }

    /// Checks one field against the grammar of §0.4 with values in `0..=max`.
    fn check_field(field: &str, name: &str, max: u32) -> Result<(), String> {
        let number = |s: &str| -> Result<u32, String> {
            match s.parse::<u32>() {
                Ok(n) if s.bytes().all(|b| b.is_ascii_digit()) && n <= max => Ok(n),
                _ => Err(format!(
                    "{name} field `{field}`: `{s}` is not a number 0–{max}"
                )),
            }
        };
        for part in field.split(',') {
            let (base, step) = match part.split_once('/') {
                Some((base, step)) => (base, Some(step)),
                None => (part, None),
            };
            if let Some(step) = step {
                if number(step)? == 0 {
                    return Err(format!("{name} field `{field}`: step must be at least 1"));
                }
            }
            if base == "*" {
                continue;
            }
            match base.split_once('-') {
                Some((low, high)) if number(low)? > number(high)? => {
                    return Err(format!(
                        "{name} field `{field}`: range `{base}` is descending"
                    ));
                }
                Some(_) => {}
                None => {
                    number(base)?;
                }
            }
        }
        Ok(())
    }
}

impl FromStr for CronSchedule {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let explain = |why: String| {
            format!(
                "`{text}` is not a valid schedule ({why}); allowed: two-field CRON \
                 `minutes hours`, e.g. `0 1`, `20 0/8`, `0/10 *`, `0 8-18`"
            )
        };
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [minutes, hours] = fields[..] else {
            return Err(explain(format!("{} fields instead of 2", fields.len())));
        };
        Self::check_field(minutes, "minutes", 59).map_err(explain)?;
        Self::check_field(hours, "hours", 23).map_err(explain)?;
        // The cron crate wants seconds first and day, month and weekday fields after hours.
        let schedule = cron::Schedule::from_str(&format!("0 {minutes} {hours} * * *"))
            .map_err(|e| explain(e.to_string()))?;
        Ok(Self {
            text: fields.join(" "),
            schedule,
        })
    }
}

impl fmt::Debug for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CronSchedule({:?})", self.text)
    }
}

impl PartialEq for CronSchedule {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for CronSchedule {}

/// An IANA time zone id such as `GMT`, `UTC`, `Europe/Paris` (checked against the tz
/// database compiled into the binary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
pub struct ZoneId(#[schemars(with = "String")] Tz);

impl ZoneId {
    /// The time zone.
    pub fn tz(self) -> Tz {
        self.0
    }
}

/// The zone id as text, so `zone.parse::<Tz>()` and string comparisons work directly.
impl std::ops::Deref for ZoneId {
    type Target = str;

    fn deref(&self) -> &str {
        self.0.name()
    }
}

impl FromStr for ZoneId {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        text.parse::<Tz>().map(Self).map_err(|_| {
            format!(
                "`{text}` is not a known time zone; allowed: an IANA zone id such as \
                 `GMT`, `UTC`, `Europe/Paris`, `America/New_York`"
            )
        })
    }
}

impl fmt::Display for ZoneId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name())
    }
}

/// A UTC timestamp written `yyyy-mm-dd hh:mm:ss` (a `T` separator, a trailing `Z` and a
/// TOML date-time literal are accepted too), after 1970-01-01 00:00:00.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct Timestamp(#[schemars(with = "String")] NaiveDateTime);

impl Timestamp {
    /// The timestamp, in UTC.
    pub fn utc(self) -> NaiveDateTime {
        self.0
    }
}

impl FromStr for Timestamp {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let normalised = text.trim_end_matches('Z').replacen('T', " ", 1);
        match NaiveDateTime::parse_from_str(&normalised, "%Y-%m-%d %H:%M:%S") {
            Ok(ts) if ts.and_utc().timestamp() > 0 => Ok(Self(ts)),
            _ => Err(format!(
                "`{text}` is not a valid timestamp; allowed: yyyy-mm-dd hh:mm:ss (UTC) \
                 after 1970-01-01 00:00:00"
            )),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d %H:%M:%S"))
    }
}

/// A day of the year written `MM-DD` (29 February allowed).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct MonthDay {
    month: u32,
    day: u32,
}

impl MonthDay {
    /// Builds a value; `None` unless the day exists in a leap year.
    pub fn new(month: u32, day: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(2000, month, day).map(|_| Self { month, day })
    }

    /// Month, 1–12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// Day of the month, 1–31.
    pub fn day(self) -> u32 {
        self.day
    }
}

impl FromStr for MonthDay {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        text.split_once('-')
            .filter(|(m, d)| m.len() == 2 && d.len() == 2)
            .and_then(|(m, d)| Self::new(m.parse().ok()?, d.parse().ok()?))
            .ok_or_else(|| format!("`{text}` is not a valid day; allowed: MM-DD, e.g. 01-01"))
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

/// Implements the `String` conversions that `#[serde(try_from, into)]` needs for types
/// with `FromStr` and `Display`.
macro_rules! string_conversions {
    ($($ty:ty),*) => {$(
        impl TryFrom<String> for $ty {
            type Error = String;
            fn try_from(text: String) -> Result<Self, String> {
                text.parse()
            }
        }
        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.to_string()
            }
        }
    )*};
}

string_conversions!(HourMinute, ZoneId, Timestamp, MonthDay);

impl TryFrom<String> for CronSchedule {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}

impl From<CronSchedule> for String {
    fn from(value: CronSchedule) -> String {
        value.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Timelike};

    fn fire_times(expr: &str, count: usize) -> Vec<String> {
        let cron: CronSchedule = expr.parse().unwrap();
        let mut t =
            Tz::UTC.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap() - chrono::Duration::minutes(1);
        (0..count)
            .map(|_| {
                t = cron.next_after(&t).unwrap();
                format!("{:02}:{:02}", t.hour(), t.minute())
            })
            .collect()
    }

    #[test]
    fn cron_examples_of_the_spec_fire_as_documented() {
        assert_eq!(
            fire_times("20 0/8", 4),
            ["00:20", "08:20", "16:20", "00:20"]
        );
        assert_eq!(
            fire_times("0 0,3/2", 4),
            ["00:00", "03:00", "05:00", "07:00"]
        );
        assert_eq!(fire_times("0 1,13", 3), ["01:00", "13:00", "01:00"]);
        assert_eq!(fire_times("0 8-18", 2), ["08:00", "09:00"]);
        assert_eq!(fire_times("15 *", 2), ["00:15", "01:15"]);
        assert_eq!(fire_times("0/10 *", 3), ["00:00", "00:10", "00:20"]);
    }

    #[test]
    fn cron_rejects_out_of_grammar_expressions() {
        for bad in [
            "0 24",
            "60 1",
            "0 1 * * *",
            "0",
            "",
            "0 ?",
            "0 MON",
            "0 5-3",
            "0 0/0",
            "a b",
        ] {
            let err = bad.parse::<CronSchedule>().unwrap_err();
            assert!(err.contains("two-field CRON"), "{bad}: {err}");
        }
        let err = "0 24".parse::<CronSchedule>().unwrap_err();
        assert!(err.contains("0–23"), "{err}");
    }

    #[test]
    fn hour_minute_accepts_the_documented_range_only() {
        assert_eq!("5:00".parse::<HourMinute>().unwrap().to_string(), "05:00");
        assert_eq!("24:00".parse::<HourMinute>().unwrap().minutes(), 1440);
        for bad in [
            "24:01", "25:00", "12:60", "12", "12:5", "-1:00", "ab:cd", "123:00",
        ] {
            assert!(bad.parse::<HourMinute>().is_err(), "{bad}");
        }
    }

    #[test]
    fn timestamps_days_and_zones_parse_strictly() {
        assert_eq!(
            "2024-01-01T10:00:00"
                .parse::<Timestamp>()
                .unwrap()
                .to_string(),
            "2024-01-01 10:00:00"
        );
        assert!("1969-12-31 23:00:00".parse::<Timestamp>().is_err());
        assert_eq!("02-29".parse::<MonthDay>().unwrap().to_string(), "02-29");
        assert!("13-01".parse::<MonthDay>().is_err());
        assert!("Mars/Base".parse::<ZoneId>().is_err());
        assert_eq!("GMT".parse::<ZoneId>().unwrap().to_string(), "GMT");
    }
}
