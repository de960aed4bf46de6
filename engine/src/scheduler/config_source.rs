//! The configuration a running server uses: re-read from its file at every scheduler tick
//! and job start, so changes take effect without a restart. A new file that cannot be read
//! or does not validate leaves the last good configuration in force, and says why once.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use tracing::{info, warn};

use crate::config::{Config, ConfigError, TakesEffect};

/// The configuration file and the last good configuration read from it.
pub struct ConfigSource {
    path: PathBuf,
    state: Mutex<Loaded>,
}

struct Loaded {
    /// The configuration in force.
    good: Arc<Config>,
    /// The file text last looked at, good or bad, so an unchanged file is not parsed again
    /// and a bad one is reported once.
    text: Option<String>,
}

impl ConfigSource {
    /// Reads the file; an error when it cannot be read or is invalid.
    pub fn open(path: &Path) -> Result<Self, ConfigError> {
        let config = Config::load(path)?;
        Ok(Self {
            path: path.to_owned(),
            state: Mutex::new(Loaded {
                good: Arc::new(config),
                text: std::fs::read_to_string(path).ok(),
            }),
        })
    }

    /// The configuration in force, without looking at the file.
    pub fn current(&self) -> Arc<Config> {
        self.lock().good.clone()
    }

    /// Re-reads the file if it changed and returns the configuration in force.
    pub fn reload(&self) -> Arc<Config> {
        let text = std::fs::read_to_string(&self.path);
        let mut state = self.lock();
        match text {
            Ok(text) if state.text.as_deref() == Some(text.as_str()) => {}
            Ok(text) => {
                match Config::load(&self.path) {
                    Ok(config) => {
                        for change in state.good.changes(&config) {
                            match change.takes_effect {
                                TakesEffect::Restart => warn!(
                                    "configuration: {} changed; it takes effect after a restart",
                                    change.location
                                ),
                                _ => info!("configuration: {} changed", change.location),
                            }
                        }
                        state.good = Arc::new(config);
                    }
                    Err(e) => warn!(
                        "configuration {} is not valid, keeping the last good one: {e}",
                        self.path.display()
                    ),
                }
                state.text = Some(text);
            }
            Err(e) if state.text.is_some() => {
                warn!(
                    "configuration {} cannot be read, keeping the last good one: {e}",
                    self.path.display()
                );
                state.text = None;
            }
            Err(_) => {}
        }
        state.good.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Loaded> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
