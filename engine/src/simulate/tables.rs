//! The IDB tables the simulator writes, each with its columns resolved once from the schema
//! catalogue (idb.md §2 names, upper case). A column the catalogue lacks resolves to
//! [`Col::NONE`] and is skipped; a table it lacks is skipped whole.

use std::collections::BTreeMap;

use arrow::record_batch::RecordBatch;
use tidemark_schemas::{idb, TableDef};

use super::rows::{Col, TableRows, Time3};

/// Declares a struct of resolved columns (`Col`) and time triplets (`Time3`) of a table.
macro_rules! columns {
    ($(#[$m:meta])* $name:ident { $($f:ident : $c:literal),* $(,)? } times { $($tf:ident : $tc:literal),* $(,)? }) => {
        $(#[$m])*
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy)]
        pub struct $name { $(pub $f: Col,)* $(pub $tf: Time3,)* }

        impl $name {
            /// Resolves every column against the table description.
            pub fn resolve(def: Option<&TableDef>) -> Self {
                Self { $($f: Col::find(def, $c),)* $($tf: Time3::find(def, $tc),)* }
            }
        }
    };
}

columns!(
    /// G_IR.
    IrCols { irid: "IRID", state: "STATE", parentirid: "PARENTIRID", parentlinktype: "PARENTLINKTYPE",
        rootcallid: "ROOTCALLID", mediatype: "MEDIATYPE", mergestate: "MERGESTATE" }
    times { created: "CREATED", terminated: "TERMINATED", lastchange: "LASTCHANGE" });
columns!(
    /// G_IR_HISTORY.
    IrHistCols { irid: "IRID", changetype: "CHANGETYPE", refid: "REFID" } times { added: "ADDED" });
columns!(
    /// G_CALL.
    CallCols { callid: "CALLID", parentcallid: "PARENTCALLID", mergecallid: "MERGECALLID",
        mergetype: "MERGETYPE", connid: "CONNID", connidnum: "CONNIDNUM", switchcallid: "SWITCHCALLID",
        irid: "IRID", calltype: "CALLTYPE", mediatype: "MEDIATYPE", state: "STATE", switchid: "SWITCHID",
        tenantid: "TENANTID", serverid: "SERVERID" }
    times { created: "CREATED", terminated: "TERMINATED", lastchange: "LASTCHANGE" });
columns!(
    /// G_CALL_HISTORY.
    CallHistCols { callid: "CALLID", cseq: "CSEQ", changetype: "CHANGETYPE", refid: "REFID" }
    times { added: "ADDED" });
columns!(
    /// G_PARTY.
    PartyCols { partyid: "PARTYID", partyguid: "PARTYGUID", type_: "TYPE", prole: "PROLE",
        parentpartyid: "PARENTPARTYID", parentlinktype: "PARENTLINKTYPE", callid: "CALLID",
        state: "STATE", prevstate: "PREVSTATE", endpointdn: "ENDPOINTDN", endpointid: "ENDPOINTID",
        endpointtype: "ENDPOINTTYPE", switchid: "SWITCHID", tenantid: "TENANTID", agentid: "AGENTID",
        placeid: "PLACEID", queueid: "QUEUEID", ccevent: "CCEVENT", cceventcause: "CCEVENTCAUSE",
        pseq: "PSEQ", trf_location: "GSYS_EXT_VCH1", trf_orig_dn: "GSYS_EXT_VCH2" }
    times { created: "CREATED", terminated: "TERMINATED", lastchange: "LASTCHANGE" });
columns!(
    /// G_PARTY_HISTORY.
    PartyHistCols { partyid: "PARTYID", pseq: "PSEQ", cseq: "CSEQ", changetype: "CHANGETYPE",
        ccevent: "CCEVENT", cceventcause: "CCEVENTCAUSE", callid: "CALLID", state: "STATE",
        prevstate: "PREVSTATE", endpointid: "ENDPOINTID", agentid: "AGENTID", placeid: "PLACEID" }
    times { added: "ADDED" });
columns!(
    /// G_IS_LINK.
    IsLinkCols { linkid: "LINKID", callid: "CALLID", islinktype: "ISLINKTYPE",
        remotelocation: "REMOTELOCATION", state: "STATE", mergestate: "MERGESTATE",
        event_seq: "GSYS_EXT_VCH1" }
    times { initiated: "INITIATED", terminated: "TERMINATED", lastchange: "LASTCHANGE" });
columns!(
    /// G_IS_LINK_HISTORY.
    IsLinkHistCols { linkid: "LINKID", seq: "SEQ", changetype: "CHANGETYPE", state: "STATE",
        callid: "CALLID", prevcallid: "PREVCALLID" }
    times { added: "ADDED" });
columns!(
    /// GSYS_DNPREMOTELOCATION.
    RemoteLocCols { remotelocation: "REMOTELOCATION" } times {});
columns!(
    /// G_VIRTUAL_QUEUE.
    VqCols { callid: "CALLID", distcallid: "DISTCALLID", connid: "CONNID", partyid: "PARTYID",
        irid: "IRID", endpointid: "ENDPOINTID", endpointdn: "ENDPOINTDN", switchid: "SWITCHID",
        tenantid: "TENANTID", cause: "CAUSE", targetselected: "TARGETSELECTED" }
    times { created: "CREATED", terminated: "TERMINATED" });
columns!(
    /// G_ROUTE_RESULT.
    RouteCols { callid: "CALLID", connid: "CONNID", partyid: "PARTYID", irid: "IRID",
        endpointid: "ENDPOINTID", rule: "RTARGETRULESELECTED", object: "RTARGETOBJECTSELECTED",
        target_type: "RTARGETTYPESELECTED", agent: "RTARGETAGENTSELECTED",
        place: "RTARGETPLACESELECTED", strategy: "RSTRATEGYNAME", rtenant: "RTENANT",
        result: "RESULT", duration: "DURATION" }
    times { created: "CREATED" });
columns!(
    /// G_CALL_STAT.
    CallStatCols { callid: "CALLID", f_conn: "F_CONN", f_conn_extn: "F_CONN_EXTN",
        f_te_abnd: "F_TE_ABND", cnt_hold: "CNT_HOLD", cnt_divert: "CNT_DIVERT",
        cnt_transfer: "CNT_TRANSFER", cnt_conference: "CNT_CONFERENCE" }
    times { added: "ADDED" });
columns!(
    /// G_USERDATA_HISTORY and G_SECURE_USERDATA_HISTORY.
    UserDataCols { callid: "CALLID", partyid: "PARTYID", endpointid: "ENDPOINTID",
        endpointdn: "ENDPOINTDN", agentid: "AGENTID", pseq: "PSEQ", cseq: "CSEQ",
        changetype: "CHANGETYPE", keyname: "KEYNAME", value: "VALUE", keytype: "KEYTYPE",
        valuetype: "VALUETYPE" }
    times { added: "ADDED" });
columns!(
    /// G_CUSTOM_DATA_S.
    CustomDataCols { callid: "CALLID", partyid: "PARTYID", pseq: "PSEQ", endpointid: "ENDPOINTID",
        endpointdn: "ENDPOINTDN", agentid: "AGENTID", changetype: "CHANGETYPE", keyname: "KEYNAME",
        value: "VALUE" }
    times { added: "ADDED" });
columns!(
    /// GM_F_USERDATA.
    MmFirstCols { callid: "CALLID", from_name: "G_FROM_NAME", called_back: "G_CALLED_BACK",
        subject: "G_SUBJECT", origin_source: "G_ORIGIN_SOURCE", from_address: "G_FROM_ADDRESS",
        sub_type: "G_SUB_TYPE" }
    times {});
columns!(
    /// GM_L_USERDATA.
    MmLastCols { callid: "CALLID", s_response: "G_S_RESPONSE", a_response: "G_A_RESPONSE",
        a_ack: "G_A_ACK", stop_reason: "G_STOP_REASON", ucs_contact_id: "G_UCS_CONTACT_ID" }
    times {});
columns!(
    /// G_LOGIN_SESSION.
    LoginCols { loginsessionid: "LOGINSESSIONID", agentid: "AGENTID", loginid: "LOGINID",
        placeid: "PLACEID", state: "STATE", primarydeviceid: "PRIMARYDEVICEID", switchid: "SWITCHID",
        tenantid: "TENANTID", mediatype: "MEDIATYPE", mediatypes: "MEDIATYPES" }
    times { created: "CREATED", terminated: "TERMINATED", lastchange: "LASTCHANGE" });
columns!(
    /// GX_SESSION_ENDPOINT.
    SessionEpCols { agentid: "AGENTID", endpointid: "ENDPOINTID", endpointtype: "ENDPOINTTYPE",
        queueid: "QUEUEID", queuetype: "QUEUETYPE", placeid: "PLACEID",
        loginsessionid: "LOGINSESSIONID", state: "STATE" }
    times { created: "CREATED", terminated: "TERMINATED" });
columns!(
    /// G_AGENT_STATE_HISTORY.
    AgentStateCols { type_: "TYPE", state: "STATE", pendingstate: "PENDINGSTATE", seq: "SEQ",
        loginsessionid: "LOGINSESSIONID", agentid: "AGENTID", placeid: "PLACEID",
        endpointid: "ENDPOINTID", queueid: "QUEUEID", mediatypeid: "MEDIATYPEID",
        mediatype: "MEDIATYPE", workmode: "WORKMODE", prevstate: "PREVSTATE",
        prevworkmode: "PREVWORKMODE", callid: "CALLID", partyid: "PARTYID" }
    times { added: "ADDED", prevsenter: "PREVSENTER" });
columns!(
    /// G_AGENT_STATE_RC.
    AgentReasonCols { sessionid: "SESSIONID", endpointid: "ENDPOINTID", queueid: "QUEUEID",
        agentstate: "AGENTSTATE", workmode: "WORKMODE", hwflag: "HWFLAG", keyname: "KEYNAME",
        value: "VALUE" }
    times { created: "CREATED", terminated: "TERMINATED", added: "ADDED" });
columns!(
    /// G_DND_HISTORY.
    DndCols { loginsessionid: "LOGINSESSIONID", agentstate: "AGENTSTATE", endpointid: "ENDPOINTID",
        state: "STATE" }
    times { added: "ADDED" });
columns!(
    /// GO_CAMPAIGN.
    CampaignCols { sessid: "SESSID", campaignid: "CAMPAIGNID", groupid: "GROUPID", state: "STATE",
        ocsid: "OCSID", dialmode: "DIALMODE", optimmode: "OPTIMMODE", optimvalue: "OPTIMVALUE" }
    times { created: "CREATED", terminated: "TERMINATED", lastchange: "LASTCHANGE" });
columns!(
    /// GO_CAMPAIGNHISTORY.
    CampaignHistCols { sessid: "SESSID", state: "STATE", prevstate: "PREVSTATE", cause: "CAUSE",
        seq: "SEQ" }
    times { prevsenter: "PREVSENTER", added: "ADDED" });
columns!(
    /// GO_CHAIN.
    ChainCols { chainguid: "CHAINGUID", parentguid: "PARENTGUID", sessid: "SESSID",
        campaignid: "CAMPAIGNID", groupid: "GROUPID", callinglistid: "CALLINGLISTID",
        chainid: "CHAINID", recordhandle: "RECORDHANDLE", state: "STATE", callresult: "CALLRESULT" }
    times { created: "CREATED", terminated: "TERMINATED", lastchange: "LASTCHANGE" });
columns!(
    /// GO_CHAINREC_HIST.
    ChainRecCols { chainguid: "CHAINGUID", recordhandle: "RECORDHANDLE", state: "STATE",
        prevstate: "PREVSTATE", seq: "SEQ", callattid: "CALLATTID", callresult: "CALLRESULT",
        recordtype: "RECORDTYPE", phone: "PHONE" }
    times { prevsenter: "PREVSENTER", added: "ADDED" });
columns!(
    /// GO_FIELDHIST.
    FieldHistCols { chainguid: "CHAINGUID", recordhandle: "RECORDHANDLE", fieldid: "FIELDID",
        oldvalue: "OLDVALUE", newvalue: "NEWVALUE", seq: "SEQ", chainhistseq: "CHAINHISTSEQ",
        callattid: "CALLATTID" }
    times { preventer: "PREVENTER", added: "ADDED" });
columns!(
    /// GOX_CHAIN_CALL.
    ChainCallCols { callid: "CALLID", chainguid: "CHAINGUID", callattid: "CALLATTID" }
    times { added: "ADDED" });
columns!(
    /// G_DSS_<role>_PROVIDER (plain timestamps, no triplets).
    DssCols { dss_id: "DSS_ID", icon_dbid: "ICON_DBID", ds_dbid: "DS_DBID",
        ds_dbid_prim: "DS_DBID_PRIM", ds2_dbid: "DS2_DBID", ds_type: "DS_TYPE",
        icon_stime: "ICON_STIME", dsconn_stime: "DSCONN_STIME", dsconn_sdstime: "DSCONN_SDSTIME",
        dsconn_sdsts: "DSCONN_SDSTS", dsconn_type: "DSCONN_TYPE", icon_etime: "ICON_ETIME",
        dsconn_etime: "DSCONN_ETIME", fevent_itime: "FEVENT_ITIME", fevent_dstime: "FEVENT_DSTIME",
        fevent_dsseq: "FEVENT_DSSEQ", levent_itime: "LEVENT_ITIME", levent_dstime: "LEVENT_DSTIME",
        levent_dsseq: "LEVENT_DSSEQ", providertag: "PROVIDERTAG" }
    times {});
columns!(
    /// G_PROV_CONTROL.
    ProvControlCols { domainid: "DOMAINID", primaryid: "PRIMARYID", providertag: "PROVIDERTAG",
        seqcounter: "SEQCOUNTER", seqcurrent: "SEQCURRENT" }
    times {});
columns!(
    /// G_DICTIONARY and G_DICT_TYPE.
    DictCols { type_id: "DICT_TYPE_ID", value: "DICT_VALUE", name: "NAME", description: "DESCRIPTION" }
    times {});
columns!(
    /// Any configuration object table (GC_*): the shared skeleton and every specific
    /// column some object table has (idb.md §2.4).
    CfgCols { id: "ID", tenantid: "TENANTID", folderid: "FOLDERID", name: "NAME", state: "STATE",
        status: "STATUS", type_: "TYPE", username: "USERNAME", firstname: "FIRSTNAME",
        lastname: "LASTNAME", employeeid: "EMPLOYEEID", email: "EMAIL", placeid: "PLACEID",
        switchid: "SWITCHID", dn: "DN", association: "ASSOCIATION", registerall: "REGISTERALL",
        groupid: "GROUPID", logincode: "LOGINCODE", linktype: "LINKTYPE", version: "VERSION",
        description: "DESCRIPTION", code: "CODE", script: "SCRIPT", dngrouptype: "DNGROUPTYPE",
        siteid: "SITEID", reliability: "GSYS_EXT_INT1" }
    times { created: "CREATED", deleted: "DELETED", lastchange: "LASTCHANGE" });
columns!(
    /// Any configuration association table (GCX_*).
    CfgLinkCols { status: "STATUS", skillid: "SKILLID", agentid: "AGENTID", slevel: "SLEVEL",
        loginid: "LOGINID", wrapuptime: "WRAPUPTIME", placeid: "PLACEID", groupid: "GROUPID",
        endpointid: "ENDPOINTID", campaignid: "CAMPAIGNID", listid: "LISTID",
        dialmode: "DIALMODE", codeid: "CODEID", name: "NAME", code: "CODE",
        reliability: "GSYS_EXT_INT1" }
    times { created: "CREATED", deleted: "DELETED" });

/// Rows of one table with its resolved columns.
pub struct Out<C> {
    /// The rows waiting.
    pub rows: TableRows,
    /// Resolved columns.
    pub c: C,
}

impl<C> Out<C> {
    fn open(name: &str, first_ids: &[i64], resolve: fn(Option<&TableDef>) -> C) -> Self {
        let def = idb::table(name);
        Out {
            rows: TableRows::new(def, first_ids),
            c: resolve(def),
        }
    }
}

macro_rules! site_tables {
    ($($field:ident : $cols:ident = $name:literal),* $(,)?) => {
        /// Every operational table of one site's IDB(s), plus the configuration tables.
        #[allow(missing_docs)]
        pub struct SiteTables {
            $(pub $field: Out<$cols>,)*
            /// Configuration object tables by name.
            pub cfg: BTreeMap<&'static str, Out<CfgCols>>,
            /// Configuration association tables by name.
            pub cfg_links: BTreeMap<&'static str, Out<CfgLinkCols>>,
        }

        impl SiteTables {
            /// Opens every table for a site whose replicas start their surrogate keys at
            /// `first_ids`.
            pub fn open(first_ids: &[i64]) -> SiteTables {
                SiteTables {
                    $($field: Out::open($name, first_ids, $cols::resolve),)*
                    cfg: CFG_OBJECT_TABLES
                        .iter()
                        .map(|n| (*n, Out::open(n, first_ids, CfgCols::resolve)))
                        .collect(),
                    cfg_links: CFG_LINK_TABLES
                        .iter()
                        .map(|n| (*n, Out::open(n, first_ids, CfgLinkCols::resolve)))
                        .collect(),
                }
            }

            /// Every table's rows, in catalogue order of this list.
            pub fn all_mut(&mut self) -> Vec<&mut TableRows> {
                let mut v: Vec<&mut TableRows> = vec![$(&mut self.$field.rows,)*];
                v.extend(self.cfg.values_mut().map(|o| &mut o.rows));
                v.extend(self.cfg_links.values_mut().map(|o| &mut o.rows));
                v
            }
        }
    };
}

site_tables!(
    ir: IrCols = "G_IR",
    ir_hist: IrHistCols = "G_IR_HISTORY",
    call: CallCols = "G_CALL",
    call_hist: CallHistCols = "G_CALL_HISTORY",
    party: PartyCols = "G_PARTY",
    party_hist: PartyHistCols = "G_PARTY_HISTORY",
    is_link: IsLinkCols = "G_IS_LINK",
    is_link_hist: IsLinkHistCols = "G_IS_LINK_HISTORY",
    remote_loc: RemoteLocCols = "GSYS_DNPREMOTELOCATION",
    vq: VqCols = "G_VIRTUAL_QUEUE",
    route: RouteCols = "G_ROUTE_RESULT",
    call_stat: CallStatCols = "G_CALL_STAT",
    userdata: UserDataCols = "G_USERDATA_HISTORY",
    secure_userdata: UserDataCols = "G_SECURE_USERDATA_HISTORY",
    custom_data: CustomDataCols = "G_CUSTOM_DATA_S",
    mm_first: MmFirstCols = "GM_F_USERDATA",
    mm_last: MmLastCols = "GM_L_USERDATA",
    login: LoginCols = "G_LOGIN_SESSION",
    session_ep: SessionEpCols = "GX_SESSION_ENDPOINT",
    agent_state: AgentStateCols = "G_AGENT_STATE_HISTORY",
    agent_rc: AgentReasonCols = "G_AGENT_STATE_RC",
    dnd: DndCols = "G_DND_HISTORY",
    campaign: CampaignCols = "GO_CAMPAIGN",
    campaign_hist: CampaignHistCols = "GO_CAMPAIGNHISTORY",
    chain: ChainCols = "GO_CHAIN",
    chain_rec: ChainRecCols = "GO_CHAINREC_HIST",
    field_hist: FieldHistCols = "GO_FIELDHIST",
    chain_call: ChainCallCols = "GOX_CHAIN_CALL",
    dss_cfg: DssCols = "G_DSS_CFG_PROVIDER",
    dss_gcc: DssCols = "G_DSS_GCC_PROVIDER",
    dss_gud: DssCols = "G_DSS_GUD_PROVIDER",
    dss_gls: DssCols = "G_DSS_GLS_PROVIDER",
    dss_gos: DssCols = "G_DSS_GOS_PROVIDER",
    prov_control: ProvControlCols = "G_PROV_CONTROL",
    dictionary: DictCols = "G_DICTIONARY",
    dict_type: DictCols = "G_DICT_TYPE",
);

/// Configuration object tables the simulator fills.
pub const CFG_OBJECT_TABLES: &[&str] = &[
    "GC_TENANT",
    "GC_SWITCH",
    "GC_APPLICATION",
    "GC_TIME_ZONE",
    "GC_FOLDER",
    "GC_AGENT",
    "GC_PLACE",
    "GC_GROUP",
    "GC_SKILL",
    "GC_LOGIN",
    "GC_ENDPOINT",
    "GC_ACTION_CODE",
    "GC_SCRIPT",
    "GC_CAMPAIGN",
    "GC_CALL_LIST",
    "GC_FIELD",
];

/// Configuration association tables the simulator fills.
pub const CFG_LINK_TABLES: &[&str] = &[
    "GCX_SKILL_LEVEL",
    "GCX_LOGIN_INFO",
    "GCX_AGENT_PLACE",
    "GCX_GROUP_AGENT",
    "GCX_GROUP_PLACE",
    "GCX_GROUP_ENDPOINT",
    "GCX_ENDPOINT_PLACE",
    "GCX_SUBCODE",
    "GCX_CAMPLIST",
    "GCX_CAMPGROUP_INFO",
];

impl SiteTables {
    /// The configuration object table `name`.
    pub fn cfg(&mut self, name: &str) -> &mut Out<CfgCols> {
        self.cfg
            .get_mut(name)
            .expect("configuration table listed in CFG_OBJECT_TABLES")
    }

    /// The configuration association table `name`.
    pub fn cfg_link(&mut self, name: &str) -> &mut Out<CfgLinkCols> {
        self.cfg_links
            .get_mut(name)
            .expect("association table listed in CFG_LINK_TABLES")
    }

    /// Flushes every table holding at least `min_rows` rows; each batch goes to `emit` with
    /// the replica index it belongs to.
    pub fn flush(
        &mut self,
        min_rows: usize,
        emit: &mut dyn FnMut(usize, &'static TableDef, RecordBatch) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        for rows in self.all_mut() {
            if rows.len() >= min_rows.max(1) {
                let def = rows.def();
                for (replica, batch) in rows.flush()? {
                    if let Some(def) = def {
                        emit(replica, def, batch)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// NOT NULL columns some row left unset, per table (a simulator or catalogue mismatch).
    pub fn unset_required(&mut self) -> Vec<(String, Vec<String>)> {
        self.all_mut()
            .into_iter()
            .filter_map(|t| {
                let cols = t.unset_required_columns();
                (!cols.is_empty())
                    .then(|| (t.def().map(|d| d.name.clone()).unwrap_or_default(), cols))
            })
            .collect()
    }
}
