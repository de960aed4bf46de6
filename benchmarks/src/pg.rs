//! The PostgreSQL server the benchmarks use: databases created, dropped and connected to
//! by name on the server one URL names.

use anyhow::{Context, Result};
use tokio_postgres::{Client, NoTls};

/// A PostgreSQL server reached through `admin_url`, whose user may create databases.
#[derive(Debug, Clone)]
pub struct PgServer {
    admin_url: String,
}

impl PgServer {
    /// The server of `admin_url` (any existing database on it).
    pub fn new(admin_url: &str) -> Result<Self> {
        url::Url::parse(admin_url).with_context(|| format!("--pg {admin_url}: not a URL"))?;
        Ok(Self {
            admin_url: admin_url.to_string(),
        })
    }

    /// URL of database `name` on this server.
    pub fn url_of(&self, name: &str) -> String {
        match url::Url::parse(&self.admin_url) {
            Ok(mut url) => {
                url.set_path(&format!("/{name}"));
                url.to_string()
            }
            Err(_) => self.admin_url.clone(),
        }
    }

    /// A connection to database `name`.
    pub async fn client(&self, name: &str) -> Result<Client> {
        connect(&self.url_of(name)).await
    }

    /// Whether database `name` exists.
    pub async fn exists(&self, name: &str) -> Result<bool> {
        let admin = connect(&self.admin_url).await?;
        let row = admin
            .query_opt("select 1 from pg_database where datname = $1", &[&name])
            .await?;
        Ok(row.is_some())
    }

    /// Creates database `name` (empty).
    pub async fn create(&self, name: &str) -> Result<()> {
        self.admin(&format!("create database {name}")).await
    }

    /// Drops database `name` if it exists, closing its sessions.
    pub async fn drop_database(&self, name: &str) -> Result<()> {
        self.admin(&format!("drop database if exists {name} with (force)"))
            .await
    }

    /// Runs one statement on the admin database.
    async fn admin(&self, sql: &str) -> Result<()> {
        let admin = connect(&self.admin_url).await?;
        admin
            .batch_execute(sql)
            .await
            .with_context(|| sql.to_string())
    }

    /// The server's `server_version`.
    pub async fn version(&self) -> Result<String> {
        let admin = connect(&self.admin_url).await?;
        let row = admin.query_one("show server_version", &[]).await?;
        Ok(row.get(0))
    }
}

/// A connection to `url`, its connection task running on the current runtime.
pub async fn connect(url: &str) -> Result<Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .with_context(|| format!("cannot connect to {}", without_password(url)))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!("PostgreSQL connection ended: {e}");
        }
    });
    Ok(client)
}

/// `url` with any password replaced by `***`, for messages.
pub fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}
