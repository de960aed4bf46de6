//! Interaction core (idb.md §2.1): interaction records, calls, parties, their histories,
//! inter-site links, virtual-queue stays, route results and call statistics.

use crate::extraction::{Completion, Domain, ExtractionDef, HwmRule};
use crate::table::{SqlType, TableDef};

use super::{added, finish, operational, voice_by_parent, GUID, MEDIA, NAME};

/// The interaction core tables, in catalogue order.
pub(super) fn tables() -> Vec<TableDef> {
    vec![
        g_ir(),
        g_ir_history(),
        g_call(),
        g_call_history(),
        g_party(),
        g_party_history(),
        g_is_link(),
        g_is_link_history(),
        gsys_dnpremotelocation(),
        g_virtual_queue(),
        g_route_result(),
        g_call_stat(),
    ]
}

/// Rule of a current-state table completed with its voice call: voice rows once
/// `TERMINATED_TS` is set, multimedia rows by `LASTCHANGE_TS` as they change.
fn terminated_or_changed(key: &str) -> ExtractionDef {
    ExtractionDef::new(
        &[Domain::Core, Domain::Mm],
        HwmRule::column("TERMINATED_TS"),
    )
    .mm(HwmRule::column("LASTCHANGE_TS"))
    .completion(Completion::VoiceWhenTerminated("TERMINATED_TS".into()))
    .key(&[key])
    .split()
}

/// The creation / termination / last-change triplets of current-state tables.
fn lifecycle(t: TableDef, created_required: bool) -> TableDef {
    t.time3("CREATED", created_required, "creation")
        .time3("TERMINATED", false, "termination; NULL while active")
        .time3("LASTCHANGE", false, "last update")
}

/// The extended routing result columns shared by G_ROUTE_RESULT and G_VIRTUAL_QUEUE
/// (copies of the URS `RTarget*Selected` KVPs).
fn route_targets(t: TableDef) -> TableDef {
    t.col(
        "RTARGETRULESELECTED",
        NAME,
        "routing rule that selected the target",
    )
    .col(
        "RTARGETOBJECTSELECTED",
        NAME,
        "target object selected (e.g. agent group name)",
    )
    .col(
        "RTARGETTYPESELECTED",
        SqlType::Integer,
        "target type (dict 29)",
    )
    .col("RTARGETAGENTSELECTED", NAME, "agent chosen; empty if none")
    .col("RTARGETPLACESELECTED", NAME, "place chosen")
}

fn g_ir() -> TableDef {
    let t = operational(
        "G_IR",
        "ID",
        "Interaction record: one node of an interaction hierarchy on one site",
    )
    .req(
        "IRID",
        GUID,
        "interaction record id (ICON, or the merge step for multi-site hierarchies)",
    )
    .req(
        "STATE",
        SqlType::Integer,
        "IR state (dict 7: 1 active, 2 terminated, 3 merged)",
    )
    .col(
        "PARENTIRID",
        GUID,
        "parent IR this one was merged into by transfer/conference",
    )
    .col(
        "PARENTLINKTYPE",
        SqlType::Integer,
        "reserved, always 0 (dict 11)",
    )
    .req("ROOTCALLID", GUID, "the local call that started this IR")
    .col(
        "MEDIATYPE",
        MEDIA,
        "media of the interaction (voice, email, chat, …)",
    )
    .col(
        "MERGESTATE",
        SqlType::Integer,
        "merge status: 0 not merged, 1 merged, 2 merge failed/partial",
    );
    finish(lifecycle(t, true), terminated_or_changed("IRID"))
}

fn g_ir_history() -> TableDef {
    let t = operational(
        "G_IR_HISTORY",
        "IRHID",
        "One state change of an interaction record",
    )
    .req("IRID", GUID, "IR concerned")
    .col("XSEQ", SqlType::Numeric(19, 0), "reserved")
    .col(
        "CHANGETYPE",
        SqlType::Integer,
        "dict 3: 1 created, 2 terminated, 3 merged",
    )
    .col("REFID", GUID, "reserved")
    .time3("ADDED", true, "time of the change (source event)");
    finish(t, voice_by_parent("G_IR", "IRID", "ADDED_TS"))
}

fn g_call() -> TableDef {
    let t = operational("G_CALL", "ID", "Latest state of a call (voice) or interaction (multimedia)")
        .req("CALLID", GUID, "call UUID (voice) / interaction id (multimedia)")
        .col("PARENTCALLID", GUID, "main call of a consultation call")
        .col("MERGECALLID", GUID, "call this one was merged into by transfer/conference; NULL for MM")
        .col("MERGETYPE", SqlType::Integer, "kind of link to the parent call (0 none, 1 consultation, 2 transfer, 3 conference); NULL for MM")
        .col("CONNID", GUID, "current T-Server connection id; NULL for MM")
        .col("CONNIDNUM", SqlType::Numeric(20, 0), "CONNID as a number; NULL for MM")
        .col("SWITCHCALLID", SqlType::Integer, "switch-native call id; NULL for MM")
        .req("IRID", GUID, "IR this call belongs to")
        .col("CALLTYPE", SqlType::Integer, "0 unknown, 1 internal, 2 inbound, 3 outbound, 4 consult")
        .col("MEDIATYPE", MEDIA, "media name (MM)")
        .col("STATE", SqlType::Integer, "call state: 1 active, 2 terminated, 3 merged")
        .col("SWITCHID", SqlType::Integer, "switch (voice), GC_SWITCH.ID")
        .col("TENANTID", SqlType::Integer, "tenant, GC_TENANT.ID")
        .col("SERVERID", SqlType::Integer, "T-Server / Interaction Server application, GC_APPLICATION.ID");
    finish(lifecycle(t, true), terminated_or_changed("CALLID"))
}

fn g_call_history() -> TableDef {
    let t = operational("G_CALL_HISTORY", "CHID", "One state change of a call")
        .req("CALLID", GUID, "call")
        .req(
            "CSEQ",
            SqlType::Integer,
            "change sequence within the call since creation",
        )
        .col(
            "CHANGETYPE",
            SqlType::Integer,
            "dict 1: 1 created, 2 terminated, 3 merged into another call, 4 transfer failed",
        )
        .col(
            "REFID",
            GUID,
            "for a merge/terminate record: the call that survived the transfer/conference",
        )
        .time3("ADDED", true, "event time");
    finish(
        t,
        voice_by_parent("G_CALL", "CALLID", "ADDED_TS").key(&["CALLID", "CSEQ"]),
    )
}

fn g_party() -> TableDef {
    let t = operational(
        "G_PARTY",
        "ID",
        "Latest state of a party: one endpoint's participation in one call",
    )
    .req(
        "PARTYID",
        GUID,
        "party-in-this-call id; changes when the party moves to another call",
    )
    .req("PARTYGUID", GUID, "party instance id, stable across moves")
    .req("TYPE", SqlType::Integer, "party type (dict 9)")
    .req("PROLE", SqlType::Integer, "party role (dict 10)")
    .col(
        "PARENTPARTYID",
        GUID,
        "party this one was derived from (routing point, queue, consulting party)",
    )
    .col(
        "PARENTLINKTYPE",
        SqlType::Integer,
        "relation to PARENTPARTYID (dict 11)",
    )
    .req("CALLID", GUID, "current call")
    .req("STATE", SqlType::Integer, "current party state (dict 8)")
    .col("PREVSTATE", SqlType::Integer, "previous party state")
    .req(
        "ENDPOINTDN",
        NAME,
        "DN/number of the endpoint (external number for external parties)",
    )
    .col(
        "ENDPOINTID",
        SqlType::Integer,
        "DN DBID, GC_ENDPOINT.ID (0/NULL for external or MM)",
    )
    .col("ENDPOINTTYPE", SqlType::Integer, "DN type (CfgDNType)")
    .col("SWITCHID", SqlType::Integer, "switch, GC_SWITCH.ID")
    .col("TENANTID", SqlType::Integer, "tenant, GC_TENANT.ID")
    .col(
        "AGENTID",
        SqlType::Integer,
        "agent logged in at the endpoint, GC_AGENT.ID; 0/NULL if none",
    )
    .col(
        "PLACEID",
        SqlType::Integer,
        "place, GC_PLACE.ID (MM: the handling place)",
    )
    .col(
        "QUEUEID",
        SqlType::Integer,
        "ACD queue the party came through, GC_ENDPOINT.ID",
    )
    .col(
        "CCEVENT",
        SqlType::Integer,
        "for a terminated party: the call-control event that ended it",
    )
    .col("CCEVENTCAUSE", SqlType::Integer, "cause of that event")
    .col(
        "PSEQ",
        SqlType::Integer,
        "last PSEQ used in G_PARTY_HISTORY",
    );
    let rule = voice_by_parent("G_CALL", "CALLID", "LASTCHANGE_TS")
        .completion(Completion::UpdatedInPlace)
        .key(&["PARTYID"]);
    finish(lifecycle(t, false), rule)
}

fn g_party_history() -> TableDef {
    let t = operational(
        "G_PARTY_HISTORY",
        "PHID",
        "One party state change (primary input of the voice and MM transforms)",
    )
    .req("PARTYID", GUID, "party-in-call association")
    .req(
        "PSEQ",
        SqlType::Integer,
        "change sequence within this party",
    )
    .req(
        "CSEQ",
        SqlType::Integer,
        "voice: change sequence within the call; MM: reporting minus submit sequence",
    )
    .col(
        "CHANGETYPE",
        SqlType::Integer,
        "kind of change (1 created, 2 state changed, 3 terminated, 4 moved, 5 attributes changed)",
    )
    .col(
        "CCEVENT",
        SqlType::Integer,
        "call-control event that caused the change",
    )
    .col(
        "CCEVENTCAUSE",
        SqlType::Integer,
        "cause attached to the event",
    )
    .col("CALLID", GUID, "call at the time of the change")
    .col("STATE", SqlType::Integer, "new party state (dict 8)")
    .col("PREVSTATE", SqlType::Integer, "state before the change")
    .col(
        "ENDPOINTID",
        SqlType::Integer,
        "endpoint of the party at change time",
    )
    .col(
        "AGENTID",
        SqlType::Integer,
        "agent of the party at change time",
    )
    .col(
        "PLACEID",
        SqlType::Integer,
        "place of the party at change time",
    )
    .time3("ADDED", true, "event time");
    finish(
        t,
        voice_by_parent("G_PARTY", "PARTYID", "ADDED_TS").key(&["PARTYID", "PSEQ"]),
    )
}

fn g_is_link() -> TableDef {
    let t = operational(
        "G_IS_LINK",
        "ID",
        "Latest state of an inter-site (ISCC) link of a local call",
    )
    .req(
        "LINKID",
        GUID,
        "IS-link id, equal on both sites of one multi-site hop",
    )
    .req("CALLID", GUID, "local call on this site")
    .req(
        "ISLINKTYPE",
        SqlType::Integer,
        "dict 27: 0 bidirectional, 1 unidirectional, 2 source, 3 target",
    )
    .col(
        "REMOTELOCATION",
        NAME,
        "switch (location) of the other call of the pair",
    )
    .req(
        "STATE",
        SqlType::Integer,
        "dict 21: 0 unknown, 1 active, 2 terminated, 3 failed (no pair will come)",
    )
    .col(
        "MERGESTATE",
        SqlType::Integer,
        "outcome of the merge step for this link",
    )
    .time3("INITIATED", true, "link start")
    .time3("TERMINATED", false, "link end")
    .time3("LASTCHANGE", true, "last update of the link");
    let rule = ExtractionDef::new(&[Domain::Core], HwmRule::column("LASTCHANGE_TS"))
        .completion(Completion::UpdatedInPlace)
        .key(&["LINKID"])
        .split();
    finish(t, rule)
}

fn g_is_link_history() -> TableDef {
    let t = operational(
        "G_IS_LINK_HISTORY",
        "ID",
        "One change of an inter-site link",
    )
    .req("LINKID", GUID, "link")
    .req("SEQ", SqlType::Integer, "change sequence within the link")
    .req(
        "CHANGETYPE",
        SqlType::Integer,
        "dict 22: 0 unknown, 1 added, 2 moved to another call, 3 deleted",
    )
    .col("STATE", SqlType::Integer, "dict 21 (see G_IS_LINK)")
    .col("CALLID", GUID, "call now carrying the link")
    .col("PREVCALLID", GUID, "call that carried it before a move")
    .time3("ADDED", true, "time of the change");
    finish(t, added(&[Domain::Core]).key(&["LINKID", "SEQ"]).split())
}

fn gsys_dnpremotelocation() -> TableDef {
    let t = operational(
        "GSYS_DNPREMOTELOCATION",
        "ID",
        "A remote switch whose calls this IDB does not record",
    )
    .col(
        "REMOTELOCATION",
        NAME,
        "remote location; IS-links pointing there never get a pair",
    );
    let rule = ExtractionDef::new(&[Domain::Core], HwmRule::FullRead)
        .completion(Completion::UpdatedInPlace);
    finish(t, rule)
}

fn g_virtual_queue() -> TableDef {
    let t = operational(
        "G_VIRTUAL_QUEUE",
        "ID",
        "One stay of an interaction in a virtual queue (URS)",
    )
    .req("CALLID", GUID, "interaction queued")
    .col(
        "DISTCALLID",
        GUID,
        "call id of the distribution event (usually the call at the routing point)",
    )
    .col("CONNID", GUID, "connection id")
    .col(
        "PARTYID",
        GUID,
        "party that was queued (routing point / queue party)",
    )
    .col("IRID", GUID, "IR")
    .col(
        "ENDPOINTID",
        SqlType::Integer,
        "the virtual queue DN, GC_ENDPOINT.ID",
    )
    .col("ENDPOINTDN", NAME, "virtual queue DN name")
    .col("SWITCHID", SqlType::Integer, "switch")
    .col("TENANTID", SqlType::Integer, "tenant")
    .col(
        "CAUSE",
        SqlType::Integer,
        "why the stay ended: 1 diverted to a target, 2 abandoned, 3 cleared",
    );
    let t = route_targets(t)
        .time3("CREATED", true, "entered the virtual queue")
        .time3("TERMINATED", false, "left the virtual queue");
    let rule =
        voice_by_parent("G_CALL", "CALLID", "TERMINATED_TS").completion(Completion::UpdatedInPlace);
    finish(t, rule)
}

fn g_route_result() -> TableDef {
    let t = operational("G_ROUTE_RESULT", "ID", "Routing outcome at a routing point")
        .req("CALLID", GUID, "routed interaction")
        .req("CONNID", GUID, "T-Server connection id (legacy)")
        .req("PARTYID", GUID, "routing-point party")
        .col("IRID", GUID, "IR")
        .col(
            "ENDPOINTID",
            SqlType::Integer,
            "routing point DN, GC_ENDPOINT.ID",
        );
    let t = route_targets(t)
        .col("RSTRATEGYNAME", NAME, "routing strategy")
        .col("RTENANT", NAME, "tenant of the strategy")
        .col(
            "RESULT",
            SqlType::Integer,
            "route result code reported by URS",
        )
        .col("DURATION", SqlType::Integer, "routing time in seconds")
        .time3("CREATED", true, "time of the result");
    finish(t, voice_by_parent("G_CALL", "CALLID", "CREATED_TS"))
}

fn g_call_stat() -> TableDef {
    let t = operational("G_CALL_STAT", "ID", "Per-call summary written at voice call completion")
        .req("CALLID", GUID, "call")
        .col("F_CONN", SqlType::SmallInt, "1 if any party reached connected via an Established event")
        .col("F_CONN_EXTN", SqlType::SmallInt, "1 if an internal party on an Extension/ACD Position DN got connected")
        .col("F_TE_ABND", SqlType::SmallInt, "1 if T-Server reported EventAbandoned")
        .col("CNT_HOLD", SqlType::Integer, "times an internal party went to hold")
        .col("CNT_DIVERT", SqlType::Integer, "times an internal party went to null via Diverted")
        .col("CNT_TRANSFER", SqlType::Integer, "single- or two-step transfers seen")
        .col("CNT_CONFERENCE", SqlType::Integer, "single- or two-step conferences seen")
        .col("RELEASING_PARTY", SqlType::Integer, "who released the call (0 unknown, 1 internal party, 2 external party, 3 switch); only with ICON store-releasing-party")
        .time3("ADDED", true, "time the summary was written");
    let rule = ExtractionDef::new(&[Domain::Core], HwmRule::by_parent("G_CALL", "CALLID"))
        .key(&["CALLID"])
        .split();
    finish(t, rule)
}
