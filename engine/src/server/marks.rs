//! High-water marks per source and stream: CTL_HWM, with the extraction marks checked
//! against CTL_EXTRACT_HISTORY, whose newest MAX_TS wins (operations.md §2.3, §2.5).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tidemark_sinks::database::{Database, DatabaseError, SqlValue};

use super::history::{iso_from_epoch, iso_time, text};
use super::latency::read_marks;

/// One current mark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkRow {
    /// CTL_HWM.HWM_NAME (`extract:<DATA_SOURCE_KEY>:<table>`, `transform:<table>`, …).
    pub hwm_name: String,
    /// `extract`, `transform`, `agg`, `export` or `other`.
    pub kind: String,
    /// Data source of an extraction mark.
    pub data_source_key: Option<i64>,
    /// CTL_DS.DS_NAME of that source.
    pub ds_name: Option<String>,
    /// IDB table of an extraction mark, GIDB table of a transform mark.
    pub table_name: Option<String>,
    /// The mark: epoch seconds, or an audit key for `export:audit`.
    pub value: i64,
    /// The mark as ISO 8601 when it is a time.
    pub value_time: Option<String>,
    /// When the mark last advanced (epoch seconds).
    pub updated_ts: Option<i64>,
    /// Rows extracted under this mark so far (extraction marks).
    pub rows_extracted: Option<i64>,
    /// End of the newest extraction of this table and source.
    pub last_extract_end: Option<String>,
}

struct ExtractSummary {
    max_ts: i64,
    rows: Option<i64>,
    last_end: Option<String>,
}

/// Every current mark, extraction marks first, by name.
pub async fn marks(db: &dyn Database) -> Result<Vec<MarkRow>, DatabaseError> {
    let names = source_names(db).await?;
    let history = extract_history(db).await?;
    let mut rows: BTreeMap<String, MarkRow> = BTreeMap::new();
    if db.table_exists("ctl_hwm").await? {
        for mark in read_marks(db).await? {
            let row = mark_row(&mark.name, mark.value, Some(mark.updated_ts), &names);
            rows.insert(mark.name.to_ascii_lowercase(), row);
        }
    }
    for ((table, key), summary) in history {
        let name = format!("extract:{key}:{table}");
        let row = rows
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| mark_row(&name, summary.max_ts, None, &names));
        if summary.max_ts > row.value {
            row.value = summary.max_ts;
            row.value_time = iso_from_epoch(summary.max_ts);
        }
        row.rows_extracted = summary.rows;
        row.last_extract_end = summary.last_end;
    }
    let mut list: Vec<MarkRow> = rows.into_values().collect();
    list.sort_by_key(|r| (kind_rank(&r.kind), r.hwm_name.clone()));
    Ok(list)
}

fn kind_rank(kind: &str) -> usize {
    ["extract", "transform", "agg", "export"]
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(4)
}

fn mark_row(
    name: &str,
    value: i64,
    updated_ts: Option<i64>,
    names: &BTreeMap<i64, String>,
) -> MarkRow {
    let mut parts = name.splitn(3, ':');
    let kind = parts.next().unwrap_or_default().to_ascii_lowercase();
    let (data_source_key, table_name) = match kind.as_str() {
        "extract" => {
            let key = parts.next().and_then(|k| k.parse().ok());
            (key, parts.next().map(str::to_string))
        }
        "transform" => (None, parts.next().map(str::to_string)),
        _ => (None, None),
    };
    let known = ["extract", "transform", "agg", "export"].contains(&kind.as_str());
    let is_time = kind != "export";
    MarkRow {
        hwm_name: name.to_string(),
        kind: if known { kind } else { "other".into() },
        data_source_key,
        ds_name: data_source_key.and_then(|k| names.get(&k).cloned()),
        table_name,
        value,
        value_time: is_time.then(|| iso_from_epoch(value)).flatten(),
        updated_ts,
        rows_extracted: None,
        last_extract_end: None,
    }
}

async fn source_names(db: &dyn Database) -> Result<BTreeMap<i64, String>, DatabaseError> {
    if !db.table_exists("ctl_ds").await? {
        return Ok(BTreeMap::new());
    }
    let rows = db
        .query("select data_source_key, ds_name from ctl_ds")
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| Some((r[0].as_i64()?, text(&r[1])?)))
        .collect())
}

async fn extract_history(
    db: &dyn Database,
) -> Result<BTreeMap<(String, i64), ExtractSummary>, DatabaseError> {
    if !db.table_exists("ctl_extract_history").await? {
        return Ok(BTreeMap::new());
    }
    let rows = db
        .query(
            "select table_name, data_source_key, max(max_ts), sum(row_count), \
             max(extract_end_time) from ctl_extract_history group by table_name, data_source_key",
        )
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let summary = ExtractSummary {
                max_ts: r[2].as_i64()?,
                rows: r[3].as_i64(),
                last_end: match &r[4] {
                    SqlValue::Null => None,
                    t => iso_time(t),
                },
            };
            Some(((r[0].to_string(), r[1].as_i64()?), summary))
        })
        .collect())
}
