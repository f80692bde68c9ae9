//! The `moat` binary end to end: golden outputs for every format, and exit codes.

mod common;

use assert_cmd::Command;
use common::{moat, repo};

fn check(example: &str, expect: &str, format: &str) -> (String, i32) {
    let dir = format!("examples/{example}");
    let exp = format!("{dir}/{expect}");
    let (out, _, code) = moat(&["check", &dir, "--expect", &exp, "--output", format]);
    (out, code)
}

#[test]
fn check_three_tier_passes_text() {
    let (out, code) = check("three-tier", "expect.yaml", "text");
    assert_eq!(code, 0, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn check_task_api_passes_text() {
    let (out, code) = check("task-api", "expect.yaml", "text");
    assert_eq!(code, 0, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn check_seed_001_finds_the_wrong_expectation_text() {
    let (out, code) = check("seed-001", "expect.yaml", "text");
    assert_eq!(code, 1);
    assert!(out.contains(
        "FAIL production/{app=frontend} -> production/api TCP/8080: expected allowed, denied"
    ));
    assert!(out.ends_with("4 passed, 1 failed\n"));
    insta::assert_snapshot!(out);
}

#[test]
fn check_seed_001_json() {
    let (out, code) = check("seed-001", "expect.yaml", "json");
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["passed"], 4);
    assert_eq!(v["failed"], 1);
    assert_eq!(v["results"][0]["port"], 8080, "port echoed as a number");
    assert_eq!(v["results"][0]["protocol"], "TCP");
    assert_eq!(v["results"][0]["expected"], true);
    assert_eq!(v["results"][0]["actual"], false);
    insta::assert_snapshot!(out);
}

#[test]
fn check_seed_001_junit() {
    let (out, code) = check("seed-001", "expect.yaml", "junit");
    assert_eq!(code, 1);
    assert!(out.contains("tests=\"5\" failures=\"1\""));
    insta::assert_snapshot!(out);
}

#[test]
fn explain_seed_001_frontend_to_api_text() {
    let (out, _, code) = moat(&[
        "explain",
        "examples/seed-001",
        "--from",
        "production/frontend",
        "--to",
        "production/api",
        "--port",
        "8080",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("production/frontend -> production/api TCP/8080: DENIED"));
    insta::assert_snapshot!(out);
}

#[test]
fn explain_three_tier_allowed_json() {
    let (out, _, code) = moat(&[
        "explain",
        "examples/three-tier",
        "--from",
        "production/frontend",
        "--to",
        "production/backend",
        "--port",
        "http",
        "--output",
        "json",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["allowed"], true);
    assert_eq!(v["port"], 8080, "named port resolved on the destination");
    insta::assert_snapshot!(out);
}

#[test]
fn explain_external_destination_text() {
    let (out, _, code) = moat(&[
        "explain",
        "examples/seed-001",
        "--from",
        "production/api",
        "--to",
        "93.184.215.14",
        "--port",
        "80",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn unknown_endpoint_lists_near_matches_and_exits_2() {
    let (_, err, code) = moat(&[
        "explain",
        "examples/seed-001",
        "--from",
        "production/frontent",
        "--to",
        "production/api",
        "--port",
        "80",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean production/frontend"), "{err}");
}

#[test]
fn bad_input_names_file_line_column_and_exits_2() {
    let (out, err, code) = moat(&[
        "check",
        "tests/fixtures/seeds/003",
        "--expect",
        "examples/seed-001/expect.yaml",
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "no partial answer: {out}");
    assert!(err.contains("tests/fixtures/seeds/003/allow-from-frontend-ns-duplicate-ingress.yaml:19:3: duplicate key `ingress`"), "{err}");
}

#[test]
fn stdin_is_an_input() {
    let policies = std::fs::read_to_string(repo().join("examples/seed-001/policies.yaml")).unwrap();
    let workloads =
        std::fs::read_to_string(repo().join("examples/seed-001/workloads.yaml")).unwrap();
    let out = Command::cargo_bin("moat")
        .unwrap()
        .current_dir(repo())
        .args(["check", "-", "--expect", "examples/seed-001/expect.yaml"])
        .write_stdin(format!("{workloads}\n---\n{policies}"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .ends_with("4 passed, 1 failed\n"));
}

#[test]
fn bad_expectations_file_exits_2() {
    let dir = std::env::temp_dir().join(format!("moat-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.yaml");
    std::fs::write(&f, "expect:\n  - {from: production/frontend, to: production/api, port: 99999, allowed: true}\n  - {from: nowhere, to: production/api, port: 80, allowed: maybe}\n").unwrap();
    let (_, err, code) = moat(&[
        "check",
        "examples/seed-001",
        "--expect",
        f.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.yaml:2:59: expect[0].port: port 99999 is out of range"),
        "{err}"
    );
    assert!(err.contains("bad.yaml:3:12: expect[1].from"), "{err}");
}

#[test]
fn completions_are_generated() {
    let (out, _, code) = moat(&["completions", "bash"]);
    assert_eq!(code, 0);
    assert!(out.contains("moat"));
}
