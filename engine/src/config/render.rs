//! Rendering a configuration: the full TOML document of `show()` / `to_toml()` and the
//! short summary of `check_summary()`.

use std::fmt::Write;

use toml::{Table, Value};

use super::connections::{mask_url, GidbLocation};
use super::sections::{sections, SectionInfo, Shape};
use super::Config;

/// Every section and option in registry order; unset options become comments.
pub(crate) fn document(config: &Config, mask: bool) -> String {
    let values = Table::try_from(config).expect("a configuration serialises to TOML");
    let mut out = String::new();
    for info in sections() {
        match info.shape {
            Shape::Table => {
                let table = values.get(info.name).and_then(Value::as_table);
                section(&mut out, &format!("[{}]", info.name), &info, table, mask);
            }
            Shape::Array => {
                let entries = values.get(info.name).and_then(Value::as_array);
                for entry in entries.into_iter().flatten() {
                    section(
                        &mut out,
                        &format!("[[{}]]", info.name),
                        &info,
                        entry.as_table(),
                        mask,
                    );
                }
            }
            Shape::Prefixed => {
                for (name, calendar) in &config.calendars {
                    let table = Table::try_from(calendar).expect("a calendar serialises to TOML");
                    section(
                        &mut out,
                        &format!("[date-time-{name}]"),
                        &info,
                        Some(&table),
                        mask,
                    );
                }
            }
        }
    }
    out
}

fn section(out: &mut String, header: &str, info: &SectionInfo, values: Option<&Table>, mask: bool) {
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(header);
    out.push('\n');
    for option in info.options {
        match values.and_then(|v| v.get(*option)) {
            Some(Value::String(_)) if mask && is_secret_option(option) => {
                let _ = writeln!(out, "{option} = \"****\"");
            }
            Some(Value::String(url)) if mask && is_url_option(option) => {
                let _ = writeln!(out, "{option} = {}", Value::String(mask_url(url)));
            }
            Some(value) => {
                let _ = writeln!(out, "{option} = {value}");
            }
            None => {
                let _ = writeln!(out, "# {option} is not set");
            }
        }
    }
}

fn is_secret_option(option: &str) -> bool {
    option == "token"
}

fn is_url_option(option: &str) -> bool {
    option == "url" || option.ends_with("-url")
}

/// A few lines for `tidemark config check`.
pub(crate) fn summary(config: &Config) -> String {
    let mut out = String::new();
    let database = if config.infomart.sqlite_path().is_some() {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let _ = writeln!(
        out,
        "Info Mart:  {} ({database})",
        mask_url(&config.infomart.url)
    );
    let store = match config.gidb.location() {
        Ok(GidbLocation::Local(path)) => format!("local folder {}", path.display()),
        Ok(GidbLocation::ObjectStore { scheme, .. }) => format!("{scheme} object store"),
        Err(message) => message,
    };
    let _ = writeln!(out, "GIDB:       {} ({store})", mask_url(&config.gidb.url));
    let _ = writeln!(out, "DAPs:       {}", config.dap.len());
    for dap in &config.dap {
        let group = dap
            .ha_group
            .as_deref()
            .map(|g| format!("  HA group {g}"))
            .unwrap_or_default();
        let roles = dap.role.to_string();
        let url = mask_url(&dap.url);
        let _ = writeln!(out, "  {:<12} {roles:<35} {url}{group}", dap.name);
    }
    let schedule = &config.schedule;
    if schedule.run_scheduler {
        let _ = writeln!(
            out,
            "Scheduler:  on ({}; ETL {}–{} every {} min; maintain {}; aggregates {}; export {})",
            schedule.timezone,
            schedule.etl_start_time,
            schedule.etl_end_time,
            schedule.etl_frequency,
            on_off(schedule.run_maintain),
            on_off(schedule.run_aggregates),
            on_off(schedule.run_export),
        );
    } else {
        let _ = writeln!(out, "Scheduler:  off (jobs run only when started by hand)");
    }
    let warnings = config.warnings();
    if !warnings.is_empty() {
        let _ = writeln!(out, "Warnings:   {}", warnings.len());
        for warning in warnings {
            let _ = writeln!(out, "  {warning}");
        }
    }
    out
}

fn on_off(flag: bool) -> &'static str {
    if flag {
        "on"
    } else {
        "off"
    }
}
