//! Helpers for tests that run the real `storewatch` binary on a real
//! database file in a temporary directory.

pub mod browser;
pub mod client;
pub mod receiver;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A client builder for the tests' own requests: reqwest's TLS is rustls
/// without a provider of its own, so ring is installed first (as the
/// service's alert sender does).
pub fn http_client_builder() -> reqwest::ClientBuilder {
    storewatch::app::alerts::deliver::use_ring();
    reqwest::Client::builder()
}

pub fn http_client() -> reqwest::Client {
    http_client_builder().build().unwrap()
}

/// A loopback port nobody listens on (just now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn database_url(&self) -> String {
        format!("sqlite://{}", self.path("storewatch.db").display())
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Runs `storewatch --database-url <this workspace's db> args…` in the
    /// workspace (args starting with `--database-url` choose another database).
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_storewatch"));
        if args.first() != Some(&"--database-url") {
            cmd.arg("--database-url").arg(self.database_url());
        }
        cmd.args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    /// Like [`Workspace::run`], panicking with stderr unless it succeeds.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "storewatch {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

/// The shared data folder beside the repository (CI has it), or `None` with
/// the reason printed. Set STOREWATCH_REQUIRE_SHARED=1 to make absence fail.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("STOREWATCH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if dir.join("SPEC.md").is_file() {
        return Some(dir);
    }
    let why = format!(
        "{} not found (set STOREWATCH_SHARED to the shared folder)",
        dir.display()
    );
    if std::env::var_os("STOREWATCH_REQUIRE_SHARED").is_some() {
        panic!("STOREWATCH_REQUIRE_SHARED is set but {why}");
    }
    eprintln!("SKIPPED: this test reads the shared data set, and {why}");
    None
}
