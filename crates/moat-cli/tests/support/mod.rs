//! What the live tests share: the stand-in API server, kubeconfigs for it, and running the
//! real `moat` binary.

#![allow(dead_code)]

pub mod apiserver;

use std::path::{Path, PathBuf};
use std::process::Command;

use apiserver::{objects_of, ApiServer};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn three_tier() -> Vec<serde_json::Value> {
    let dir = root().join("examples/three-tier");
    objects_of(&[&dir.join("workloads.yaml"), &dir.join("policies.yaml")])
}

pub fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("moat-live-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A kubeconfig for the server, written into a fresh directory.
pub fn kubeconfig(server: &ApiServer, name: &str) -> PathBuf {
    let dir = tempdir(name);
    let kc = dir.join("kubeconfig");
    std::fs::write(&kc, server.kubeconfig("test-token")).unwrap();
    kc
}

pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

pub fn run_bin(bin: &Path, args: &[&str], envs: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(bin);
    cmd.args(args).current_dir(root());
    // The tests' own kubeconfig only: never one of the machine.
    cmd.env_remove("KUBECONFIG")
        .env("HOME", std::env::temp_dir());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run moat");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

pub fn moat(args: &[&str]) -> Run {
    run_bin(Path::new(env!("CARGO_BIN_EXE_moat")), args, &[])
}

pub fn assert_only_gets(server: &ApiServer) {
    let reqs = server.requests();
    assert!(!reqs.is_empty(), "no request reached the server");
    for r in &reqs {
        assert_eq!(r.method, "GET", "moat sent {} {}", r.method, r.path);
    }
}
