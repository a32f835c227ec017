//! The `hpc` binary pointed at an in-process sandbox, for the CLI's test files.
#![allow(dead_code)] // each test file uses its own part

use std::process::{Command, Output, Stdio};

use assert_cmd::cargo::CommandCargoExt;
use hpc_sandbox::Sandbox;

/// A sandbox, a home directory, and `hpc` run with the sandbox's environment.
pub struct Env {
    pub sandbox: Sandbox,
    pub home: tempfile::TempDir,
}

impl Env {
    pub async fn start(jobs: usize) -> Self {
        Self::with(Sandbox::builder().jobs(jobs)).await
    }

    pub async fn with(builder: hpc_sandbox::SandboxBuilder) -> Self {
        Env {
            sandbox: builder.start().await.unwrap(),
            home: tempfile::tempdir().unwrap(),
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::cargo_bin("hpc").unwrap();
        command
            .env_clear()
            .env("HOME", self.home.path())
            .env("PATH", std::env::var("PATH").unwrap_or_default());
        for line in self.sandbox.env_lines() {
            let (name, value) = line.split_once('=').unwrap();
            command.env(name, value);
        }
        command.args(args).stdin(Stdio::null());
        command
    }

    pub async fn run(&self, args: &[&str]) -> Output {
        let mut command = self.command(args);
        tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap()
    }

    pub fn secrets(&self) -> [String; 2] {
        let c = self.sandbox.credentials();
        [c.ehpc_secret_access_key.clone(), c.scnet_secret_key.clone()]
    }

    pub fn assert_no_secret(&self, output: &Output) {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        for secret in self.secrets() {
            assert!(!text.contains(&secret), "a secret was printed");
        }
        assert!(!text.contains("eyJ"), "a token was printed");
    }
}
