//! TECHNICAL_DESCRIPTOR combinations (infomart.md §3.13, §4.6, §4.7, §4.9).
//!
//! The role (set when the IRF/MSF is created) and the result (set when it ends) are
//! independent, so the seed is the product of the valid role/role-reason pairs and the valid
//! result/result-reason pairs:
//!
//! * every role with `Unspecified`, plus `ConferenceJoined` for the roles a conference member
//!   gets (ReceivedConsult, InConference, §4.9) and `ConferenceInitiator` for the roles of an
//!   IRF a resource creates itself (Initiated, InitiatedConsult) — 14 pairs;
//! * every technical result with `Unspecified`, plus the specific reasons §4.6/§4.7 pair with a
//!   result (Abandoned while ringing / from hold / while queued, CustomerAbandoned from hold,
//!   Redirected on no answer, Diverted answered / abandoned while ringing / on no answer) —
//!   25 pairs.
//!
//! Keys are `role_pair * 100 + result_pair` (both 1-based, in list order), so appending a value
//! to either list never changes an existing key.

use crate::batch::{Row, Value};

use super::compact_code;

/// RESOURCE_ROLE values (§3.13).
pub const RESOURCE_ROLES: [&str; 10] = [
    "Received",
    "RoutedTo",
    "DivertedTo",
    "ReceivedTransfer",
    "ReceivedConsult",
    "InConference",
    "Initiated",
    "InitiatedConsult",
    "Puller",
    "Observer",
];

/// Role/role-reason pairs beyond `(role, Unspecified)`.
const SPECIFIC_ROLE_REASONS: [(&str, &str); 4] = [
    ("ReceivedConsult", "ConferenceJoined"),
    ("InConference", "ConferenceJoined"),
    ("Initiated", "ConferenceInitiator"),
    ("InitiatedConsult", "ConferenceInitiator"),
];

/// TECHNICAL_RESULT values (§3.13, documented list).
pub const TECHNICAL_RESULTS: [&str; 17] = [
    "Abandoned",
    "AbnormalStop",
    "Cleared",
    "Completed",
    "Conferenced",
    "CustomerAbandoned",
    "Deferred",
    "DestinationBusy",
    "Diverted",
    "Incomplete",
    "None",
    "OutboundStopped",
    "Pulled",
    "Redirected",
    "Routed",
    "Transferred",
    "Unspecified",
];

/// Result/result-reason pairs beyond `(result, Unspecified)` (§4.6, §4.7).
const SPECIFIC_RESULT_REASONS: [(&str, &str); 8] = [
    ("Abandoned", "AbandonedWhileRinging"),
    ("Abandoned", "AbandonedFromHold"),
    ("Abandoned", "AbandonedWhileQueued"),
    ("CustomerAbandoned", "AbandonedFromHold"),
    ("Redirected", "RouteOnNoAnswer"),
    ("Diverted", "AnsweredByAgent"),
    ("Diverted", "AbandonedWhileRinging"),
    ("Diverted", "RouteOnNoAnswer"),
];

/// The reason every role and result can have.
const UNSPECIFIED: &str = "Unspecified";

/// Valid (role, role reason) pairs in key order.
fn role_pairs() -> impl Iterator<Item = (&'static str, &'static str)> {
    RESOURCE_ROLES
        .iter()
        .map(|r| (*r, UNSPECIFIED))
        .chain(SPECIFIC_ROLE_REASONS)
}

/// Valid (technical result, result reason) pairs in key order.
fn result_pairs() -> impl Iterator<Item = (&'static str, &'static str)> {
    TECHNICAL_RESULTS
        .iter()
        .map(|r| (*r, UNSPECIFIED))
        .chain(SPECIFIC_RESULT_REASONS)
}

/// The TECHNICAL_DESCRIPTOR_KEY of a combination (display values, any case), or `None` when
/// the combination is not seeded; the transform then uses [`fallback_key`].
pub fn technical_descriptor_key(
    role: &str,
    role_reason: &str,
    result: &str,
    result_reason: &str,
) -> Option<i32> {
    let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let q = role_pairs().position(|(r, rr)| eq(r, role) && eq(rr, role_reason))?;
    let r = result_pairs().position(|(t, tr)| eq(t, result) && eq(tr, result_reason))?;
    Some(key(q, r))
}

/// The key of `(role, Unspecified, Unspecified, Unspecified)`, used for a combination the seed
/// does not hold (§3.13); `None` for an unknown role.
pub fn fallback_key(role: &str) -> Option<i32> {
    technical_descriptor_key(role, UNSPECIFIED, UNSPECIFIED, UNSPECIFIED)
}

/// Key of the `q`-th role pair and `r`-th result pair (0-based).
fn key(q: usize, r: usize) -> i32 {
    // Both lists are short constants, far below 100 entries.
    ((q + 1) * 100 + r + 1) as i32
}

/// Every seeded combination as a TECHNICAL_DESCRIPTOR row.
pub(super) fn rows() -> Vec<Row<'static>> {
    let mut rows = Vec::new();
    for (q, (role, role_reason)) in role_pairs().enumerate() {
        for (r, (result, result_reason)) in result_pairs().enumerate() {
            rows.push(vec![
                ("TECHNICAL_DESCRIPTOR_KEY", Value::from(key(q, r))),
                ("TECHNICAL_RESULT", result.into()),
                ("TECHNICAL_RESULT_CODE", compact_code(result).into()),
                ("RESULT_REASON", result_reason.into()),
                ("RESULT_REASON_CODE", compact_code(result_reason).into()),
                ("RESOURCE_ROLE", role.into()),
                ("RESOURCE_ROLE_CODE", compact_code(role).into()),
                ("ROLE_REASON", role_reason.into()),
                ("ROLE_REASON_CODE", compact_code(role_reason).into()),
            ]);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_known_combinations() {
        assert_eq!(rows().len(), 14 * 25);
        assert_eq!(
            technical_descriptor_key("Received", "Unspecified", "Abandoned", "Unspecified"),
            Some(101)
        );
        assert_eq!(fallback_key("RoutedTo"), Some(217));
        assert_eq!(
            technical_descriptor_key(
                "receivedconsult",
                "conferencejoined",
                "Completed",
                "Unspecified"
            ),
            Some(1104)
        );
        assert_eq!(
            technical_descriptor_key("Received", "Unspecified", "Diverted", "AnsweredByAgent"),
            Some(123)
        );
        assert_eq!(
            technical_descriptor_key("Received", "ConferenceJoined", "Completed", "Unspecified"),
            None
        );
        assert_eq!(fallback_key("NoSuchRole"), None);
    }
}
