//! What every benchmark shares: the configuration of a run over one IDB, a job run in-process
//! and timed, and the bytes a folder holds.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use tidemark::config::Config;
use tidemark::jobs::{runner, Trigger};
use tokio_util::sync::CancellationToken;

use crate::measure::{Probe, StageCost};

/// The `[gim-etl]` extraction options a run sets; unset ones keep the configuration default.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct EtlOptions {
    /// Connections per IDB (`extract-data-max-conn`), also the parallel COPY's.
    #[arg(long, value_name = "T")]
    pub threads: Option<u32>,
    /// Seconds of source time per extraction window (`extract-data-chunk-size`, at most
    /// 7200; the Operations Guide raises it to 7200 to recover from a long outage).
    #[arg(long = "chunk-seconds", value_name = "S")]
    pub chunk_seconds: Option<u32>,
}

impl EtlOptions {
    /// The `[gim-etl]` section of these options (empty when none is set).
    fn section(&self) -> String {
        let mut lines = Vec::new();
        if let Some(t) = self.threads {
            lines.push(format!("extract-data-max-conn = {t}"));
        }
        if let Some(s) = self.chunk_seconds {
            lines.push(format!("extract-data-chunk-size = {s}"));
        }
        if lines.is_empty() {
            String::new()
        } else {
            format!("[gim-etl]\n{}\n", lines.join("\n"))
        }
    }
}

/// The configuration of one run: the fresh Info Mart and GIDB folder, one DAP with every
/// role on the IDB, the extraction options and the `extra` sections.
pub fn configuration(
    infomart_url: &str,
    gidb: &Path,
    idb_url: &str,
    etl: EtlOptions,
    extra: &str,
) -> Result<Config> {
    let text = format!(
        "[infomart]\nurl = \"{infomart_url}\"\n\n[gidb]\nurl = \"{}\"\n\n{}\n{extra}\n\
         [[dap]]\nname = \"idb\"\nrole = \"ICON_CFG,ICON_CORE,ICON_MM,ICON_OCS\"\nurl = \"{idb_url}\"\n",
        gidb.display(),
        etl.section()
    );
    Config::from_toml_str(&text).map_err(|e| anyhow::anyhow!("benchmark configuration: {e}"))
}

/// Runs one job in-process and returns what it cost.
pub async fn run_timed(config: &Arc<Config>, job: &str) -> Result<StageCost> {
    let probe = Probe::start(job);
    runner::run_job(
        Arc::clone(config),
        job,
        Trigger::Manual,
        CancellationToken::new(),
    )
    .await
    .with_context(|| format!("{job} failed"))?;
    Ok(probe.finish())
}

/// Bytes of every file under `folder`.
pub fn folder_bytes(folder: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in
        std::fs::read_dir(folder).with_context(|| format!("reading {}", folder.display()))?
    {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            folder_bytes(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}
