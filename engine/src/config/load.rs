//! From TOML text to a validated `Config`: parse, apply environment overrides, reject
//! unknown sections and options, decode every option on its own so that all bad values
//! are reported together, then validate.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::de::DeserializeOwned;
use toml::{Table, Value};

use super::calendar::Calendar;
use super::connections::Dap;
use super::error::{shown, ConfigError, Report};
use super::sections::{find, sections, suggestions, SectionInfo, Shape, CALENDAR_PREFIX};
use super::{env, Config};

/// Parses, overrides, decodes and validates; the `Ok` side carries the warnings.
pub(crate) fn load(
    text: &str,
    environment: impl IntoIterator<Item = (String, String)>,
    path: Option<PathBuf>,
) -> Result<(Config, Vec<super::Problem>), ConfigError> {
    let mut doc: Table = text
        .parse()
        .map_err(|e| ConfigError::parse(text, &e, path))?;
    let registry = sections();
    let mut report = Report::default();
    env::apply(&mut doc, environment, &registry, &mut report);
    datetimes_to_text(&mut doc);
    remove_unknown(&mut doc, &registry, &mut report);
    let calendar_sections: Vec<String> = doc
        .keys()
        .filter(|k| k.starts_with(CALENDAR_PREFIX))
        .cloned()
        .collect();
    let calendar_doc: Table = calendar_sections
        .into_iter()
        .filter_map(|k| doc.remove(&k).map(|v| (k, v)))
        .collect();
    let allowed = |section: &str, option: &str| {
        find(&registry, section)
            .and_then(|info| info.allowed(option))
            .map(str::to_owned)
    };
    let calendars: BTreeMap<String, Calendar> =
        decode(calendar_doc, &allowed, &mut report).unwrap_or_default();
    let config = decode::<Config>(doc, &allowed, &mut report).map(|mut config| {
        config.calendars = calendars
            .into_iter()
            .map(|(section, calendar)| (section[CALENDAR_PREFIX.len()..].to_owned(), calendar))
            .collect();
        config
    });
    let Some(config) = config else {
        return Err(ConfigError::Invalid(report.errors));
    };
    config.validate(&mut report);
    let warnings = std::mem::take(&mut report.warnings);
    report.finish((config, warnings))
}

/// Turns TOML date and date-time literals into their text, so that options typed as
/// dates accept both `2024-01-31` and `"2024-01-31"`.
fn datetimes_to_text(table: &mut Table) {
    for (_, value) in table.iter_mut() {
        match value {
            Value::Datetime(datetime) => *value = Value::String(datetime.to_string()),
            Value::Table(inner) => datetimes_to_text(inner),
            Value::Array(items) => {
                for item in items {
                    if let Value::Table(inner) = item {
                        datetimes_to_text(inner);
                    } else if let Value::Datetime(datetime) = item {
                        *item = Value::String(datetime.to_string());
                    }
                }
            }
            _ => {}
        }
    }
}

/// Sections with more options than this point to the reference page instead of
/// listing them all in an unknown-option message.
const MAX_LISTED_OPTIONS: usize = 16;

/// Reports and removes sections and options that the registry does not know.
fn remove_unknown(doc: &mut Table, registry: &[SectionInfo], report: &mut Report) {
    let known_sections: Vec<&str> = registry
        .iter()
        .filter(|s| s.shape != Shape::Prefixed)
        .map(|s| s.name)
        .collect();
    doc.retain(|section, value| {
        let Some(info) = find(registry, section) else {
            report.error(
                format!("[{section}]"),
                None,
                format!(
                    "unknown section{}; allowed: {}, date-time-<name>",
                    suggestions(section, known_sections.iter().copied()),
                    known_sections.join(", ")
                ),
            );
            return false;
        };
        let entries: Vec<(String, &mut Table)> = match value {
            Value::Table(options) => vec![(section.to_owned(), options)],
            Value::Array(items) if info.shape == Shape::Array => items
                .iter_mut()
                .enumerate()
                .filter_map(|(index, item)| {
                    let options = item.as_table_mut()?;
                    let name = options
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    Some((Dap::section(name, index), options))
                })
                .collect(),
            _ => Vec::new(),
        };
        for (location, options) in entries {
            options.retain(|option, _| {
                let known = info.options.contains(&option);
                if !known {
                    let hint = suggestions(option, info.options.iter().copied());
                    let allowed = if info.options.len() <= MAX_LISTED_OPTIONS {
                        info.options.join(", ")
                    } else {
                        format!("the options of [{}] in docs/configuration.md", info.name)
                    };
                    report.error(
                        format!("[{location}] {option}"),
                        None,
                        format!("unknown option{hint}; allowed: {allowed}"),
                    );
                }
                known
            });
        }
        true
    });
}

/// Decodes `doc` (sections of options) into `T`. When that fails, each option is decoded
/// alone so every bad value is reported, naming its section and option, and the rest is
/// decoded without them.
fn decode<T: DeserializeOwned>(
    mut doc: Table,
    allowed: &dyn Fn(&str, &str) -> Option<String>,
    report: &mut Report,
) -> Option<T> {
    if let Ok(value) = T::deserialize(Value::Table(doc.clone())) {
        return Some(value);
    }
    for (section, value) in doc.iter_mut() {
        let probe = |inner: Value| {
            T::deserialize(Value::Table(Table::from_iter([(section.clone(), inner)])))
        };
        match value {
            Value::Table(options) => options.retain(|option, v| {
                let single = Value::Table(Table::from_iter([(option.to_owned(), v.clone())]));
                let failure = probe(single).err();
                let location = format!("[{section}] {option}");
                record(report, location, v, failure, allowed(section, option))
            }),
            Value::Array(entries) => {
                for (index, entry) in entries.iter_mut().enumerate() {
                    let Some(options) = entry.as_table_mut() else {
                        report.error(
                            format!("[[{section}]] #{}", index + 1),
                            None,
                            "must be a table",
                        );
                        *entry = Value::Table(Table::new());
                        continue;
                    };
                    let name = options
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned();
                    options.retain(|option, v| {
                        let single =
                            Value::Table(Table::from_iter([(option.to_owned(), v.clone())]));
                        let failure = probe(Value::Array(vec![single])).err();
                        let location = format!("[{}] {option}", Dap::section(&name, index));
                        record(report, location, v, failure, allowed(section, option))
                    });
                }
            }
            other => {
                let location = format!("[{section}]");
                report.error(
                    location,
                    Some(shown(other.clone())),
                    "must be a section (a table of options)",
                );
                *other = Value::Table(Table::new());
            }
        }
    }
    T::deserialize(Value::Table(doc))
        .map_err(|e| report.error("configuration".into(), None, first_line(&e.to_string())))
        .ok()
}

/// Records a decoding failure of one option; returns whether the option is kept.
fn record(
    report: &mut Report,
    location: String,
    value: &Value,
    failure: Option<toml::de::Error>,
    allowed: Option<String>,
) -> bool {
    let Some(error) = failure else {
        return true;
    };
    let mut message = first_line(error.message());
    if let Some(allowed) = allowed.filter(|_| !message.contains("allowed:")) {
        message = format!("{message}; allowed: {allowed}");
    }
    report.error(location, Some(shown(value.clone())), message);
    false
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_owned()
}
