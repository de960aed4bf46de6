//! Configuration (idb.md §2.4): the `GC_*` object tables, built from one skeleton
//! ([`gc_object`]), the `GCX_*` association tables, built from another ([`gcx`]), and
//! `GC_ANNEX`. All are extracted for `ICON_CFG` only.

use crate::extraction::{Completion, Domain, ExtractionDef, HwmRule};
use crate::table::{SqlType, TableDef, TableFamily};

use super::{finish, NAME};

/// The configuration tables: objects, GC_ANNEX, then associations.
pub(super) fn tables() -> Vec<TableDef> {
    let mut all = objects();
    all.push(gc_annex());
    all.extend(associations());
    all
}

/// Whether an object table has the skeleton's NAME column, and whether it is mandatory.
#[derive(Debug, Clone, Copy)]
enum ObjectName {
    /// `NAME varchar(255) NOT NULL`.
    Required,
    /// `NAME varchar(255)`, e.g. the alias of a DN.
    Optional,
    /// The object is identified otherwise (a person's user name, a login code).
    Absent,
}

/// Whether an object table has the skeleton's TENANTID column (every one but GC_TENANT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owned {
    ByTenant,
    NoTenant,
}

const DESCRIPTION: &str = "description";

/// A `GC_*` object table: ID, TENANTID, FOLDERID, NAME, the object's own columns, then
/// STATE, STATUS and the CREATED / DELETED / LASTCHANGE triplets; extracted by
/// `LASTCHANGE_TS`, which covers creation, update and deletion (idb.md §1.4, §5.7).
fn gc_object(
    name: &str,
    doc: &'static str,
    owned: Owned,
    object_name: ObjectName,
    specific: fn(TableDef) -> TableDef,
) -> TableDef {
    let mut t = TableDef::new(name, TableFamily::IdbConfig, doc)
        .req("ID", SqlType::Integer, "object DBID (Configuration Server)")
        .pk(&["ID"]);
    if owned == Owned::ByTenant {
        t = t.req("TENANTID", SqlType::Integer, "owning tenant, GC_TENANT.ID");
    }
    t = t.col("FOLDERID", SqlType::Integer, "folder, GC_FOLDER.ID");
    t = match object_name {
        ObjectName::Required => t.req("NAME", NAME, "object name"),
        ObjectName::Optional => t.col("NAME", NAME, "object name (alias)"),
        ObjectName::Absent => t,
    };
    let t = specific(t)
        .req(
            "STATE",
            SqlType::Integer,
            "dict 500: 0 unknown, 1 enabled, 2 disabled",
        )
        .req(
            "STATUS",
            SqlType::Integer,
            "dict 24: 0 unknown, 1 active, 2 inactive (deleted), 10 resync in progress",
        )
        .time3(
            "CREATED",
            true,
            "when ICON wrote the object (not its true creation)",
        )
        .time3("DELETED", false, "deletion time")
        .time3(
            "LASTCHANGE",
            true,
            "last change, including creation and deletion",
        );
    let rule = ExtractionDef::new(&[Domain::Cfg], HwmRule::column("LASTCHANGE_TS"))
        .completion(Completion::UpdatedInPlace)
        .key(&["ID"]);
    finish(t, rule)
}

fn objects() -> Vec<TableDef> {
    use ObjectName::{Absent, Optional, Required};
    use Owned::{ByTenant, NoTenant};
    vec![
        gc_object("GC_TENANT", "Tenant", NoTenant, Required, |t| t),
        gc_object(
            "GC_AGENT",
            "Person (agent or other user)",
            ByTenant,
            Absent,
            |t| {
                t.req("USERNAME", NAME, "user name")
                    .col("FIRSTNAME", SqlType::Varchar(64), "first name")
                    .col("LASTNAME", SqlType::Varchar(64), "last name")
                    .req("EMPLOYEEID", SqlType::Varchar(64), "employee id")
                    .col("EMAIL", NAME, "e-mail address")
                    .req(
                        "TYPE",
                        SqlType::Integer,
                        "dict 509: 0 unknown, 1 not an agent, 2 agent",
                    )
                    .req(
                        "PLACEID",
                        SqlType::Integer,
                        "default place, GC_PLACE.ID (0 if none)",
                    )
                    .col("EXTERNALID", NAME, "external id")
                    .col(
                        "CAPACITYRULEID",
                        SqlType::Integer,
                        "capacity rule (script DBID)",
                    )
                    .col("SITEID", SqlType::Integer, "site (folder DBID)")
            },
        ),
        gc_object("GC_PLACE", "Place", ByTenant, Required, |t| {
            t.col(
                "CAPACITYRULEID",
                SqlType::Integer,
                "capacity rule (script DBID)",
            )
            .col("SITEID", SqlType::Integer, "site (folder DBID)")
        }),
        gc_object(
            "GC_GROUP",
            "Agent, place, DN or access group",
            ByTenant,
            Required,
            |t| {
                t.req(
                    "TYPE",
                    SqlType::Integer,
                    "dict 540: 0 unknown, 1 agent, 2 place, 3 DN, 4 access group",
                )
                .col("DNGROUPTYPE", SqlType::Integer, "dict 508, DN groups only")
                .col(
                    "SCRIPT",
                    SqlType::Varchar(1024),
                    "virtual agent group expression",
                )
            },
        ),
        gc_object("GC_SKILL", "Skill", ByTenant, Required, |t| t),
        gc_object("GC_LOGIN", "Agent login", ByTenant, Absent, |t| {
            t.req("LOGINCODE", NAME, "login code").req(
                "SWITCHID",
                SqlType::Integer,
                "switch, GC_SWITCH.ID",
            )
        }),
        gc_object("GC_ENDPOINT", "DN", ByTenant, Optional, |t| {
            t.req("SWITCHID", SqlType::Integer, "switch, GC_SWITCH.ID")
                .col("DN", NAME, "the number")
                .col("TYPE", SqlType::Integer, "CfgDNType: extension, ACD position, ACD queue, routing point, virtual queue, trunk, …")
                .col("ASSOCIATION", NAME, "association (e.g. the queue of a virtual queue)")
                .col("REGISTERALL", SqlType::Integer, "register flag (CfgDNRegisterFlag)")
                .col("GROUPID", SqlType::Integer, "DN group, GC_GROUP.ID")
        }),
        gc_object("GC_SWITCH", "Switch", ByTenant, Required, |t| {
            t.col("TYPE", SqlType::Integer, "dict 501 CfgSwitchType")
                .col("LINKTYPE", SqlType::Integer, "dict 502")
        }),
        gc_object(
            "GC_APPLICATION",
            "Application (T-Server, Interaction Server, OCS, …)",
            ByTenant,
            Required,
            |t| {
                t.col("TYPE", SqlType::Integer, "CfgAppType").col(
                    "VERSION",
                    SqlType::Varchar(64),
                    "application version",
                )
            },
        ),
        gc_object("GC_TIME_ZONE", "Time zone", ByTenant, Required, |t| {
            t.col("DESCRIPTION", NAME, DESCRIPTION)
                .col(
                    "UTCOFFSET",
                    SqlType::Integer,
                    "standard offset from UTC in minutes",
                )
                .col(
                    "ISDSTOBSERVED",
                    SqlType::SmallInt,
                    "1 if daylight saving time is observed",
                )
                .col("NAMEJAVA", NAME, "IANA (Java) zone id, e.g. Europe/Paris")
        }),
        gc_object("GC_FOLDER", "Folder", ByTenant, Required, |t| {
            t.col(
                "TYPE",
                SqlType::Integer,
                "dict 528 CfgObjectType of the folder's content",
            )
            .col("OWNERID", SqlType::Integer, "owner object DBID")
            .col(
                "OWNERTYPE",
                SqlType::Integer,
                "owner object type (dict 528)",
            )
        }),
        gc_object(
            "GC_ACTION_CODE",
            "Action (reason) code",
            ByTenant,
            Required,
            |t| {
                t.col(
                    "TYPE",
                    SqlType::Integer,
                    "CfgActionCodeType: not ready, after-call work, DND, logout, …",
                )
                .col("CODE", NAME, "code value")
            },
        ),
        gc_object(
            "GC_BUS_ATTRIBUTE",
            "Business attribute (media type, service type, customer segment, …)",
            ByTenant,
            Required,
            |t| {
                t.col("DISPLAYNAME", NAME, "display name")
                    .col("DESCRIPTION", NAME, DESCRIPTION)
                    .col(
                        "TYPE",
                        SqlType::Integer,
                        "business attribute type (CfgBusinessAttributeType)",
                    )
            },
        ),
        gc_object(
            "GC_ATTR_VALUE",
            "Business attribute value",
            ByTenant,
            Required,
            |t| {
                t.req(
                    "ATTRIBUTEID",
                    SqlType::Integer,
                    "business attribute, GC_BUS_ATTRIBUTE.ID",
                )
                .col("DISPLAYNAME", NAME, "display name")
                .col("DESCRIPTION", NAME, DESCRIPTION)
                .col(
                    "ISDEFAULT",
                    SqlType::SmallInt,
                    "1 if the attribute's default value",
                )
            },
        ),
        gc_object(
            "GC_SCRIPT",
            "Script (interaction queue, workbin, strategy, …)",
            ByTenant,
            Required,
            |t| {
                t.col(
                    "TYPE",
                    SqlType::Integer,
                    "CfgScriptType: interaction queue, workbin, strategy, …",
                )
            },
        ),
        gc_object(
            "GC_CAMPAIGN",
            "Outbound campaign",
            ByTenant,
            Required,
            |t| t.col("DESCRIPTION", NAME, DESCRIPTION),
        ),
        gc_object(
            "GC_CALL_LIST",
            "Outbound calling list",
            ByTenant,
            Required,
            |t| {
                t.col("DESCRIPTION", NAME, DESCRIPTION)
                    .col(
                        "TABLEACCESSID",
                        SqlType::Integer,
                        "table access object DBID",
                    )
                    .col("FILTERID", SqlType::Integer, "filter object DBID")
            },
        ),
    ]
}

fn gc_annex() -> TableDef {
    let t = TableDef::new(
        "GC_ANNEX",
        TableFamily::IdbConfig,
        "One annex (options tab) value of a configuration object",
    )
    .req("ID", SqlType::BigSerial, "surrogate key")
    .pk(&["ID"])
    .col("CFGOBJECTID", SqlType::Integer, "object DBID")
    .col("CFGOBJECTTYPE", SqlType::SmallInt, "object type (dict 528)")
    .col(
        "SECTIONKEYHASH",
        SqlType::Integer,
        "hash of section and key",
    )
    .col("SECTIONNAME", NAME, "annex section")
    .col("KEYNAME", NAME, "option name")
    .col("TENANTID", SqlType::Integer, "tenant")
    .col("VALUE", NAME, "option value")
    .col(
        "STATUS",
        SqlType::Integer,
        "0 unknown, 1 enabled, 2 disabled/terminated, 10 system",
    )
    .time3("CREATED", false, "when ICON wrote the value")
    .time3("DELETED", false, "deletion time")
    .time3(
        "LASTCHANGE",
        true,
        "last change, including creation and deletion",
    );
    let rule = ExtractionDef::new(&[Domain::Cfg], HwmRule::column("LASTCHANGE_TS"))
        .completion(Completion::UpdatedInPlace)
        .key(&["CFGOBJECTID", "CFGOBJECTTYPE", "SECTIONNAME", "KEYNAME"]);
    finish(t, rule)
}

/// One identifying column of an association: name, type and meaning.
type Member = (&'static str, SqlType, &'static str);

/// An identifying DBID column of an association.
const fn dbid(name: &'static str, doc: &'static str) -> Member {
    (name, SqlType::Integer, doc)
}

/// A `GCX_*` association table: ID, the identifying members (NOT NULL; the business key),
/// its attributes, STATUS and the CREATED / DELETED triplets; extracted by the greater of
/// `CREATED_TS` and `DELETED_TS` (idb.md §5.7). Ended associations stay with STATUS 2.
fn gcx(
    name: &str,
    doc: &'static str,
    members: &[Member],
    attributes: fn(TableDef) -> TableDef,
) -> TableDef {
    let t = TableDef::new(name, TableFamily::IdbConfig, doc)
        .req("ID", SqlType::BigSerial, "surrogate key")
        .pk(&["ID"]);
    let t = members
        .iter()
        .fold(t, |t, &(col, ty, doc)| t.req(col, ty, doc));
    let t = attributes(t)
        .req(
            "STATUS",
            SqlType::Integer,
            "dict 24: 0 unknown, 1 active, 2 inactive (association ended)",
        )
        .time3("CREATED", true, "when ICON wrote the association")
        .time3("DELETED", false, "when the association ended");
    let key: Vec<&str> = members.iter().map(|m| m.0).collect();
    let rule = ExtractionDef::new(
        &[Domain::Cfg],
        HwmRule::greatest(&["CREATED_TS", "DELETED_TS"]),
    )
    .completion(Completion::UpdatedInPlace)
    .key(&key);
    finish(t, rule)
}

fn associations() -> Vec<TableDef> {
    let agent = dbid("AGENTID", "person, GC_AGENT.ID");
    let group = dbid("GROUPID", "group, GC_GROUP.ID");
    let place = dbid("PLACEID", "place, GC_PLACE.ID");
    let endpoint = dbid("ENDPOINTID", "DN, GC_ENDPOINT.ID");
    let campaign = dbid("CAMPAIGNID", "campaign, GC_CAMPAIGN.ID");
    vec![
        gcx(
            "GCX_SKILL_LEVEL",
            "Skill of a person, with its level",
            &[dbid("SKILLID", "skill, GC_SKILL.ID"), agent],
            |t| t.col("SLEVEL", SqlType::Integer, "skill level"),
        ),
        gcx(
            "GCX_LOGIN_INFO",
            "Agent login assigned to a person",
            &[dbid("LOGINID", "login, GC_LOGIN.ID"), agent],
            |t| t.col("WRAPUPTIME", SqlType::Integer, "wrap-up time in seconds"),
        ),
        gcx(
            "GCX_AGENT_PLACE",
            "Default place of a person",
            &[place, agent],
            |t| t,
        ),
        gcx(
            "GCX_GROUP_AGENT",
            "Member of an agent group",
            &[group, agent],
            |t| t,
        ),
        gcx(
            "GCX_GROUP_PLACE",
            "Member of a place group",
            &[group, place],
            |t| t,
        ),
        gcx(
            "GCX_GROUP_ENDPOINT",
            "Member of a DN group",
            &[group, endpoint],
            |t| t,
        ),
        gcx(
            "GCX_ENDPOINT_PLACE",
            "DN assigned to a place",
            &[endpoint, place],
            |t| t,
        ),
        gcx(
            "GCX_GROUP_ROUTEDN",
            "Route DN of a group",
            &[group, endpoint],
            |t| t,
        ),
        gcx(
            "GCX_SUBCODE",
            "Subcode of an action code",
            &[
                dbid("CODEID", "action code, GC_ACTION_CODE.ID"),
                ("NAME", NAME, "subcode name"),
            ],
            |t| t.req("CODE", NAME, "subcode value"),
        ),
        gcx(
            "GCX_CAMPLIST",
            "Calling list of a campaign",
            &[campaign, dbid("LISTID", "calling list, GC_CALL_LIST.ID")],
            |t| {
                t.col(
                    "ISACTIVE",
                    SqlType::SmallInt,
                    "1 if the list is active in the campaign",
                )
                .col(
                    "SHARE",
                    SqlType::Integer,
                    "share of the list in the campaign's dialing, percent",
                )
            },
        ),
        gcx(
            "GCX_CAMPGROUP_INFO",
            "Campaign group: a campaign run by an agent or place group",
            &[campaign, group],
            |t| {
                t.col("DIALMODE", SqlType::Integer, "dial mode")
                    .col("OPTMETHOD", SqlType::Integer, "optimisation method")
                    .col(
                        "OPTMETHODVALUE",
                        SqlType::Integer,
                        "optimisation target value",
                    )
            },
        ),
    ]
}
