//! A generic table batch builder: rows are appended column by column into Arrow builders
//! whose positions were resolved from the [`TableDef`] once; columns a row does not set are
//! NULL. The surrogate key and the GSYS stamp columns (ID, GSYS_DOMAIN, GSYS_SEQ,
//! GSYS_USEQ) are kept per replica, so one set of business columns yields the batches of
//! both IDBs of an HA pair, each with its own ids and sequences (idb.md §6.3 rule 6).

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Decimal128Builder, Float64Builder, Int16Builder, Int32Array,
    Int32Builder, Int64Array, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow::compute::filter_record_batch;
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use tidemark_schemas::{SqlType, TableDef, TableFamily};

use super::ids::{epoch_secs, time_code, Ms};

/// Most IDBs one site writes: an HA pair.
pub const MAX_REPLICAS: usize = 2;

/// Rows per batch handed to the writer.
pub const BATCH_ROWS: usize = 65_536;

/// Position of a column in its table, resolved once; [`Col::NONE`] when the table has no
/// such column (setting it is then a no-op).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Col(u16);

impl Col {
    /// A column the table does not have.
    pub const NONE: Col = Col(u16::MAX);

    /// The column called `name` (any case) in `def`.
    pub fn find(def: Option<&TableDef>, name: &str) -> Col {
        def.and_then(|d| {
            d.columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(name))
        })
        .map(|i| Col(i as u16))
        .unwrap_or(Col::NONE)
    }

    fn index(self) -> Option<usize> {
        (self != Col::NONE).then_some(self.0 as usize)
    }
}

/// The three columns of a business time: `X`, `X_TS`, `X_TCODE` (idb.md §0).
#[derive(Debug, Clone, Copy)]
pub struct Time3 {
    at: Col,
    ts: Col,
    tcode: Col,
}

impl Time3 {
    /// The triplet whose base column is `base` (`CREATED` → CREATED, CREATED_TS, CREATED_TCODE).
    pub fn find(def: Option<&TableDef>, base: &str) -> Time3 {
        Time3 {
            at: Col::find(def, base),
            ts: Col::find(def, &format!("{base}_TS")),
            tcode: Col::find(def, &format!("{base}_TCODE")),
        }
    }
}

/// What each replica makes of one row: whether it holds the row and its GSYS stamps.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReplicaStamp {
    /// Whether this replica's IDB holds the row (false inside a simulated session gap).
    pub keep: bool,
    /// GSYS_DOMAIN: DSS_ID of the writing provider's session.
    pub domain: Option<i32>,
    /// GSYS_SEQ: insert sequence.
    pub seq: Option<i64>,
    /// GSYS_USEQ: update sequence.
    pub useq: Option<i64>,
}

/// Stamps of one row for every replica of its site.
pub type Stamps = [ReplicaStamp; MAX_REPLICAS];

/// One column's Arrow builder.
enum Builder {
    I16(Int16Builder),
    I32(Int32Builder),
    I64(Int64Builder),
    Dec(Decimal128Builder),
    F64(Float64Builder),
    Str(StringBuilder),
    Ts(TimestampMicrosecondBuilder),
    /// Filled per replica (surrogate key and GSYS stamps).
    Stamp,
}

impl Builder {
    fn for_type(t: SqlType) -> Builder {
        match t {
            SqlType::SmallInt => Builder::I16(Int16Builder::with_capacity(BATCH_ROWS)),
            SqlType::Integer => Builder::I32(Int32Builder::with_capacity(BATCH_ROWS)),
            SqlType::BigInt | SqlType::BigSerial => {
                Builder::I64(Int64Builder::with_capacity(BATCH_ROWS))
            }
            SqlType::Numeric(p, s) => Builder::Dec(
                Decimal128Builder::with_capacity(BATCH_ROWS)
                    .with_data_type(DataType::Decimal128(p, s)),
            ),
            SqlType::Double => Builder::F64(Float64Builder::with_capacity(BATCH_ROWS)),
            SqlType::Varchar(_) | SqlType::Text => {
                Builder::Str(StringBuilder::with_capacity(BATCH_ROWS, BATCH_ROWS * 16))
            }
            SqlType::Timestamp => {
                Builder::Ts(TimestampMicrosecondBuilder::with_capacity(BATCH_ROWS))
            }
        }
    }

    fn int(&mut self, v: i64) {
        match self {
            Builder::I16(b) => b.append_value(v as i16),
            Builder::I32(b) => b.append_value(v as i32),
            Builder::I64(b) => b.append_value(v),
            Builder::Dec(b) => b.append_value(v as i128),
            Builder::F64(b) => b.append_value(v as f64),
            Builder::Str(b) => b.append_value(v.to_string()),
            Builder::Ts(b) => b.append_value(v.saturating_mul(1_000_000)),
            Builder::Stamp => {}
        }
    }

    fn text(&mut self, v: &str) {
        match self {
            Builder::Str(b) => b.append_value(v),
            other => match v.parse::<i64>() {
                Ok(n) => other.int(n),
                Err(_) => other.null(),
            },
        }
    }

    fn time(&mut self, t: Ms) {
        match self {
            Builder::Ts(b) => b.append_value(t.saturating_mul(1000)),
            Builder::Str(b) => b.append_value(super::ids::rfc3339(t)),
            other => other.int(epoch_secs(t)),
        }
    }

    fn null(&mut self) {
        match self {
            Builder::I16(b) => b.append_null(),
            Builder::I32(b) => b.append_null(),
            Builder::I64(b) => b.append_null(),
            Builder::Dec(b) => b.append_null(),
            Builder::F64(b) => b.append_null(),
            Builder::Str(b) => b.append_null(),
            Builder::Ts(b) => b.append_null(),
            Builder::Stamp => {}
        }
    }

    /// Value for a NOT NULL column no scenario sets: zero, empty text or the epoch.
    fn neutral(&mut self) {
        match self {
            Builder::Str(b) => b.append_value(""),
            other => other.int(0),
        }
    }

    fn finish(&mut self) -> Option<ArrayRef> {
        Some(match self {
            Builder::I16(b) => Arc::new(b.finish()),
            Builder::I32(b) => Arc::new(b.finish()),
            Builder::I64(b) => Arc::new(b.finish()),
            Builder::Dec(b) => Arc::new(b.finish()),
            Builder::F64(b) => Arc::new(b.finish()),
            Builder::Str(b) => Arc::new(b.finish()),
            Builder::Ts(b) => Arc::new(b.finish()),
            Builder::Stamp => return None,
        })
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        use arrow::array::ArrayBuilder;
        match self {
            Builder::I16(b) => b.len(),
            Builder::I32(b) => b.len(),
            Builder::I64(b) => b.len(),
            Builder::Dec(b) => b.len(),
            Builder::F64(b) => b.len(),
            Builder::Str(b) => b.len(),
            Builder::Ts(b) => b.len(),
            Builder::Stamp => 0,
        }
    }
}

/// Which columns carry per-replica values.
#[derive(Debug, Clone, Copy)]
struct StampCols {
    id: Col,
    domain: Col,
    seq: Col,
    useq: Col,
}

/// Per-replica values of the stamp columns of the rows not yet flushed.
#[derive(Default)]
struct ReplicaColumns {
    next_id: i64,
    id: Vec<i64>,
    domain: Vec<Option<i32>>,
    seq: Vec<Option<i64>>,
    useq: Vec<Option<i64>>,
    keep: Vec<bool>,
}

/// Rows of one IDB table for one site, waiting to become record batches.
pub struct TableRows {
    def: Option<&'static TableDef>,
    builders: Vec<Builder>,
    nullable: Vec<bool>,
    set_mark: Vec<u32>,
    row_no: u32,
    stamp: StampCols,
    replicas: Vec<ReplicaColumns>,
    len: usize,
    unset_required: Vec<bool>,
}

/// The surrogate key of an operational table: its `bigserial` column.
fn surrogate(def: &TableDef) -> Col {
    let by_type = def
        .columns
        .iter()
        .position(|c| c.sql_type == SqlType::BigSerial);
    let by_name = || {
        (def.family == TableFamily::IdbOperational)
            .then(|| {
                def.columns.iter().position(|c| {
                    ["ID", "IRHID", "CHID", "PHID"].contains(&c.name.as_str())
                        && def.primary_key.first() == Some(&c.name)
                })
            })
            .flatten()
    };
    by_type
        .or_else(by_name)
        .map(|i| Col(i as u16))
        .unwrap_or(Col::NONE)
}

impl TableRows {
    /// Rows for `def` (`None`: a table the catalogue does not have; rows are discarded),
    /// written to `replicas` IDBs whose surrogate keys start at `first_ids[r]`.
    pub fn new(def: Option<&'static TableDef>, first_ids: &[i64]) -> TableRows {
        let stamp = StampCols {
            id: def.map(surrogate).unwrap_or(Col::NONE),
            domain: Col::find(def, "GSYS_DOMAIN"),
            seq: Col::find(def, "GSYS_SEQ"),
            useq: Col::find(def, "GSYS_USEQ"),
        };
        let stamp_idx = [stamp.id, stamp.domain, stamp.seq, stamp.useq].map(Col::index);
        let columns = def.map(|d| d.columns.as_slice()).unwrap_or_default();
        let builders = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if stamp_idx.contains(&Some(i)) {
                    Builder::Stamp
                } else {
                    Builder::for_type(c.sql_type)
                }
            })
            .collect();
        TableRows {
            def,
            builders,
            nullable: columns.iter().map(|c| c.nullable).collect(),
            set_mark: vec![0; columns.len()],
            row_no: 1,
            stamp,
            replicas: first_ids
                .iter()
                .map(|&first| ReplicaColumns {
                    next_id: first,
                    ..Default::default()
                })
                .collect(),
            len: 0,
            unset_required: vec![false; columns.len()],
        }
    }

    /// The table described, if the catalogue has it.
    pub fn def(&self) -> Option<&'static TableDef> {
        self.def
    }

    /// Rows waiting.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no row is waiting.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Starts a row; its stamps say which replicas hold it and with which GSYS values.
    pub fn row(&mut self, stamps: &Stamps) -> Row<'_> {
        if self.def.is_some() {
            for (r, cols) in self.replicas.iter_mut().enumerate() {
                let s = stamps[r];
                cols.keep.push(s.keep);
                cols.domain.push(s.domain);
                cols.seq.push(s.seq);
                cols.useq.push(s.useq);
                let id = if s.keep {
                    cols.next_id += 1;
                    cols.next_id - 1
                } else {
                    0
                };
                cols.id.push(id);
            }
        }
        Row { t: self }
    }

    fn end_row(&mut self) {
        if self.def.is_none() {
            return;
        }
        for i in 0..self.builders.len() {
            if self.set_mark[i] != self.row_no {
                if self.nullable[i] {
                    self.builders[i].null();
                } else {
                    self.unset_required[i] = true;
                    self.builders[i].neutral();
                }
            }
        }
        self.row_no = self.row_no.wrapping_add(1).max(1);
        self.len += 1;
    }

    /// NOT NULL columns that some row left unset (filled with a neutral value).
    pub fn unset_required_columns(&self) -> Vec<String> {
        let Some(def) = self.def else {
            return Vec::new();
        };
        let stamps = [
            self.stamp.id,
            self.stamp.domain,
            self.stamp.seq,
            self.stamp.useq,
        ];
        def.columns
            .iter()
            .enumerate()
            .filter(|(i, _)| self.unset_required[*i] && !stamps.contains(&Col(*i as u16)))
            .map(|(_, c)| c.name.clone())
            .collect()
    }

    /// Turns the waiting rows into one record batch per replica (rows a replica does not
    /// hold are left out of its batch). Empty when nothing waits.
    pub fn flush(&mut self) -> Result<Vec<(usize, RecordBatch)>, arrow::error::ArrowError> {
        let Some(def) = self.def else {
            return Ok(Vec::new());
        };
        if self.len == 0 {
            return Ok(Vec::new());
        }
        let business: Vec<Option<ArrayRef>> =
            self.builders.iter_mut().map(|b| b.finish()).collect();
        let schema = def.arrow_schema();
        let mut out = Vec::with_capacity(self.replicas.len());
        for (r, cols) in self.replicas.iter_mut().enumerate() {
            let id: ArrayRef = Arc::new(Int64Array::from(std::mem::take(&mut cols.id)));
            let domain: ArrayRef = Arc::new(Int32Array::from(std::mem::take(&mut cols.domain)));
            let seq: ArrayRef = Arc::new(Int64Array::from(std::mem::take(&mut cols.seq)));
            let useq: ArrayRef = Arc::new(Int64Array::from(std::mem::take(&mut cols.useq)));
            let keep = std::mem::take(&mut cols.keep);
            let arrays: Vec<ArrayRef> = business
                .iter()
                .enumerate()
                .map(|(i, a)| match a {
                    Some(a) => a.clone(),
                    None if Col(i as u16) == self.stamp.id => id.clone(),
                    None if Col(i as u16) == self.stamp.domain => domain.clone(),
                    None if Col(i as u16) == self.stamp.seq => seq.clone(),
                    None => useq.clone(),
                })
                .collect();
            let arrays = arrays
                .into_iter()
                .zip(schema.fields())
                .map(|(a, f)| cast_to(a, f.data_type()))
                .collect();
            let batch = RecordBatch::try_new(schema.clone(), arrays)?;
            let kept = keep.iter().filter(|k| **k).count();
            let batch = if kept == keep.len() {
                batch
            } else {
                filter_record_batch(&batch, &BooleanArray::from(keep))?
            };
            if batch.num_rows() > 0 {
                out.push((r, batch));
            }
        }
        self.len = 0;
        Ok(out)
    }

    /// Debug check that every builder holds the same number of rows.
    #[cfg(test)]
    fn aligned(&self) -> bool {
        self.builders
            .iter()
            .all(|b| matches!(b, Builder::Stamp) || b.len() == self.len)
    }
}

/// Stamp columns are built as Int64/Int32; the catalogue may declare them otherwise.
fn cast_to(a: ArrayRef, t: &DataType) -> ArrayRef {
    if a.data_type() == t {
        a
    } else {
        arrow::compute::cast(&a, t).unwrap_or(a)
    }
}

/// One row being appended; ends (unset columns NULL) when dropped.
pub struct Row<'a> {
    t: &'a mut TableRows,
}

impl Row<'_> {
    fn slot(&mut self, c: Col) -> Option<&mut Builder> {
        let i = c.index()?;
        if self.t.set_mark.get(i)? == &self.t.row_no {
            return None;
        }
        self.t.set_mark[i] = self.t.row_no;
        self.t.builders.get_mut(i)
    }

    /// Sets an integer column (any integer, decimal or text column type).
    pub fn int(&mut self, c: Col, v: i64) -> &mut Self {
        if let Some(b) = self.slot(c) {
            b.int(v);
        }
        self
    }

    /// Sets an integer column or leaves it NULL.
    pub fn opt_int(&mut self, c: Col, v: Option<i64>) -> &mut Self {
        if let Some(v) = v {
            self.int(c, v);
        }
        self
    }

    /// Sets a text column.
    pub fn str(&mut self, c: Col, v: &str) -> &mut Self {
        if let Some(b) = self.slot(c) {
            b.text(v);
        }
        self
    }

    /// Sets a text column or leaves it NULL.
    pub fn opt_str(&mut self, c: Col, v: Option<&str>) -> &mut Self {
        if let Some(v) = v {
            self.str(c, v);
        }
        self
    }

    /// Sets a lone timestamp column.
    pub fn at(&mut self, c: Col, t: Ms) -> &mut Self {
        if let Some(b) = self.slot(c) {
            b.time(t);
        }
        self
    }

    /// Sets a time triplet `X`, `X_TS = floor(epoch(X))`, `X_TCODE`.
    pub fn time(&mut self, c: Time3, t: Ms) -> &mut Self {
        self.at(c.at, t);
        self.int(c.ts, epoch_secs(t));
        self.int(c.tcode, time_code(t))
    }

    /// Sets a time triplet or leaves it NULL.
    pub fn opt_time(&mut self, c: Time3, t: Option<Ms>) -> &mut Self {
        if let Some(t) = t {
            self.time(c, t);
        }
        self
    }
}

impl Drop for Row<'_> {
    fn drop(&mut self) {
        self.t.end_row();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::{Int32Type, Int64Type};

    fn demo() -> &'static TableDef {
        let def = tidemark_schemas::idb::gsys(
            TableDef::new("DEMO", TableFamily::IdbOperational, "demo")
                .req("ID", SqlType::BigSerial, "")
                .req("CALLID", SqlType::Varchar(50), "")
                .col("STATE", SqlType::Integer, "")
                .time3("CREATED", true, "")
                .pk(&["ID"]),
        );
        Box::leak(Box::new(def))
    }

    fn stamps(keep_b: bool) -> Stamps {
        [
            ReplicaStamp {
                keep: true,
                domain: Some(11),
                seq: Some(5),
                useq: Some(6),
            },
            ReplicaStamp {
                keep: keep_b,
                domain: Some(51),
                seq: Some(7),
                useq: Some(8),
            },
        ]
    }

    #[test]
    fn rows_become_one_batch_per_replica_with_own_stamps() {
        let def = demo();
        let mut t = TableRows::new(Some(def), &[1, 100]);
        let (callid, state, created) = (
            Col::find(Some(def), "CALLID"),
            Col::find(Some(def), "state"),
            Time3::find(Some(def), "CREATED"),
        );
        for i in 0..3 {
            let mut r = t.row(&stamps(i != 1));
            r.str(callid, "C1").time(created, 1_709_632_800_250 + i);
            if i == 0 {
                r.int(state, 2);
            }
        }
        assert!(t.aligned());
        let out = t.flush().unwrap();
        assert_eq!(out.len(), 2);
        let (a, b) = (&out[0].1, &out[1].1);
        assert_eq!(a.num_rows(), 3);
        assert_eq!(b.num_rows(), 2);
        let ids = |x: &RecordBatch| x.column(0).as_primitive::<Int64Type>().values().to_vec();
        assert_eq!(ids(a), vec![1, 2, 3]);
        assert_eq!(ids(b), vec![100, 101]);
        let state_col = a.column_by_name("state").unwrap();
        assert_eq!(state_col.null_count(), 2);
        let ts = a
            .column_by_name("created_ts")
            .unwrap()
            .as_primitive::<Int32Type>();
        assert_eq!(ts.value(0), 1_709_632_800);
        let dom = b
            .column_by_name("gsys_domain")
            .unwrap()
            .as_primitive::<Int32Type>();
        assert_eq!(dom.value(0), 51);
        assert!(t.is_empty());
        assert!(t.flush().unwrap().is_empty());
    }

    #[test]
    fn unknown_columns_and_tables_are_ignored() {
        let mut t = TableRows::new(None, &[1]);
        t.row(&stamps(true)).int(Col::find(None, "X"), 1);
        assert!(t.flush().unwrap().is_empty());
    }
}
