//! Seed rows of the Outbound Contact enumerations (infomart.md §3.21–§3.27). Keys are the OCS
//! enumeration values where the spec gives them; codes are the display value upper-cased
//! with `_` between words (the `PUSH_PREVIEW` of production data).

use crate::batch::{Row, Value};

use super::snake_code;

/// CAMPAIGN_GROUP_STATE: OCS campaign state (idb.md §3.8 dict 71) and name.
const CAMPAIGN_GROUP_STATES: &[(i32, &str)] = &[(1, "Loaded"), (2, "Started"), (3, "Unloading")];

/// CALL_RESULT: the OCS call-result enumeration.
const CALL_RESULTS: &[(i32, &str)] = &[
    (0, "Ok"),
    (1, "Transferred"),
    (2, "Conferenced"),
    (3, "General Error"),
    (4, "System Error"),
    (5, "Remote Release"),
    (6, "Busy"),
    (7, "No Answer"),
    (8, "SIT Detected"),
    (9, "Answering Machine Detected"),
    (10, "All Trunks Busy"),
    (11, "SIT Invalid Num"),
    (12, "SIT Vacant Code"),
    (13, "SIT Intercept"),
    (14, "SIT Unknown Call State"),
    (15, "SIT No Circuit"),
    (16, "SIT Reorder"),
    (17, "Fax Detected"),
    (18, "Queue Full"),
    (19, "Cleared"),
    (20, "Overflowed"),
    (21, "Abandoned"),
    (22, "Redirected"),
    (23, "Forwarded"),
    (24, "Consult"),
    (25, "Picked Up"),
    (26, "Dropped"),
    (27, "Dropped on No Answer"),
    (28, "Unknown Call Result"),
    (29, "Covered"),
    (30, "Converse-On"),
    (31, "Bridged"),
    (32, "Silence"),
    (33, "Answer"),
    (34, "NU Tone"),
    (35, "No Dial Tone"),
    (36, "No Progress"),
    (37, "No Ring Back Tone"),
    (38, "No Established Detected"),
    (39, "Pager Detected"),
    (40, "Wrong Party"),
    (41, "Dial Error"),
    (42, "Call Drop Error"),
    (43, "Switch Error"),
    (44, "No Port Available"),
    (45, "Transfer Error"),
    (46, "Stale"),
    (47, "Agent Callback Error"),
    (48, "Group Callback Error"),
    (49, "Deafened"),
    (50, "Held"),
    (51, "Do Not Call"),
    (52, "Cancel Record"),
    (53, "Wrong Number"),
];

/// CONTACT_INFO_TYPE: OCS contact-information types.
const CONTACT_INFO_TYPES: &[(i32, &str)] = &[
    (0, "No Contact Type"),
    (1, "Home Phone"),
    (2, "Direct Business Phone"),
    (3, "Business With Extension"),
    (4, "Mobile"),
    (5, "Vacation Phone"),
    (6, "Pager"),
    (7, "Modem"),
    (8, "Voice Mail"),
    (9, "Pin Pager"),
    (10, "E-mail"),
    (11, "Instant Messaging"),
];

/// DIALING_MODE: the OCS dialing modes in the spec's order (keys are Tidemark's; the
/// transform resolves a campaign's mode by code).
const DIALING_MODES: &[(i32, &str)] = &[
    (1, "Predictive"),
    (2, "Predictive with seizing"),
    (3, "Predictive GVP"),
    (4, "Progressive"),
    (5, "Progressive with seizing"),
    (6, "Progressive GVP"),
    (7, "Power GVP"),
    (8, "Preview"),
    (9, "Push Preview"),
];

/// RECORD_STATUS: OCS record statuses.
const RECORD_STATUSES: &[(i32, &str)] = &[
    (0, "No Record Status"),
    (1, "Ready"),
    (2, "Retrieved"),
    (3, "Updated"),
    (4, "Stale"),
    (5, "Cancelled"),
    (6, "Agent Error"),
    (7, "Chain Updated"),
    (8, "Missed Callback"),
    (9, "Chain Ready"),
];

/// RECORD_TYPE: OCS record types.
const RECORD_TYPES: &[(i32, &str)] = &[
    (0, "No Record Type"),
    (1, "Unknown"),
    (2, "General"),
    (3, "Campaign Rescheduled"),
    (4, "Personal Rescheduled"),
    (5, "Personal Callback"),
    (6, "Campaign Callback"),
    (7, "No Call"),
];

/// Rows `<key>, <label>, <label>_CODE` of one enumeration.
fn enumeration(
    key: &'static str,
    label: &'static str,
    code: &'static str,
    values: &[(i32, &'static str)],
) -> Vec<Row<'static>> {
    values
        .iter()
        .map(|&(k, name)| {
            vec![
                (key, Value::from(k)),
                (label, name.into()),
                (code, snake_code(name).into()),
            ]
        })
        .collect()
}

/// Every outbound enumeration: table name and rows.
pub(super) fn tables() -> Vec<(&'static str, Vec<Row<'static>>)> {
    vec![
        (
            "CAMPAIGN_GROUP_STATE",
            enumeration(
                "CAMPAIGN_GROUP_STATE_KEY",
                "STATE_NAME",
                "STATE_NAME_CODE",
                CAMPAIGN_GROUP_STATES,
            ),
        ),
        (
            "CALL_RESULT",
            enumeration(
                "CALL_RESULT_KEY",
                "CALL_RESULT",
                "CALL_RESULT_CODE",
                CALL_RESULTS,
            ),
        ),
        (
            "CONTACT_INFO_TYPE",
            enumeration(
                "CONTACT_INFO_TYPE_KEY",
                "CONTACT_INFO_TYPE",
                "CONTACT_INFO_TYPE_CODE",
                CONTACT_INFO_TYPES,
            ),
        ),
        (
            "DIALING_MODE",
            enumeration(
                "DIALING_MODE_KEY",
                "DIALING_MODE",
                "DIALING_MODE_CODE",
                DIALING_MODES,
            ),
        ),
        (
            "RECORD_STATUS",
            enumeration(
                "RECORD_STATUS_KEY",
                "RECORD_STATUS",
                "RECORD_STATUS_CODE",
                RECORD_STATUSES,
            ),
        ),
        (
            "RECORD_TYPE",
            enumeration(
                "RECORD_TYPE_KEY",
                "RECORD_TYPE",
                "RECORD_TYPE_CODE",
                RECORD_TYPES,
            ),
        ),
    ]
}
