//! Outbound (idb.md §2.5): campaign and chain processing attempts written by OCS, their
//! histories, field values, metrics and the link between voice calls and chain attempts.
//! All are extracted for `ICON_OCS` only.

use crate::extraction::{Completion, Domain, ExtractionDef, HwmRule};
use crate::table::{SqlType, TableDef};

use super::{added, finish, operational, GUID, NAME, OCS_GUID};

/// The outbound tables, in catalogue order.
pub(super) fn tables() -> Vec<TableDef> {
    vec![
        go_campaign(),
        go_campaignhistory(),
        go_campprop_hist(),
        go_chain(),
        go_chainrec_hist(),
        field_history(
            "GO_FIELDHIST",
            SqlType::Varchar(4000),
            "One value change of a calling-list field of a chain record",
        ),
        field_history(
            "GO_SEC_FIELDHIST",
            NAME,
            "One value change of a protected calling-list field of a chain record",
        ),
        go_custom_fields(),
        go_metrics(),
        gox_chain_call(),
    ]
}

/// Rule of an outbound current-state table: selected by `LASTCHANGE_TS`, latest version wins.
fn current_state(key: &[&str]) -> ExtractionDef {
    ExtractionDef::new(&[Domain::Ocs], HwmRule::column("LASTCHANGE_TS"))
        .completion(Completion::UpdatedInPlace)
        .key(key)
}

/// Rule of an outbound insert-only table.
fn history() -> ExtractionDef {
    added(&[Domain::Ocs])
}

fn go_campaign() -> TableDef {
    let t = operational(
        "GO_CAMPAIGN",
        "ID",
        "Current state of a campaign processing attempt (one load/unload cycle)",
    )
    .req(
        "SESSID",
        OCS_GUID,
        "campaign session GUID; new each time OCS reloads the campaign",
    )
    .req("CAMPAIGNID", SqlType::Integer, "campaign, GC_CAMPAIGN.ID")
    .req(
        "GROUPID",
        SqlType::Integer,
        "agent/place group of the campaign group, GC_GROUP.ID",
    )
    .req(
        "STATE",
        SqlType::Integer,
        "dict 71: 0 terminated, 1 loaded, 2 started, 3 unloading",
    )
    .req(
        "OCSID",
        SqlType::Integer,
        "OCS application, GC_APPLICATION.ID",
    )
    .col("DIALMODE", SqlType::Integer, "dial mode reported by OCS")
    .col("OPTIMMODE", SqlType::Integer, "optimisation method")
    .col("OPTIMVALUE", SqlType::Integer, "optimisation target")
    .time3("CREATED", true, "campaign loaded")
    .time3("TERMINATED", false, "campaign unloaded; NULL while loaded")
    .time3("LASTCHANGE", true, "last update");
    finish(t, current_state(&["SESSID"]))
}

fn go_campaignhistory() -> TableDef {
    let t = operational(
        "GO_CAMPAIGNHISTORY",
        "ID",
        "One state or property change of a campaign session",
    )
    .req("SESSID", OCS_GUID, "campaign session")
    .req("STATE", SqlType::Integer, "new state (dict 71)")
    .col("PREVSTATE", SqlType::Integer, "previous state (dict 71)")
    .req("CAUSE", SqlType::Integer, "OCS cause of the change")
    .col(
        "SEQ",
        SqlType::Integer,
        "change sequence within the session",
    )
    .time3("PREVSENTER", false, "when the previous state began")
    .time3("ADDED", true, "change time");
    finish(t, history())
}

fn go_campprop_hist() -> TableDef {
    let t = operational(
        "GO_CAMPPROP_HIST",
        "ID",
        "One dial-mode or optimisation change of a campaign session",
    )
    .req("SESSID", OCS_GUID, "campaign session")
    .col(
        "SEQ",
        SqlType::Integer,
        "change sequence within the session",
    )
    .col("DIALMODE", SqlType::Integer, "new dial mode")
    .col("PREVDIALMODE", SqlType::Integer, "previous dial mode")
    .time3("PREVDMENTER", false, "when the previous dial mode began")
    .col("OPTIMMODE", SqlType::Integer, "new optimisation method")
    .col(
        "PREVOPTIMMODE",
        SqlType::Integer,
        "previous optimisation method",
    )
    .col("OPTIMVALUE", SqlType::Integer, "new optimisation target")
    .col(
        "PREVOPTIMVALUE",
        SqlType::Integer,
        "previous optimisation target",
    )
    .time3("ADDED", true, "change time");
    finish(t, history().key(&["SESSID", "SEQ"]))
}

fn go_chain() -> TableDef {
    let t = operational(
        "GO_CHAIN",
        "ID",
        "Current state of a chain processing attempt (all records of one customer in a list)",
    )
    .req("CHAINGUID", OCS_GUID, "chain attempt GUID")
    .col("PARENTGUID", OCS_GUID, "reserved")
    .req("SESSID", OCS_GUID, "campaign session, GO_CAMPAIGN.SESSID")
    .req("CAMPAIGNID", SqlType::Integer, "campaign")
    .req("GROUPID", SqlType::Integer, "campaign group")
    .req(
        "CALLINGLISTID",
        SqlType::Integer,
        "calling list, GC_CALL_LIST.ID",
    )
    .col("CHAINID", SqlType::Integer, "chain id in the list")
    .col("RECORDHANDLE", SqlType::Integer, "current record handle")
    .col("STATE", SqlType::Integer, "chain state (dict 76)")
    .col(
        "CALLRESULT",
        SqlType::Integer,
        "last call result (33 answered)",
    )
    .time3("CREATED", true, "chain attempt started")
    .time3("TERMINATED", false, "chain attempt finished")
    .time3("LASTCHANGE", true, "last update");
    finish(t, current_state(&["CHAINGUID"]))
}

fn go_chainrec_hist() -> TableDef {
    let t = operational(
        "GO_CHAINREC_HIST",
        "ID",
        "One processing step of a record of a chain attempt",
    )
    .req("CHAINGUID", OCS_GUID, "chain attempt")
    .req("RECORDHANDLE", SqlType::Integer, "record used by OCS")
    .req(
        "STATE",
        SqlType::Integer,
        "dict 76: 0 null, 1 scheduled, 2 processing, 3 processed",
    )
    .col("PREVSTATE", SqlType::Integer, "previous state (dict 76)")
    .time3(
        "PREVSENTER",
        false,
        "when the previous state began (OCS time)",
    )
    .col(
        "SEQ",
        SqlType::Integer,
        "change sequence, referenced by GO_FIELDHIST.CHAINHISTSEQ",
    )
    .col(
        "CALLATTID",
        OCS_GUID,
        "call attempt GUID (one per dialing attempt)",
    )
    .col("CALLRESULT", SqlType::Integer, "call result of the attempt")
    .col("RECORDTYPE", SqlType::Integer, "record type")
    .col("PHONE", SqlType::Varchar(64), "number dialed")
    .time3("ADDED", true, "change time");
    finish(t, history().key(&["CHAINGUID", "SEQ"]))
}

/// GO_FIELDHIST and GO_SEC_FIELDHIST: one layout, values of width `value`.
fn field_history(name: &str, value: SqlType, doc: &'static str) -> TableDef {
    let t = operational(name, "ID", doc)
        .req("CHAINGUID", OCS_GUID, "chain attempt")
        .req("RECORDHANDLE", SqlType::Integer, "record")
        .req(
            "FIELDID",
            SqlType::Integer,
            "Field configuration object DBID",
        )
        .col("OLDVALUE", value, "previous value (NULL at record load)")
        .col("NEWVALUE", value, "new value")
        .time3("PREVENTER", false, "when the old value was reported")
        .req(
            "SEQ",
            SqlType::Integer,
            "sequence within the field's history",
        )
        .req("CHAINHISTSEQ", SqlType::Integer, "GO_CHAINREC_HIST.SEQ")
        .col("CALLATTID", GUID, "GO_CHAINREC_HIST.CALLATTID")
        .time3("ADDED", true, "change time (OCS event)");
    finish(
        t,
        history().key(&["CHAINGUID", "RECORDHANDLE", "FIELDID", "SEQ"]),
    )
}

fn go_custom_fields() -> TableDef {
    let t = operational(
        "GO_CUSTOM_FIELDS",
        "ID",
        "Current value of a custom field of a chain record",
    )
    .req("CHAINGUID", OCS_GUID, "chain attempt")
    .req("RECORDHANDLE", SqlType::Integer, "record")
    .req(
        "FIELDID",
        SqlType::Integer,
        "Field configuration object DBID",
    )
    .col("VALUE", SqlType::Varchar(4000), "current value")
    .col(
        "LASTCHAINUPDSEQ",
        SqlType::Integer,
        "GO_CHAINREC_HIST.SEQ of the last update",
    )
    .time3("LASTCHANGED", true, "last change");
    let rule = ExtractionDef::new(&[Domain::Ocs], HwmRule::column("LASTCHANGED_TS"))
        .completion(Completion::UpdatedInPlace)
        .key(&["CHAINGUID", "RECORDHANDLE", "FIELDID"]);
    finish(t, rule)
}

fn go_metrics() -> TableDef {
    let t = operational(
        "GO_METRICS",
        "ID",
        "One OCS metric snapshot of a campaign session or chain",
    )
    .req("SESSID", OCS_GUID, "campaign session")
    .col(
        "OBJECTGUID",
        OCS_GUID,
        "chain GUID the metric is about; NULL for campaign-level metrics",
    )
    .req("METRICID", SqlType::Integer, "metric id")
    .col("VALUE", SqlType::Double, "metric value")
    .time3("ADDED", true, "snapshot time");
    finish(t, history())
}

fn gox_chain_call() -> TableDef {
    let t = operational(
        "GOX_CHAIN_CALL",
        "ID",
        "Link between a voice call and a chain attempt",
    )
    .col("CALLID", GUID, "call GUID reported by OCS (G_CALL.CALLID)")
    .req("CHAINGUID", OCS_GUID, "GO_CHAIN.CHAINGUID")
    .req("CALLATTID", OCS_GUID, "GO_CHAINREC_HIST.CALLATTID")
    .time3("ADDED", true, "when OCS reported the association");
    finish(t, history().key(&["CHAINGUID", "CALLATTID", "CALLID"]))
}
