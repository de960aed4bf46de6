//! An S3-compatible object store for tests: moto's server (from PyPI), on a free loopback
//! port, with one bucket; stopped when dropped.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Credentials moto accepts (any pair works; these are what the tests pass).
pub const ACCESS_KEY: &str = "tidemark";
/// Secret key paired with [`ACCESS_KEY`].
pub const SECRET_KEY: &str = "tidemark-secret";
/// Region the bucket lives in.
pub const REGION: &str = "us-east-1";

/// A running moto S3 server with one bucket.
pub struct S3Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    /// The bucket created at start.
    pub bucket: String,
}

impl S3Server {
    /// Starts `python3 -m moto.server` and creates `bucket`; panics with the reason when
    /// moto is not installed or does not come up.
    pub fn start(bucket: &str) -> S3Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m moto.server (pip install 'moto[server]')");
        let server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket: bucket.to_string(),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto did not listen on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        let created = Command::new("python3")
            .args(["-c", CREATE_BUCKET, &server.endpoint, bucket])
            .envs(server.env())
            .output()
            .expect("python3");
        assert!(
            created.status.success(),
            "create bucket: {}",
            String::from_utf8_lossy(&created.stderr)
        );
        server
    }

    /// The `AWS_*` environment under which Tidemark reaches this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_string()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_string()),
            ("AWS_REGION", REGION.to_string()),
            ("AWS_ENDPOINT", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".to_string()),
        ]
    }

    /// `s3://<bucket>/<prefix>`.
    pub fn url(&self, prefix: &str) -> String {
        format!("s3://{}/{prefix}", self.bucket)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CREATE_BUCKET: &str = r#"
import sys, boto3
boto3.client('s3', endpoint_url=sys.argv[1]).create_bucket(Bucket=sys.argv[2])
"#;
