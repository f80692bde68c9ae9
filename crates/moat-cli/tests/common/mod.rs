//! Helpers for the binary's end-to-end tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Run moat from the repository root: (stdout, stderr, exit code).
pub fn moat(args: &[&str]) -> (String, String, i32) {
    moat_in(&repo(), args)
}

/// Run moat from `dir` (so that paths in its output are relative to it).
pub fn moat_in(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let out = assert_cmd::Command::cargo_bin("moat")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!(
            "moat-cli-test-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn str(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The three-tier example plus one object of a kind moat does not model (`v1 ConfigMap
/// settings` in `cm.yaml`), so that every command has a note for stderr.
pub fn three_tier_with_configmap(tag: &str) -> Scratch {
    let d = Scratch::new(tag);
    for f in ["policies.yaml", "workloads.yaml"] {
        std::fs::copy(repo().join("examples/three-tier").join(f), d.path().join(f)).unwrap();
    }
    std::fs::write(
        d.path().join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n",
    )
    .unwrap();
    d
}
