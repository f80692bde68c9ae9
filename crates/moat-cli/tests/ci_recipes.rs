//! The CI recipes of examples/ci/ run what they say: the pre-commit hook is run for real in
//! a git repository made here (with the `moat` under test on PATH), and the GitHub Actions
//! workflow and the pre-commit framework config are valid YAML that run the three commands.

use std::path::{Path, PathBuf};
use std::process::Command;

use moat::yaml::parse_stream;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=moat", "-c", "user.email=moat@example.com"])
        .args(args)
        .output()
        .expect("git must be installed for the pre-commit hook test");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Run the hook in `dir` with the moat under test first on PATH: (output, exit code).
fn hook(dir: &Path) -> (String, i32) {
    let bin = assert_cmd::cargo::cargo_bin("moat");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg(repo().join("examples/ci/pre-commit"))
        .current_dir(dir)
        .env("PATH", path)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (text, out.status.code().unwrap_or(-1))
}

const EXPECT: &str =
    "expect:\n  - {from: production/frontend, to: production/backend, port: 8080, allowed: true}\n";

#[test]
fn pre_commit_hook_refuses_connections_opened_beyond_the_expectations() {
    let dir = std::env::temp_dir().join(format!("moat-hook-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let k8s = dir.join("k8s");
    std::fs::create_dir_all(&k8s).unwrap();
    git(&dir, &["init", "-q"]);
    let copy = |from: &str| {
        for f in ["policies.yaml", "workloads.yaml"] {
            std::fs::copy(repo().join(from).join(f), k8s.join(f)).unwrap();
        }
    };
    copy("examples/three-tier");
    std::fs::write(k8s.join("expect.yaml"), EXPECT).unwrap();

    // First commit: no HEAD to diff with; lint and check pass.
    let (out, code) = hook(&dir);
    assert_eq!(code, 0, "{out}");
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "base"]);

    // The pull request opens two connections the expectations do not declare.
    copy("examples/three-tier-pr");
    let (out, code) = hook(&dir);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("+ monitoring/prometheus → production/backend  TCP 9090"),
        "{out}"
    );
    assert!(
        out.contains("gate --fail-on opened: FAILED, 2 changes"),
        "{out}"
    );
    assert!(out.contains("does not declare"), "{out}");

    // Declared: the hook passes (check proves them, diff excuses them).
    std::fs::write(
        k8s.join("expect.yaml"),
        format!("{EXPECT}  - {{from: monitoring/prometheus, to: production/backend, port: 9090, allowed: true}}\n  - {{from: production/backend, to: 203.0.113.10, port: 443, allowed: true}}\n"),
    )
    .unwrap();
    let (out, code) = hook(&dir);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("gate --fail-on opened: passed (2 opening excused by --allow)"),
        "{out}"
    );

    // A failing expectation fails the hook too.
    std::fs::write(
        k8s.join("expect.yaml"),
        "expect:\n  - {from: production/frontend, to: production/database, port: 5432, allowed: true}\n",
    )
    .unwrap();
    let (out, code) = hook(&dir);
    assert_eq!(code, 1, "{out}");
}

fn run_commands(file: &str) -> Vec<String> {
    let path = repo().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let name: std::sync::Arc<str> = std::sync::Arc::from(file);
    let docs: Vec<_> = parse_stream(&name, &text)
        .into_iter()
        .map(|d| d.unwrap_or_else(|e| panic!("{file}: {e}")))
        .collect();
    assert_eq!(docs.len(), 1, "{file}");
    // Every string scalar that runs moat.
    let mut out = Vec::new();
    fn walk(n: &moat::yaml::Node, out: &mut Vec<String>) {
        if let Some(s) = n.as_str() {
            if s.contains("moat ") {
                out.push(s.to_string());
            }
        }
        for (_, _, v) in n.entries() {
            walk(v, out);
        }
        if let moat::yaml::Value::Seq(items) = &n.value {
            for i in items {
                walk(i, out);
            }
        }
    }
    if let Some(d) = &docs[0] {
        walk(d, &mut out);
    }
    out
}

#[test]
fn github_workflow_lints_checks_diffs_and_comments() {
    let cmds = run_commands("examples/ci/github-actions.yml").join("\n");
    assert!(cmds.contains("moat lint \"$MANIFESTS\""), "{cmds}");
    assert!(
        cmds.contains("moat check \"$MANIFESTS\" --expect \"$EXPECT\""),
        "{cmds}"
    );
    assert!(
        cmds.contains("moat diff --base \"origin/${{ github.base_ref }}\" \"$MANIFESTS\""),
        "{cmds}"
    );
    assert!(
        cmds.contains("--output md --fail-on opened --allow \"$EXPECT\""),
        "{cmds}"
    );
    let text = std::fs::read_to_string(repo().join("examples/ci/github-actions.yml")).unwrap();
    assert!(text.contains("gh pr comment \"$PR\" --body-file moat-diff.md"));
    assert!(text.contains("fetch-depth: 0"));
}

#[test]
fn pre_commit_framework_config_runs_the_three_commands() {
    // The hooks' `entry` commands (their names say `moat ...` too).
    let cmds: Vec<String> = run_commands("examples/ci/pre-commit-config.yaml")
        .into_iter()
        .filter(|c| c.contains("k8s/"))
        .collect();
    assert_eq!(
        cmds,
        [
            "moat lint k8s/",
            "moat check k8s/ --expect k8s/expect.yaml",
            "moat diff --base HEAD k8s/ --fail-on opened --allow k8s/expect.yaml",
        ]
    );
}
