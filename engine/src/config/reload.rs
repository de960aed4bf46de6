//! Hot reconfiguration support (operations.md §0.5): which options differ between two
//! configurations, and when each change takes effect, read from the option's doc comment.

use toml::{Table, Value};

use super::sections::{doc_field, sections, SectionInfo, Shape};
use super::Config;

/// When a changed option is applied by a running server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TakesEffect {
    /// Within one scheduler tick (at most 60 s).
    Immediate,
    /// At the start of the next run of the named job (`Job_MaintainGIM`, …).
    NextRun(String),
    /// At the start of the next ETL cycle.
    NextEtlCycle,
    /// Only after a restart of the process.
    Restart,
    /// Only when the schema is initialised; a later change needs a rebuild.
    Initialisation,
    /// When the server next enters the migration state.
    MigrationState,
    /// Never: the option is accepted for compatibility and ignored.
    Never,
}

impl TakesEffect {
    /// Reads the class from the first code span of a `Takes effect:` doc line.
    pub(crate) fn from_doc(text: &str) -> Option<Self> {
        let class = text.split('`').nth(1)?;
        Some(match class {
            "immediate" => Self::Immediate,
            "next-etl-cycle" => Self::NextEtlCycle,
            "restart" => Self::Restart,
            "initialisation" => Self::Initialisation,
            "migration-state" => Self::MigrationState,
            "never" => Self::Never,
            other => Self::NextRun(
                other
                    .strip_prefix("next-run:")
                    .filter(|job| job.starts_with("Job_"))?
                    .to_owned(),
            ),
        })
    }
}

/// One option whose value differs between two configurations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `[section] option`, or `[[dap]]` when the DAP list changed.
    pub location: String,
    /// When the running server applies it.
    pub takes_effect: TakesEffect,
}

/// The options that differ between `old` and `new`, in registry order.
pub(crate) fn changes(old: &Config, new: &Config) -> Vec<Change> {
    let before = Table::try_from(old).expect("a configuration serialises to TOML");
    let after = Table::try_from(new).expect("a configuration serialises to TOML");
    let mut found = Vec::new();
    for info in sections() {
        match info.shape {
            Shape::Table => {
                let section = |t: &Table| t.get(info.name).and_then(Value::as_table).cloned();
                compare(
                    &mut found,
                    &info,
                    info.name,
                    section(&before),
                    section(&after),
                );
            }
            Shape::Array => {
                if before.get(info.name) != after.get(info.name) {
                    found.push(Change {
                        location: format!("[[{}]]", info.name),
                        takes_effect: TakesEffect::Restart,
                    });
                }
            }
            Shape::Prefixed => {
                let names = old.calendars.keys().chain(new.calendars.keys());
                let mut names: Vec<&String> = names.collect();
                names.sort();
                names.dedup();
                for name in names {
                    let table = |c: &Config| {
                        c.calendars
                            .get(name)
                            .and_then(|cal| Table::try_from(cal).ok())
                    };
                    compare(
                        &mut found,
                        &info,
                        &format!("date-time-{name}"),
                        table(old),
                        table(new),
                    );
                }
            }
        }
    }
    found
}

fn compare(
    found: &mut Vec<Change>,
    info: &SectionInfo,
    section: &str,
    old: Option<Table>,
    new: Option<Table>,
) {
    let (old, new) = (old.unwrap_or_default(), new.unwrap_or_default());
    for option in info.options {
        if old.get(*option) != new.get(*option) {
            let doc =
                doc_field(info.option_description(option), "Takes effect:").unwrap_or_default();
            found.push(Change {
                location: format!("[{section}] {option}"),
                takes_effect: TakesEffect::from_doc(doc).unwrap_or(TakesEffect::Restart),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn changes_name_each_option_and_its_class() {
        let old = Config::default_for_demo(Path::new("demo"));
        let mut new = old.clone();
        new.schedule.run_scheduler = true;
        new.gim_etl.days_to_keep_gidb_facts = 7;
        new.gim_etl.cp_reuse_count = 5;
        new.date_time.date_time_tz = "UTC".parse().unwrap();
        new.calendars.insert("fiscal".into(), Default::default());
        new.dap[0].url = "sqlite://other.db".into();
        let changes = old.changes(&new);
        let find = |location: &str| {
            changes
                .iter()
                .find(|c| c.location == location)
                .map(|c| c.takes_effect.clone())
        };
        assert_eq!(
            find("[schedule] run-scheduler"),
            Some(TakesEffect::Immediate)
        );
        assert_eq!(
            find("[gim-etl] days-to-keep-gidb-facts"),
            Some(TakesEffect::NextRun("Job_MaintainGIM".into()))
        );
        assert_eq!(find("[gim-etl] cp-reuse-count"), Some(TakesEffect::Restart));
        assert_eq!(
            find("[date-time] date-time-tz"),
            Some(TakesEffect::Initialisation)
        );
        assert_eq!(
            find("[date-time-fiscal] date-time-table-name"),
            Some(TakesEffect::Initialisation)
        );
        assert_eq!(find("[[dap]]"), Some(TakesEffect::Restart));
        assert!(old.changes(&old).is_empty());
    }
}
