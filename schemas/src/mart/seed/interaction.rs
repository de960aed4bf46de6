//! Seed rows of the interaction and agent-state dimensions: MEDIA_TYPE (infomart.md §3.8),
//! INTERACTION_TYPE (§3.9), RESOURCE_STATE (§3.14), INTERACTION_RESOURCE_STATE (§3.16) and
//! ANCHOR_FLAGS (§3.17).

use crate::batch::{Row, Value};
use crate::mart::dimensions_fixed::ANCHOR_FLAG_COLUMNS;

use super::compact_code;

/// MEDIA_TYPE: key, display name, code, 1 = online. Voice, e-mail and chat are named by the
/// spec; the other eServices types follow the media types Genesys configuration ships.
/// Unknown media types are added at run time as offline.
const MEDIA_TYPES: &[(i32, &str, &str, i32)] = &[
    (1, "Voice", "VOICE", 1),
    (2, "E-mail", "EMAIL", 0),
    (3, "Chat", "CHAT", 1),
    (4, "SMS", "SMS", 0),
    (5, "SMS Session", "SMSSESSION", 1),
    (6, "Web Form", "WEBFORM", 0),
    (7, "Workitem", "WORKITEM", 0),
    (8, "Video", "VIDEO", 1),
    (9, "Web Callback", "WEBCALLBACK", 0),
    (10, "Outbound Preview", "OUTBOUNDPREVIEW", 0),
    (11, "Facebook", "FACEBOOK", 0),
    (12, "Facebook Session", "FACEBOOKSESSION", 1),
    (13, "Twitter", "TWITTER", 0),
];

/// INTERACTION_TYPE: key, type, subtype. Voice uses the generic `<Type>New` subtypes; the
/// multimedia subtypes are those of the spec; OCS-dialed calls are Outbound/OutboundContact.
/// The unknown type is the `-1` row.
const INTERACTION_TYPES: &[(i32, &str, &str)] = &[
    (1, "Inbound", "InboundNew"),
    (2, "Outbound", "OutboundNew"),
    (3, "Internal", "InternalNew"),
    (4, "Inbound", "InboundReply"),
    (5, "Inbound", "InboundCustomerReply"),
    (6, "Inbound", "InboundCollaborationReply"),
    (7, "Outbound", "OutboundReply"),
    (8, "Outbound", "OutboundNotification"),
    (9, "Outbound", "OutboundAcknowledgement"),
    (10, "Outbound", "OutboundAutoResponse"),
    (11, "Outbound", "OutboundRedirect"),
    (12, "Outbound", "OutboundCollaborationInvite"),
    (13, "Outbound", "OutboundContact"),
    (14, "Internal", "InternalCollaborationInvite"),
    (15, "Internal", "InternalCollaborationReply"),
];

/// RESOURCE_STATE: key, display value, code; the state type and name are the same for each
/// summarized state. ACW is its own type (priority list `ACW, NOT_READY, BUSY, READY`).
const RESOURCE_STATES: &[(i32, &str, &str)] = &[
    (1, "Ready", "READY"),
    (2, "Not Ready", "NOT_READY"),
    (3, "Busy", "BUSY"),
    (4, "After Call Work", "ACW"),
    (5, "Do Not Disturb", "DND"),
];

/// INTERACTION_RESOURCE_STATE names with their key digit.
const IXN_STATES: [(i32, &str); 5] = [
    (1, "Initiate"),
    (2, "Alert"),
    (3, "Connect"),
    (4, "Hold"),
    (5, "Wrap"),
];

/// STATE_ROLE values: whether the resource initiated or received the leg.
const IXN_STATE_ROLES: [&str; 2] = ["Initiator", "Receiver"];

/// STATE_DESCRIPTOR values: the context of the leg.
const IXN_STATE_DESCRIPTORS: [&str; 3] = ["Customer", "Consult", "Conference"];

pub(super) fn media_type() -> Vec<Row<'static>> {
    MEDIA_TYPES
        .iter()
        .map(|&(key, name, code, online)| {
            vec![
                ("MEDIA_TYPE_KEY", Value::from(key)),
                ("MEDIA_NAME", name.into()),
                ("MEDIA_NAME_CODE", code.into()),
                ("IS_ONLINE", online.into()),
            ]
        })
        .collect()
}

pub(super) fn interaction_type() -> Vec<Row<'static>> {
    INTERACTION_TYPES
        .iter()
        .map(|&(key, kind, subtype)| {
            vec![
                ("INTERACTION_TYPE_KEY", Value::from(key)),
                ("INTERACTION_TYPE", kind.into()),
                ("INTERACTION_TYPE_CODE", compact_code(kind).into()),
                ("INTERACTION_SUBTYPE", subtype.into()),
                ("INTERACTION_SUBTYPE_CODE", compact_code(subtype).into()),
                ("IGNORE", 0.into()),
            ]
        })
        .collect()
}

pub(super) fn resource_state() -> Vec<Row<'static>> {
    RESOURCE_STATES
        .iter()
        .map(|&(key, label, code)| {
            vec![
                ("RESOURCE_STATE_KEY", Value::from(key)),
                ("STATE_TYPE", label.into()),
                ("STATE_TYPE_CODE", code.into()),
                ("STATE_NAME", label.into()),
                ("STATE_NAME_CODE", code.into()),
            ]
        })
        .collect()
}

/// Whether a state occurs in a role: only the initiator of a leg is in Initiate, only the
/// receiver is alerted; connect, hold and wrap occur in both.
fn state_has_role(state: &str, role: &str) -> bool {
    match state {
        "Initiate" => role == "Initiator",
        "Alert" => role == "Receiver",
        _ => true,
    }
}

/// Every valid state × role × descriptor; key = state * 10 + role * 3 + descriptor + 1.
pub(super) fn interaction_resource_state() -> Vec<Row<'static>> {
    let mut rows = Vec::new();
    for (state_digit, state) in IXN_STATES {
        for (r, role) in IXN_STATE_ROLES.iter().enumerate() {
            if !state_has_role(state, role) {
                continue;
            }
            for (d, descriptor) in IXN_STATE_DESCRIPTORS.iter().enumerate() {
                let key = state_digit * 10 + (r * 3 + d) as i32 + 1;
                rows.push(vec![
                    ("INTERACTION_RESOURCE_STATE_KEY", Value::from(key)),
                    ("STATE_NAME", state.into()),
                    ("STATE_NAME_CODE", compact_code(state).into()),
                    ("STATE_ROLE", (*role).into()),
                    ("STATE_ROLE_CODE", compact_code(role).into()),
                    ("STATE_DESCRIPTOR", (*descriptor).into()),
                    ("STATE_DESCRIPTOR_CODE", compact_code(descriptor).into()),
                ]);
            }
        }
    }
    rows
}

/// All 64 flag combinations; bit `i` of the key sets flag `i` of [`ANCHOR_FLAG_COLUMNS`].
pub(super) fn anchor_flags() -> Vec<Row<'static>> {
    (0..1i32 << ANCHOR_FLAG_COLUMNS.len())
        .map(|mask| {
            let mut row = vec![("ANCHOR_FLAGS_KEY", Value::from(mask))];
            row.extend(
                ANCHOR_FLAG_COLUMNS
                    .iter()
                    .enumerate()
                    .map(|(bit, flag)| (*flag, Value::from((mask >> bit) & 1))),
            );
            row
        })
        .collect()
}
