//! The `tidemark simulate` flags turned into validated settings, in one place, before any
//! work starts.

use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};

use super::ids::{Ms, DAY, MIN};
use super::knobs::Knobs;
use super::SimulateArgs;

/// Everything a run needs, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// IDB URLs per site: one, or an HA pair (A, B).
    pub sites: Vec<Vec<String>>,
    /// Period start (epoch ms, inclusive).
    pub start: Ms,
    /// Period end (epoch ms, exclusive).
    pub end: Ms,
    /// Days simulated.
    pub days: u32,
    /// Interactions per day.
    pub per_day: u64,
    /// Seed of the random generator.
    pub seed: u64,
    /// Agents configured.
    pub agents: usize,
    /// Length of the session gap simulated in each HA partner's voice data, per day.
    pub ha_gap: Ms,
    /// Where to write the truth file.
    pub truth: Option<PathBuf>,
    /// Whether to show a progress bar.
    pub progress: bool,
}

impl Settings {
    /// Validates the flags against each other; `today` is midnight UTC of the current day.
    pub fn from_args(args: &SimulateArgs, today: Ms) -> anyhow::Result<Settings> {
        if args.days == 0 {
            bail!("--days must be at least 1");
        }
        if args.interactions_per_day == 0 {
            bail!("--interactions-per-day must be at least 1");
        }
        if !(1..=2).contains(&args.sites) {
            bail!("--sites must be 1 or 2 (got {})", args.sites);
        }
        let per_site = if args.ha { 2 } else { 1 };
        let expected = args.sites as usize * per_site;
        if args.idb.len() != expected {
            let layout = match (args.sites, args.ha) {
                (1, false) => "one --idb URL".to_string(),
                (1, true) => "two --idb URLs forming the HA pair (A, then B)".to_string(),
                (_, false) => "two --idb URLs, one per site (site 1, then site 2)".to_string(),
                (_, true) => "four --idb URLs: site 1 A, site 1 B, site 2 A, site 2 B".to_string(),
            };
            bail!(
                "--sites {}{} needs {layout}, but {} --idb URL{} given",
                args.sites,
                if args.ha { " --ha" } else { "" },
                args.idb.len(),
                if args.idb.len() == 1 {
                    " was"
                } else {
                    "s were"
                }
            );
        }
        let span = i64::from(args.days) * DAY;
        let (start, end) = match (&args.start, &args.end) {
            (Some(_), Some(_)) => bail!("give --start or --end, not both"),
            (Some(s), None) => {
                let s = parse_time(s, "--start")?;
                (s, s + span)
            }
            (None, Some(e)) => {
                let e = parse_time(e, "--end")?;
                (e - span, e)
            }
            (None, None) => (today - span, today),
        };
        let ha_gap = i64::from(args.ha_gap_minutes.unwrap_or(0)) * MIN;
        if ha_gap > 0 && !args.ha {
            bail!(
                "--ha-gap-minutes needs --ha (a gap is simulated in the B partner of an HA pair)"
            );
        }
        if ha_gap >= 6 * 60 * MIN {
            bail!("--ha-gap-minutes must be below 360 (one gap per day falls between 10:00 and 16:00 UTC)");
        }
        Ok(Settings {
            sites: args.idb.chunks(per_site).map(|c| c.to_vec()).collect(),
            start,
            end,
            days: args.days,
            per_day: args.interactions_per_day,
            seed: args.seed,
            agents: args
                .agents
                .unwrap_or_else(|| Knobs::default_agents(args.interactions_per_day))
                .max(2),
            ha_gap,
            truth: args.truth.clone(),
            progress: !args.no_progress,
        })
    }

    /// IDBs per site (1, or 2 with HA).
    pub fn replicas(&self) -> usize {
        self.sites.first().map_or(1, Vec::len)
    }

    /// Every IDB URL in flag order (site by site, A before B).
    pub fn urls(&self) -> Vec<String> {
        self.sites.iter().flatten().cloned().collect()
    }
}

fn parse_time(text: &str, flag: &str) -> anyhow::Result<Ms> {
    let t: DateTime<Utc> = DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
        })
        .with_context(|| {
            format!("{flag} {text:?} is not an RFC 3339 time (2026-11-01T00:00:00Z) or a date")
        })?;
    Ok(t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(urls: &[&str], sites: u8, ha: bool) -> SimulateArgs {
        SimulateArgs {
            idb: urls.iter().map(|s| s.to_string()).collect(),
            days: 1,
            interactions_per_day: 100,
            seed: 1,
            sites,
            ha,
            agents: None,
            start: None,
            end: None,
            truth: None,
            ha_gap_minutes: None,
            no_progress: true,
        }
    }

    #[test]
    fn url_counts_must_fit_the_layout() {
        let err = Settings::from_args(&args(&["sqlite://a"], 2, false), 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("one per site"), "{err}");
        let err = Settings::from_args(&args(&["sqlite://a", "sqlite://b"], 2, true), 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("four --idb URLs"), "{err}");
        let s = Settings::from_args(&args(&["a", "b", "c", "d"], 2, true), 0).unwrap();
        assert_eq!(
            s.sites,
            vec![
                vec!["a".to_string(), "b".into()],
                vec!["c".into(), "d".into()]
            ]
        );
    }

    #[test]
    fn period_defaults_to_the_days_before_today() {
        let s = Settings::from_args(&args(&["a"], 1, false), 10 * DAY).unwrap();
        assert_eq!((s.start, s.end), (9 * DAY, 10 * DAY));
        let mut a = args(&["a"], 1, false);
        a.start = Some("2026-11-01T00:00:00Z".into());
        let s = Settings::from_args(&a, 0).unwrap();
        assert_eq!(s.start, 1_793_491_200_000);
        assert_eq!(s.end - s.start, DAY);
    }
}
