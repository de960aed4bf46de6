//! Every database an IDB may live in, the one place that maps a DAP URL scheme to its SQL
//! dialect and its control connection. PostgreSQL, MySQL/MariaDB and SQLite use Tidemark's
//! own connections ([`tidemark_sinks::database::flavours`]); SQL Server and Oracle are read
//! through connectorx and exist only in a Tidemark built with the `mssql` or `oracle`
//! feature.

use futures::future::BoxFuture;
use tidemark_sinks::database::{self, DatabaseError};

use super::control::{ConnectorxControl, IdbControl, NativeControl};
use crate::config::mask_url;
use crate::sources::idb_dialect::IdbDialect;

/// Opens the control connection of the IDB at a URL.
pub type ControlOpener =
    fn(String) -> BoxFuture<'static, Result<Box<dyn IdbControl>, DatabaseError>>;

/// One kind of IDB database.
#[derive(Clone, Copy)]
pub struct IdbFlavour {
    /// Name used in messages.
    pub name: &'static str,
    /// URL schemes (the text before the first `:`) that select this flavour.
    pub schemes: &'static [&'static str],
    /// SQL dialect of the IDB.
    pub dialect: IdbDialect,
    /// The cargo feature that compiles the flavour in; `None` when always built.
    pub feature: Option<&'static str>,
    /// Opens the control connection; `None` when this build lacks `feature`.
    pub open: Option<ControlOpener>,
}

/// Every IDB flavour, in the order messages list them.
pub fn idb_flavours() -> Vec<IdbFlavour> {
    let mut all: Vec<IdbFlavour> = database::flavours()
        .into_iter()
        .map(|f| IdbFlavour {
            name: f.name,
            schemes: f.schemes,
            dialect: f.dialect.into(),
            feature: None,
            open: Some(open_native as ControlOpener),
        })
        .collect();
    all.push(IdbFlavour {
        name: "Microsoft SQL Server",
        schemes: &["mssql"],
        dialect: IdbDialect::Mssql,
        feature: Some("mssql"),
        open: cfg!(feature = "mssql").then_some(open_mssql as ControlOpener),
    });
    all.push(IdbFlavour {
        name: "Oracle",
        schemes: &["oracle"],
        dialect: IdbDialect::Oracle,
        feature: Some("oracle"),
        open: cfg!(feature = "oracle").then_some(open_oracle as ControlOpener),
    });
    all
}

fn open_native(url: String) -> BoxFuture<'static, Result<Box<dyn IdbControl>, DatabaseError>> {
    Box::pin(async move {
        let db = database::connect(&url).await?;
        Ok(Box::new(NativeControl(db)) as Box<dyn IdbControl>)
    })
}

fn open_mssql(url: String) -> BoxFuture<'static, Result<Box<dyn IdbControl>, DatabaseError>> {
    open_connectorx(url, IdbDialect::Mssql, "Microsoft SQL Server")
}

fn open_oracle(url: String) -> BoxFuture<'static, Result<Box<dyn IdbControl>, DatabaseError>> {
    open_connectorx(url, IdbDialect::Oracle, "Oracle")
}

fn open_connectorx(
    url: String,
    dialect: IdbDialect,
    flavour: &'static str,
) -> BoxFuture<'static, Result<Box<dyn IdbControl>, DatabaseError>> {
    Box::pin(async move {
        let control = ConnectorxControl::open(url, dialect, flavour).await?;
        Ok(Box::new(control) as Box<dyn IdbControl>)
    })
}

/// The URL scheme of `url`, lower case (empty without one).
pub fn scheme_of(url: &str) -> String {
    url.split_once(':')
        .map_or("", |(scheme, _)| scheme)
        .to_ascii_lowercase()
}

/// The flavour whose scheme `url` starts with.
pub fn idb_flavour_of(url: &str) -> Option<IdbFlavour> {
    let scheme = scheme_of(url);
    idb_flavours()
        .into_iter()
        .find(|f| f.schemes.contains(&scheme.as_str()))
}

/// Opens the control connection of the IDB at `url` and says which dialect it speaks.
pub async fn open_control(url: &str) -> Result<(IdbDialect, Box<dyn IdbControl>), DatabaseError> {
    let Some(flavour) = idb_flavour_of(url) else {
        let known: Vec<String> = idb_flavours()
            .iter()
            .flat_map(|f| f.schemes)
            .map(|s| format!("{s}:"))
            .collect();
        return Err(DatabaseError::UnsupportedUrl {
            url: mask_url(url),
            known: known.join(", "),
        });
    };
    let open = flavour.open.ok_or_else(|| DatabaseError::InvalidUrl {
        flavour: flavour.name,
        url: mask_url(url),
        reason: missing_feature(flavour),
    })?;
    Ok((flavour.dialect, open(url.to_string()).await?))
}

/// Why this build cannot read `flavour`'s IDBs (empty when it can).
pub fn missing_feature(flavour: IdbFlavour) -> String {
    match (flavour.open, flavour.feature) {
        (None, Some(feature)) => format!(
            "{}:// IDBs need a Tidemark built with `--features {feature}`",
            flavour.schemes[0]
        ),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_pick_dialects() {
        let dialect = |url: &str| idb_flavour_of(url).map(|f| f.dialect);
        assert_eq!(dialect("postgresql://u@h/idb"), Some(IdbDialect::Postgres));
        assert_eq!(dialect("mysql://u@h/idb"), Some(IdbDialect::MySql));
        assert_eq!(dialect("sqlite://idb.db"), Some(IdbDialect::Sqlite));
        assert_eq!(dialect("MSSQL://u@h:1433/idb"), Some(IdbDialect::Mssql));
        assert_eq!(dialect("oracle://u@h:1521/idb"), Some(IdbDialect::Oracle));
        assert_eq!(dialect("db2://u@h/idb"), None);
    }

    #[cfg(not(feature = "mssql"))]
    #[tokio::test]
    async fn without_the_feature_mssql_names_the_feature_to_build_with() {
        let Err(e) = open_control("mssql://sa:secret@h:1433/idb").await else {
            panic!("opened without the feature");
        };
        let text = e.to_string();
        assert!(
            text.contains("mssql:// IDBs need a Tidemark built with `--features mssql`"),
            "{text}"
        );
        assert!(!text.contains("secret"), "{text}");
    }

    #[cfg(not(feature = "oracle"))]
    #[tokio::test]
    async fn without_the_feature_oracle_names_the_feature_to_build_with() {
        let Err(e) = open_control("oracle://scott:tiger@h:1521/orcl").await else {
            panic!("opened without the feature");
        };
        assert!(e.to_string().contains("`--features oracle`"), "{e}");
    }

    #[test]
    fn built_in_flavours_open_and_feature_flavours_open_with_their_feature() {
        let opens = |url: &str| idb_flavour_of(url).is_some_and(|f| f.open.is_some());
        assert!(opens("postgres://u@h/idb") && opens("sqlite://idb.db"));
        assert_eq!(opens("mssql://u@h/idb"), cfg!(feature = "mssql"));
        assert_eq!(opens("oracle://u@h/idb"), cfg!(feature = "oracle"));
    }
}
