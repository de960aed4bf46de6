//! The generation loop: builds the center, then walks the period in time order —
//! agent logins and logouts, campaign loads and interaction arrivals — generating each
//! interaction whole and handing full batches to the writers.

use indicatif::ProgressBar;
use rand::{Rng, SeedableRng};
use tokio::sync::mpsc;

use super::config::{icon_dbid, Config};
use super::ids::{Draw, Ms, SimRng, DAY, HOUR, MIN, SEC};
use super::knobs::{arrivals, Kind, Knobs};
use super::outbound::plan_sessions;
use super::rows::BATCH_ROWS;
use super::settings::Settings;
use super::stamp::{ReplicaSpec, Role, RowStamp, Source, SourceLink, Stamper};
use super::tables::SiteTables;
use super::truth::Truth;
use super::world::{SiteOut, World};
use super::writer::Batch;

/// What the generator reports back.
#[derive(Debug, Default)]
pub struct Generated {
    /// Interactions generated.
    pub interactions: u64,
    /// Truth records written.
    pub truth_records: u64,
    /// NOT NULL columns no scenario filled, per table (should stay empty).
    pub unset_required: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone, Copy)]
enum Agenda {
    Logout(usize, Ms),
    Login(usize, Ms),
    Campaign(usize),
}

/// First surrogate id per replica: the B partner of an HA pair numbers its rows apart.
const FIRST_IDS: [i64; 2] = [1, 100_000_001];

fn links(cfg: &Config, site: usize) -> Vec<SourceLink> {
    let s = &cfg.sites[site];
    let mut v = Vec::new();
    if site == 0 {
        v.push(SourceLink {
            role: Role::Cfg,
            source: Source::CfgServer,
            ds_dbid: cfg.cfg_server,
            switch: None,
        });
    }
    for role in [Role::Gcc, Role::Gud, Role::Gls] {
        v.push(SourceLink {
            role,
            source: Source::TServer,
            ds_dbid: s.tserver,
            switch: Some(s.switch),
        });
        if site == 0 {
            v.push(SourceLink {
                role,
                source: Source::IxnServer,
                ds_dbid: cfg.ixn_server,
                switch: None,
            });
        }
    }
    if site == 0 {
        v.push(SourceLink {
            role: Role::Gos,
            source: Source::Ocs,
            ds_dbid: cfg.ocs,
            switch: None,
        });
    }
    v
}

/// Gaps of the B partner: one per day, between 10:00 and 16:00 UTC.
fn gaps(rng: &mut SimRng, s: &Settings) -> Vec<(Ms, Ms)> {
    if s.ha_gap == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut day = s.start - s.start.rem_euclid(DAY);
    while day < s.end {
        let from = day + 10 * HOUR + rng.between(0, 6 * HOUR - s.ha_gap);
        if from >= s.start && from + s.ha_gap <= s.end {
            out.push((from, from + s.ha_gap));
        }
        day += DAY;
    }
    out
}

fn shifts(cfg: &Config, s: &Settings) -> Vec<(Ms, Agenda)> {
    let mut out = Vec::new();
    let first_day = s.start - s.start.rem_euclid(DAY);
    for (a, agent) in cfg.agents.iter().enumerate() {
        for d in -1..=i64::from(s.days) {
            let center = first_day + d * DAY + agent.shift_center;
            let (login, logout) = (
                (center - 4 * HOUR).max(s.start),
                (center + 4 * HOUR).min(s.end),
            );
            if logout - login >= 30 * MIN {
                out.push((login, Agenda::Login(a, logout)));
                out.push((logout, Agenda::Logout(a, logout)));
            }
        }
    }
    out
}

/// Runs the whole simulation, sending every batch to `senders[idb]` (site by site, A before
/// B). Blocking: call it from a blocking task.
pub fn generate(
    s: &Settings,
    senders: &[mpsc::Sender<Batch>],
    progress: &ProgressBar,
) -> anyhow::Result<Generated> {
    let mut rng = SimRng::seed_from_u64(s.seed);
    let knobs = Knobs::default();
    let cfg = Config::build(&mut rng, s.sites.len(), s.agents, &knobs.curve);
    let replicas = s.replicas();
    let icon_start = s.start - HOUR;
    let mut sites = Vec::new();
    for site in 0..cfg.sites.len() {
        let specs = (0..replicas)
            .map(|r| ReplicaSpec {
                icon_dbid: icon_dbid(site, r),
                first_dss_id: 11 + 40 * (replicas * site + r) as i32,
                seq_base: r as i64 * 100_000_000_000_000_000,
                gaps: if r == 1 {
                    gaps(&mut rng, s)
                } else {
                    Vec::new()
                },
            })
            .collect();
        let stamper = Stamper::new(icon_start, &links(&cfg, site), specs);
        sites.push(SiteOut {
            tables: SiteTables::open(&FIRST_IDS[..replicas]),
            stamper,
        });
    }
    let truth = Truth::open(s.truth.as_deref())?;
    let mut w = World::new(cfg, knobs, rng, sites, truth, (s.start, s.end));
    {
        let out = &mut w.sites[0];
        w.cfg.write(
            &mut out.tables,
            &mut out.stamper,
            icon_start + SEC,
            replicas,
        );
    }
    if w.cfg.sites.len() > 1 {
        for out in &mut w.sites {
            let st = out.stamper.stamp(&RowStamp::plain());
            let c = out.tables.remote_loc.c;
            out.tables
                .remote_loc
                .rows
                .row(&st)
                .str(c.remotelocation, &w.cfg.unmonitored_switch);
        }
    }
    let sessions = plan_sessions(&mut w);
    let mut agenda = shifts(&w.cfg, s);
    agenda.extend(
        sessions
            .iter()
            .enumerate()
            .map(|(i, x)| (x.load, Agenda::Campaign(i))),
    );
    agenda.sort_by_key(|(t, e)| (*t, matches!(e, Agenda::Login(..))));

    let cdf = w.knobs.day_cdf();
    let mut next = 0usize;
    let mut seq = 0u64;
    let send = |site: usize, replica: usize, def, batch| -> anyhow::Result<()> {
        senders[site * replicas + replica]
            .blocking_send((def, batch))
            .map_err(|_| anyhow::anyhow!("an IDB writer stopped early"))
    };
    for day in 0..i64::from(s.days) {
        let window = s.start + day * DAY;
        let tod = window.rem_euclid(DAY);
        let mut times: Vec<Ms> = arrivals(&mut w.rng, &cdf, s.per_day)
            .into_iter()
            .map(|off| window + (off - tod).rem_euclid(DAY))
            .collect();
        times.sort_unstable();
        for t in times {
            while next < agenda.len() && agenda[next].0 <= t {
                run_agenda(&mut w, agenda[next], &sessions);
                next += 1;
            }
            let kind = w.knobs.kind(&mut w.rng);
            match kind {
                Kind::Inbound => w.inbound(t, seq),
                Kind::Internal => w.internal(t, seq),
                Kind::AgentOutbound => w.agent_outbound(t, seq),
                Kind::Campaign => w.campaign_call(t, seq, &sessions),
                Kind::Email => w.email(t, seq),
                Kind::Chat => w.chat(t, seq),
            }
            seq += 1;
            if seq.is_multiple_of(2048) {
                for (site, out) in w.sites.iter_mut().enumerate() {
                    out.stamper.advance(t);
                    out.tables
                        .flush(BATCH_ROWS, &mut |r, def, b| send(site, r, def, b))?;
                }
                progress.set_position(seq);
            }
        }
    }
    while next < agenda.len() {
        run_agenda(&mut w, agenda[next], &sessions);
        next += 1;
    }
    w.flush_pending_email();
    progress.set_position(seq);
    let mut unset = Vec::new();
    for (site, out) in w.sites.iter_mut().enumerate() {
        out.stamper.write_control(&mut out.tables);
        out.tables
            .flush(1, &mut |r, def, b| send(site, r, def, b))?;
        unset.extend(out.tables.unset_required());
    }
    let truth = std::mem::replace(&mut w.truth, Truth::open(None)?);
    Ok(Generated {
        interactions: seq,
        truth_records: truth.finish()?,
        unset_required: unset,
    })
}

fn run_agenda(
    w: &mut World,
    (t, event): (Ms, Agenda),
    sessions: &[super::outbound::CampaignSession],
) {
    match event {
        Agenda::Login(a, shift_end) => {
            if !w.roster.logged_in(a) {
                let site = w.cfg.agents[a].site;
                let jitter = w.rng.random_range(0..30 * SEC);
                let (roster, mut ctx) = w.split(site);
                roster.login(&mut ctx, a, t + jitter, shift_end);
                if w.cfg.agents[a].multimedia {
                    w.drain_pending_email(t + jitter);
                }
            }
        }
        Agenda::Logout(a, shift_end) => {
            if w.roster.logged_in(a) {
                let site = w.cfg.agents[a].site;
                let (roster, mut ctx) = w.split(site);
                roster.logout(&mut ctx, a, shift_end);
            }
        }
        Agenda::Campaign(i) => w.write_campaign_session(&sessions[i]),
    }
}
