//! Control, availability and dictionary tables (idb.md §2.6): data source sessions per ICON
//! provider, the provider sequence counters and the dictionaries. Small; every domain reads
//! them, in full each cycle or once.

use crate::extraction::{Completion, Domain, ExtractionDef, HwmRule};
use crate::table::{SqlType, TableDef, TableFamily};

use super::{finish, NAME};

/// ICON roles that keep a data source session control table (idb.md §1.2).
const PROVIDER_ROLES: [&str; 5] = ["CFG", "GCC", "GUD", "GLS", "GOS"];

/// The control tables, in catalogue order.
pub(super) fn tables() -> Vec<TableDef> {
    let mut all: Vec<TableDef> = PROVIDER_ROLES
        .iter()
        .map(|role| dss_provider(role))
        .collect();
    all.extend([g_prov_control(), g_dictionary(), g_dict_type()]);
    all
}

/// Rule of a small table read in full every cycle by every domain.
fn full_read() -> ExtractionDef {
    ExtractionDef::new(&Domain::ALL, HwmRule::FullRead).completion(Completion::UpdatedInPlace)
}

/// `G_DSS_<role>_PROVIDER`: one row per data source session of an ICON provider; the five
/// tables share one layout.
fn dss_provider(role: &str) -> TableDef {
    let t = TableDef::new(
        &format!("G_DSS_{role}_PROVIDER"),
        TableFamily::IdbOperational,
        "One data source session (ICON × data source connection) of one ICON provider",
    )
    .req("DSS_ID", SqlType::Integer, "session id; the value stored in GSYS_DOMAIN of data rows")
    .req("ICON_DBID", SqlType::Integer, "ICON application that wrote the row")
    .pk(&["DSS_ID", "ICON_DBID"])
    .col("DS_DBID", SqlType::Integer, "data source application ICON is connected to")
    .col("DS_DBID_PRIM", SqlType::Integer, "primary server of that data source's HA pair")
    .col("DS2_DBID", SqlType::Integer, "switch DBID (T-Server / Interaction Server)")
    .col("DS_TYPE", SqlType::Integer, "1 T-Server, 2 Interaction Server, 3 OCS, 4 Configuration Server")
    .col("ICON_STIME", SqlType::Timestamp, "ICON start time")
    .col("DSCONN_STIME", SqlType::Timestamp, "connection to the data source established")
    .col("DSCONN_SDSTIME", SqlType::Timestamp, "same moment in data-source time (ICON time if unknown)")
    .col("DSCONN_SDSTS", SqlType::Integer, "UTC seconds of DSCONN_SDSTIME")
    .col("DSCONN_TYPE", SqlType::Integer, "1 first connection, 2 reconnect, 3 data source restart, 4 switch reconnection, 5 switchover")
    .col("ICON_ETIME", SqlType::Timestamp, "ICON shutdown")
    .col("DSCONN_ETIME", SqlType::Timestamp, "data source disconnected")
    .col("FEVENT_ITIME", SqlType::Timestamp, "first stored event, ICON clock")
    .col("FEVENT_DSTIME", SqlType::Timestamp, "first stored event, source clock")
    .col("FEVENT_DSSEQ", NAME, "first stored event's sequence number")
    .col("LEVENT_ITIME", SqlType::Timestamp, "last stored event, ICON clock")
    .col("LEVENT_DSTIME", SqlType::Timestamp, "last stored event, source clock")
    .col("LEVENT_DSSEQ", NAME, "last stored event's sequence number")
    .col("PROVIDERTAG", SqlType::Integer, "provider class (dict 26)");
    finish(t, full_read())
}

fn g_prov_control() -> TableDef {
    let t = TableDef::new("G_PROV_CONTROL", TableFamily::IdbOperational, "Sequence counters of one ICON provider")
        .req("DOMAINID", SqlType::Integer, "reserved")
        .req("PRIMARYID", SqlType::Integer, "DBID of the primary ICON of an HA pair")
        .req("PROVIDERTAG", SqlType::Integer, "provider class (dict 26)")
        .pk(&["DOMAINID", "PRIMARYID", "PROVIDERTAG"])
        .col("SEQCOUNTER", SqlType::BigInt, "counter ICON reserves GSYS_SEQ/GSYS_USEQ blocks from")
        .col("SEQCURRENT", SqlType::BigInt, "latest sequence actually written, published with a delay; rows at or below it are committed");
    finish(t, full_read())
}

/// Rule of a static table read once by every domain.
fn read_once() -> ExtractionDef {
    ExtractionDef::new(&Domain::ALL, HwmRule::ReadOnce)
}

fn g_dictionary() -> TableDef {
    let t = TableDef::new(
        "G_DICTIONARY",
        TableFamily::IdbOperational,
        "One value of an IDB enumeration",
    )
    .req(
        "DICT_TYPE_ID",
        SqlType::Integer,
        "enumeration class, G_DICT_TYPE.DICT_TYPE_ID",
    )
    .req("DICT_VALUE", SqlType::Integer, "value id")
    .pk(&["DICT_TYPE_ID", "DICT_VALUE"])
    .req("NAME", SqlType::Varchar(128), "value name")
    .col("DESCRIPTION", NAME, "description");
    finish(t, read_once())
}

fn g_dict_type() -> TableDef {
    let t = TableDef::new(
        "G_DICT_TYPE",
        TableFamily::IdbOperational,
        "One IDB enumeration class",
    )
    .req("DICT_TYPE_ID", SqlType::Integer, "enumeration class id")
    .pk(&["DICT_TYPE_ID"])
    .req("NAME", SqlType::Varchar(128), "class name")
    .col("DESCRIPTION", NAME, "description");
    finish(t, read_once())
}
