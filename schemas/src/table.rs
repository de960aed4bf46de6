//! The one description of a table from which Arrow schemas and DDL are generated.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::extraction::ExtractionDef;

/// Column type in the vocabulary of the specs (PostgreSQL flavour), mapped once to Arrow and
/// to every SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    /// 16-bit integer (`smallint`); also Info Mart `numeric(1)` flags.
    SmallInt,
    /// 32-bit integer (`integer`).
    Integer,
    /// 64-bit integer (`bigint`); also Info Mart `numeric(19)` identifiers.
    BigInt,
    /// 64-bit surrogate key filled by the database when not given (`bigserial`).
    BigSerial,
    /// Exact decimal `numeric(precision, scale)`.
    Numeric(u8, i8),
    /// Variable-length string with a maximum length in characters.
    Varchar(u16),
    /// Unbounded text.
    Text,
    /// Timestamp without time zone holding a UTC wall-clock value (microsecond precision).
    Timestamp,
    /// Double-precision floating point.
    Double,
}

impl SqlType {
    /// The Arrow type a column of this SQL type holds.
    pub fn arrow_type(self) -> DataType {
        match self {
            SqlType::SmallInt => DataType::Int16,
            SqlType::Integer => DataType::Int32,
            SqlType::BigInt | SqlType::BigSerial => DataType::Int64,
            SqlType::Numeric(p, s) => DataType::Decimal128(p, s),
            SqlType::Varchar(_) | SqlType::Text => DataType::Utf8,
            SqlType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, None),
            SqlType::Double => DataType::Float64,
        }
    }
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef {
    /// Column name in upper case, as the specs write it (`INTERACTION_ID`).
    pub name: String,
    /// Type of the column.
    pub sql_type: SqlType,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// SQL default expression, if any (`-1`, `0`).
    pub default: Option<&'static str>,
    /// What the column holds.
    pub doc: &'static str,
}

impl ColumnDef {
    /// Lower-case name: what unquoted DDL creates and what Arrow fields are called.
    pub fn sql_name(&self) -> String {
        self.name.to_ascii_lowercase()
    }
}

/// Family a table belongs to; decides which dialects render it and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableFamily {
    /// IDB operational table (interactions, agent activity, outbound, control).
    IdbOperational,
    /// IDB configuration table (`GC_*`, `GCX_*`).
    IdbConfig,
    /// Info Mart fact table (range-partitioned on its date-time key in PostgreSQL).
    MartFact,
    /// Info Mart dimension table.
    MartDimension,
    /// Info Mart control table (`CTL_*`).
    MartControl,
    /// Info Mart staging/error table (`STG_*`).
    MartStaging,
}

impl TableFamily {
    /// Whether the table lives in an IDB (as opposed to the Info Mart).
    pub fn is_idb(self) -> bool {
        matches!(self, TableFamily::IdbOperational | TableFamily::IdbConfig)
    }
}

/// A secondary index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDef {
    /// Index name in lower case; unique within the database.
    pub name: String,
    /// Indexed columns, upper case, in order.
    pub columns: Vec<String>,
}

/// A table described once.
#[derive(Debug, Clone)]
pub struct TableDef {
    /// Table name in upper case, as the specs write it (`INTERACTION_RESOURCE_FACT`).
    pub name: String,
    /// What one row holds.
    pub doc: &'static str,
    /// Family of the table.
    pub family: TableFamily,
    /// Columns in order.
    pub columns: Vec<ColumnDef>,
    /// Primary-key columns, upper case (empty: no primary key).
    pub primary_key: Vec<String>,
    /// Secondary indexes.
    pub indexes: Vec<IndexDef>,
    /// For partitioned Info Mart tables: the integer date-time key column partitions range over.
    pub partition_key: Option<String>,
    /// For IDB tables: how Job_ExtractICON reads the table.
    pub extraction: Option<ExtractionDef>,
}

impl TableDef {
    /// Starts a table description.
    pub fn new(name: &str, family: TableFamily, doc: &'static str) -> Self {
        TableDef {
            name: name.to_ascii_uppercase(),
            doc,
            family,
            columns: Vec::new(),
            primary_key: Vec::new(),
            indexes: Vec::new(),
            partition_key: None,
            extraction: None,
        }
    }

    /// Adds a nullable column.
    pub fn col(mut self, name: &str, sql_type: SqlType, doc: &'static str) -> Self {
        self.columns.push(ColumnDef {
            name: name.to_ascii_uppercase(),
            sql_type,
            nullable: true,
            default: None,
            doc,
        });
        self
    }

    /// Adds a NOT NULL column.
    pub fn req(self, name: &str, sql_type: SqlType, doc: &'static str) -> Self {
        let mut t = self.col(name, sql_type, doc);
        t.columns.last_mut().expect("column just added").nullable = false;
        t
    }

    /// Sets a default expression on the column added last.
    pub fn default_value(mut self, expr: &'static str) -> Self {
        self.columns
            .last_mut()
            .expect("default_value follows a column")
            .default = Some(expr);
        self
    }

    /// Adds the timestamp triplet `X`, `X_TS`, `X_TCODE` of IDB business times (idb.md §0).
    pub fn time3(self, base: &str, required: bool, doc: &'static str) -> Self {
        let t = if required {
            self.req(base, SqlType::Timestamp, doc)
        } else {
            self.col(base, SqlType::Timestamp, doc)
        };
        t.col(
            &format!("{base}_TS"),
            SqlType::Integer,
            "UTC seconds of the time beside it",
        )
        .col(
            &format!("{base}_TCODE"),
            SqlType::Integer,
            "time code of the time beside it",
        )
    }

    /// Sets the primary key.
    pub fn pk(mut self, columns: &[&str]) -> Self {
        self.primary_key = columns.iter().map(|c| c.to_ascii_uppercase()).collect();
        self
    }

    /// Adds a secondary index named `<table>_<suffix>`.
    pub fn index(mut self, suffix: &str, columns: &[&str]) -> Self {
        self.indexes.push(IndexDef {
            name: format!("{}_{}", self.sql_name(), suffix.to_ascii_lowercase()),
            columns: columns.iter().map(|c| c.to_ascii_uppercase()).collect(),
        });
        self
    }

    /// Declares the column the table is range-partitioned on (Info Mart facts).
    pub fn partition_by(mut self, column: &str) -> Self {
        self.partition_key = Some(column.to_ascii_uppercase());
        self
    }

    /// Attaches the extraction rule (IDB tables).
    pub fn extract(mut self, extraction: ExtractionDef) -> Self {
        self.extraction = Some(extraction);
        self
    }

    /// Lower-case name: what unquoted DDL creates.
    pub fn sql_name(&self) -> String {
        self.name.to_ascii_lowercase()
    }

    /// The column called `name` (any case).
    pub fn column(&self, name: &str) -> Option<&ColumnDef> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// Arrow schema of the table; field names are lower case.
    pub fn arrow_schema(&self) -> SchemaRef {
        columns_schema(&self.columns)
    }
}

/// The Arrow schema of `columns`: lower-case names, their types and nullability.
pub fn columns_schema(columns: &[ColumnDef]) -> SchemaRef {
    let fields: Vec<Field> = columns
        .iter()
        .map(|c| Field::new(c.sql_name(), c.sql_type.arrow_type(), c.nullable))
        .collect();
    Arc::new(Schema::new(fields))
}

/// A read-only view (the `ADMIN_*` views).
#[derive(Debug, Clone)]
pub struct ViewDef {
    /// View name in upper case.
    pub name: String,
    /// What the view shows.
    pub doc: &'static str,
    /// `SELECT` text, portable across PostgreSQL and SQLite, lower-case identifiers.
    pub select: String,
}

impl ViewDef {
    /// Lower-case name: what unquoted DDL creates.
    pub fn sql_name(&self) -> String {
        self.name.to_ascii_lowercase()
    }
}
