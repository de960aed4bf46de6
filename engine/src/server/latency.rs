//! ETL status: latency per functional area and per data source, computed as operations.md
//! §8.3 defines it from CTL_DS, CTL_HWM, CTL_AGG_PENDING and CTL_EXPORT_HISTORY, with the
//! configured thresholds (the ADMIN_ETL_LATENCY view uses the defaults).

use serde::{Deserialize, Serialize};
use tidemark_sinks::database::{Database, DatabaseError, SqlValue};

use super::history::{iso_from_epoch, text};
use crate::config::Config;

/// The thresholds that classify a latency (operations.md §1.2.3, §8.3), in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// `delayed-data-threshold`.
    pub delayed_secs: i64,
    /// `extract-data-stuck-threshold`.
    pub stuck_secs: i64,
    /// `etl-frequency` in seconds.
    pub etl_frequency_secs: i64,
}

impl Thresholds {
    /// The thresholds a configuration sets.
    pub fn of(config: &Config) -> Self {
        Self {
            delayed_secs: config.gim_etl.delayed_data_threshold.into(),
            stuck_secs: config.gim_etl.extract_data_stuck_threshold.into(),
            etl_frequency_secs: i64::from(config.schedule.etl_frequency) * 60,
        }
    }
}

/// What kind of mark an area's latency is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    /// The extraction marks of the active sources of the given types.
    Extract,
    /// The transform marks `transform:<name>` of the area's streams, the oldest counting; a
    /// name ending in `*` stands for every mark that starts with it.
    Transform(&'static [&'static str]),
    /// The oldest pending aggregation bucket.
    Aggregation,
    /// The newest complete export chunk.
    Export,
}

/// A functional area of the ETL Status view.
struct Area {
    id: &'static str,
    label: &'static str,
    source_types: &'static [i64],
    measure: Measure,
}

/// The areas in display order, with the Operations Guide's labels (operations.md §8.3) and
/// `<area> Transform` where it has none.
const AREAS: [Area; 8] = [
    Area {
        id: "extract",
        label: "Extract",
        source_types: &[1, 2, 3, 4],
        measure: Measure::Extract,
    },
    Area {
        id: "configuration",
        label: "Configuration Transform",
        source_types: &[4],
        measure: Measure::Transform(&["GIDB_GC_*", "GIDB_GCX_*"]),
    },
    Area {
        id: "voice",
        label: "Voice Transform",
        source_types: &[1],
        measure: Measure::Transform(&["GIDB_G_IR_V"]),
    },
    Area {
        id: "multimedia",
        label: "Multimedia Transform",
        source_types: &[2],
        measure: Measure::Transform(&["GIDB_G_IR_MM"]),
    },
    Area {
        id: "agent_activity",
        label: "Agent Activity Transform",
        source_types: &[1, 2],
        measure: Measure::Transform(&["GIDB_G_LOGIN_SESSION_V", "GIDB_G_LOGIN_SESSION_MM"]),
    },
    Area {
        id: "outbound",
        label: "Outbound Contact Transform",
        source_types: &[3],
        measure: Measure::Transform(&["GIDB_GO_CHAIN", "GIDB_GO_CAMPAIGN"]),
    },
    Area {
        id: "aggregation",
        label: "Aggregation",
        source_types: &[],
        measure: Measure::Aggregation,
    },
    Area {
        id: "export",
        label: "Export",
        source_types: &[],
        measure: Measure::Export,
    },
];

/// One row of CTL_DS with its extraction mark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceStatus {
    /// CTL_DS.DATA_SOURCE_KEY.
    pub data_source_key: i64,
    /// CTL_DS.DS_NAME.
    pub ds_name: Option<String>,
    /// 1 T-Server, 2 Interaction Server, 3 OCS, 4 Configuration Server.
    pub data_source_type: Option<i64>,
    /// Configured active, or produced data within `extract-data-stuck-threshold`.
    pub active: bool,
    /// Newest source data seen (epoch seconds).
    pub last_data_ts: Option<i64>,
    /// Extraction mark: the smallest mark over the source's tables (epoch seconds).
    pub extract_hwm_ts: Option<i64>,
    /// [`SourceStatus::extract_hwm_ts`] as ISO 8601.
    pub extract_hwm_time: Option<String>,
    /// now − extraction mark.
    pub latency_sec: Option<i64>,
    /// Seconds since any of the source's marks last advanced.
    pub seconds_since_advance: Option<i64>,
    /// No data for more than `delayed-data-threshold` while active.
    pub delayed: bool,
    /// Marks stand still beyond `extract-data-stuck-threshold` although data is waiting.
    pub stuck: bool,
}

/// Latency of one functional area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaStatus {
    /// Stable id (`voice`, `aggregation`, …).
    pub area: String,
    /// Label of the ETL Status view (`Voice Transform`).
    pub label: String,
    /// The mark the latency is measured from (epoch seconds).
    pub mark_ts: Option<i64>,
    /// [`AreaStatus::mark_ts`] as ISO 8601.
    pub mark_time: Option<String>,
    /// now − mark, seconds; 0 for aggregation with nothing pending; `null` for a transform
    /// area without a mark yet.
    pub latency_sec: Option<i64>,
    /// now − the oldest extraction mark of the active sources feeding the area (`null` for
    /// aggregation and export): the least its transform latency can be.
    #[serde(default)]
    pub extract_latency_sec: Option<i64>,
    /// `OK`, `DELAYED`, `STUCK` or `IDLE`.
    pub status: String,
    /// Active data sources feeding the area.
    pub active_sources: usize,
}

/// The ETL Status view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EtlStatus {
    /// The moment the latencies were computed for (epoch seconds).
    pub now_ts: i64,
    /// Latency per functional area.
    pub areas: Vec<AreaStatus>,
    /// Status per data source.
    pub sources: Vec<SourceStatus>,
}

/// One CTL_HWM row.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// HWM_NAME (`extract:<key>:<table>`, `transform:<table>`, `agg:<h>`, `export:audit`).
    pub name: String,
    /// HWM_VALUE.
    pub value: i64,
    /// UPDATED_TS.
    pub updated_ts: i64,
}

/// A data source as CTL_DS holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// DATA_SOURCE_KEY.
    pub key: i64,
    /// DS_NAME.
    pub name: Option<String>,
    /// DATA_SOURCE_TYPE.
    pub source_type: Option<i64>,
    /// ACTIVE_FLAG = 1.
    pub active_flag: bool,
    /// LAST_DATA_TS.
    pub last_data_ts: Option<i64>,
}

/// Everything the latencies are computed from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    /// CTL_DS.
    pub sources: Vec<Source>,
    /// CTL_HWM.
    pub marks: Vec<Mark>,
    /// Start of the oldest pending aggregation bucket (epoch seconds).
    pub oldest_pending_agg: Option<i64>,
    /// Upper bound of the newest complete export chunk (epoch seconds).
    pub newest_export: Option<i64>,
}

/// Reads the inputs from the Info Mart; missing tables count as empty.
pub async fn read_inputs(db: &dyn Database) -> Result<Inputs, DatabaseError> {
    let mut inputs = Inputs::default();
    if db.table_exists("ctl_ds").await? {
        let rows = db
            .query(
                "select data_source_key, ds_name, data_source_type, active_flag, last_data_ts \
                 from ctl_ds order by data_source_key",
            )
            .await?;
        inputs.sources = rows
            .iter()
            .map(|r| Source {
                key: r[0].as_i64().unwrap_or_default(),
                name: text(&r[1]),
                source_type: r[2].as_i64(),
                active_flag: r[3].as_i64() == Some(1),
                last_data_ts: r[4].as_i64(),
            })
            .collect();
    }
    if db.table_exists("ctl_hwm").await? {
        inputs.marks = read_marks(db).await?;
    }
    if db.table_exists("ctl_agg_pending").await? {
        inputs.oldest_pending_agg = db
            .query_opt_i64(
                "select min(low_date_time_key) from ctl_agg_pending where status <> 'DONE'",
            )
            .await?;
    }
    if db.table_exists("ctl_export_history").await? {
        inputs.newest_export = db
            .query_opt_i64("select max(high_ts) from ctl_export_history where status = 'COMPLETE'")
            .await?;
    }
    Ok(inputs)
}

/// Every CTL_HWM row, by name.
pub async fn read_marks(db: &dyn Database) -> Result<Vec<Mark>, DatabaseError> {
    let rows = db
        .query("select hwm_name, hwm_value, updated_ts from ctl_hwm order by hwm_name")
        .await?;
    Ok(rows
        .iter()
        .map(|r| Mark {
            name: r[0].to_string(),
            value: number(&r[1]),
            updated_ts: number(&r[2]),
        })
        .collect())
}

/// An integer cell, reading decimals with a zero fraction too (`numeric(19)` marks).
fn number(value: &SqlValue) -> i64 {
    value
        .as_i64()
        .or_else(|| value.as_str()?.split('.').next()?.parse().ok())
        .unwrap_or_default()
}

/// Computes the ETL status at `now_ts`.
pub fn compute(inputs: &Inputs, thresholds: Thresholds, now_ts: i64) -> EtlStatus {
    let sources: Vec<SourceStatus> = inputs
        .sources
        .iter()
        .map(|s| source_status(s, &inputs.marks, thresholds, now_ts))
        .collect();
    let areas = AREAS
        .iter()
        .map(|a| area_status(a, inputs, &sources, thresholds, now_ts))
        .collect();
    EtlStatus {
        now_ts,
        areas,
        sources,
    }
}

fn source_status(
    source: &Source,
    marks: &[Mark],
    thresholds: Thresholds,
    now_ts: i64,
) -> SourceStatus {
    let prefix = format!("EXTRACT:{}:", source.key);
    let own: Vec<&Mark> = marks
        .iter()
        .filter(|m| m.name.to_ascii_uppercase().starts_with(&prefix))
        .collect();
    let extract_hwm_ts = own.iter().map(|m| m.value).min();
    let last_advance = own.iter().map(|m| m.updated_ts).max();
    let active = source.active_flag
        || source
            .last_data_ts
            .is_some_and(|t| t >= now_ts - thresholds.stuck_secs);
    let seconds_since_advance = last_advance.map(|t| now_ts - t);
    SourceStatus {
        data_source_key: source.key,
        ds_name: source.name.clone(),
        data_source_type: source.source_type,
        active,
        last_data_ts: source.last_data_ts,
        extract_hwm_ts,
        extract_hwm_time: extract_hwm_ts.and_then(iso_from_epoch),
        latency_sec: extract_hwm_ts.map(|t| now_ts - t),
        seconds_since_advance,
        delayed: active && now_ts - source.last_data_ts.unwrap_or(0) > thresholds.delayed_secs,
        stuck: seconds_since_advance.is_some_and(|s| s > thresholds.stuck_secs)
            && source.last_data_ts > extract_hwm_ts,
    }
}

fn area_status(
    area: &Area,
    inputs: &Inputs,
    sources: &[SourceStatus],
    thresholds: Thresholds,
    now_ts: i64,
) -> AreaStatus {
    let feeding: Vec<&SourceStatus> = sources
        .iter()
        .filter(|s| s.active && area.source_types.contains(&s.data_source_type.unwrap_or(0)))
        .collect();
    let extract_mark_ts = feeding.iter().filter_map(|s| s.extract_hwm_ts).min();
    let extract_latency_sec = match area.measure {
        Measure::Extract | Measure::Transform(_) => extract_mark_ts.map(|t| now_ts - t),
        Measure::Aggregation | Measure::Export => None,
    };
    let mark_ts = match area.measure {
        Measure::Extract => extract_mark_ts,
        Measure::Transform(patterns) => inputs
            .marks
            .iter()
            .filter(|m| is_transform_mark(&m.name, patterns))
            .map(|m| m.value)
            .min(),
        Measure::Aggregation => inputs.oldest_pending_agg,
        Measure::Export => inputs.newest_export,
    };
    let latency_sec = match (area.measure, mark_ts) {
        (Measure::Aggregation, None) => Some(0),
        (_, mark) => mark.map(|t| now_ts - t),
    };
    let ok_secs = thresholds.delayed_secs + thresholds.etl_frequency_secs;
    let classify = |latency: i64| match latency {
        l if l <= ok_secs => "OK",
        l if l <= thresholds.stuck_secs => "DELAYED",
        _ => "STUCK",
    };
    let status = match area.measure {
        Measure::Extract | Measure::Transform(_) if feeding.is_empty() => "IDLE",
        Measure::Extract | Measure::Transform(_) if feeding.iter().any(|s| s.stuck) => "STUCK",
        Measure::Aggregation | Measure::Export if mark_ts.is_none() => "IDLE",
        // Nothing transformed yet: the transform latency is unknown but at least the
        // extraction latency (§8.3), so it is STUCK once that is, and never OK.
        _ => match (latency_sec, extract_latency_sec) {
            (Some(l), _) => classify(l),
            (None, Some(l)) if l > thresholds.stuck_secs => "STUCK",
            (None, _) => "DELAYED",
        },
    };
    AreaStatus {
        area: area.id.into(),
        label: area.label.into(),
        mark_ts,
        mark_time: mark_ts.and_then(iso_from_epoch),
        latency_sec,
        extract_latency_sec,
        status: status.into(),
        active_sources: feeding.len(),
    }
}

/// Whether CTL_HWM.HWM_NAME `name` is `transform:<p>` for one of `patterns` (a pattern
/// ending in `*` matches every name starting with it), in any case.
fn is_transform_mark(name: &str, patterns: &[&str]) -> bool {
    let name = name.to_ascii_uppercase();
    let Some(stream) = name.strip_prefix("TRANSFORM:") else {
        return false;
    };
    patterns.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => stream.starts_with(prefix),
        None => stream == *p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const THRESHOLDS: Thresholds = Thresholds {
        delayed_secs: 900,
        stuck_secs: 28_860,
        etl_frequency_secs: 60,
    };

    fn mark(name: &str, value: i64) -> Mark {
        Mark {
            name: name.into(),
            value,
            updated_ts: NOW - 30,
        }
    }

    fn inputs() -> Inputs {
        Inputs {
            sources: vec![
                Source {
                    key: 1,
                    name: Some("TServer_SIP".into()),
                    source_type: Some(1),
                    active_flag: true,
                    last_data_ts: Some(NOW - 10),
                },
                Source {
                    key: 2,
                    name: Some("IXN".into()),
                    source_type: Some(2),
                    active_flag: true,
                    last_data_ts: Some(NOW - 10),
                },
            ],
            marks: vec![
                mark("extract:1:G_CALL", NOW - 120),
                mark("extract:1:G_PARTY", NOW - 100),
                mark("extract:2:G_INTERACTION", NOW - 300),
                mark("transform:GIDB_G_IR_V", NOW - 400),
                mark("transform:GIDB_G_IR_MM", NOW - 2_000),
            ],
            oldest_pending_agg: None,
            newest_export: Some(NOW - 50_000),
        }
    }

    fn area<'a>(status: &'a EtlStatus, id: &str) -> &'a AreaStatus {
        status.areas.iter().find(|a| a.area == id).unwrap()
    }

    #[test]
    fn latencies_follow_the_oldest_mark_of_each_area() {
        let status = compute(&inputs(), THRESHOLDS, NOW);
        assert_eq!(status.sources[0].extract_hwm_ts, Some(NOW - 120));
        assert_eq!(area(&status, "extract").latency_sec, Some(300));
        assert_eq!(area(&status, "voice").latency_sec, Some(400));
        assert_eq!(area(&status, "voice").status, "OK");
        assert_eq!(area(&status, "multimedia").latency_sec, Some(2_000));
        assert_eq!(area(&status, "multimedia").status, "DELAYED");
        assert_eq!(area(&status, "agent_activity").status, "DELAYED");
        assert_eq!(area(&status, "outbound").status, "IDLE");
        assert_eq!(area(&status, "aggregation").latency_sec, Some(0));
        assert_eq!(area(&status, "export").status, "STUCK");
        assert_eq!(area(&status, "configuration").status, "IDLE");
    }

    #[test]
    fn configuration_counts_its_oldest_table_mark() {
        let mut inputs = inputs();
        inputs.sources.push(Source {
            key: 3,
            name: Some("confserv".into()),
            source_type: Some(4),
            active_flag: true,
            last_data_ts: Some(NOW - 10),
        });
        inputs.marks.extend([
            mark("extract:3:GC_AGENT", NOW - 50),
            mark("transform:GIDB_GC_AGENT", NOW - 70),
            mark("TRANSFORM:gidb_gcx_login_info", NOW - 5_000),
            mark("transform:GIDB_G_IR_VX", NOW - 90_000),
        ]);
        let status = compute(&inputs, THRESHOLDS, NOW);
        let config = area(&status, "configuration");
        assert_eq!(config.mark_ts, Some(NOW - 5_000));
        assert_eq!(config.extract_latency_sec, Some(50));
        assert_eq!(config.status, "DELAYED");
        assert_eq!(area(&status, "voice").latency_sec, Some(400), "exact name");
    }

    #[test]
    fn an_area_never_transformed_is_at_least_as_late_as_its_extraction() {
        let mut inputs = inputs();
        inputs.marks.retain(|m| !m.name.starts_with("transform:"));
        let status = compute(&inputs, THRESHOLDS, NOW);
        let voice = area(&status, "voice");
        assert_eq!(
            (voice.latency_sec, voice.extract_latency_sec),
            (None, Some(120))
        );
        assert_eq!(voice.status, "DELAYED", "never OK without a mark");

        for mark in &mut inputs.marks {
            mark.value -= 30_000;
        }
        let status = compute(&inputs, THRESHOLDS, NOW);
        assert_eq!(area(&status, "voice").status, "STUCK");
        assert_eq!(area(&status, "multimedia").status, "STUCK");
        assert_eq!(area(&status, "outbound").status, "IDLE", "no OCS source");
    }
}
