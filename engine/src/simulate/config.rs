//! The simulated contact center's configuration (Configuration Server objects) and its
//! GC_* / GCX_* rows (idb.md §2.4). Object counts scale with the number of agents.
//!
//! DBID ranges: tenant 101, switches 201+, applications 1001+, agent groups 401+, skills
//! 501+, action codes 601+, campaigns 701+, calling lists 751+, fields 781+, time zones
//! 801+, scripts 901+, DNs 10 001+, persons 100 001+, places 200 001+, logins 300 001+.

use rand::Rng;

use super::ids::{Draw, Ms, SimRng, HOUR};
use super::stamp::{Role, RowStamp, Source, Stamper};
use super::tables::SiteTables;

/// CfgDNType values used (project reading of the Configuration Server enumeration).
pub mod dn_type {
    /// Extension.
    pub const EXTENSION: i64 = 1;
    /// ACD queue.
    pub const ACD_QUEUE: i64 = 3;
    /// Routing point.
    pub const ROUTING_POINT: i64 = 4;
    /// Virtual queue.
    pub const VIRTUAL_QUEUE: i64 = 5;
    /// Voice treatment port (IVR).
    pub const IVR_PORT: i64 = 14;
}

/// A configured DN.
#[derive(Debug, Clone)]
pub struct Dn {
    /// GC_ENDPOINT.ID.
    pub id: i64,
    /// The number (or VQ name).
    pub number: String,
    /// CfgDNType.
    pub kind: i64,
    /// Switch DBID.
    pub switch: i64,
}

/// A service the center sells: its routing point, virtual queue and target agent group.
#[derive(Debug, Clone)]
pub struct Service {
    /// Name (Sales, Service…).
    pub name: &'static str,
    /// Agent group index in [`Config::groups`].
    pub group: usize,
    /// Routing strategy name.
    pub strategy: String,
}

/// One switch with its ICON(s).
#[derive(Debug, Clone)]
pub struct Site {
    /// Switch DBID.
    pub switch: i64,
    /// Switch name (the IS-link location).
    pub name: String,
    /// T-Server application DBID.
    pub tserver: i64,
    /// Routing point per service.
    pub rps: Vec<Dn>,
    /// Virtual queue per service.
    pub vqs: Vec<Dn>,
    /// ACD queue for outbound campaign calls.
    pub acd_queue: Dn,
    /// IVR ports.
    pub ivr: Vec<Dn>,
    /// Voice agents of the site (indices into [`Config::agents`]).
    pub agents: Vec<usize>,
}

/// A person who is an agent.
#[derive(Debug, Clone)]
pub struct Agent {
    /// GC_AGENT.ID.
    pub id: i64,
    /// UserName (routing target name).
    pub user_name: String,
    /// Place DBID.
    pub place: i64,
    /// Place name.
    pub place_name: String,
    /// Agent login DBID (voice agents).
    pub login: i64,
    /// Extension DN (voice agents).
    pub dn: Dn,
    /// Site index.
    pub site: usize,
    /// Agent groups (indices into [`Config::groups`]).
    pub groups: Vec<usize>,
    /// Whether the agent handles e-mail and chat instead of voice.
    pub multimedia: bool,
    /// Middle of the daily shift, as an offset from midnight UTC.
    pub shift_center: Ms,
}

/// An agent group.
#[derive(Debug, Clone)]
pub struct Group {
    /// GC_GROUP.ID.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// A not-ready reason (GC_ACTION_CODE).
#[derive(Debug, Clone)]
pub struct Reason {
    /// DBID.
    pub id: i64,
    /// Name.
    pub name: &'static str,
    /// Code reported as the reason value.
    pub code: &'static str,
}

/// An outbound campaign with its calling list.
#[derive(Debug, Clone)]
pub struct Campaign {
    /// GC_CAMPAIGN.ID.
    pub id: i64,
    /// Name.
    pub name: String,
    /// GC_CALL_LIST.ID.
    pub list: i64,
    /// Agent group of the campaign group.
    pub group: usize,
}

/// A multimedia script object (interaction queue, workbin, strategy).
#[derive(Debug, Clone)]
pub struct Script {
    /// GC_SCRIPT.ID.
    pub id: i64,
    /// Name (the party's EndPointDN).
    pub name: String,
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Tenant DBID.
    pub tenant: i64,
    /// Switches monitored by the simulated ICONs.
    pub sites: Vec<Site>,
    /// A switch no ICON monitors (IS-links towards it are never paired).
    pub unmonitored_switch: String,
    /// Every agent.
    pub agents: Vec<Agent>,
    /// Agent groups.
    pub groups: Vec<Group>,
    /// Inbound services.
    pub services: Vec<Service>,
    /// Not-ready reasons.
    pub reasons: Vec<Reason>,
    /// Outbound campaigns.
    pub campaigns: Vec<Campaign>,
    /// Calling list field DBIDs with their names.
    pub fields: Vec<(i64, &'static str)>,
    /// E-mail and chat interaction queues.
    pub mm_queues: [Script; 2],
    /// Agent workbin.
    pub workbin: Script,
    /// E-mail and chat strategies.
    pub mm_strategies: [Script; 2],
    /// Interaction Server DBID.
    pub ixn_server: i64,
    /// OCS DBID.
    pub ocs: i64,
    /// Configuration Server DBID.
    pub cfg_server: i64,
    /// URS DBID.
    pub urs: i64,
}

const SERVICES: [&str; 4] = ["Sales", "Service", "Billing", "Support"];
const FIRST: [&str; 12] = [
    "Alice", "Bob", "Carla", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kim",
    "Luca",
];
const LAST: [&str; 10] = [
    "Smith", "Jones", "Garcia", "Miller", "Brown", "Davis", "Lopez", "Wilson", "Moore", "Clark",
];
const REASONS: [(&str, &str); 4] = [
    ("Break", "100"),
    ("Lunch", "200"),
    ("Training", "300"),
    ("Meeting", "400"),
];

/// ICON application DBID of replica `r` of site `s`.
pub fn icon_dbid(site: usize, replica: usize) -> i64 {
    1100 + 10 * site as i64 + replica as i64
}

impl Config {
    /// Builds a center with `agents` persons over `sites` switches; shifts follow `curve`
    /// (24 hourly weights).
    pub fn build(rng: &mut SimRng, sites: usize, agents: usize, curve: &[f64; 24]) -> Config {
        let mut groups: Vec<Group> = SERVICES
            .iter()
            .chain(["Outbound", "Email", "Chat"].iter())
            .enumerate()
            .map(|(i, n)| Group {
                id: 401 + i as i64,
                name: (*n).to_string(),
            })
            .collect();
        groups.shrink_to_fit();
        let width = agents.max(1000).to_string().len() as u32;
        let mut next_dn = 10_001;
        let mut dn = |switch: i64, number: String, kind: i64| {
            next_dn += 1;
            Dn {
                id: next_dn - 1,
                number,
                kind,
                switch,
            }
        };
        let mut site_list: Vec<Site> = (0..sites)
            .map(|s| {
                let switch = 201 + s as i64;
                let name = format!("SW{}", s + 1);
                Site {
                    rps: (0..SERVICES.len())
                        .map(|i| dn(switch, format!("7{}0{}", s, i), dn_type::ROUTING_POINT))
                        .collect(),
                    vqs: SERVICES
                        .iter()
                        .map(|n| dn(switch, format!("VQ_{n}_{name}"), dn_type::VIRTUAL_QUEUE))
                        .collect(),
                    acd_queue: dn(switch, format!("6{}00", s), dn_type::ACD_QUEUE),
                    ivr: (0..4)
                        .map(|i| dn(switch, format!("8{}0{}", s, i), dn_type::IVR_PORT))
                        .collect(),
                    agents: Vec::new(),
                    switch,
                    tserver: 1011 + s as i64,
                    name,
                }
            })
            .collect();
        let mm_count = if agents >= 8 { (agents / 8).max(2) } else { 0 };
        let agent_list: Vec<Agent> = (0..agents)
            .map(|i| {
                let multimedia = i >= agents - mm_count;
                let site = if multimedia { 0 } else { i % sites };
                let switch = site_list[site].switch;
                let number = format!("{}{:0w$}", 5 + site, i + 1, w = width as usize);
                let extension = dn(switch, number, dn_type::EXTENSION);
                let mut agent_groups = if multimedia {
                    vec![5, 6]
                } else {
                    let first = i % SERVICES.len();
                    let mut g = vec![first];
                    if rng.chance(0.5) {
                        g.push(
                            (first + 1 + rng.random_range(0..SERVICES.len() - 1)) % SERVICES.len(),
                        );
                    }
                    if site == 0 && rng.chance(0.3) {
                        g.push(4);
                    }
                    g
                };
                agent_groups.sort_unstable();
                let hour = rng.weighted(curve) as Ms;
                Agent {
                    id: 100_001 + i as i64,
                    user_name: format!(
                        "{}.{}{}",
                        FIRST[i % FIRST.len()].to_lowercase(),
                        LAST[(i / FIRST.len()) % LAST.len()].to_lowercase(),
                        i + 1
                    ),
                    place: 200_001 + i as i64,
                    place_name: format!("Place_{}", i + 1),
                    login: 300_001 + i as i64,
                    dn: extension,
                    site,
                    groups: agent_groups,
                    multimedia,
                    shift_center: hour * HOUR + rng.between(0, HOUR),
                }
            })
            .collect();
        for (i, a) in agent_list.iter().enumerate() {
            if !a.multimedia {
                site_list[a.site].agents.push(i);
            }
        }
        let script = |id: i64, name: &str| Script {
            id,
            name: name.to_string(),
        };
        Config {
            tenant: 101,
            sites: site_list,
            unmonitored_switch: "SW_REMOTE".to_string(),
            agents: agent_list,
            services: SERVICES
                .iter()
                .enumerate()
                .map(|(i, n)| Service {
                    name: n,
                    group: i,
                    strategy: format!("{n}_Inbound_Strategy"),
                })
                .collect(),
            groups,
            reasons: REASONS
                .iter()
                .enumerate()
                .map(|(i, (name, code))| Reason {
                    id: 601 + i as i64,
                    name,
                    code,
                })
                .collect(),
            campaigns: ["Renewals", "Winback"]
                .iter()
                .enumerate()
                .map(|(i, n)| Campaign {
                    id: 701 + i as i64,
                    name: n.to_string(),
                    list: 751 + i as i64,
                    group: 4,
                })
                .collect(),
            fields: vec![
                (781, "contact_info"),
                (782, "call_result"),
                (783, "attempt"),
                (784, "customer_id"),
            ],
            mm_queues: [
                script(901, "Email_Inbound_Queue"),
                script(902, "Chat_Inbound_Queue"),
            ],
            workbin: script(903, "Agent_Email_Workbin"),
            mm_strategies: [script(904, "Email_Routing"), script(905, "Chat_Routing")],
            ixn_server: 1021,
            ocs: 1031,
            cfg_server: 1001,
            urs: 1041,
        }
    }

    /// Writes every configuration row, as ICON's initial synchronisation at `at` stores them
    /// (times approximated: GSYS_EXT_INT1 = 1).
    pub fn write(&self, t: &mut SiteTables, stamper: &mut Stamper, at: Ms, icon_count: usize) {
        let mut out = CfgSink {
            t,
            stamper,
            at,
            tenant: self.tenant,
        };
        out.object("GC_TENANT", self.tenant, "Environment", &|_, _| {});
        for (i, tz) in ["GMT", "America/New_York", "Europe/Berlin"]
            .iter()
            .enumerate()
        {
            out.object("GC_TIME_ZONE", 801 + i as i64, tz, &|r, c| {
                r.str(c.description, tz);
            });
        }
        let mut apps: Vec<(i64, String, i64)> = vec![
            (self.cfg_server, "confserv".into(), 4),
            (self.ixn_server, "InteractionServer".into(), 5),
            (self.ocs, "OCServer".into(), 6),
            (self.urs, "URS".into(), 7),
        ];
        for (s, site) in self.sites.iter().enumerate() {
            apps.push((site.tserver, format!("TServer_{}", site.name), 1));
            for r in 0..icon_count {
                apps.push((
                    icon_dbid(s, r),
                    format!("ICON_{}_{}", site.name, ['A', 'B'][r.min(1)]),
                    8,
                ));
            }
        }
        for (id, name, kind) in &apps {
            out.object("GC_APPLICATION", *id, name, &|r, c| {
                r.int(c.type_, *kind).str(c.version, "8.1.514.08");
            });
        }
        for site in &self.sites {
            out.object("GC_SWITCH", site.switch, &site.name, &|r, c| {
                r.int(c.type_, 1).int(c.linktype, 1);
            });
            for d in site
                .rps
                .iter()
                .chain(&site.vqs)
                .chain(&site.ivr)
                .chain([&site.acd_queue])
            {
                out.dn(d);
            }
        }
        for g in &self.groups {
            out.object("GC_GROUP", g.id, &g.name, &|r, c| {
                r.int(c.type_, 1);
            });
        }
        for (i, s) in ["Sales", "Service", "Billing", "English", "Spanish"]
            .iter()
            .enumerate()
        {
            out.object("GC_SKILL", 501 + i as i64, s, &|_, _| {});
        }
        for reason in &self.reasons {
            out.object("GC_ACTION_CODE", reason.id, reason.name, &|r, c| {
                r.int(c.type_, 1).str(c.code, reason.code);
            });
        }
        let scripts = self
            .mm_queues
            .iter()
            .chain([&self.workbin])
            .chain(&self.mm_strategies);
        for (i, s) in scripts.enumerate() {
            let kind = [1, 1, 2, 3, 3][i];
            out.object("GC_SCRIPT", s.id, &s.name, &|r, c| {
                r.int(c.type_, kind);
            });
        }
        for camp in &self.campaigns {
            out.object("GC_CAMPAIGN", camp.id, &camp.name, &|r, c| {
                r.str(c.description, "outbound campaign");
            });
            out.object(
                "GC_CALL_LIST",
                camp.list,
                &format!("{}_List", camp.name),
                &|r, c| {
                    r.str(c.description, "calling list");
                },
            );
            out.link("GCX_CAMPLIST", &|r, c| {
                r.int(c.campaignid, camp.id).int(c.listid, camp.list);
            });
            let group = self.groups[camp.group].id;
            out.link("GCX_CAMPGROUP_INFO", &|r, c| {
                r.int(c.campaignid, camp.id)
                    .int(c.groupid, group)
                    .int(c.dialmode, 2);
            });
        }
        for (id, name) in &self.fields {
            out.object("GC_FIELD", *id, name, &|_, _| {});
        }
        for a in &self.agents {
            let name = a.user_name.clone();
            out.object("GC_AGENT", a.id, &name, &|r, c| {
                let (first, last) = name.split_once('.').unwrap_or((&name, ""));
                r.str(c.username, &name)
                    .str(c.firstname, first)
                    .str(
                        c.lastname,
                        last.trim_end_matches(|ch: char| ch.is_ascii_digit()),
                    )
                    .str(c.employeeid, &format!("E{}", a.id))
                    .str(c.email, &format!("{name}@example.com"))
                    .int(c.type_, 2)
                    .int(c.placeid, a.place);
            });
            out.object("GC_PLACE", a.place, &a.place_name, &|_, _| {});
            out.link("GCX_AGENT_PLACE", &|r, c| {
                r.int(c.placeid, a.place).int(c.agentid, a.id);
            });
            for g in &a.groups {
                let gid = self.groups[*g].id;
                out.link("GCX_GROUP_AGENT", &|r, c| {
                    r.int(c.groupid, gid).int(c.agentid, a.id);
                });
                out.link("GCX_SKILL_LEVEL", &|r, c| {
                    r.int(c.skillid, 501 + (*g as i64 % 3))
                        .int(c.agentid, a.id)
                        .int(c.slevel, 5 + (a.id % 5));
                });
            }
            if !a.multimedia {
                out.dn(&a.dn);
                out.object("GC_LOGIN", a.login, &a.login.to_string(), &|r, c| {
                    r.str(c.logincode, &(a.login - 299_000).to_string())
                        .int(c.switchid, a.dn.switch);
                });
                out.link("GCX_LOGIN_INFO", &|r, c| {
                    r.int(c.loginid, a.login)
                        .int(c.agentid, a.id)
                        .int(c.wrapuptime, 0);
                });
                out.link("GCX_ENDPOINT_PLACE", &|r, c| {
                    r.int(c.endpointid, a.dn.id).int(c.placeid, a.place);
                });
            }
        }
    }
}

/// Where configuration rows go: each row is stamped on its own, as ICON's synchronisation
/// inserts them one by one.
struct CfgSink<'a> {
    t: &'a mut SiteTables,
    stamper: &'a mut Stamper,
    at: Ms,
    tenant: i64,
}

impl CfgSink<'_> {
    fn stamps(&mut self) -> super::rows::Stamps {
        let at = self.at;
        self.stamper
            .stamp(&RowStamp::event(Role::Cfg, Source::CfgServer, at, (at, at)))
    }

    /// A GC_* object row with the shared skeleton; `extra` sets the table's own columns.
    fn object(
        &mut self,
        table: &str,
        id: i64,
        name: &str,
        extra: &dyn Fn(&mut super::rows::Row<'_>, &super::tables::CfgCols),
    ) {
        let st = self.stamps();
        let (at, tenant) = (self.at, self.tenant);
        let out = self.t.cfg(table);
        let c = out.c;
        let mut r = out.rows.row(&st);
        r.int(c.id, id)
            .int(c.tenantid, tenant)
            .str(c.name, name)
            .int(c.state, 1)
            .int(c.status, 1)
            .time(c.created, at)
            .time(c.lastchange, at)
            .int(c.reliability, 1);
        extra(&mut r, &c);
    }

    /// A GCX_* association row; `extra` sets its members and attributes.
    fn link(
        &mut self,
        table: &str,
        extra: &dyn Fn(&mut super::rows::Row<'_>, &super::tables::CfgLinkCols),
    ) {
        let st = self.stamps();
        let at = self.at;
        let out = self.t.cfg_link(table);
        let c = out.c;
        let mut r = out.rows.row(&st);
        r.int(c.status, 1).time(c.created, at).int(c.reliability, 1);
        extra(&mut r, &c);
    }

    /// A GC_ENDPOINT row.
    fn dn(&mut self, d: &Dn) {
        self.object("GC_ENDPOINT", d.id, &d.number, &|r, c| {
            r.int(c.switchid, d.switch)
                .str(c.dn, &d.number)
                .int(c.type_, d.kind)
                .int(c.registerall, 1);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn build_spreads_agents_over_sites_and_media() {
        let mut rng = SimRng::seed_from_u64(3);
        let c = Config::build(&mut rng, 2, 40, &[1.0; 24]);
        assert_eq!(c.agents.len(), 40);
        assert_eq!(c.agents.iter().filter(|a| a.multimedia).count(), 5);
        assert!(c.sites.iter().all(|s| !s.agents.is_empty()));
        let dns: std::collections::HashSet<i64> = c.agents.iter().map(|a| a.dn.id).collect();
        assert_eq!(dns.len(), 40);
    }
}
