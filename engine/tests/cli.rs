//! The `tidemark` binary as users and scripts call it: version text, help, configuration
//! errors and their exit codes, span timings in the log.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tidemark(args: &[&str]) -> Output {
    tidemark_with(args, &[])
}

/// Runs the binary with `env` set (a value) or removed (`None`).
fn tidemark_with(args: &[&str], env: &[(&str, Option<&str>)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tidemark"));
    command.args(args).env_remove("TIDEMARK_INFOMART__URL");
    for (name, value) in env {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command.output().expect("tidemark runs")
}

/// Writes a configuration with a SQLite Info Mart, GIDB folder and IDB under `dir`.
fn sqlite_config(dir: &Path) -> PathBuf {
    let path = dir.join("t.toml");
    std::fs::write(
        &path,
        format!(
            "[infomart]\nurl = \"sqlite://{}\"\n\n[gidb]\nurl = \"{}\"\n\n[[dap]]\nname = \"a\"\nrole = \"ICON_CFG,ICON_CORE\"\nurl = \"sqlite://{}\"\n",
            dir.join("m.db").display(),
            dir.join("gidb").display(),
            dir.join("idb.db").display()
        ),
    )
    .unwrap();
    path
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn version_shows_release_and_schema_versions() {
    let out = tidemark(&["--version"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
    assert!(
        text.contains(tidemark_schemas::INFOMART_SCHEMA_VERSION),
        "{text}"
    );
    assert!(
        text.contains(tidemark_schemas::MIN_IDB_SCHEMA_VERSION),
        "{text}"
    );
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["simulate", "--help"],
        vec!["config", "check", "--help"],
        vec!["config", "show", "--help"],
        vec!["job", "run", "--help"],
        vec!["demo", "--help"],
    ] {
        let out = tidemark(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("Usage: tidemark"), "{args:?}");
    }
    let help = stdout(&tidemark(&["simulate", "--help"]));
    for flag in [
        "--idb",
        "--days",
        "--interactions-per-day",
        "--seed",
        "--sites",
        "--ha",
        "--truth",
    ] {
        assert!(help.contains(flag), "simulate --help lacks {flag}");
    }
}

#[test]
fn missing_config_file_exits_2_and_names_the_file() {
    let out = tidemark(&["--config", "/nonexistent/tidemark.toml", "config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent/tidemark.toml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_option_value_exits_2_naming_section_option_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[infomart]\nurl = \"sqlite://x.db\"\n\n[gim-etl]\ndelayed-data-threshold = 5\n\n[[dap]]\nname = \"a\"\nrole = \"ICON_CFG,ICON_CORE\"\nurl = \"sqlite://idb.db\"\n",
    )
    .unwrap();
    let out = tidemark(&["--config", path.to_str().unwrap(), "config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("[gim-etl] delayed-data-threshold"), "{err}");
    assert!(
        err.contains('5') && err.contains("60") && err.contains("3600"),
        "{err}"
    );
}

#[test]
fn unknown_job_fails_with_the_list_of_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_config(dir.path());
    let out = tidemark(&[
        "--config",
        path.to_str().unwrap(),
        "job",
        "run",
        "Job_Nothing",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Job_InitializeGIM"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn span_timings_are_logged_when_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_config(dir.path());
    let run = |spans: Option<&str>| {
        tidemark_with(
            &[
                "--config",
                path.to_str().unwrap(),
                "job",
                "run",
                "Job_InitializeGIM",
            ],
            &[
                ("TIDEMARK_LOG", Some("tidemark=info")),
                ("TIDEMARK_LOG_SPANS", spans),
            ],
        )
    };
    let timed = run(Some("1"));
    assert_eq!(timed.status.code(), Some(0), "{}", stderr(&timed));
    let closed: Vec<String> = stderr(&timed)
        .lines()
        .filter(|l| l.contains("job{name=\"Job_InitializeGIM\"") && l.contains("close"))
        .map(str::to_string)
        .collect();
    assert_eq!(closed.len(), 1, "{}", stderr(&timed));
    assert!(
        closed[0].contains("time.busy=") && closed[0].contains("time.idle="),
        "{}",
        closed[0]
    );
    let untimed = run(None);
    assert_eq!(untimed.status.code(), Some(0), "{}", stderr(&untimed));
    assert!(
        !stderr(&untimed).contains("time.busy"),
        "{}",
        stderr(&untimed)
    );
}
