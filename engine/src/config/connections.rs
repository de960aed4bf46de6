//! Where data lives: `[infomart]` (the target database), `[gidb]` (the Parquet store of
//! extracted rows) and the `[[dap]]` entries naming each IDB and its roles (idb.md §1.3).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tidemark_schemas::Domain;

use super::error::{shown, Report};

/// The Info Mart database: the dimensional model, the control tables and the marks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct InfoMart {
    /// Connection URL of the Info Mart database, required. PostgreSQL:
    /// `postgres://user:password@host:5432/infomart`; SQLite: `sqlite://path/to/file.db`
    /// (relative to the working directory, `sqlite:///abs/path.db` for an absolute path).
    /// PostgreSQL sessions run with `jit = off` unless the URL sets `options`.
    ///
    /// Allowed: a `postgres://` (or `postgresql://`) or `sqlite://` URL.
    /// Takes effect: `restart`.
    pub url: String,
}

impl InfoMart {
    /// The database file when the Info Mart is SQLite.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        sqlite_path(&self.url)
    }
}

/// GIDB: the extracted IDB rows as Parquet files, one folder per GIDB table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Gidb {
    /// Object-store location of GIDB: a plain path or `file://` URL (relative paths
    /// resolve against the working directory), or `s3://bucket/prefix`,
    /// `gs://bucket/prefix`, `az://container/prefix` (credentials, region and endpoint
    /// from the `AWS_*`, `GOOGLE_*` or `AZURE_*` environment variables).
    ///
    /// Allowed: a path, or a `file://`, `s3://`, `gs://` or `az://` URL.
    /// Takes effect: `restart`.
    pub url: String,
}

impl Default for Gidb {
    fn default() -> Self {
        Self {
            url: "file://./gidb".into(),
        }
    }
}

/// Where GIDB lives, as decoded from `[gidb] url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GidbLocation {
    /// A local folder.
    Local(PathBuf),
    /// A bucket or container of a cloud object store.
    ObjectStore {
        /// `s3`, `gs` or `az`.
        scheme: String,
        /// The full URL.
        url: String,
    },
}

/// Object-store schemes accepted by `[gidb] url` besides `file`.
const OBJECT_STORE_SCHEMES: [&str; 3] = ["s3", "gs", "az"];

impl Gidb {
    /// Decodes `url`; the error says what is allowed.
    pub fn location(&self) -> Result<GidbLocation, String> {
        let allowed = "allowed: a path, or a file://, s3://, gs:// or az:// URL";
        let Some((scheme, rest)) = self.url.split_once("://") else {
            return match self.url.trim() {
                "" => Err(format!("required; {allowed}")),
                path => Ok(GidbLocation::Local(PathBuf::from(path))),
            };
        };
        match scheme {
            "file" if !rest.is_empty() => Ok(GidbLocation::Local(PathBuf::from(rest))),
            s if OBJECT_STORE_SCHEMES.contains(&s) => match url::Url::parse(&self.url) {
                Ok(parsed) if parsed.host_str().is_some_and(|h| !h.is_empty()) => {
                    Ok(GidbLocation::ObjectStore {
                        scheme: s.to_owned(),
                        url: self.url.clone(),
                    })
                }
                _ => Err(format!("the bucket or container is missing; {allowed}")),
            },
            _ => Err(format!("unsupported location; {allowed}")),
        }
    }
}

/// The roles of one DAP, written as a comma list such as `ICON_CFG,ICON_CORE`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
pub struct Roles(#[schemars(with = "String")] BTreeSet<Domain>);

impl Roles {
    /// Whether the DAP carries the role of `domain`.
    pub fn contains(&self, domain: Domain) -> bool {
        self.0.contains(&domain)
    }

    /// The domains in role order.
    pub fn iter(&self) -> impl Iterator<Item = Domain> + '_ {
        self.0.iter().copied()
    }

    /// Whether no role is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Domain> for Roles {
    fn from_iter<I: IntoIterator<Item = Domain>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl FromStr for Roles {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let names: Vec<&str> = Domain::ALL.iter().map(|d| d.role_name()).collect();
        let allowed = format!("allowed: a comma list of {}", names.join(", "));
        let mut roles = BTreeSet::new();
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match Domain::from_role_name(name) {
                Some(domain) => {
                    roles.insert(domain);
                }
                None if name.eq_ignore_ascii_case("INFO_MART") => {
                    return Err(format!(
                        "INFO_MART is not an IDB role: configure the Info Mart database as \
                         [infomart] url; {allowed}"
                    ))
                }
                None => return Err(format!("unknown role `{name}`; {allowed}")),
            }
        }
        Ok(Self(roles))
    }
}

impl fmt::Display for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Domain::role_name).collect();
        f.write_str(&names.join(","))
    }
}

impl TryFrom<String> for Roles {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}

impl From<Roles> for String {
    fn from(roles: Roles) -> String {
        roles.to_string()
    }
}

/// One data access point: an IDB that Job_ExtractICON reads, and the domains it delivers.
/// Written as a `[[dap]]` array entry; several entries with the same `ha-group` are
/// redundant IDBs of one HA pair or set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Dap {
    /// Unique name of the DAP, used in control tables and environment overrides.
    ///
    /// Allowed: letters, digits, `-` and `_`; unique ignoring case and `-`/`_`.
    /// Takes effect: `restart`.
    pub name: String,

    /// The Info Mart domains this IDB delivers, comma separated. Exactly one DAP (or one
    /// HA set) has `ICON_CFG`; at least one has `ICON_CORE` or `ICON_MM`.
    ///
    /// Allowed: a comma list of `ICON_CFG`, `ICON_CORE`, `ICON_MM`, `ICON_OCS`.
    /// Takes effect: `restart`.
    pub role: Roles,

    /// Connection URL of the IDB, e.g. `postgres://user:password@host/idb`,
    /// `mysql://user:password@host/idb`, `sqlite://idb.db`. PostgreSQL is read without TLS
    /// unless the URL names an `sslmode` (bulk reads honour `sslmode=require`), and its
    /// sessions run with `jit = off` unless the URL sets `options`. A Tidemark
    /// built with `--features mssql` also reads Microsoft SQL Server IDBs
    /// (`mssql://user:password@host:1433/idb`), one built with `--features oracle` Oracle
    /// IDBs (`oracle://user:password@host:1521/service`; needs the Oracle client library).
    ///
    /// Allowed: a `postgres://`, `mysql://` or `sqlite://` URL; `mssql://` and `oracle://`
    /// in a build with that feature.
    /// Takes effect: `restart`.
    pub url: String,

    /// Name of the HA set this IDB belongs to; members of one set hold the same data
    /// written by redundant ICONs and must carry the same roles.
    ///
    /// Allowed: a name, or unset for a DAP without redundancy.
    /// Takes effect: `restart`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ha_group: Option<String>,
}

impl Dap {
    /// The Info Mart domains this DAP delivers, in role order.
    pub fn domains(&self) -> Vec<Domain> {
        self.role.iter().collect()
    }

    /// `[dap.<name>]`, the location prefix of this DAP's problems (`index` when unnamed).
    pub(crate) fn section(name: &str, index: usize) -> String {
        if name.is_empty() {
            format!("dap.#{}", index + 1)
        } else {
            format!("dap.{name}")
        }
    }
}

/// The form of a name in an environment variable: upper case, `-` as `_`.
pub(crate) fn env_name(name: &str) -> String {
    name.to_ascii_uppercase().replace('-', "_")
}

/// Database URL schemes and the names operators know them by.
const DATABASE_SCHEMES: [(&str, &str); 6] = [
    ("postgres", "postgres"),
    ("postgresql", "postgres"),
    ("mysql", "mysql"),
    ("sqlite", "sqlite"),
    ("mssql", "mssql"),
    ("oracle", "oracle"),
];

/// The database file of a `sqlite://` URL.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    url.strip_prefix("sqlite://")
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
}

/// Errors unless `url` is a well-formed database URL of one of the `allowed` kinds.
pub(crate) fn check_database_url(report: &mut Report, location: &str, url: &str, allowed: &[&str]) {
    let list: Vec<String> = allowed.iter().map(|kind| format!("{kind}://")).collect();
    let allowed_text = format!("allowed: a {} URL", list.join(" or "));
    let kind = url
        .split_once("://")
        .and_then(|(scheme, _)| DATABASE_SCHEMES.iter().find(|(s, _)| *s == scheme))
        .map(|(_, kind)| *kind)
        .filter(|kind| allowed.contains(kind));
    let well_formed = match kind {
        None => false,
        Some("sqlite") => sqlite_path(url).is_some(),
        Some(_) => url::Url::parse(url).is_ok(),
    };
    if url.is_empty() {
        report.error(
            location.to_owned(),
            None,
            format!("required; {allowed_text}"),
        );
    } else if !well_formed {
        report.error(
            location.to_owned(),
            Some(shown(mask_url(url))),
            allowed_text,
        );
    }
}

/// Query parameters whose values are secrets.
const SECRET_PARAMETERS: [&str; 5] = ["password", "passwd", "pwd", "secret", "token"];

/// `url` with the password of its user info and any secret query parameter replaced by
/// `****`.
pub fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _password)) => format!("{user}:****@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let parameters: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _))
                        if SECRET_PARAMETERS.contains(&key.to_ascii_lowercase().as_str()) =>
                    {
                        format!("{key}=****")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", parameters.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// Checks each DAP and the rules between them (idb.md §1.3).
pub(crate) fn validate_daps(daps: &[Dap], report: &mut Report) {
    if daps.is_empty() {
        report.warning(
            "[[dap]]".into(),
            None,
            "no data access point is configured: Job_ExtractICON has nothing to extract",
        );
        return;
    }
    let mut names: BTreeMap<String, &str> = BTreeMap::new();
    for (index, dap) in daps.iter().enumerate() {
        let section = Dap::section(&dap.name, index);
        let valid_name = !dap.name.is_empty()
            && dap
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid_name {
            report.error(
                format!("[{section}] name"),
                Some(shown(dap.name.as_str())).filter(|_| !dap.name.is_empty()),
                "required; allowed: letters, digits, `-` and `_`",
            );
        } else if let Some(first) = names.insert(env_name(&dap.name), &dap.name) {
            report.error(
                format!("[{section}] name"),
                Some(shown(dap.name.as_str())),
                format!("clashes with DAP `{first}`; names must be unique ignoring case and -/_"),
            );
        }
        if dap.role.is_empty() {
            report.error(
                format!("[{section}] role"),
                None,
                "required; allowed: a comma list of ICON_CFG, ICON_CORE, ICON_MM, ICON_OCS",
            );
        }
        super::idb_url::check_idb_url(report, &format!("[{section}] url"), &dap.url);
    }
    validate_ha_groups(daps, report);
    validate_role_coverage(daps, report);
}

fn validate_ha_groups(daps: &[Dap], report: &mut Report) {
    let mut groups: BTreeMap<&str, Vec<&Dap>> = BTreeMap::new();
    for dap in daps {
        if let Some(group) = dap.ha_group.as_deref() {
            groups.entry(group).or_default().push(dap);
        }
    }
    for (group, members) in groups {
        let first = members[0];
        for other in members.iter().skip(1).filter(|d| d.role != first.role) {
            report.error(
                format!("[dap.{}] role", other.name),
                Some(shown(other.role.to_string())),
                format!(
                    "HA group `{group}` members must carry the same roles; `{}` has {}",
                    first.name, first.role
                ),
            );
        }
    }
}

fn validate_role_coverage(daps: &[Dap], report: &mut Report) {
    let cfg: Vec<&Dap> = daps
        .iter()
        .filter(|d| d.role.contains(Domain::Cfg))
        .collect();
    let cfg_groups: BTreeSet<Option<&str>> = cfg.iter().map(|d| d.ha_group.as_deref()).collect();
    if cfg.is_empty() {
        report.error(
            "[[dap]] role".into(),
            None,
            "no DAP has ICON_CFG; exactly one DAP (or one HA group) must deliver configuration",
        );
    } else if cfg.len() > 1 && (cfg_groups.len() > 1 || cfg_groups.contains(&None)) {
        let names: Vec<&str> = cfg.iter().map(|d| d.name.as_str()).collect();
        report.error(
            "[[dap]] role".into(),
            Some(shown(names.join(","))),
            "several DAPs have ICON_CFG; allowed: exactly one DAP, or the members of one HA group",
        );
    }
    let interactions = daps
        .iter()
        .any(|d| d.role.contains(Domain::Core) || d.role.contains(Domain::Mm));
    if !interactions {
        report.error(
            "[[dap]] role".into(),
            None,
            "no DAP has ICON_CORE or ICON_MM; at least one must deliver interactions",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords_and_secret_parameters_only() {
        assert_eq!(
            mask_url("postgres://gim:s3cr@t@db.example:5432/infomart?sslmode=require"),
            "postgres://gim:****@db.example:5432/infomart?sslmode=require"
        );
        assert_eq!(
            mask_url("mysql://host/idb?user=icon&password=hunter2"),
            "mysql://host/idb?user=icon&password=****"
        );
        assert_eq!(
            mask_url("sqlite://dir/infomart.db"),
            "sqlite://dir/infomart.db"
        );
        assert_eq!(
            mask_url("postgres://gim@db/infomart"),
            "postgres://gim@db/infomart"
        );
    }

    #[test]
    fn gidb_locations() {
        let at = |url: &str| Gidb { url: url.into() }.location();
        assert_eq!(
            at("file://./gidb"),
            Ok(GidbLocation::Local("./gidb".into()))
        );
        assert_eq!(
            at("file:///data/gidb"),
            Ok(GidbLocation::Local("/data/gidb".into()))
        );
        assert_eq!(
            at("/data/gidb"),
            Ok(GidbLocation::Local("/data/gidb".into()))
        );
        assert!(
            matches!(at("s3://bucket/gidb"), Ok(GidbLocation::ObjectStore { scheme, .. }) if scheme == "s3")
        );
        assert!(at("az://").unwrap_err().contains("bucket"));
        assert!(at("ftp://host/gidb").unwrap_err().contains("s3://"));
    }

    #[test]
    fn roles_parse_as_a_comma_list() {
        let roles: Roles = " icon_core, ICON_CFG ".parse().unwrap();
        assert_eq!(roles.to_string(), "ICON_CFG,ICON_CORE");
        assert!("ICON_CFG,ICON_X"
            .parse::<Roles>()
            .unwrap_err()
            .contains("ICON_OCS"));
        assert!("INFO_MART"
            .parse::<Roles>()
            .unwrap_err()
            .contains("[infomart] url"));
    }

    #[test]
    fn dap_rules_of_idb_spec() {
        let dap = |name: &str, role: &str, group: &str| {
            let group = if group.is_empty() {
                String::new()
            } else {
                format!("ha-group = \"{group}\"\n")
            };
            format!(
                "[[dap]]\nname = \"{name}\"\nrole = \"{role}\"\nurl = \"sqlite://{name}.db\"\n{group}"
            )
        };
        let with = |daps: &[String]| {
            super::super::Config::from_toml_str(&format!(
                "[infomart]\nurl = \"sqlite://im.db\"\n{}",
                daps.concat()
            ))
        };
        assert!(with(&[
            dap("a", "ICON_CFG", "ha"),
            dap("b", "ICON_CFG", "ha"),
            dap("c", "ICON_CORE,ICON_OCS", "")
        ])
        .is_ok());
        let error = |daps: &[String]| with(daps).unwrap_err().to_string();
        assert!(error(&[dap("a", "ICON_CORE", "")]).contains("no DAP has ICON_CFG"));
        assert!(
            error(&[dap("a", "ICON_CFG,ICON_CORE", ""), dap("b", "ICON_CFG", "")])
                .contains("several DAPs have ICON_CFG")
        );
        assert!(
            error(&[dap("a", "ICON_CFG,ICON_OCS", "")]).contains("no DAP has ICON_CORE or ICON_MM")
        );
        let text = error(&[dap("a", "ICON_CFG,ICON_CORE", ""), dap("A", "ICON_MM", "")]);
        assert!(
            text.contains("[dap.A] name = \"A\": clashes with DAP `a`"),
            "{text}"
        );
        let text = error(&[
            dap("a", "ICON_CFG,ICON_CORE", "ha"),
            dap("b", "ICON_CFG", "ha"),
        ]);
        assert!(
            text.contains(
                "[dap.b] role = \"ICON_CFG\": HA group `ha` members must carry the same roles"
            ),
            "{text}"
        );
        let text = error(&[dap("a", "ICON_CFG,INFO_MART", "")]);
        assert!(
            text.contains("[dap.a] role") && text.contains("[infomart] url"),
            "{text}"
        );
        let text = super::super::Config::from_toml_str("[infomart]\nurl = \"sqlite://im.db\"\n[[dap]]\nname = \"a\"\nrole = \"ICON_CFG,ICON_MM\"\nurl = \"db2://x\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("[dap.a] url = \"db2://x\"") && text.contains("mysql://"),
            "{text}"
        );
    }
}
