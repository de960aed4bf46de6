//! An object-store location given by the operator: a local folder or a cloud URL, opened once
//! and shared by the GIDB store and the Parquet export.

use std::sync::Arc;

use object_store::local::LocalFileSystem;
use object_store::ObjectStore;
use url::Url;

/// Environment variables read as object-store options: `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`, `AWS_ALLOW_HTTP`, …;
/// `GOOGLE_SERVICE_ACCOUNT`, …; `AZURE_STORAGE_ACCOUNT_NAME`, `AZURE_STORAGE_ACCOUNT_KEY`, ….
/// A store takes the keys it knows and ignores the rest.
pub const STORE_ENV_PREFIXES: [&str; 3] = ["AWS_", "GOOGLE_", "AZURE_"];

/// Why a location could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("{location}: {reason}")]
pub struct LocationError {
    /// The configured location.
    pub location: String,
    /// What is wrong with it.
    pub reason: String,
}

/// An object store rooted at the configured prefix.
#[derive(Debug, Clone)]
pub struct StoreLocation {
    store: Arc<dyn ObjectStore>,
    url: Url,
    /// The bucket-level store of a cloud location, as query engines address it.
    bucket: Option<Arc<dyn ObjectStore>>,
}

impl StoreLocation {
    /// A local folder, created if missing.
    pub fn local(dir: &std::path::Path) -> Result<Self, LocationError> {
        let fail = |reason: String| LocationError {
            location: dir.display().to_string(),
            reason,
        };
        std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
        let dir = dir.canonicalize().map_err(|e| fail(e.to_string()))?;
        let store = LocalFileSystem::new_with_prefix(&dir).map_err(|e| fail(e.to_string()))?;
        let url = Url::from_directory_path(&dir)
            .map_err(|()| fail("not an absolute directory".into()))?;
        Ok(StoreLocation {
            store: Arc::new(store),
            url,
            bucket: None,
        })
    }

    /// An object-store URL: `s3://bucket/prefix` (Amazon S3 and S3-compatible stores),
    /// `gs://bucket/prefix` (Google Cloud Storage) or `az://container/prefix` (Azure Blob
    /// Storage). Credentials, region and endpoint come from the environment, as each
    /// cloud's own tools read them (see [`STORE_ENV_PREFIXES`]).
    pub fn from_url(url: &str) -> Result<Self, LocationError> {
        let fail = |reason: String| LocationError {
            location: url.to_string(),
            reason,
        };
        let parsed = Url::parse(url).map_err(|e| fail(e.to_string()))?;
        let options = std::env::vars()
            .filter(|(key, _)| STORE_ENV_PREFIXES.iter().any(|p| key.starts_with(p)));
        let (store, prefix) =
            object_store::parse_url_opts(&parsed, options).map_err(|e| fail(e.to_string()))?;
        let bucket: Arc<dyn ObjectStore> = Arc::from(store);
        let store: Arc<dyn ObjectStore> = Arc::new(object_store::prefix::PrefixStore::new(
            Arc::clone(&bucket),
            prefix,
        ));
        let mut base = parsed.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Ok(StoreLocation {
            store,
            url: base,
            bucket: Some(bucket),
        })
    }

    /// A plain path, a `file://` URL (both local folders) or an object-store URL.
    pub fn open(location: &str) -> Result<Self, LocationError> {
        if let Some(path) = location.strip_prefix("file://") {
            return Self::local(std::path::Path::new(path));
        }
        match Url::parse(location) {
            Ok(url) if url.scheme().len() > 1 => Self::from_url(location),
            _ => Self::local(std::path::Path::new(location)),
        }
    }

    /// The object store, rooted at the location's prefix.
    pub fn store(&self) -> Arc<dyn ObjectStore> {
        Arc::clone(&self.store)
    }

    /// The URL of the location's root (ends with `/`).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Registers the store with a DataFusion session so that URLs under [`Self::url`]
    /// resolve (local folders need nothing).
    pub fn register_with(&self, ctx: &datafusion::prelude::SessionContext) {
        if let Some(bucket) = &self.bucket {
            let mut root = self.url.clone();
            root.set_path("/");
            ctx.register_object_store(&root, Arc::clone(bucket));
        }
    }
}
