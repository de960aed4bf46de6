//! The DATE_TIME calendar dimension (infomart.md §3.1, operations.md §1.4).
//!
//! One row per 15-minute UTC interval. Keys are UTC epoch seconds; the local-time attributes
//! and the roll-up keys (30 min … year) follow the calendar's time zone and week rules. The
//! roll-up key of a period is the key of the first 15-minute row of that period in the
//! calendar's zone, so on DST days a local day holds 92 or 100 rows.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, Int16Builder, Int32Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use tidemark_schemas::table::{SqlType, TableDef};
use tidemark_schemas::version::{DATE_TIME_GRAIN_SECS, SENTINEL_DATE_TIME_KEY};

/// The structural rules of one calendar (`[date-time]` or `[date-time-<name>]`).
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarRules {
    /// Zone in which local date parts are computed (`date-time-tz`).
    pub time_zone: Tz,
    /// Week start day, 1 = Sunday … 7 = Saturday (`first-day-of-week`).
    pub first_day_of_week: u8,
    /// Week 1 starts on 1 January and may be short (`simple-week-1-rules`).
    pub simple_week_1_rules: bool,
    /// Days of the new year week 1 must contain when simple rules are off
    /// (`minimal-days-in-first-week`).
    pub minimal_days_in_first_week: u8,
}

impl Default for CalendarRules {
    fn default() -> Self {
        CalendarRules {
            time_zone: Tz::GMT,
            first_day_of_week: 1,
            simple_week_1_rules: true,
            minimal_days_in_first_week: 1,
        }
    }
}

impl CalendarRules {
    /// A stable text of the structural options; stored in CTL_CALENDAR_STATE so a later
    /// change is detected (operations.md §1.4).
    pub fn fingerprint(&self) -> String {
        format!(
            "tz={};fdow={};simple={};mindays={}",
            self.time_zone.name(),
            self.first_day_of_week,
            self.simple_week_1_rules,
            self.minimal_days_in_first_week
        )
    }

    fn week_start(&self) -> Weekday {
        // 1 = Sunday, 2 = Monday, …
        Weekday::try_from((self.first_day_of_week + 5) % 7).unwrap_or(Weekday::Sun)
    }
}

/// Values of one calendar row, named after the DATE_TIME columns.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarRow {
    /// `DATE_TIME_KEY`.
    pub key: i64,
    /// Roll-up keys: 30 min, hour, day, week, month, quarter, year.
    pub rollups: [i64; 7],
    /// Local date and time of the interval start.
    pub local: NaiveDateTime,
    /// Week number in the year and the week-numbering year.
    pub week: (u32, i32),
    /// Local date of the first day of the week.
    pub week_start: NaiveDate,
}

/// Key of the 15-minute interval holding `ts` (`ts - ts mod 900`).
pub fn date_time_key(ts: i64) -> i64 {
    ts - ts.rem_euclid(DATE_TIME_GRAIN_SECS)
}

/// UTC key of the first 15-minute interval at or after local time `local` (skips DST gaps).
fn utc_key_of_local(tz: Tz, local: NaiveDateTime) -> i64 {
    let mut t = local;
    for _ in 0..16 {
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return date_time_key(dt.timestamp());
        }
        t += Duration::minutes(15);
    }
    date_time_key(local.and_utc().timestamp())
}

fn week_of(rules: &CalendarRules, date: NaiveDate) -> (u32, i32, NaiveDate) {
    let start_wd = rules.week_start();
    let back = (7 + date.weekday().num_days_from_sunday() as i64
        - start_wd.num_days_from_sunday() as i64)
        % 7;
    let week_start = date - Duration::days(back);
    if rules.simple_week_1_rules {
        let jan1 = NaiveDate::from_ymd_opt(date.year(), 1, 1).expect("valid date");
        let jan1_back = (7 + jan1.weekday().num_days_from_sunday() as i64
            - start_wd.num_days_from_sunday() as i64)
            % 7;
        let week = ((date.ordinal0() as i64 + jan1_back) / 7 + 1) as u32;
        return (week, date.year(), week_start.max(jan1));
    }
    // Week 1 is the first week holding at least `minimal_days_in_first_week` days of the year.
    let first_week_start = |year: i32| {
        let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid date");
        let back = (7 + jan1.weekday().num_days_from_sunday() as i64
            - start_wd.num_days_from_sunday() as i64)
            % 7;
        let start = jan1 - Duration::days(back);
        if 7 - back >= rules.minimal_days_in_first_week as i64 {
            start
        } else {
            start + Duration::days(7)
        }
    };
    let mut year = date.year() + 1;
    while first_week_start(year) > date {
        year -= 1;
    }
    let week = ((week_start - first_week_start(year)).num_days() / 7 + 1) as u32;
    (week, year, week_start)
}

/// Calendar rows for every 15-minute interval in `[from_key, to_key)` (UTC keys).
pub fn calendar_rows(rules: &CalendarRules, from_key: i64, to_key: i64) -> Vec<CalendarRow> {
    let tz = rules.time_zone;
    let mut rows = Vec::with_capacity(((to_key - from_key) / DATE_TIME_GRAIN_SECS).max(0) as usize);
    let mut key = date_time_key(from_key);
    while key < to_key {
        let utc: DateTime<Utc> = DateTime::from_timestamp(key, 0).expect("key in range");
        let local = utc.with_timezone(&tz).naive_local();
        let date = local.date();
        let (week, week_year, week_start) = week_of(rules, date);
        let half_hour = local
            .with_minute(local.minute() / 30 * 30)
            .expect("valid minute");
        let hour = local.with_minute(0).expect("valid minute");
        let day = date.and_hms_opt(0, 0, 0).expect("midnight");
        let month_start = date.with_day(1).expect("day 1");
        let quarter_start = NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1)
            .expect("quarter start");
        let year_start = NaiveDate::from_ymd_opt(date.year(), 1, 1).expect("year start");
        let at_midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight");
        rows.push(CalendarRow {
            key,
            rollups: [
                utc_key_of_local(tz, half_hour),
                utc_key_of_local(tz, hour),
                utc_key_of_local(tz, day),
                utc_key_of_local(tz, at_midnight(week_start)),
                utc_key_of_local(tz, at_midnight(month_start)),
                utc_key_of_local(tz, at_midnight(quarter_start)),
                utc_key_of_local(tz, at_midnight(year_start)),
            ],
            local,
            week: (week, week_year),
            week_start,
        });
        key += DATE_TIME_GRAIN_SECS;
    }
    rows
}

/// The sentinel row that ends active facts (key 2145916800, infomart.md §1.3).
pub fn sentinel_row(rules: &CalendarRules) -> CalendarRow {
    let key = SENTINEL_DATE_TIME_KEY as i64;
    let mut row = calendar_rows(rules, key, key + DATE_TIME_GRAIN_SECS).remove(0);
    row.rollups = [key; 7];
    row
}

/// A typed cell of the calendar before it is put in a column.
enum Cell {
    Int(i64),
    Text(String),
    Time(NaiveDateTime),
    Null,
}

fn cell(column: &str, row: &CalendarRow, audit_key: i64) -> Cell {
    let l = &row.local;
    let d = l.date();
    let int = |v: i64| Cell::Int(v);
    match column {
        "DATE_TIME_KEY" => int(row.key),
        "DATE_TIME_30MIN_KEY" => int(row.rollups[0]),
        "DATE_TIME_HOUR_KEY" | "DATE_TIME_SUB_HOUR_KEY" => int(row.rollups[1]),
        "DATE_TIME_DAY_KEY" => int(row.rollups[2]),
        "DATE_TIME_WEEK_KEY" => int(row.rollups[3]),
        "DATE_TIME_MONTH_KEY" => int(row.rollups[4]),
        "DATE_TIME_QUARTER_KEY" => int(row.rollups[5]),
        "DATE_TIME_YEAR_KEY" => int(row.rollups[6]),
        "CAL_DATE" => Cell::Time(*l),
        "CAL_YEAR_NUM" => int(d.year() as i64),
        "CAL_QUARTER_NUM_IN_YEAR" => int((d.month0() / 3 + 1) as i64),
        "CAL_MONTH_NUM_IN_YEAR" => int(d.month() as i64),
        "CAL_WEEK_NUM_IN_YEAR" => int(row.week.0 as i64),
        "CAL_WEEK_YEAR_NUM" => int(row.week.1 as i64),
        "CAL_WEEK_START_DATE" => Cell::Time(row.week_start.and_hms_opt(0, 0, 0).expect("midnight")),
        "CAL_DAY_NUM_IN_YEAR" => int(d.ordinal() as i64),
        "CAL_DAY_NUM_IN_MONTH" => int(d.day() as i64),
        "CAL_DAY_NUM_IN_WEEK" => int(d.weekday().num_days_from_sunday() as i64 + 1),
        "CAL_HOUR_24_NUM_IN_DAY" => int(l.hour() as i64),
        "CAL_MINUTE_NUM_IN_HOUR" => int(l.minute() as i64),
        "CAL_DAY_NAME" => Cell::Text(l.format("%A").to_string()),
        "CAL_MONTH_NAME" => Cell::Text(l.format("%B").to_string()),
        "LABEL_YYYY" => Cell::Text(l.format("%Y").to_string()),
        "LABEL_YYYY_QQ" => Cell::Text(format!("{}-Q{}", d.year(), d.month0() / 3 + 1)),
        "LABEL_YYYY_MM" => Cell::Text(l.format("%Y-%m").to_string()),
        "LABEL_YYYY_WW" => Cell::Text(format!("{}-W{:02}", row.week.1, row.week.0)),
        "LABEL_YYYY_MM_DD" => Cell::Text(l.format("%Y-%m-%d").to_string()),
        "LABEL_YYYY_MM_DD_HH24" => Cell::Text(l.format("%Y-%m-%d %H").to_string()),
        "LABEL_HH24" => Cell::Text(l.format("%H").to_string()),
        "LABEL_HH24_MI" => Cell::Text(l.format("%H:%M").to_string()),
        "CREATE_AUDIT_KEY" | "UPDATE_AUDIT_KEY" => int(audit_key),
        _ => Cell::Null,
    }
}

/// The calendar rows as a record batch of `table` (DATE_TIME or a custom calendar with the
/// same structure). Columns the calendar does not know stay NULL.
pub fn calendar_batch(
    table: &TableDef,
    rows: &[CalendarRow],
    audit_key: i64,
) -> Result<RecordBatch, ArrowError> {
    let columns: Vec<ArrayRef> = table
        .columns
        .iter()
        .map(|c| {
            let cells = rows.iter().map(|r| cell(&c.name, r, audit_key));
            column_array(c.sql_type, cells)
        })
        .collect();
    RecordBatch::try_new(table.arrow_schema(), columns)
}

fn column_array(sql_type: SqlType, cells: impl Iterator<Item = Cell>) -> ArrayRef {
    let as_int = |c: Cell| match c {
        Cell::Int(v) => Some(v),
        _ => None,
    };
    match sql_type {
        SqlType::SmallInt => {
            let mut b = Int16Builder::new();
            cells.for_each(|c| b.append_option(as_int(c).map(|v| v as i16)));
            Arc::new(b.finish())
        }
        SqlType::Integer => {
            let mut b = Int32Builder::new();
            cells.for_each(|c| b.append_option(as_int(c).map(|v| v as i32)));
            Arc::new(b.finish())
        }
        SqlType::Timestamp => {
            let mut b = TimestampMicrosecondBuilder::new();
            cells.for_each(|c| match c {
                Cell::Time(t) => b.append_value(t.and_utc().timestamp_micros()),
                _ => b.append_null(),
            });
            Arc::new(b.finish())
        }
        SqlType::Varchar(_) | SqlType::Text => {
            let mut b = StringBuilder::new();
            cells.for_each(|c| match c {
                Cell::Text(s) => b.append_value(s),
                Cell::Int(v) => b.append_value(v.to_string()),
                _ => b.append_null(),
            });
            Arc::new(b.finish())
        }
        _ => {
            let mut b = Int64Builder::new();
            cells.for_each(|c| b.append_option(as_int(c)));
            let array: ArrayRef = Arc::new(b.finish());
            arrow::compute::cast(&array, &sql_type.arrow_type()).expect("integer cast")
        }
    }
}

#[cfg(test)]
mod tests;
