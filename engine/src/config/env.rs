//! Environment overrides: `TIDEMARK_<SECTION>__<OPTION>=value` and
//! `TIDEMARK_DAP__<NAME>__<OPTION>=value`, applied to the parsed document before it is
//! decoded and validated.

use toml::{Table, Value};

use super::connections::{env_name, Dap};
use super::error::Report;
use super::sections::{find, suggestions, SectionInfo, Shape, CALENDAR_PREFIX};

/// Prefix of every override variable.
pub const ENV_PREFIX: &str = "TIDEMARK_";

/// Separator between section, DAP name and option in a variable name.
const SEPARATOR: &str = "__";

/// The variable that overrides `option` of `section` (`[date-time-fiscal]` included).
pub fn variable_for(section: &str, option: &str) -> String {
    format!(
        "{ENV_PREFIX}{}{SEPARATOR}{}",
        env_name(section),
        env_name(option)
    )
}

/// Applies every `TIDEMARK_…__…` variable of `env` to `doc`. Variables without `__`
/// (such as a CLI's own `TIDEMARK_CONFIG`) are not overrides and are left alone.
pub(crate) fn apply(
    doc: &mut Table,
    env: impl IntoIterator<Item = (String, String)>,
    sections: &[SectionInfo],
    report: &mut Report,
) {
    for (variable, raw) in env {
        let Some(rest) = variable.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let parts: Vec<&str> = rest.split(SEPARATOR).collect();
        let outcome = match parts[..] {
            [_] => continue,
            ["DAP", name, option] => set_dap_option(doc, sections, name, option, &raw),
            [section, option] => set_option(doc, sections, section, option, &raw),
            _ => Err(Misplaced::Shape),
        };
        match outcome {
            Ok(location) => report.set_origin(location, variable),
            Err(misplaced) => report.error(variable.clone(), None, misplaced.message(sections)),
        }
    }
}

/// Why a variable could not be applied.
enum Misplaced {
    Shape,
    Section(String),
    Option {
        section: String,
        option: String,
        known: Vec<&'static str>,
    },
    Dap(String),
    NotATable(String),
}

impl Misplaced {
    fn message(&self, sections: &[SectionInfo]) -> String {
        match self {
            Self::Shape => format!(
                "not an override; allowed: {ENV_PREFIX}<SECTION>{SEPARATOR}<OPTION> or \
                 {ENV_PREFIX}DAP{SEPARATOR}<NAME>{SEPARATOR}<OPTION>"
            ),
            Self::Section(section) => {
                let known: Vec<String> = sections
                    .iter()
                    .filter(|s| s.shape == Shape::Table)
                    .map(|s| env_name(s.name))
                    .collect();
                format!(
                    "unknown section `{section}`{}; allowed: {}, DATE_TIME_<NAME>, DAP",
                    suggestions(section, known.iter().map(String::as_str)),
                    known.join(", ")
                )
            }
            Self::Option {
                section,
                option,
                known,
            } => {
                let known: Vec<String> = known.iter().map(|o| env_name(o)).collect();
                format!(
                    "[{section}] has no option `{option}`{}",
                    suggestions(option, known.iter().map(String::as_str))
                )
            }
            Self::Dap(name) => format!(
                "no [[dap]] entry is named `{name}` (compared upper-cased, `-` as `_`); \
                 environment overrides change existing DAPs only"
            ),
            Self::NotATable(section) => format!("[{section}] is not a section in the file"),
        }
    }
}

/// The TOML value of an environment value: a TOML scalar (or array) when it parses as
/// one and the option does not take text, the raw text otherwise.
fn value_of(raw: &str, text_option: bool) -> Value {
    if !text_option {
        if let Ok(mut parsed) = format!("value = {raw}").parse::<Table>() {
            if let Some(value) = parsed.remove("value") {
                return value;
            }
        }
    }
    Value::String(raw.to_owned())
}

fn set_option(
    doc: &mut Table,
    sections: &[SectionInfo],
    env_section: &str,
    env_option: &str,
    raw: &str,
) -> Result<String, Misplaced> {
    let section = section_name(doc, sections, env_section)
        .ok_or_else(|| Misplaced::Section(env_section.to_owned()))?;
    let info =
        find(sections, &section).ok_or_else(|| Misplaced::Section(env_section.to_owned()))?;
    let option = info
        .option_from_env(env_option)
        .ok_or_else(|| Misplaced::Option {
            section: section.clone(),
            option: env_option.to_owned(),
            known: info.options.to_vec(),
        })?;
    let table = doc
        .entry(section.clone())
        .or_insert_with(|| Value::Table(Table::new()))
        .as_table_mut()
        .ok_or_else(|| Misplaced::NotATable(section.clone()))?;
    table.insert(option.to_owned(), value_of(raw, info.is_text(option)));
    Ok(format!("[{section}] {option}"))
}

/// The section an environment section name refers to: a registered section, a custom
/// calendar already in the file, or a new custom calendar `DATE_TIME_<NAME>`.
fn section_name(doc: &Table, sections: &[SectionInfo], env_section: &str) -> Option<String> {
    let registered = sections
        .iter()
        .filter(|s| s.shape == Shape::Table)
        .map(|s| s.name.to_owned());
    let calendars = doc
        .keys()
        .filter(|k| k.starts_with(CALENDAR_PREFIX))
        .cloned();
    registered
        .chain(calendars)
        .find(|name| env_name(name) == env_section)
        .or_else(|| {
            let name = env_section.strip_prefix(&env_name(CALENDAR_PREFIX))?;
            (!name.is_empty()).then(|| {
                format!(
                    "{CALENDAR_PREFIX}{}",
                    name.to_ascii_lowercase().replace('_', "-")
                )
            })
        })
}

fn set_dap_option(
    doc: &mut Table,
    sections: &[SectionInfo],
    env_dap: &str,
    env_option: &str,
    raw: &str,
) -> Result<String, Misplaced> {
    let info = find(sections, "dap").ok_or_else(|| Misplaced::Section("DAP".into()))?;
    let option = info
        .option_from_env(env_option)
        .ok_or_else(|| Misplaced::Option {
            section: "[dap]".into(),
            option: env_option.to_owned(),
            known: info.options.to_vec(),
        })?;
    let entries = doc.get_mut("dap").and_then(Value::as_array_mut);
    let (index, entry) = entries
        .into_iter()
        .flatten()
        .filter_map(Value::as_table_mut)
        .enumerate()
        .find(|(_, entry)| {
            entry
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|name| env_name(name) == env_dap)
        })
        .ok_or_else(|| Misplaced::Dap(env_dap.to_owned()))?;
    let name = entry
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let location = format!("[{}] {option}", Dap::section(name, index));
    entry.insert(option.to_owned(), value_of(raw, info.is_text(option)));
    Ok(location)
}
