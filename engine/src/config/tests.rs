//! Loading tests: defaults, error messages, environment overrides, `show()` round trips,
//! DAP rules and the example file.

use std::path::Path;

use super::*;

const MINIMAL: &str = r#"
[infomart]
url = "sqlite://infomart.db"

[[dap]]
name = "idb"
role = "ICON_CFG,ICON_CORE"
url = "sqlite://idb.db"
"#;

fn load(text: &str) -> Config {
    Config::from_toml_str(text).unwrap_or_else(|e| panic!("{e}"))
}

/// The error text for `MINIMAL` plus `extra`.
fn problems_with(extra: &str) -> String {
    match Config::from_toml_str(&format!("{MINIMAL}\n{extra}")) {
        Ok(_) => panic!("accepted:\n{extra}"),
        Err(e) => e.to_string(),
    }
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn defaults_are_the_spec_values() {
    let config = load(MINIMAL);
    assert!(!config.schedule.run_scheduler);
    assert_eq!(config.schedule.aggregate_schedule.as_str(), "0 1");
    assert_eq!(config.schedule.aggregate_duration.to_string(), "23:00");
    assert_eq!(config.schedule.export_schedule.as_str(), "20 0/8");
    assert!(!config.schedule.run_export);
    assert!(!config.schedule.on_demand_migration);
    let etl = &config.gim_etl;
    assert_eq!(etl.days_to_keep_gidb_facts, 14);
    assert_eq!(etl.days_to_keep_active_facts, 30);
    assert_eq!(etl.days_to_keep_discards_and_job_history, 600);
    assert_eq!(etl.days_to_keep_gdpr_history, 15);
    assert_eq!(etl.effective_days_to_keep_cfg_facts(), 400);
    assert_eq!(etl.partitioning_ahead_range, 14);
    assert_eq!(etl.partitioning_interval_size_gim, 86_400);
    assert_eq!(etl.extract_data_thread_pool_size, 32);
    assert_eq!(etl.extract_data_stuck_threshold, 28_860);
    assert_eq!(etl.delayed_data_threshold, 900);
    assert_eq!(etl.cp_reuse_count, -1);
    assert_eq!(etl.max_thread_duration_after_inactive_in_days, 31);
    assert_eq!(etl.user_event_data_timeout, 3600);
    assert_eq!(etl.max_state_duration, 14_400);
    assert_eq!(etl.max_chain_processing_duration_in_hours, 8);
    assert!(!etl.aggregation_enabled());
    assert_eq!(config.gim_transformation.chunk_size, 7200);
    assert_eq!(config.gim_transformation.max_chain_records, 5000);
    assert_eq!(config.date_time.date_time_max_days_ahead, 366);
    assert_eq!(config.date_time.date_time_min_days_ahead, 183);
    assert_eq!(config.date_time.date_time_tz.to_string(), "GMT");
    assert_eq!(config.date_time.date_time_table_name, "DATE_TIME");
    let export = &config.gim_export;
    assert_eq!(export.output_directory, "output");
    assert_eq!(export.days_to_keep_output_files, 14);
    assert_eq!(export.thread_pool_size, 10);
    assert_eq!((export.max_retries, export.retry_delay_seconds), (3, 30));
    assert_eq!(export.output_files_encoding, "utf8");
    assert!(!export.use_export_views && export.start_date.is_none());
    let policy = &config.error_policy;
    assert_eq!(
        policy.error_policy_irf_exception,
        IrfExceptionPolicy::LogDbResume
    );
    assert_eq!(
        policy.error_policy_irf_exception_resumable,
        IrfExceptionPolicy::Exception
    );
    assert_eq!(
        policy.error_policy_call_mergecall_missing,
        CheckPolicy::Resume
    );
    assert_eq!(policy.error_policy_islink_dangling, CheckPolicy::Resume);
    assert_eq!(
        policy.error_policy_campaign_group_missing,
        CheckPolicy::Exception
    );
    assert_eq!(
        policy.error_policy_cfg_check_backup_data_source,
        CheckPolicy::Exception
    );
    assert_eq!(config.agg.writer_schedule.to_string(), "default=flex(3:1)");
    let writers = config.agg.writer_schedule.writers_at(12);
    assert_eq!(
        (writers.policy, writers.zone1, writers.zone2),
        (LendPolicy::Flex, 3, 1)
    );
    assert_eq!(config.gidb.url, "file://./gidb");
}

/// Defaults the spec tags [R] (recollected, not verified against vendor documentation).
#[test]
fn compat_unverified_schedule_defaults() {
    let s = Schedule::default();
    assert_eq!(s.timezone.to_string(), "GMT");
    assert_eq!(
        (s.etl_start_time.to_string(), s.etl_end_time.to_string()),
        ("06:00".into(), "05:00".into())
    );
    assert_eq!(s.etl_frequency, 1);
    assert!(s.run_maintain && !s.run_update_stats && !s.run_aggregates);
    assert_eq!(s.maintain_start_time.to_string(), "05:00");
    assert_eq!(s.update_stats_schedule.as_str(), "0/10 *");
}

/// Defaults the spec tags [R] in `[gim-etl]`, `[gim-export]` and `[date-time]`.
#[test]
fn compat_unverified_section_defaults() {
    let etl = GimEtl::default();
    assert_eq!(etl.days_to_keep_gim_facts, 400);
    assert_eq!(etl.days_to_keep_deleted_annex, 30);
    assert_eq!(etl.extract_data_chunk_size, 900);
    assert_eq!(etl.extract_data_max_conn, 3);
    assert_eq!(etl.extract_data_cfg_facts_chunk_size, 86_400);
    assert_eq!(etl.max_time_deviation, 30);
    assert_eq!(etl.max_session_duration_in_hours, 24);
    assert_eq!(etl.merge_failed_is_link_timeout, 3600);
    assert_eq!(etl.sub_hour_interval, 15);
    assert_eq!(
        (
            etl.partitioning_interval_size_gidb,
            etl.partitioning_interval_size_gidb_mm,
            etl.partitioning_interval_size_gidb_ocs
        ),
        (86_400, 864_000, 86_400)
    );
    assert!(
        !etl.populate_thread_facts
            && !etl.populate_mm_ixnqueue_facts
            && etl.populate_sm_resource_activity
    );
    assert!(!etl.populate_irf_asm_engage_duration && !etl.populate_workbin_as_hold);
    assert_eq!(GimExport::default().chunk_size_seconds, 3600);
    let calendar = Calendar::default();
    assert_eq!(
        (
            calendar.first_day_of_week,
            calendar.minimal_days_in_first_week
        ),
        (1, 1)
    );
    assert!(calendar.simple_week_1_rules);
    assert_eq!(calendar.fiscal_year_start.to_string(), "01-01");
    assert_eq!(calendar.fiscal_year_week_pattern, FiscalWeekPattern::None);
}

#[test]
fn out_of_range_values_name_option_value_and_range() {
    let text = problems_with("[gim-etl]\ndelayed-data-threshold = 30\nmax-state-duration = 900\n");
    assert!(
        text.contains(
            "[gim-etl] delayed-data-threshold = 30: out of range; allowed: 60–3600 seconds"
        ),
        "{text}"
    );
    assert!(
        text.contains("[gim-etl] max-state-duration = 900: too small; allowed: an integer ≥ 901"),
        "{text}"
    );
    let text = problems_with("[schedule]\netl-frequency = 2000\n");
    assert!(
        text.contains("[schedule] etl-frequency = 2000") && text.contains("1–1440"),
        "{text}"
    );
    let text = problems_with("[gim-etl]\nextract-data-chunk-size = 7201\n");
    assert!(
        text.contains(
            "[gim-etl] extract-data-chunk-size = 7201: out of range; allowed: 60–7200 seconds"
        ),
        "{text}"
    );
    let text = problems_with("[gim-etl]\ndays-to-keep-gdpr-history = 31\n");
    assert!(
        text.contains("[gim-etl] days-to-keep-gdpr-history = 31") && text.contains("0–30"),
        "{text}"
    );
}

#[test]
fn malformed_values_name_option_value_and_what_is_allowed() {
    let cases = [
        (
            "[schedule]\naggregate-schedule = \"0 24\"",
            "[schedule] aggregate-schedule = \"0 24\"",
            "not a number 0–23",
        ),
        (
            "[schedule]\nexport-schedule = \"0 1 * * *\"",
            "[schedule] export-schedule",
            "two-field CRON",
        ),
        (
            "[schedule]\ntimezone = \"Mars/Olympus\"",
            "[schedule] timezone = \"Mars/Olympus\"",
            "IANA zone id",
        ),
        (
            "[schedule]\netl-start-time = \"25:00\"",
            "[schedule] etl-start-time = \"25:00\"",
            "00:00–24:00",
        ),
        (
            "[gim-etl]\ndays-to-keep-gim-facts = \"many\"",
            "[gim-etl] days-to-keep-gim-facts = \"many\"",
            "an integer ≥ 1",
        ),
        (
            "[gim-etl]\nsub-hour-interval = 20",
            "[gim-etl] sub-hour-interval = 20",
            "15, 30",
        ),
        (
            "[error-policy]\nerror-policy-irf-exception = \"ignore\"",
            "[error-policy] error-policy-irf-exception = \"ignore\"",
            "log_db_resume",
        ),
        (
            "[date-time]\nfiscal-year-week-pattern = \"4-4-4\"",
            "[date-time] fiscal-year-week-pattern",
            "4-4-5",
        ),
        (
            "[agg]\nwriter-schedule = \"default=flex(8:3)\"",
            "[agg] writer-schedule",
            "a + b ≤ 10",
        ),
        (
            "[gim-export]\nstart-date = \"yesterday\"",
            "[gim-export] start-date = \"yesterday\"",
            "yyyy-mm-dd hh:mm:ss",
        ),
        (
            "[gidb]\nurl = \"ftp://host/gidb\"",
            "[gidb] url = \"ftp://host/gidb\"",
            "s3://",
        ),
        (
            "[agg-gim-thld-QUEUE-ABN]\nthresholds = [10, 5]",
            "[agg-gim-thld-QUEUE-ABN] thresholds = [10, 5]",
            "ascending",
        ),
    ];
    for (extra, location, allowed) in cases {
        let text = problems_with(extra);
        assert!(
            text.contains(location) && text.contains(allowed),
            "{extra}\n→ {text}"
        );
    }
}

#[test]
fn database_urls_must_use_an_allowed_scheme() {
    let text = Config::from_toml_str("[infomart]\nurl = \"mysql://u:pw@host/im\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("[infomart] url = \"mysql://u:****@host/im\""),
        "{text}"
    );
    assert!(text.contains("postgres:// or sqlite://"), "{text}");
    let text = Config::from_toml_str("[infomart]\nurl = \"mssql://sa@db/im\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("[infomart] url") && text.contains("postgres:// or sqlite://"),
        "IDB-only databases never hold the Info Mart: {text}"
    );
    let text = Config::from_toml_str("").unwrap_err().to_string();
    assert!(text.contains("[infomart] url: required"), "{text}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let error = Config::from_toml_str(
        "[schedule]\netl-frequency = 0\ntimezone = \"Nowhere\"\n[gim-etl]\ndelayed-data-threshold = 1\nbogus = 1\n",
    )
    .unwrap_err();
    let locations: Vec<&str> = error
        .problems()
        .iter()
        .map(|p| p.location.as_str())
        .collect();
    for expected in [
        "[schedule] etl-frequency",
        "[schedule] timezone",
        "[gim-etl] delayed-data-threshold",
        "[gim-etl] bogus",
        "[infomart] url",
    ] {
        assert!(
            locations.contains(&expected),
            "{expected} missing from {locations:?}"
        );
    }
    assert_eq!(
        error.to_string().lines().count(),
        error.problems().len() + 1
    );
}

#[test]
fn unknown_sections_and_options_are_errors_with_suggestions() {
    let text =
        problems_with("[gim-etl]\ndays-to-keep-gim-fact = 10\n[shedule]\nrun-scheduler = true\n");
    assert!(
        text.contains("[gim-etl] days-to-keep-gim-fact: unknown option (did you mean `days-to-keep-gim-facts`?)"),
        "{text}"
    );
    assert!(
        text.contains("[shedule]: unknown section (did you mean `schedule`?)"),
        "{text}"
    );
    let text = problems_with(
        "[[dap]]\nname = \"b\"\nrole = \"ICON_MM\"\nurl = \"sqlite://b.db\"\npassword = \"x\"\n",
    );
    assert!(text.contains("[dap.b] password: unknown option"), "{text}");
}

#[test]
fn syntax_errors_carry_line_and_column() {
    match Config::from_toml_str("[schedule]\nrun-scheduler = yes\n") {
        Err(ConfigError::Parse {
            line: 2,
            column: 17,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn environment_overrides_win_over_the_file() {
    let text = format!("{MINIMAL}\n[gim-etl]\ndays-to-keep-gidb-facts = 10\n");
    let config = Config::from_toml_str_with_env(
        &text,
        env(&[
            ("TIDEMARK_GIM_ETL__DAYS_TO_KEEP_GIDB_FACTS", "30"),
            ("TIDEMARK_INFOMART__URL", "sqlite://x.db"),
            ("TIDEMARK_SCHEDULE__RUN_SCHEDULER", "true"),
            ("TIDEMARK_SCHEDULE__TIMEZONE", "Europe/Paris"),
            ("TIDEMARK_DAP__IDB__URL", "postgres://icon:pw@idb/icon"),
            (
                "TIDEMARK_DATE_TIME_FISCAL__DATE_TIME_TABLE_NAME",
                "DATE_TIME_FISCAL",
            ),
            ("TIDEMARK_AGG_GIM_THLD_QUEUE_ABN__THRESHOLDS", "[10, 20]"),
            ("TIDEMARK_CONFIG", "/etc/tidemark.toml"),
            ("PATH", "/usr/bin"),
        ]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.gim_etl.days_to_keep_gidb_facts, 30);
    assert_eq!(config.infomart.url, "sqlite://x.db");
    assert!(config.schedule.run_scheduler);
    assert_eq!(config.schedule.timezone.to_string(), "Europe/Paris");
    assert_eq!(config.dap[0].url, "postgres://icon:pw@idb/icon");
    assert_eq!(
        config.calendars["fiscal"].date_time_table_name,
        "DATE_TIME_FISCAL"
    );
    assert_eq!(config.agg_gim_thld_queue_abn.thresholds, [10, 20]);
}

#[test]
fn bad_environment_overrides_name_the_variable() {
    let error = Config::from_toml_str_with_env(
        MINIMAL,
        env(&[
            ("TIDEMARK_GIM_ETL__DELAYED_DATA_THRESHOLD", "5"),
            ("TIDEMARK_GIM_ETL__NO_SUCH_OPTION", "1"),
            ("TIDEMARK_SHEDULE__RUN_SCHEDULER", "true"),
            ("TIDEMARK_DAP__MISSING__URL", "sqlite://m.db"),
        ]),
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains(
            "[gim-etl] delayed-data-threshold (from TIDEMARK_GIM_ETL__DELAYED_DATA_THRESHOLD) = 5"
        ),
        "{error}"
    );
    assert!(
        error.contains("TIDEMARK_GIM_ETL__NO_SUCH_OPTION: [gim-etl] has no option"),
        "{error}"
    );
    assert!(
        error.contains(
            "TIDEMARK_SHEDULE__RUN_SCHEDULER: unknown section `SHEDULE` (did you mean `SCHEDULE`?)"
        ),
        "{error}"
    );
    assert!(
        error.contains("TIDEMARK_DAP__MISSING__URL: no [[dap]] entry is named `MISSING`"),
        "{error}"
    );
}

#[test]
fn show_masks_passwords() {
    let config = load(
        "[infomart]\nurl = \"postgres://gim:topsecret@db:5432/infomart\"\n\
         [[dap]]\nname = \"a\"\nrole = \"ICON_CFG,ICON_CORE\"\nurl = \"mysql://icon:hunter2@idb/icon\"\n",
    );
    let shown = config.show();
    assert!(
        shown.contains("url = \"postgres://gim:****@db:5432/infomart\""),
        "{shown}"
    );
    assert!(
        shown.contains("url = \"mysql://icon:****@idb/icon\""),
        "{shown}"
    );
    assert!(
        !shown.contains("topsecret") && !shown.contains("hunter2"),
        "{shown}"
    );
    assert!(config.to_toml().contains("topsecret"));
    let summary = config.check_summary();
    assert!(
        summary.contains("postgres://gim:****@db:5432/infomart") && !summary.contains("topsecret"),
        "{summary}"
    );
    assert!(
        summary.contains("ICON_CFG,ICON_CORE") && summary.contains("Scheduler:  off"),
        "{summary}"
    );
}

#[test]
fn show_lists_every_option_and_reads_back_equal() {
    let config = load(&format!(
        "{MINIMAL}\n[gim-etl]\netl-start-date = 2024-01-31\nstop-ixn-queues = [\"Stop\"]\n\
         [gim-export]\nstart-date = 2024-02-01 00:00:00\n\
         [date-time-fiscal]\ndate-time-table-name = \"DATE_TIME_FISCAL\"\ndate-time-tz = \"America/New_York\"\n"
    ));
    let shown = config.show();
    for line in [
        "[schedule]",
        "run-scheduler = false",
        "days-to-keep-gim-facts = 400",
        "# days-to-keep-cfg-facts is not set",
        "[date-time-fiscal]",
        "[agg-gim-thld-AG-IXN]",
        "etl-start-date = \"2024-01-31\"",
    ] {
        assert!(
            shown.lines().any(|l| l == line),
            "`{line}` missing from\n{shown}"
        );
    }
    assert_eq!(load(&shown), config);
    assert_eq!(load(&config.to_toml()), config);
}

#[test]
fn demo_configuration_is_valid_and_round_trips() {
    let config = Config::default_for_demo(Path::new("/tmp/demo"));
    assert_eq!(config.infomart.url, "sqlite:///tmp/demo/infomart.db");
    assert_eq!(
        config.infomart.sqlite_path(),
        Some("/tmp/demo/infomart.db".into())
    );
    assert_eq!(
        config.gidb.location(),
        Ok(GidbLocation::Local("/tmp/demo/gidb".into()))
    );
    assert_eq!(
        config.dap[0].role.to_string(),
        "ICON_CFG,ICON_CORE,ICON_MM,ICON_OCS"
    );
    assert_eq!(config.dap[0].url, "sqlite:///tmp/demo/idb.db");
    assert_eq!(load(&config.to_toml()), config);
}

#[test]
fn cross_option_rules() {
    let text = problems_with("[gim-etl]\ndays-to-keep-gidb-facts = 500\n");
    assert!(
        text.contains(
            "[gim-etl] days-to-keep-gidb-facts = 500: exceeds days-to-keep-gim-facts (400)"
        ),
        "{text}"
    );
    let text = problems_with("[gim-etl]\ndays-to-keep-discards-and-job-history = 100\n[gim-export]\nstart-date = \"2024-01-01 00:00:00\"\n");
    assert!(
        text.contains("[gim-etl] days-to-keep-discards-and-job-history = 100"),
        "{text}"
    );
    let text = problems_with("[date-time-fiscal]\ndate-time-tz = \"UTC\"\n");
    assert!(
        text.contains(
            "[date-time-fiscal] date-time-table-name = \"DATE_TIME\": already used by [date-time]"
        ),
        "{text}"
    );
    let text = problems_with("[date-time]\ndate-time-min-days-ahead = 400\n");
    assert!(text.contains("[date-time] date-time-min-days-ahead = 400: must be less than date-time-max-days-ahead (366)"), "{text}");
    let config = load(&format!(
        "{MINIMAL}\n[gim-etl]\ndays-to-keep-cfg-facts = 100\n"
    ));
    assert_eq!(config.gim_etl.effective_days_to_keep_cfg_facts(), 400);
    assert!(config
        .warnings()
        .iter()
        .any(|w| w.location == "[gim-etl] days-to-keep-cfg-facts"));
}

#[test]
fn example_file_loads_and_validates() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tidemark.example.toml");
    let config = Config::from_toml_str(&std::fs::read_to_string(&path).expect("example file"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(config.infomart.url.starts_with("postgres://"));
    assert_eq!(config.dap.len(), 3);
    let grouped: Vec<&Dap> = config.dap.iter().filter(|d| d.ha_group.is_some()).collect();
    assert_eq!(grouped.len(), 2);
    assert_eq!(grouped[0].ha_group, grouped[1].ha_group);
    assert!(config.warnings().is_empty(), "{:?}", config.warnings());
}

#[test]
fn validation_problems_name_registered_options() {
    let registry = sections::sections();
    let mut text = String::from(MINIMAL);
    let numeric = registry
        .iter()
        .filter(|s| s.shape == sections::Shape::Table && s.name != "infomart");
    for info in numeric {
        text.push_str(&format!("\n[{}]\n", info.name));
        for (option, value) in &info.defaults {
            if value.is_integer() {
                text.push_str(&format!("{option} = 0\n"));
            }
        }
    }
    let error = Config::from_toml_str(&text).unwrap_err();
    assert!(error.problems().len() > 30, "{error}");
    for problem in error.problems() {
        let (section, option) = problem.location.split_once("] ").expect("[section] option");
        let info = sections::find(&registry, &section[1..]).expect(section);
        assert!(info.options.contains(&option), "{problem}");
    }
}
