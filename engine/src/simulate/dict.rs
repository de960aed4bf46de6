//! Dictionary codes of idb.md §3 as the simulator writes them, and the G_DICTIONARY /
//! G_DICT_TYPE content that names them.

/// G_CALL.CallType (§3.1).
pub mod call_type {
    /// Internal call between two DNs of the switch.
    pub const INTERNAL: i64 = 1;
    /// Inbound call from outside.
    pub const INBOUND: i64 = 2;
    /// Outbound call to outside.
    pub const OUTBOUND: i64 = 3;
    /// Consultation call.
    pub const CONSULT: i64 = 4;
}

/// G_CALL.State and G_IR.State (§3.1, project codes).
pub mod call_state {
    /// Active.
    pub const ACTIVE: i64 = 1;
    /// Terminated.
    pub const TERMINATED: i64 = 2;
    /// Merged into another call / IR.
    pub const MERGED: i64 = 3;
}

/// G_CALL_HISTORY.ChangeType (dict 1) and G_IR_HISTORY.ChangeType (dict 3).
pub mod call_change {
    /// Created.
    pub const CREATED: i64 = 1;
    /// Terminated.
    pub const TERMINATED: i64 = 2;
    /// Merged into another call / IR.
    pub const MERGED: i64 = 3;
}

/// G_CALL.MergeType (§3.1, project codes).
pub mod merge_type {
    /// Transfer completed.
    pub const TRANSFER: i64 = 2;
    /// Conference completed.
    pub const CONFERENCE: i64 = 3;
}

/// Party type (dict 9, §3.2).
pub mod party_type {
    /// DN configured on the switch.
    pub const INTERNAL: i64 = 1;
    /// Number not configured (customer, remote site).
    pub const EXTERNAL: i64 = 2;
    /// Multimedia place.
    pub const MM_PLACE: i64 = 3;
    /// Multimedia interaction queue.
    pub const MM_QUEUE: i64 = 4;
    /// Multimedia workbin.
    pub const MM_WORKBIN: i64 = 5;
    /// Multimedia routing strategy.
    pub const MM_STRATEGY: i64 = 6;
}

/// Party role (dict 10, §3.3).
pub mod party_role {
    /// Originator.
    pub const ORIGINATOR: i64 = 1;
    /// Destination.
    pub const DESTINATION: i64 = 2;
    /// Conference member.
    pub const CONFERENCE_MEMBER: i64 = 3;
    /// Routing point / distribution device.
    pub const DISTRIBUTION: i64 = 5;
}

/// Party state (dict 8, §3.4).
pub mod party_state {
    /// Released.
    pub const NULL: i64 = 0;
    /// Dialing originator.
    pub const INITIATED: i64 = 1;
    /// Ringing.
    pub const ALERTING: i64 = 2;
    /// Connected (talk).
    pub const CONNECTED: i64 = 3;
    /// Held.
    pub const HELD: i64 = 4;
    /// Queued.
    pub const QUEUED: i64 = 5;
    /// Failed / busy.
    pub const FAILED: i64 = 6;
}

/// G_PARTY_HISTORY.ChangeType (§3.5).
pub mod party_change {
    /// Party created.
    pub const CREATED: i64 = 1;
    /// State changed.
    pub const STATE: i64 = 2;
    /// Party terminated.
    pub const TERMINATED: i64 = 3;
    /// Party moved to another call.
    pub const MOVED: i64 = 4;
}

/// Call-control events (§3.6).
pub mod cc_event {
    /// Initiated.
    pub const INITIATED: i64 = 1;
    /// Dialing.
    pub const DIALING: i64 = 2;
    /// Ringing.
    pub const RINGING: i64 = 3;
    /// Established.
    pub const ESTABLISHED: i64 = 4;
    /// Held.
    pub const HELD: i64 = 5;
    /// Retrieved.
    pub const RETRIEVED: i64 = 6;
    /// Diverted.
    pub const DIVERTED: i64 = 7;
    /// Queued.
    pub const QUEUED: i64 = 8;
    /// Transferred.
    pub const TRANSFERRED: i64 = 9;
    /// Conferenced.
    pub const CONFERENCED: i64 = 10;
    /// Released.
    pub const RELEASED: i64 = 11;
    /// Abandoned.
    pub const ABANDONED: i64 = 12;
    /// Failed / busy.
    pub const FAILED: i64 = 13;
    /// Party moved.
    pub const PARTY_MOVED: i64 = 15;
}

/// ParentLinkType (dict 11, §3.6).
pub mod link_type {
    /// No parent.
    pub const NONE: i64 = 0;
    /// Consultation.
    pub const CONSULT: i64 = 1;
    /// Transfer / redirect.
    pub const TRANSFER: i64 = 2;
    /// Conference.
    pub const CONFERENCE: i64 = 3;
    /// Distribution from RP / queue / VQ.
    pub const DISTRIBUTION: i64 = 4;
}

/// Agent activity codes (§3.7).
pub mod agent {
    /// Logged off.
    pub const LOGGED_OFF: i64 = 0;
    /// Logged in, readiness unknown.
    pub const LOGIN: i64 = 1;
    /// Not ready.
    pub const NOT_READY: i64 = 2;
    /// Ready.
    pub const READY: i64 = 3;
    /// After-call work.
    pub const ACW: i64 = 4;
    /// Busy.
    pub const BUSY: i64 = 5;
    /// Record type: state change.
    pub const RECORD_STATE: i64 = 5;
    /// Work mode: manual-in.
    pub const WM_MANUAL_IN: i64 = 1;
    /// Work mode: auto-in.
    pub const WM_AUTO_IN: i64 = 2;
    /// Work mode: after-call work.
    pub const WM_ACW: i64 = 3;
    /// Work mode: aux work.
    pub const WM_AUX: i64 = 4;
}

/// Link, outbound and control codes (§3.8).
pub mod misc {
    /// IsLinkType source.
    pub const LINK_SOURCE: i64 = 2;
    /// IsLinkType target.
    pub const LINK_TARGET: i64 = 3;
    /// IS-link state active.
    pub const LINK_ACTIVE: i64 = 1;
    /// IS-link state failed.
    pub const LINK_FAILED: i64 = 3;
    /// IS-link history: added.
    pub const LINK_ADDED: i64 = 1;
    /// IS-link history: deleted.
    pub const LINK_DELETED: i64 = 3;
    /// Record status active.
    pub const STATUS_ACTIVE: i64 = 1;
    /// Object state enabled.
    pub const STATE_ENABLED: i64 = 1;
    /// VQ Cause: distributed.
    pub const VQ_DIVERTED: i64 = 1;
    /// VQ Cause: abandoned.
    pub const VQ_ABANDONED: i64 = 2;
    /// VQ Cause: cleared.
    pub const VQ_CLEARED: i64 = 3;
    /// Route target type: agent group.
    pub const TARGET_AGENT_GROUP: i64 = 2;
    /// Route target type: skill expression.
    pub const TARGET_SKILL: i64 = 6;
    /// OCS call result: answered.
    pub const CALL_RESULT_ANSWER: i64 = 33;
    /// OCS call result: busy.
    pub const CALL_RESULT_BUSY: i64 = 6;
    /// OCS call result: no answer.
    pub const CALL_RESULT_NO_ANSWER: i64 = 7;
    /// OCS call result: answering machine.
    pub const CALL_RESULT_MACHINE: i64 = 9;
}

/// One enumeration class of G_DICT_TYPE with its G_DICTIONARY values.
pub struct DictType {
    /// Dictionary type id (the "DICTIONARY TYPE n" of the vendor pages; project ids where unknown).
    pub id: i64,
    /// Class name.
    pub name: &'static str,
    /// (value, name) pairs.
    pub values: &'static [(i64, &'static str)],
}

/// Every enumeration the transform resolves by name (idb.md §3); ids 900+ are project ids
/// for classes whose vendor number was not seen.
pub const DICTIONARY: &[DictType] = &[
    DictType {
        id: 1,
        name: "CallHistoryChangeType",
        values: &[
            (1, "call_created"),
            (2, "call_terminated"),
            (3, "call_merged"),
            (4, "call_trfailed"),
        ],
    },
    DictType {
        id: 3,
        name: "IRHistoryChangeType",
        values: &[(1, "created"), (2, "terminated"), (3, "merged")],
    },
    DictType {
        id: 7,
        name: "IRState",
        values: &[(1, "active"), (2, "terminated"), (3, "merged")],
    },
    DictType {
        id: 8,
        name: "PartyState",
        values: &[
            (0, "null"),
            (1, "initiated"),
            (2, "alerting"),
            (3, "connected"),
            (4, "held"),
            (5, "queued"),
            (6, "failed"),
        ],
    },
    DictType {
        id: 9,
        name: "PartyType",
        values: &[
            (0, "unknown"),
            (1, "internal"),
            (2, "external"),
            (3, "mm_place"),
            (4, "mm_queue"),
            (5, "mm_workbin"),
            (6, "mm_strategy"),
        ],
    },
    DictType {
        id: 10,
        name: "PartyRole",
        values: &[
            (0, "unknown"),
            (1, "originator"),
            (2, "destination"),
            (3, "conference_member"),
            (4, "observer"),
            (5, "distribution"),
        ],
    },
    DictType {
        id: 11,
        name: "ParentLinkType",
        values: &[
            (0, "none"),
            (1, "consultation"),
            (2, "transfer"),
            (3, "conference"),
            (4, "distribution"),
        ],
    },
    DictType {
        id: 21,
        name: "ISLinkState",
        values: &[
            (0, "unknown"),
            (1, "active"),
            (2, "terminated"),
            (3, "failed"),
        ],
    },
    DictType {
        id: 22,
        name: "ISLinkChangeType",
        values: &[(0, "unknown"), (1, "added"), (2, "moved"), (3, "deleted")],
    },
    DictType {
        id: 24,
        name: "RecordStatus",
        values: &[
            (0, "unknown"),
            (1, "active"),
            (2, "inactive"),
            (10, "sync_in_progress"),
        ],
    },
    DictType {
        id: 26,
        name: "ProviderTag",
        values: &[
            (1, "cfg"),
            (2, "gcc"),
            (3, "gud"),
            (4, "gls"),
            (5, "gos"),
            (6, "lrm"),
            (7, "svc"),
        ],
    },
    DictType {
        id: 27,
        name: "ISLinkType",
        values: &[
            (0, "bidirectional"),
            (1, "unidirectional"),
            (2, "source"),
            (3, "target"),
        ],
    },
    DictType {
        id: 29,
        name: "RouteTargetType",
        values: &[
            (0, "agent"),
            (1, "place"),
            (2, "agent_group"),
            (3, "place_group"),
            (4, "queue"),
            (5, "routing_point"),
            (6, "skill_expression"),
        ],
    },
    DictType {
        id: 71,
        name: "CampaignState",
        values: &[
            (0, "terminated"),
            (1, "loaded"),
            (2, "started"),
            (3, "unloading"),
        ],
    },
    DictType {
        id: 76,
        name: "ChainState",
        values: &[
            (0, "null"),
            (1, "scheduled"),
            (2, "processing"),
            (3, "processed"),
        ],
    },
    DictType {
        id: 86,
        name: "MergeType",
        values: &[
            (0, "none"),
            (1, "consultation"),
            (2, "transfer"),
            (3, "conference"),
        ],
    },
    DictType {
        id: 500,
        name: "ObjectState",
        values: &[(0, "unknown"), (1, "enabled"), (2, "disabled")],
    },
    DictType {
        id: 509,
        name: "PersonIsAgent",
        values: &[(0, "unknown"), (1, "no"), (2, "yes")],
    },
    DictType {
        id: 540,
        name: "GroupType",
        values: &[
            (0, "unknown"),
            (1, "agent"),
            (2, "place"),
            (3, "dn"),
            (4, "access"),
        ],
    },
    DictType {
        id: 901,
        name: "CallType",
        values: &[
            (0, "unknown"),
            (1, "internal"),
            (2, "inbound"),
            (3, "outbound"),
            (4, "consult"),
        ],
    },
    DictType {
        id: 902,
        name: "CallState",
        values: &[(1, "active"), (2, "terminated"), (3, "merged")],
    },
    DictType {
        id: 903,
        name: "PartyHistoryChangeType",
        values: &[
            (1, "created"),
            (2, "state_changed"),
            (3, "terminated"),
            (4, "moved"),
            (5, "attributes_changed"),
        ],
    },
    DictType {
        id: 904,
        name: "CCEvent",
        values: &[
            (1, "Initiated"),
            (2, "Dialing"),
            (3, "Ringing"),
            (4, "Established"),
            (5, "Held"),
            (6, "Retrieved"),
            (7, "Diverted"),
            (8, "Queued"),
            (9, "Transferred"),
            (10, "Conferenced"),
            (11, "Released"),
            (12, "Abandoned"),
            (13, "Failed"),
            (14, "NetworkReached"),
            (15, "PartyMoved"),
        ],
    },
    DictType {
        id: 905,
        name: "AgentState",
        values: &[
            (0, "logged_off"),
            (1, "login"),
            (2, "not_ready"),
            (3, "ready"),
            (4, "after_call_work"),
            (5, "busy"),
        ],
    },
    DictType {
        id: 906,
        name: "AgentStateRecordType",
        values: &[
            (-1, "unknown"),
            (0, "normal"),
            (5, "state"),
            (6, "pending_state"),
            (7, "work_mode"),
            (8, "call_connected"),
            (9, "call_disconnected"),
        ],
    },
    DictType {
        id: 907,
        name: "WorkMode",
        values: &[
            (0, "unknown"),
            (1, "manual_in"),
            (2, "auto_in"),
            (3, "after_call_work"),
            (4, "aux_work"),
            (5, "no_call_disconnect"),
            (6, "walk_away"),
            (7, "return_back"),
        ],
    },
    DictType {
        id: 908,
        name: "VQCause",
        values: &[(1, "diverted"), (2, "abandoned"), (3, "cleared")],
    },
    DictType {
        id: 909,
        name: "DSType",
        values: &[
            (1, "tserver"),
            (2, "interaction_server"),
            (3, "ocs"),
            (4, "configuration_server"),
        ],
    },
    DictType {
        id: 910,
        name: "DSConnType",
        values: &[
            (1, "first"),
            (2, "reconnect"),
            (3, "source_restart"),
            (4, "switch_reconnect"),
            (5, "switchover"),
        ],
    },
    DictType {
        id: 911,
        name: "UserDataChangeType",
        values: &[(1, "added"), (2, "updated"), (3, "deleted")],
    },
    DictType {
        id: 912,
        name: "OCSCallResult",
        values: &[
            (6, "busy"),
            (7, "no_answer"),
            (9, "answering_machine"),
            (33, "answer"),
        ],
    },
];
