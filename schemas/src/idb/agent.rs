//! Agent activity (idb.md §2.3): login sessions, their DN and queue membership, agent
//! states, reason codes and Do-Not-Disturb changes.

use crate::extraction::{Completion, Domain, ExtractionDef, HwmRule};
use crate::table::{SqlType, TableDef};

use super::{added, finish, operational, GUID, MEDIA, NAME};

/// The agent-activity tables, in catalogue order.
pub(super) fn tables() -> Vec<TableDef> {
    vec![
        g_login_session(),
        gx_session_endpoint(),
        g_agent_state_history(),
        g_agent_state_rc(),
        g_dnd_history(),
    ]
}

/// Agent activity is extracted for voice and multimedia alike, in `_v`/`_mm` folders.
const AGENT_DOMAINS: [Domain; 2] = [Domain::Core, Domain::Mm];

fn g_login_session() -> TableDef {
    let t = operational(
        "G_LOGIN_SESSION",
        "ID",
        "One agent login session; closed at logout",
    )
    .req("LOGINSESSIONID", GUID, "session GUID")
    .col(
        "AGENTID",
        SqlType::Integer,
        "person, GC_AGENT.ID (NULL if not configured)",
    )
    .col(
        "LOGINID",
        SqlType::Integer,
        "agent login used, GC_LOGIN.ID (NULL for MM / SIP Cluster)",
    )
    .col(
        "PLACEID",
        SqlType::Integer,
        "place, GC_PLACE.ID (NULL in SIP Cluster)",
    )
    .req(
        "STATE",
        SqlType::Integer,
        "session state: 1 active, 2 ended",
    )
    .col(
        "PRIMARYDEVICEID",
        SqlType::Integer,
        "primary DN of the session, GC_ENDPOINT.ID",
    )
    .col("SWITCHID", SqlType::Integer, "switch")
    .col("TENANTID", SqlType::Integer, "tenant")
    .col(
        "MEDIATYPES",
        NAME,
        "comma-separated media the MM session is logged into",
    )
    .time3("CREATED", true, "login")
    .time3("TERMINATED", false, "logout; NULL while active")
    .time3("LASTCHANGE", true, "last update");
    let rule = ExtractionDef::new(&AGENT_DOMAINS, HwmRule::column("LASTCHANGE_TS"))
        .completion(Completion::UpdatedInPlace)
        .key(&["LOGINSESSIONID"])
        .split();
    finish(t, rule)
}

fn gx_session_endpoint() -> TableDef {
    let t = operational(
        "GX_SESSION_ENDPOINT",
        "ID",
        "DN (and ACD queue) membership of a login session",
    )
    .req("AGENTID", SqlType::Integer, "agent, as in G_LOGIN_SESSION")
    .req(
        "ENDPOINTID",
        SqlType::Integer,
        "agent DN (0 for MM and SIP Cluster)",
    )
    .col(
        "ENDPOINTTYPE",
        SqlType::Integer,
        "DN type (0 for MM, 1 in SIP Cluster)",
    )
    .col(
        "QUEUEID",
        SqlType::Integer,
        "ACD queue DN the agent logged into; NULL if none detected",
    )
    .col(
        "QUEUETYPE",
        SqlType::Integer,
        "DN type of the queue (NULL for MM)",
    )
    .col("PLACEID", SqlType::Integer, "place")
    .req(
        "LOGINSESSIONID",
        GUID,
        "session, G_LOGIN_SESSION.LOGINSESSIONID",
    )
    .req(
        "STATE",
        SqlType::Integer,
        "state of the DN/queue association within the session",
    )
    .time3("CREATED", true, "association start")
    .time3("TERMINATED", false, "association end; NULL while active");
    let rule = ExtractionDef::new(
        &AGENT_DOMAINS,
        HwmRule::greatest(&["CREATED_TS", "TERMINATED_TS"]),
    )
    .completion(Completion::UpdatedInPlace)
    .key(&["LOGINSESSIONID", "ENDPOINTID", "QUEUEID"])
    .split();
    finish(t, rule)
}

fn g_agent_state_history() -> TableDef {
    let t = operational("G_AGENT_STATE_HISTORY", "ID", "One agent state, pending state, work mode or call connect/disconnect record")
        .req("TYPE", SqlType::Integer, "record kind: -1 unknown, 0 reserved, 5 state, 6 pending state, 7 work mode, 8 call connected, 9 call disconnected")
        .req("STATE", SqlType::Integer, "agent state on the DN against the queue (0 logged off … 5 busy)")
        .col("PENDINGSTATE", SqlType::Integer, "state the agent enters when the current one ends")
        .req("SEQ", SqlType::Integer, "sequence of changes for the agent on the device")
        .col("LOGINSESSIONID", GUID, "session")
        .col("AGENTID", SqlType::Integer, "agent")
        .col("PLACEID", SqlType::Integer, "place")
        .col("ENDPOINTID", SqlType::Integer, "DN the state applies to (0 for MM)")
        .col("QUEUEID", SqlType::Integer, "ACD queue the state applies to")
        .col("MEDIATYPE", MEDIA, "MM media of the state")
        .col("WORKMODE", SqlType::Integer, "work mode (T-Lib AgentWorkMode)")
        .col("PREVSTATE", SqlType::Integer, "previous state")
        .col("PREVWORKMODE", SqlType::Integer, "previous work mode")
        .col("CALLID", GUID, "call of a connect/disconnect record")
        .col("PARTYID", GUID, "party of a connect/disconnect record")
        .time3("ADDED", true, "time of the change")
        .time3("PREVSENTER", false, "when the previous state was entered");
    finish(t, added(&AGENT_DOMAINS).split())
}

fn g_agent_state_rc() -> TableDef {
    let t = operational(
        "G_AGENT_STATE_RC",
        "ID",
        "A finished reason code (hardware or software) on an agent state",
    )
    .req(
        "SESSIONID",
        GUID,
        "login session, G_LOGIN_SESSION.LOGINSESSIONID",
    )
    .req(
        "ENDPOINTID",
        SqlType::Integer,
        "DN (0 for MM / SIP Cluster)",
    )
    .col("QUEUEID", SqlType::Integer, "ACD queue (0 = none)")
    .req(
        "AGENTSTATE",
        SqlType::Integer,
        "agent state the code applied to",
    )
    .req("WORKMODE", SqlType::Integer, "work mode of that state")
    .req(
        "HWFLAG",
        SqlType::SmallInt,
        "1 hardware reason code, 0 software (KVP)",
    )
    .req("KEYNAME", NAME, "reason key; ReasonCode for hardware codes")
    .col("VALUE", NAME, "reason value")
    .time3("CREATED", true, "reason code start")
    .time3(
        "ADDED",
        true,
        "reason code end; the row is inserted when the code ends",
    );
    finish(t, added(&AGENT_DOMAINS).split())
}

fn g_dnd_history() -> TableDef {
    let t = operational(
        "G_DND_HISTORY",
        "ID",
        "One Do-Not-Disturb change within a login session",
    )
    .req("LOGINSESSIONID", GUID, "session")
    .col(
        "AGENTSTATE",
        SqlType::Integer,
        "agent state when DND changed",
    )
    .req(
        "ENDPOINTID",
        SqlType::Integer,
        "DN (always 0 for MM, where DND applies to the place)",
    )
    .col("STATE", SqlType::Integer, "1 DND on, 0 off")
    .time3("ADDED", true, "time of the change");
    finish(t, added(&AGENT_DOMAINS).split())
}
