//! Attached (user) data (idb.md §2.2): the KVP change histories, UserEvent /
//! CustomReporting KVPs and the multimedia logical-key snapshots.

use crate::extraction::{Completion, Domain, ExtractionDef, HwmRule};
use crate::table::{SqlType, TableDef};

use super::{added, finish, operational, voice_by_parent, GUID, NAME};

/// The attached-data tables, in catalogue order.
pub(super) fn tables() -> Vec<TableDef> {
    vec![
        userdata_history(
            "G_USERDATA_HISTORY",
            "One change of an attached-data KVP of an interaction",
        ),
        userdata_history(
            "G_SECURE_USERDATA_HISTORY",
            "One change of an attached-data KVP flagged secure in the ICON attached-data specification",
        ),
        g_custom_data_s(),
        gm_f_userdata(),
        gm_l_userdata(),
    ]
}

/// Attached-data KVP columns shared by the user-data history and custom-data tables.
fn kvp(t: TableDef) -> TableDef {
    t.col(
        "CHANGETYPE",
        SqlType::Integer,
        "1 added, 2 updated, 3 deleted",
    )
    .col("KEYNAME", SqlType::Varchar(64), "KVP key")
    .col(
        "VALUE",
        NAME,
        "KVP value, truncated at ICON max-userdata-length",
    )
}

/// G_USERDATA_HISTORY and G_SECURE_USERDATA_HISTORY: identical layouts (idb.md §2.2).
fn userdata_history(name: &str, doc: &'static str) -> TableDef {
    let t = operational(name, "ID", doc)
        .req("CALLID", GUID, "interaction the data is attached to")
        .col(
            "PARTYID",
            GUID,
            "last party that changed the data (ThirdPartyDN of AttachedDataChanged), else empty",
        )
        .col(
            "ENDPOINTID",
            SqlType::Integer,
            "DBID of the endpoint that made the change",
        )
        .col("ENDPOINTDN", NAME, "DN of that endpoint")
        .col("AGENTID", SqlType::Integer, "agent at that endpoint")
        .col(
            "PSEQ",
            SqlType::Integer,
            "party sequence the change belongs to",
        )
        .col(
            "CSEQ",
            SqlType::Integer,
            "call sequence the change belongs to (see G_PARTY_HISTORY.CSEQ)",
        );
    let t = kvp(t)
        .col(
            "VALUETYPE",
            SqlType::Integer,
            "KVP value type: 0 string, 1 integer",
        )
        .time3("ADDED", true, "change time");
    finish(t, voice_by_parent("G_CALL", "CALLID", "ADDED_TS"))
}

fn g_custom_data_s() -> TableDef {
    let t = operational(
        "G_CUSTOM_DATA_S",
        "ID",
        "One KVP of EventUserEvent (voice) or EventCustomReporting (MM)",
    )
    .col("CALLID", GUID, "interaction (may be NULL)")
    .col(
        "PARTYID",
        GUID,
        "stable party GUID (G_PARTY.PARTYGUID, not PARTYID)",
    )
    .req("PSEQ", SqlType::Integer, "matching G_PARTY_HISTORY.PSEQ")
    .col(
        "ENDPOINTID",
        SqlType::Integer,
        "endpoint that produced the event",
    )
    .col("ENDPOINTDN", NAME, "its DN")
    .col("AGENTID", SqlType::Integer, "agent");
    let t = kvp(t).time3("ADDED", true, "event time");
    finish(t, added(&[Domain::Core, Domain::Mm]).split())
}

/// The multimedia logical-key snapshots: one row per CALLID, pulled in with their
/// multimedia G_CALL row.
fn gm_userdata(name: &str, doc: &'static str, keys: fn(TableDef) -> TableDef) -> TableDef {
    let t = operational(name, "ID", doc).req("CALLID", GUID, "interaction, G_CALL.CALLID");
    let t = keys(t)
        .col("G_RESERVED1", NAME, "reserved logical key")
        .col("G_RESERVED2", NAME, "reserved logical key")
        .col("G_RESERVED3", NAME, "reserved logical key");
    let rule = ExtractionDef::new(&[Domain::Mm], HwmRule::by_parent("G_CALL", "CALLID"))
        .completion(Completion::UpdatedInPlace)
        .key(&["CALLID"]);
    finish(t, rule)
}

fn gm_f_userdata() -> TableDef {
    gm_userdata(
        "GM_F_USERDATA",
        "Multimedia logical keys as of interaction creation",
        |t| {
            t.col(
                "G_FROM_NAME",
                NAME,
                "sender name (or the key mapped by mcr-from-name)",
            )
            .col("G_CALLED_BACK", NAME, "key mapped by mcr-called-back")
            .col(
                "G_SUBJECT",
                SqlType::Varchar(1024),
                "subject, truncated per max-userdata-length",
            )
            .col(
                "G_ORIGIN_SOURCE",
                SqlType::Varchar(128),
                "origination source",
            )
            .col("G_FROM_ADDRESS", NAME, "sender e-mail address")
            .col(
                "G_SUB_TYPE",
                NAME,
                "interaction subtype (source of the MM interaction subtype)",
            )
            .col("G_TO_ADDRESS", NAME, "recipient e-mail address")
        },
    )
}

fn gm_l_userdata() -> TableDef {
    gm_userdata(
        "GM_L_USERDATA",
        "Multimedia logical keys as of interaction termination",
        |t| {
            t.col(
                "G_S_RESPONSE",
                NAME,
                "suggested response (mcr-suggested-response)",
            )
            .col("G_A_RESPONSE", NAME, "auto-response (mcr-auto-response)")
            .col("G_A_ACK", NAME, "auto-acknowledgement")
            .col(
                "G_STOP_REASON",
                SqlType::Varchar(128),
                "stop reason (attr_reason_system_name)",
            )
            .col("G_UCS_CONTACT_ID", NAME, "UCS contact id")
        },
    )
}
