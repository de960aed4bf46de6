//! The machine and software a result was measured on, so figures from different machines
//! are never compared blindly.

use serde::{Deserialize, Serialize};

/// Hardware and operating system.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Machine {
    /// CPU model (`/proc/cpuinfo`).
    pub cpu_model: String,
    /// Logical cores available to the process.
    pub cores: usize,
    /// Installed memory, GB (`/proc/meminfo` MemTotal).
    pub ram_gb: f64,
    /// Kernel release.
    pub kernel: String,
}

/// Versions of what was measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Versions {
    /// Tidemark crate version.
    pub tidemark: String,
    /// Git commit of the working tree, when known.
    pub commit: Option<String>,
    /// `rustc --version` of the toolchain on PATH, when known.
    pub rustc: Option<String>,
    /// PostgreSQL `server_version` of the IDB server.
    pub postgres: String,
}

impl Machine {
    /// The machine this process runs on.
    pub fn current() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|v| v.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| "unknown".to_string());
        let ram_kb: f64 = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0.0);
        Self {
            cpu_model,
            cores: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            ram_gb: (ram_kb / 1024.0 / 1024.0 * 10.0).round() / 10.0,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "unknown".to_string()),
        }
    }
}

impl Versions {
    /// Versions of this build, with the PostgreSQL server version given.
    pub fn current(postgres: String) -> Self {
        Self {
            tidemark: env!("CARGO_PKG_VERSION").to_string(),
            commit: command_line(
                "git",
                &[
                    "-C",
                    env!("CARGO_MANIFEST_DIR"),
                    "rev-parse",
                    "--short",
                    "HEAD",
                ],
            ),
            rustc: command_line("rustc", &["--version"]),
            postgres,
        }
    }
}

/// The first output line of a command, if it ran and succeeded.
fn command_line(program: &str, args: &[&str]) -> Option<String> {
    let output = std::process::Command::new(program)
        .args(args)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout)
        .ok()
        .and_then(|s| s.lines().next().map(|l| l.trim().to_string()))
        .filter(|s| !s.is_empty())
}
