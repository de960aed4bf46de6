//! The default user-data mapping, CTL_UD_TO_UDE_MAPPING (infomart.md §3.28, §4.15): which
//! attached-data key the transform stores in which Info Mart column. It is data: a
//! deployment edits the table's rows (keys, targets, rules, defaults, ACTIVE_FLAG) and the
//! transform reads them every chunk.
//!
//! The defaults are the predefined columns of IRF_USER_DATA_GEN_1 and INTERACTION_DESCRIPTOR
//! with the KVP names Info Mart's default mapping uses (§2.13, §3.10), plus `Segment` as a
//! second source of CUSTOMER_SEGMENT: it is the key the ICON examples of idb.md §6 and the
//! simulator attach. Every row uses the CALL rule and has no default value.

use crate::batch::{Row, Value};

/// The default mapping rows in ID order: KVP key, target table, target column. When two
/// rows target one column, the lower ID wins where both keys have a value.
pub const DEFAULT_MAPPING: [(&str, &str, &str); 10] = [
    ("CustomerID", "IRF_USER_DATA_GEN_1", "CUSTOMER_ID"),
    ("CaseID", "IRF_USER_DATA_GEN_1", "CASE_ID"),
    ("Revenue", "IRF_USER_DATA_GEN_1", "REVENUE"),
    ("Satisfaction", "IRF_USER_DATA_GEN_1", "SATISFACTION"),
    (
        "GSW_CALL_ATTEMPT_GUID",
        "IRF_USER_DATA_GEN_1",
        "GSW_CALL_ATTEMPT_GUID",
    ),
    (
        "CustomerSegment",
        "INTERACTION_DESCRIPTOR",
        "CUSTOMER_SEGMENT",
    ),
    ("ServiceType", "INTERACTION_DESCRIPTOR", "SERVICE_TYPE"),
    (
        "ServiceSubType",
        "INTERACTION_DESCRIPTOR",
        "SERVICE_SUBTYPE",
    ),
    (
        "BusinessResult",
        "INTERACTION_DESCRIPTOR",
        "BUSINESS_RESULT",
    ),
    ("Segment", "INTERACTION_DESCRIPTOR", "CUSTOMER_SEGMENT"),
];

/// Propagation rule of every default row (infomart.md §4.15: the recommended default).
const DEFAULT_RULE: &str = "CALL";

/// The CTL_UD_TO_UDE_MAPPING seed rows, IDs from 1.
pub(super) fn mapping_rows() -> Vec<Row<'static>> {
    DEFAULT_MAPPING
        .iter()
        .zip(1i64..)
        .map(|(&(key, table, column), id)| {
            vec![
                ("ID", Value::from(id)),
                ("UD_KEY_NAME", key.into()),
                ("UDE_TABLE_NAME", table.into()),
                ("UDE_COLUMN_NAME", column.into()),
                ("PROPAGATION_RULE", DEFAULT_RULE.into()),
                ("ACTIVE_FLAG", Value::from(1)),
            ]
        })
        .collect()
}
