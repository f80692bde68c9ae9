//! `moat diff` end to end: a golden output for every format and view, the gate's exit
//! codes, `--allow`, `--base` against a real git repository made here, stdin, and bad input.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Run moat in `dir`: (stdout, stderr, code).
fn moat_in(dir: &Path, args: &[&str], stdin: Option<String>) -> (String, String, i32) {
    let mut cmd = Command::cargo_bin("moat").unwrap();
    cmd.current_dir(dir).args(args);
    if let Some(s) = stdin {
        cmd.write_stdin(s);
    }
    let out = cmd.output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

fn moat(args: &[&str]) -> (String, String, i32) {
    moat_in(&repo(), args, None)
}

const OLD: &str = "examples/three-tier";
const NEW: &str = "examples/three-tier-pr";

fn pr(extra: &[&str]) -> String {
    let mut args = vec!["diff", OLD, NEW];
    args.extend_from_slice(extra);
    let (out, err, code) = moat(&args);
    assert_eq!(code, 0, "{err}");
    out
}

/// A fresh directory under the system's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("moat-diff-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn diff_three_tier_pr_text() {
    insta::assert_snapshot!(pr(&[]));
}

#[test]
fn diff_three_tier_pr_json() {
    let out = pr(&["-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["schema"], "moat.diff/v1");
    assert_eq!(v["summary"]["added"], v["added"].as_array().unwrap().len());
    insta::assert_snapshot!(out);
}

#[test]
fn diff_three_tier_pr_markdown() {
    insta::assert_snapshot!(pr(&["-o", "md"]));
}

#[test]
fn diff_three_tier_pr_csv() {
    insta::assert_snapshot!(pr(&["-o", "csv"]));
}

#[test]
fn diff_three_tier_pr_pod_view_text() {
    insta::assert_snapshot!(pr(&["--group", "pod"]));
}

#[test]
fn diff_three_tier_pr_namespace_view_text() {
    insta::assert_snapshot!(pr(&["--group", "namespace"]));
}

#[test]
fn diff_markdown_with_gate_and_allow() {
    let (out, err, code) = moat(&[
        "diff",
        OLD,
        NEW,
        "-o",
        "md",
        "--fail-on",
        "opened",
        "--allow",
        "examples/three-tier-pr/allow.yaml",
    ]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn added_and_removed_entries_are_matrix_connections_of_their_side() {
    // `from`, `to`, `ports` (and pair counts) are written exactly as `moat matrix -o json`.
    let d: serde_json::Value = serde_json::from_str(&pr(&["-o", "json"])).unwrap();
    for (list, side) in [("added", NEW), ("removed", OLD)] {
        let (m, _, code) = moat(&["matrix", side, "-o", "json"]);
        assert_eq!(code, 0);
        let m: serde_json::Value = serde_json::from_str(&m).unwrap();
        let conns = m["connections"].as_array().unwrap();
        let entries = d[list].as_array().unwrap();
        assert!(!entries.is_empty());
        for e in entries {
            let mut conn = e.as_object().unwrap().clone();
            for k in ["opens", "closes", "excused", "flow", "verdict", "causes"] {
                conn.remove(k);
            }
            let conn = serde_json::Value::Object(conn);
            // External ranges are on the common refinement: compare those by name only.
            if conn["to"].as_str().unwrap().contains("/24") {
                continue;
            }
            assert!(
                conns.contains(&conn),
                "{conn} is not a connection of {side}"
            );
        }
    }
}

#[test]
fn gate_exit_codes() {
    let code = |args: &[&str]| {
        let mut all = vec!["diff", OLD, NEW];
        all.extend_from_slice(args);
        moat(&all).2
    };
    assert_eq!(code(&[]), 0);
    assert_eq!(code(&["--fail-on", "opened"]), 1);
    assert_eq!(code(&["--fail-on", "closed"]), 1);
    assert_eq!(code(&["--fail-on", "any"]), 1);
    // No change at all: every gate passes.
    for kind in ["opened", "closed", "any"] {
        let (out, err, c) = moat(&["diff", OLD, OLD, "--fail-on", kind]);
        assert_eq!(c, 0, "{err}");
        assert!(out.contains("0 added, 0 removed, 0 changed"), "{out}");
        assert!(out.contains("passed"), "{out}");
    }
}

#[test]
fn allow_file_excuses_declared_opened_flows_only() {
    let dir = scratch("allow");
    let partial = dir.join("partial.yaml");
    std::fs::write(
        &partial,
        "expect:\n  - {from: production/backend, to: 203.0.113.10, port: 443, allowed: true}\n",
    )
    .unwrap();
    let all = dir.join("all.yaml");
    std::fs::write(
        &all,
        "expect:\n  - {from: production/backend, to: 203.0.113.10, port: 443, allowed: true}\n  - {from: monitoring/prometheus, to: production/backend, port: 9090, allowed: true}\n",
    )
    .unwrap();
    let wrong_port = dir.join("wrong-port.yaml");
    std::fs::write(
        &wrong_port,
        "expect:\n  - {from: monitoring/prometheus, to: production/backend, port: 9091, allowed: true}\n  - {from: production/backend, to: 203.0.113.10, port: 443, allowed: true}\n",
    )
    .unwrap();
    let run = |f: &Path, kind: &str| {
        moat(&[
            "diff",
            OLD,
            NEW,
            "--fail-on",
            kind,
            "--allow",
            f.to_str().unwrap(),
            "-o",
            "json",
        ])
    };
    let (out, err, code) = run(&partial, "opened");
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["gate"]["failing"], 1);
    assert_eq!(v["gate"]["excused"], 1);
    assert_eq!(run(&all, "opened").2, 0);
    assert_eq!(run(&wrong_port, "opened").2, 1);
    // Closing changes are never excused.
    assert_eq!(run(&all, "closed").2, 1);
    assert_eq!(run(&all, "any").2, 1);
}

#[test]
fn allow_file_naming_nothing_is_bad_input() {
    let dir = scratch("allow-bad");
    let f = dir.join("stale.yaml");
    std::fs::write(
        &f,
        "expect:\n  - {from: production/gone, to: production/backend, port: 80, allowed: true}\n",
    )
    .unwrap();
    let (_, err, code) = moat(&["diff", OLD, NEW, "--allow", f.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("stale.yaml:2"), "{err}");
    assert!(err.contains("production/gone"), "{err}");
}

#[test]
fn full_computation_gives_the_same_answer() {
    for view in ["workload", "pod", "namespace"] {
        assert_eq!(
            pr(&["-o", "json", "--group", view]),
            pr(&["-o", "json", "--group", view, "--full"]),
            "{view}"
        );
    }
}

#[test]
fn one_side_from_stdin() {
    let text = ["policies.yaml", "workloads.yaml"]
        .iter()
        .map(|f| std::fs::read_to_string(repo().join(NEW).join(f)).unwrap())
        .collect::<Vec<_>>()
        .join("\n---\n");
    let (out, err, code) = moat_in(&repo(), &["diff", OLD, "-", "-o", "csv"], Some(text));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, pr(&["-o", "csv"]));
}

#[test]
fn bad_input_exits_2() {
    let (_, err, code) = moat(&["diff", OLD]);
    assert_eq!(code, 2);
    assert!(err.contains("OLD and NEW"), "{err}");
    let (_, err, code) = moat(&["diff", OLD, "examples/no-such-dir"]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-dir"), "{err}");
    let dir = scratch("bad-yaml");
    std::fs::write(
        dir.join("broken.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n",
    )
    .unwrap();
    let (_, err, code) = moat(&["diff", OLD, dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("broken.yaml:"), "{err}");
    let (_, _, code) = moat(&["diff", "-", "-"]);
    assert_eq!(code, 2);
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Process::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=moat", "-c", "user.email=moat@example.com"])
        .args(args)
        .output()
        .expect("git must be installed for the --base tests");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A repository whose HEAD holds three-tier in k8s/, and whose work tree holds the PR.
fn pr_repository(name: &str) -> PathBuf {
    let dir = scratch(name);
    git(&dir, &["init", "-q"]);
    let k8s = dir.join("k8s");
    std::fs::create_dir_all(&k8s).unwrap();
    for f in ["policies.yaml", "workloads.yaml"] {
        std::fs::copy(repo().join(OLD).join(f), k8s.join(f)).unwrap();
    }
    std::fs::write(dir.join("README.md"), "not a manifest\n").unwrap();
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    git(&dir, &["branch", "-q", "base"]);
    for f in ["policies.yaml", "workloads.yaml"] {
        std::fs::copy(repo().join(NEW).join(f), k8s.join(f)).unwrap();
    }
    dir
}

#[test]
fn base_reads_the_old_side_from_git_without_touching_the_work_tree() {
    let dir = pr_repository("base");
    let status_before = git(&dir, &["status", "--porcelain"]);
    let (out, err, code) = moat_in(&dir, &["diff", "--base", "base", "k8s", "-o", "csv"], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, pr(&["-o", "csv"]));
    assert_eq!(git(&dir, &["status", "--porcelain"]), status_before);
    assert!(status_before.contains("k8s/policies.yaml"));

    // Names say where each side came from.
    let (out, _, _) = moat_in(&dir, &["diff", "--base", "base", "k8s"], None);
    assert!(
        out.starts_with("moat diff (workload view): base:k8s → k8s\n"),
        "{out}"
    );

    // From a subdirectory, paths are relative to it, as for git.
    let (out, err, code) = moat_in(
        &dir.join("k8s"),
        &["diff", "--base", "base", ".", "-o", "csv"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, pr(&["-o", "csv"]));

    // Committed: no difference with HEAD, one with the base branch.
    git(&dir, &["commit", "-q", "-am", "pr"]);
    let (out, _, code) = moat_in(
        &dir,
        &["diff", "--base", "HEAD", "k8s", "--fail-on", "any"],
        None,
    );
    assert_eq!(code, 0, "{out}");
    let (_, _, code) = moat_in(
        &dir,
        &["diff", "--base", "base", "k8s", "--fail-on", "opened"],
        None,
    );
    assert_eq!(code, 1);
}

#[test]
fn base_errors_and_paths_new_in_the_change() {
    let dir = pr_repository("base-errors");
    let (_, err, code) = moat_in(&dir, &["diff", "--base", "no-such-rev", "k8s"], None);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-rev"), "{err}");
    assert!(err.contains("not a commit"), "{err}");
    let outside = scratch("not-a-repo");
    std::fs::create_dir_all(outside.join("k8s")).unwrap();
    let (_, err, code) = moat_in(&outside, &["diff", "--base", "HEAD", "k8s"], None);
    assert_eq!(code, 2);
    assert!(err.contains("not inside a git repository"), "{err}");
    // A directory added by the change: the old side has nothing from it, and says so.
    let added = dir.join("apps");
    std::fs::create_dir_all(&added).unwrap();
    std::fs::copy(
        repo().join(NEW).join("workloads.yaml"),
        added.join("w.yaml"),
    )
    .unwrap();
    let (out, err, code) = moat_in(
        &dir,
        &["diff", "--base", "base", "apps", "-o", "json"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("apps has no .yaml, .yml or .json files at base"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(!v["added"].as_array().unwrap().is_empty());
    assert!(v["removed"].as_array().unwrap().is_empty());
    // A broken manifest at the base revision is reported with its revision and line.
    std::fs::write(dir.join("k8s/broken.yaml"), "kind: [\n").unwrap();
    git(&dir, &["add", "k8s/broken.yaml"]);
    git(&dir, &["commit", "-q", "-m", "broken"]);
    std::fs::remove_file(dir.join("k8s/broken.yaml")).unwrap();
    let (_, err, code) = moat_in(&dir, &["diff", "--base", "HEAD", "k8s"], None);
    assert_eq!(code, 2);
    assert!(err.contains("HEAD:k8s/broken.yaml:"), "{err}");
}

#[test]
fn diff_without_changes_markdown() {
    let (out, err, code) = moat(&["diff", OLD, OLD, "-o", "md", "--fail-on", "any"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_label_change_alone_opens_traffic_and_is_named_as_the_cause() {
    // The debug pod gets the frontend's tier label: no policy edit at all.
    let workloads = std::fs::read_to_string(repo().join(OLD).join("workloads.yaml")).unwrap();
    let labelled = workloads.replace(
        "    app: frontend\n",
        "    app: frontend\n    tier: frontend\n",
    );
    assert_ne!(labelled, workloads);
    let policies = std::fs::read_to_string(repo().join(OLD).join("policies.yaml")).unwrap();
    let (out, err, code) = moat_in(
        &repo(),
        &["diff", OLD, "-", "--fail-on", "opened"],
        Some(format!("{policies}\n---\n{labelled}")),
    );
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_cluster_policy_edit_names_the_deciding_tier_rule_and_the_cause() {
    // The platform's Baseline default deny turned into a Pass: traffic it denied opens.
    let dir = scratch("tiers-edit");
    for f in ["cluster-policies.yaml", "netpol.yaml", "workloads.yaml"] {
        let text = std::fs::read_to_string(repo().join("examples/tiers").join(f)).unwrap();
        let text = if f == "cluster-policies.yaml" {
            text.replace("action: Deny", "action: Pass")
        } else {
            text
        };
        std::fs::write(dir.join(f), text).unwrap();
    }
    let new = dir.to_str().unwrap();
    let (out, err, code) = moat(&["diff", "examples/tiers", new, "--fail-on", "opened"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("before  denied by Baseline ClusterNetworkPolicy/platform-baseline (priority 100), egress[1] `default-deny` Deny"),
        "{out}"
    );
    assert!(
        out.contains("cause   ClusterNetworkPolicy/platform-baseline changed"),
        "{out}"
    );
    // The incremental path knows NetworkPolicies only: with cluster policies both matrices
    // are computed whole, and the answer is the one --full gives.
    let (full, _, _) = moat(&["diff", "examples/tiers", new, "--full"]);
    let (incremental, _, _) = moat(&["diff", "examples/tiers", new]);
    assert_eq!(full, incremental);
    let (unchanged, _, code) = moat(&[
        "diff",
        "examples/tiers",
        "examples/tiers",
        "--fail-on",
        "any",
    ]);
    assert_eq!(code, 0, "{unchanged}");
}
