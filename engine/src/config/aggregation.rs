//! Aggregation options (operations.md §1.7, §6): `[agg] writer-schedule` and the
//! `[agg-gim-thld-<HIER>]` threshold sections. `sub-hour-interval` lives in `[gim-etl]`.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::error::{shown, Report};

/// The aggregation engine (`Job_AggregateGIM`, RAA-compatible).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Aggregation {
    /// Writer threads for Zone 1 (recent data) and Zone 2 (older data, back-fill) by hour
    /// of day: `default=p(a:b)` then optional `hour(HH-HH)=p(c:d)` clauses, comma
    /// separated, where `p` is `flex` (an idle zone lends threads to the other) or
    /// `strict` (never lends) and `a + b ≤ 10`. `hour(20-7)` wraps midnight; the first
    /// matching clause wins. `hour(HH-HH)=purge` sets the hours when aggregate purge may
    /// run (any hour when no purge clause is given).
    ///
    /// Allowed: e.g. `default=flex(3:1)`, `default=strict(2:2),hour(20-7)=flex(4:4),hour(1-3)=purge`.
    /// Takes effect: `next-run:Job_AggregateGIM` (integrated mode re-reads it every 5 minutes).
    pub writer_schedule: WriterSchedule,
}

impl Default for Aggregation {
    fn default() -> Self {
        Self {
            writer_schedule: "default=flex(3:1)"
                .parse()
                .expect("constant schedule is valid"),
        }
    }
}

/// Whether an idle zone lends writer threads to the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LendPolicy {
    /// Lend idle threads.
    Flex,
    /// Never lend.
    Strict,
}

/// Writer threads per zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Writers {
    /// Lending policy between the zones.
    pub policy: LendPolicy,
    /// Threads for Zone 1 (recent data).
    pub zone1: u8,
    /// Threads for Zone 2 (older data).
    pub zone2: u8,
}

/// What an `hour(HH-HH)` clause sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HourAction {
    /// Writer threads for those hours.
    Writers(Writers),
    /// Aggregate purge may run in those hours.
    Purge,
}

/// One `hour(from-to)=…` clause; hours `from` ≤ h < `to`, wrapping midnight when
/// `from > to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourClause {
    /// First hour, 0–23.
    pub from: u8,
    /// Hour after the last one, 0–24.
    pub to: u8,
    /// What the clause sets.
    pub action: HourAction,
}

impl HourClause {
    fn covers(&self, hour: u8) -> bool {
        if self.from < self.to {
            (self.from..self.to).contains(&hour)
        } else {
            hour >= self.from || hour < self.to
        }
    }
}

/// A parsed `writer-schedule` value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
pub struct WriterSchedule {
    text: String,
    #[schemars(skip)]
    default: Writers,
    #[schemars(skip)]
    hours: Vec<HourClause>,
}

impl WriterSchedule {
    /// Writer threads at `hour` (0–23): the first matching writer clause, else the default.
    pub fn writers_at(&self, hour: u8) -> Writers {
        self.hours
            .iter()
            .find_map(|clause| match clause.action {
                HourAction::Writers(writers) if clause.covers(hour) => Some(writers),
                _ => None,
            })
            .unwrap_or(self.default)
    }

    /// Whether aggregate purge may run at `hour` (0–23).
    pub fn purge_allowed_at(&self, hour: u8) -> bool {
        let mut purge = self
            .hours
            .iter()
            .filter(|c| c.action == HourAction::Purge)
            .peekable();
        purge.peek().is_none() || purge.any(|clause| clause.covers(hour))
    }

    fn parse_writers(text: &str) -> Result<Writers, String> {
        let (policy, counts) = text
            .strip_suffix(')')
            .and_then(|t| t.split_once('('))
            .ok_or_else(|| format!("`{text}` is not p(a:b)"))?;
        let policy = match policy.trim() {
            "flex" => LendPolicy::Flex,
            "strict" => LendPolicy::Strict,
            other => return Err(format!("`{other}` is not flex or strict")),
        };
        let (zone1, zone2) = counts
            .split_once(':')
            .and_then(|(a, b)| Some((a.trim().parse::<u8>().ok()?, b.trim().parse::<u8>().ok()?)))
            .ok_or_else(|| format!("`{counts}` is not a:b with thread counts"))?;
        if u16::from(zone1) + u16::from(zone2) > 10 {
            return Err(format!(
                "`{text}` has {zone1} + {zone2} > 10 writer threads"
            ));
        }
        Ok(Writers {
            policy,
            zone1,
            zone2,
        })
    }

    fn parse_hours(text: &str) -> Result<(u8, u8), String> {
        text.strip_prefix("hour(")
            .and_then(|t| t.strip_suffix(')'))
            .and_then(|t| t.split_once('-'))
            .and_then(|(a, b)| Some((a.trim().parse::<u8>().ok()?, b.trim().parse::<u8>().ok()?)))
            .filter(|&(from, to)| from <= 23 && to <= 24 && from != to)
            .ok_or_else(|| format!("`{text}` is not hour(HH-HH) with two different hours 0–24"))
    }
}

impl FromStr for WriterSchedule {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let explain = |why: String| {
            format!(
                "`{text}` is not a valid writer schedule ({why}); allowed: \
                 default=p(a:b)[,hour(HH-HH)=p(c:d)|purge]…, p = flex|strict, a + b ≤ 10"
            )
        };
        let mut default = None;
        let mut hours = Vec::new();
        for clause in text.split(',').map(str::trim) {
            let (target, value) = clause
                .split_once('=')
                .ok_or_else(|| explain(format!("`{clause}` has no `=`")))?;
            let (target, value) = (target.trim(), value.trim());
            if target == "default" {
                if default.is_some() {
                    return Err(explain("more than one default clause".into()));
                }
                default = Some(Self::parse_writers(value).map_err(explain)?);
                continue;
            }
            let (from, to) = Self::parse_hours(target).map_err(explain)?;
            let action = match value {
                "purge" => HourAction::Purge,
                _ => HourAction::Writers(Self::parse_writers(value).map_err(explain)?),
            };
            hours.push(HourClause { from, to, action });
        }
        let default = default.ok_or_else(|| explain("the default clause is missing".into()))?;
        Ok(Self {
            text: text.split(',').map(str::trim).collect::<Vec<_>>().join(","),
            default,
            hours,
        })
    }
}

impl fmt::Display for WriterSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl TryFrom<String> for WriterSchedule {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}

impl From<WriterSchedule> for String {
    fn from(schedule: WriterSchedule) -> String {
        schedule.text
    }
}

/// Bucket boundaries of a wait-time distribution: `[agg-gim-thld-QUEUE-ABN]` (abandon
/// wait, `AGT_QUEUE_ABN_*`) and `[agg-gim-thld-QUEUE-ACC]` (queued plus alerting time
/// of accepted interactions, `AGT_QUEUE_ACC_AGENT_*`). Changes apply to buckets
/// aggregated afterwards; nothing is re-aggregated automatically.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct WaitThresholds {
    /// Upper bounds in seconds of the distribution buckets. The vendor presets were not
    /// retrievable; the default is Tidemark's.
    ///
    /// Allowed: 1–20 strictly ascending integers ≥ 1 (seconds).
    /// Takes effect: `next-run:Job_AggregateGIM` (intervals aggregated afterwards).
    pub thresholds: Vec<u32>,
}

impl Default for WaitThresholds {
    fn default() -> Self {
        Self {
            thresholds: vec![
                5, 10, 15, 20, 25, 30, 40, 50, 60, 90, 120, 180, 240, 300, 420, 600, 900, 1200,
                1800, 3600,
            ],
        }
    }
}

impl WaitThresholds {
    pub(crate) fn validate(&self, s: &str, report: &mut Report) {
        let values = &self.thresholds;
        let ascending = values.windows(2).all(|pair| pair[0] < pair[1]);
        if values.is_empty() || values.len() > 20 || !ascending || values.contains(&0) {
            let value = toml::Value::Array(values.iter().map(|&v| i64::from(v).into()).collect());
            report.error(
                format!("[{s}] thresholds"),
                Some(shown(value)),
                "allowed: 1–20 strictly ascending integers ≥ 1 (seconds)",
            );
        }
    }
}

/// Service-level, short and long thresholds of the interaction hierarchies:
/// `[agg-gim-thld-ID-IXN]`, `[agg-gim-thld-QUEUE-IXN]`, `[agg-gim-thld-AG-IXN]`. Option
/// names and defaults are Tidemark's; the vendor presets were not retrievable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct InteractionThresholds {
    /// Seconds within which an interaction counts as accepted in service level
    /// (`*_THR`, `*_STI` measures).
    ///
    /// Allowed: an integer ≥ 1 (seconds).
    /// Takes effect: `next-run:Job_AggregateGIM` (intervals aggregated afterwards).
    pub service_level: u32,

    /// Seconds below which an abandon or engagement counts as short (`*_SHORT`, `SHORT`).
    ///
    /// Allowed: an integer ≥ 1 (seconds), at most `long`.
    /// Takes effect: `next-run:Job_AggregateGIM` (intervals aggregated afterwards).
    pub short: u32,

    /// Seconds above which an engagement counts as long (`LONG`).
    ///
    /// Allowed: an integer ≥ 1 (seconds), at least `short`.
    /// Takes effect: `next-run:Job_AggregateGIM` (intervals aggregated afterwards).
    pub long: u32,
}

impl Default for InteractionThresholds {
    fn default() -> Self {
        Self {
            service_level: 20,
            short: 10,
            long: 1800,
        }
    }
}

impl InteractionThresholds {
    pub(crate) fn validate(&self, s: &str, report: &mut Report) {
        report.at_least(s, "service-level", self.service_level.into(), 1);
        report.at_least(s, "short", self.short.into(), 1);
        report.at_least(s, "long", self.long.into(), 1);
        if self.short > self.long {
            report.error(
                format!("[{s}] short"),
                Some(self.short.to_string()),
                format!("exceeds long ({}); allowed: short ≤ long", self.long),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_schedule_picks_the_first_matching_clause() {
        let schedule: WriterSchedule =
            "default=strict(2:2), hour(20-7)=flex(4:4), hour(22-23)=flex(1:1), hour(1-3)=purge"
                .parse()
                .unwrap();
        assert_eq!(schedule.writers_at(12).zone1, 2);
        assert_eq!(schedule.writers_at(22).zone1, 4);
        assert_eq!(schedule.writers_at(3).policy, LendPolicy::Flex);
        assert!(schedule.purge_allowed_at(2));
        assert!(!schedule.purge_allowed_at(3));
        assert!(Aggregation::default().writer_schedule.purge_allowed_at(12));
    }

    #[test]
    fn writer_schedule_rejects_bad_clauses() {
        for bad in [
            "flex(3:1)",
            "default=flex(6:5)",
            "default=lazy(1:1)",
            "default=flex(1:1),hour(3-3)=purge",
            "default=flex(1:1),default=flex(1:1)",
            "default=purge",
        ] {
            let err = bad.parse::<WriterSchedule>().unwrap_err();
            assert!(err.contains("a + b ≤ 10"), "{bad}: {err}");
        }
    }
}
