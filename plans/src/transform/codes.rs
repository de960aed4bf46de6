//! The IDB codes the transform reads (idb.md §3) and the configuration object types it
//! keys resources by, in one place so a corrected code is one edit.

/// G_CALL.CallType: internal call.
pub const CALL_INTERNAL: i32 = 1;
/// G_CALL.CallType: inbound call.
pub const CALL_INBOUND: i32 = 2;
/// G_CALL.CallType: outbound call.
pub const CALL_OUTBOUND: i32 = 3;
/// G_CALL.CallType: consultation call.
pub const CALL_CONSULT: i32 = 4;

/// G_PARTY.Type: internal party (a configured DN).
pub const PARTY_INTERNAL: i32 = 1;
/// G_PARTY.Type: external party (the customer on a voice call).
pub const PARTY_EXTERNAL: i32 = 2;

/// G_PARTY.Type: multimedia place (an agent's desktop).
pub const PARTY_MM_PLACE: i32 = 3;
/// G_PARTY.Type: multimedia interaction queue.
pub const PARTY_MM_QUEUE: i32 = 4;
/// G_PARTY.Type: multimedia workbin.
pub const PARTY_MM_WORKBIN: i32 = 5;
/// G_PARTY.Type: multimedia routing strategy.
pub const PARTY_MM_STRATEGY: i32 = 6;

/// G_PARTY.PRole: originator.
pub const ROLE_ORIGINATOR: i32 = 1;

/// Party state (dict 8): dialing.
pub const STATE_DIALING: i32 = 1;
/// Party state: alerting.
pub const STATE_ALERTING: i32 = 2;
/// Party state: connected.
pub const STATE_CONNECTED: i32 = 3;
/// Party state: held.
pub const STATE_HELD: i32 = 4;
/// Party state: failed / busy.
pub const STATE_FAILED: i32 = 6;

/// CCEvent: diverted (left alerting without answer).
pub const EVENT_DIVERTED: i32 = 7;
/// CCEvent: transferred.
pub const EVENT_TRANSFERRED: i32 = 9;
/// CCEvent: conferenced.
pub const EVENT_CONFERENCED: i32 = 10;
/// CCEvent: released (connection cleared).
pub const EVENT_RELEASED: i32 = 11;
/// CCEvent: abandoned.
pub const EVENT_ABANDONED: i32 = 12;
/// CCEvent: failed / busy.
pub const EVENT_FAILED: i32 = 13;

/// ParentLinkType (dict 11): consultation.
pub const LINK_CONSULT: i32 = 1;
/// ParentLinkType: transfer / redirect.
pub const LINK_TRANSFER: i32 = 2;
/// ParentLinkType: conference.
pub const LINK_CONFERENCE: i32 = 3;

/// CfgDNType of an extension.
pub const DN_EXTENSION: i32 = 1;
/// CfgDNType of an ACD queue.
pub const DN_ACD_QUEUE: i32 = 3;
/// CfgDNType of a routing point.
pub const DN_ROUTING_POINT: i32 = 4;
/// CfgDNType of a virtual queue.
pub const DN_VIRTUAL_QUEUE: i32 = 5;
/// CfgDNType of an IVR port.
pub const DN_IVR_PORT: i32 = 14;

/// G_VIRTUAL_QUEUE.Cause: distributed to a target.
pub const VQ_DIVERTED: i32 = 1;
/// G_VIRTUAL_QUEUE.Cause: abandoned in the queue.
pub const VQ_ABANDONED: i32 = 2;

/// G_AGENT_STATE_HISTORY.Type of a state record.
pub const AGENT_RECORD_STATE: i32 = 5;
/// Agent state: after-call work.
pub const AGENT_STATE_ACW: i32 = 4;

/// Configuration object type (CfgObjectType) of a DN.
pub const CFG_DN: i32 = 2;
/// Configuration object type of a Person (agent).
pub const CFG_PERSON: i32 = 3;
/// Configuration object type of a Place.
pub const CFG_PLACE: i32 = 4;
/// Configuration object type of an agent group.
pub const CFG_AGENT_GROUP: i32 = 5;
/// Configuration object type of a place group.
pub const CFG_PLACE_GROUP: i32 = 6;
/// Configuration object type of a Tenant.
pub const CFG_TENANT: i32 = 7;
/// Configuration object type of a Script (interaction queue, workbin, strategy).
pub const CFG_SCRIPT: i32 = 12;
/// Configuration object type of a Skill.
pub const CFG_SKILL: i32 = 13;
/// Configuration object type of a DN group.
pub const CFG_DN_GROUP: i32 = 17;

/// IF.STATUS of an interaction the merge emitted partially merged (MergeState 2).
pub const STATUS_PARTIALLY_MERGED: i32 = 1;

/// Sentinel key of an unknown dimension member.
pub const UNKNOWN_KEY: i32 = -1;
/// Sentinel key of "no value".
pub const NO_VALUE_KEY: i32 = -2;
