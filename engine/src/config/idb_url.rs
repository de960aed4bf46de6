//! `[dap] url`: the IDB databases this build of Tidemark reads, as the IDB flavour registry
//! ([`crate::sources::idb::flavours`]) lists them.

use super::connections::{check_database_url, mask_url};
use super::error::{shown, Report};
use crate::sources::idb::flavours::{idb_flavour_of, idb_flavours, missing_feature};

/// Errors unless `url` is a well-formed URL of an IDB database this build reads; a SQL
/// Server or Oracle URL in a build without that feature names the feature to build with.
pub(crate) fn check_idb_url(report: &mut Report, location: &str, url: &str) {
    let missing = idb_flavour_of(url).map(missing_feature).unwrap_or_default();
    if !missing.is_empty() {
        report.error(location.to_owned(), Some(shown(mask_url(url))), missing);
        return;
    }
    let readable: Vec<&str> = idb_flavours()
        .iter()
        .filter(|f| f.open.is_some())
        .map(|f| f.schemes[0])
        .collect();
    check_database_url(report, location, url, &readable);
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn load(url: &str) -> Result<Config, String> {
        Config::from_toml_str(&format!(
            "[infomart]\nurl = \"sqlite://im.db\"\n[[dap]]\nname = \"a\"\nrole = \"ICON_CFG,ICON_MM\"\nurl = \"{url}\"\n"
        ))
        .map_err(|e| e.to_string())
    }

    #[cfg(not(feature = "mssql"))]
    #[test]
    fn mssql_idbs_need_the_mssql_feature() {
        let text = load("mssql://sa:secret@db:1433/idb").unwrap_err();
        assert!(
            text.contains(
                "[dap.a] url = \"mssql://sa:****@db:1433/idb\": mssql:// IDBs need a Tidemark built with `--features mssql`"
            ),
            "{text}"
        );
    }

    #[cfg(feature = "mssql")]
    #[test]
    fn mssql_idbs_load_with_the_mssql_feature() {
        let config = load("mssql://sa:secret@db:1433/idb").expect("loads");
        assert_eq!(config.dap[0].url, "mssql://sa:secret@db:1433/idb");
        assert!(load("db2://x").unwrap_err().contains("mssql://"));
    }

    #[cfg(not(feature = "oracle"))]
    #[test]
    fn oracle_idbs_need_the_oracle_feature() {
        let text = load("oracle://scott:tiger@db:1521/orcl").unwrap_err();
        assert!(
            text.contains("oracle:// IDBs need a Tidemark built with `--features oracle`"),
            "{text}"
        );
        assert!(!text.contains("tiger"), "{text}");
    }

    #[cfg(feature = "oracle")]
    #[test]
    fn oracle_idbs_load_with_the_oracle_feature() {
        assert!(load("oracle://scott:tiger@db:1521/orcl").is_ok());
        assert!(load("db2://x").unwrap_err().contains("oracle://"));
    }
}
