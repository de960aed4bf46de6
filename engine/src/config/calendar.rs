//! `[date-time]` and the custom calendars `[date-time-<name>]` (operations.md §1.4).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::error::{shown, Report};
use super::values::{MonthDay, ZoneId};

/// Retail-style fiscal months made of whole weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum FiscalWeekPattern {
    /// Fiscal months follow `fiscal-year-start`.
    #[serde(rename = "none")]
    None,
    /// Quarters of 4, 4 and 5 weeks.
    #[serde(rename = "4-4-5")]
    P445,
    /// Quarters of 4, 5 and 4 weeks.
    #[serde(rename = "4-5-4")]
    P454,
    /// Quarters of 5, 4 and 4 weeks.
    #[serde(rename = "5-4-4")]
    P544,
}

/// A calendar table: `[date-time]` drives the default `DATE_TIME` table; each section
/// named `date-time-<name>` adds a custom calendar with the same structure (local-time or
/// fiscal calendars). Keys stay UTC; the zone and week rules only shape the local date
/// parts. Only the two horizon options may change after initialisation: a change of any
/// other (structural) option makes Job_MaintainGIM refuse to extend the calendar until it
/// is rebuilt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Calendar {
    /// Days ahead up to which calendar rows are generated. Going beyond about a year is
    /// not advised because DST rules may change.
    ///
    /// Allowed: an integer ≥ 1 (days), greater than `date-time-min-days-ahead`.
    /// Takes effect: `next-run:Job_MaintainGIM`.
    pub date_time_max_days_ahead: u32,

    /// When fewer future days than this remain, maintenance extends the calendar up to
    /// `date-time-max-days-ahead`.
    ///
    /// Allowed: an integer ≥ 1 (days), less than `date-time-max-days-ahead`.
    /// Takes effect: `next-run:Job_MaintainGIM`.
    pub date_time_min_days_ahead: u32,

    /// Zone in which the local date parts (year, month, day, hour, week…) are computed.
    ///
    /// Allowed: an IANA time zone id.
    /// Takes effect: `initialisation` (structural).
    pub date_time_tz: ZoneId,

    /// First year with calendar rows; unset means the year of `[gim-etl] etl-start-date`,
    /// else the current year − 1.
    ///
    /// Allowed: a year 1970–2037, or unset.
    /// Takes effect: `initialisation` (structural).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_time_start_year: Option<i32>,

    /// Physical table name of the calendar; required (and distinct) for custom calendars.
    ///
    /// Allowed: an SQL identifier (letters, digits, `_`; not starting with a digit).
    /// Takes effect: `initialisation`.
    pub date_time_table_name: String,

    /// First day of the week, 1 = Sunday … 7 = Saturday.
    ///
    /// Allowed: 1–7.
    /// Takes effect: `initialisation` (structural).
    pub first_day_of_week: u8,

    /// `true`: week 1 starts on 1 January and the first and last weeks may be short.
    /// `false`: week 1 is the first week with `minimal-days-in-first-week` days of the
    /// new year (ISO 8601 is Monday start with 4).
    ///
    /// Allowed: `true`, `false`.
    /// Takes effect: `initialisation` (structural).
    pub simple_week_1_rules: bool,

    /// Minimum days of the new year in week 1 when `simple-week-1-rules` is off.
    ///
    /// Allowed: 1–7.
    /// Takes effect: `initialisation` (structural).
    pub minimal_days_in_first_week: u8,

    /// First day of the fiscal year, for the fiscal calendar columns.
    ///
    /// Allowed: `MM-DD`.
    /// Takes effect: `initialisation` (structural).
    pub fiscal_year_start: MonthDay,

    /// Optional week-based fiscal months, which make fiscal years floating.
    ///
    /// Allowed: `none`, `4-4-5`, `4-5-4`, `5-4-4`.
    /// Takes effect: `initialisation` (structural).
    pub fiscal_year_week_pattern: FiscalWeekPattern,
}

/// Table name of the default calendar.
pub const DEFAULT_CALENDAR_TABLE: &str = "DATE_TIME";

impl Default for Calendar {
    fn default() -> Self {
        Self {
            date_time_max_days_ahead: 366,
            date_time_min_days_ahead: 183,
            date_time_tz: "GMT".parse().expect("GMT is a known zone"),
            date_time_start_year: None,
            date_time_table_name: DEFAULT_CALENDAR_TABLE.into(),
            first_day_of_week: 1,
            simple_week_1_rules: true,
            minimal_days_in_first_week: 1,
            fiscal_year_start: MonthDay::new(1, 1).expect("01-01 is a day"),
            fiscal_year_week_pattern: FiscalWeekPattern::None,
        }
    }
}

impl Calendar {
    pub(crate) fn validate(&self, s: &str, report: &mut Report) {
        report.at_least(
            s,
            "date-time-max-days-ahead",
            self.date_time_max_days_ahead.into(),
            1,
        );
        report.at_least(
            s,
            "date-time-min-days-ahead",
            self.date_time_min_days_ahead.into(),
            1,
        );
        if self.date_time_min_days_ahead >= self.date_time_max_days_ahead {
            report.error(
                format!("[{s}] date-time-min-days-ahead"),
                Some(self.date_time_min_days_ahead.to_string()),
                format!(
                    "must be less than date-time-max-days-ahead ({})",
                    self.date_time_max_days_ahead
                ),
            );
        }
        if let Some(year) = self.date_time_start_year {
            report.range(s, "date-time-start-year", year.into(), 1970, 2037, "");
        }
        report.range(
            s,
            "first-day-of-week",
            self.first_day_of_week.into(),
            1,
            7,
            "",
        );
        report.range(
            s,
            "minimal-days-in-first-week",
            self.minimal_days_in_first_week.into(),
            1,
            7,
            "",
        );
        let name = &self.date_time_table_name;
        let identifier = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !identifier {
            report.error(
                format!("[{s}] date-time-table-name"),
                Some(shown(name.as_str())),
                "allowed: an SQL identifier (letters, digits, `_`; not starting with a digit)",
            );
        }
    }
}
