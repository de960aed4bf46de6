//! The real `tidemark` binary as a child process: `tidemark serve` on a free port, CLI
//! commands against it, their output, and waiting for them.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{get, http, TestServer};

/// `target/debug/tidemark`, next to the directory of this test binary.
pub fn tidemark_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().and_then(Path::parent).unwrap();
    let binary = debug.join("tidemark");
    assert!(
        binary.exists(),
        "{} is missing: build the workspace first",
        binary.display()
    );
    binary
}

/// A free local port (bound and released at once).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// `tidemark --config <config> <args>` with its stdout and stderr in `dir/<tag>.out` and
/// `dir/<tag>.err`. The server token comes from the configuration only, unless `env` sets
/// it.
pub fn spawn_tidemark(
    config: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    dir: &Path,
    tag: &str,
) -> Child {
    let log = |name: &str| std::fs::File::create(dir.join(format!("{tag}.{name}"))).unwrap();
    Command::new(tidemark_binary())
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("TIDEMARK_SERVER_TOKEN")
        .envs(env.iter().copied())
        .stdout(Stdio::from(log("out")))
        .stderr(Stdio::from(log("err")))
        .spawn()
        .expect("tidemark starts")
}

/// `tidemark --config <config> serve --listen 127.0.0.1:<port>` with its output in `dir`.
pub fn spawn_serve(config: &Path, port: u16, dir: &Path, tag: &str) -> Child {
    let listen = format!("127.0.0.1:{port}");
    spawn_tidemark(config, &["serve", "--listen", &listen], &[], dir, tag)
}

/// Runs `tidemark --config <config> <args>` to its end (at most 120 s); its exit status and
/// both outputs.
pub fn run_tidemark(
    config: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    dir: &Path,
    tag: &str,
) -> (ExitStatus, String) {
    let mut child = Reaper(spawn_tidemark(config, args, env, dir, tag));
    let status = wait_for_exit(&mut child.0, Duration::from_secs(120))
        .unwrap_or_else(|| panic!("`tidemark {}` did not end", args.join(" ")));
    (status, output(dir, tag))
}

/// Both output files of a process started with `tag`.
pub fn output(dir: &Path, tag: &str) -> String {
    let read = |name: &str| std::fs::read_to_string(dir.join(format!("{tag}.{name}")));
    format!(
        "{}{}",
        read("out").unwrap_or_default(),
        read("err").unwrap_or_default()
    )
}

/// The exit status of `child` within `limit`, or `None`.
pub fn wait_for_exit(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

/// Polls `check` every 200 ms for up to 120 s.
pub async fn eventually<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until the server at `server` answers `/readyz`.
pub async fn wait_until_ready(server: &TestServer) {
    eventually("the server to answer /readyz", async || {
        let answer = http().get(format!("{}/readyz", server.base)).send().await;
        answer.ok().filter(|r| r.status().is_success())
    })
    .await;
}

/// The history row of `job_id`, if listed.
pub async fn history_row(server: &TestServer, job_id: &str) -> Option<Value> {
    let (status, body) = get(server, "/api/v1/history").await;
    assert_eq!(status, 200, "{body}");
    body.as_array()?
        .iter()
        .find(|row| row["job_id"] == job_id)
        .cloned()
}

/// Stops the child if a failed assertion leaves it running.
pub struct Reaper(pub Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}
