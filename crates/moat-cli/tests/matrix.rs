//! `moat matrix` end to end: a golden output for every format and view, filters, limits,
//! stats and bad input.

mod common;

use assert_cmd::Command;
use common::{moat, repo};

fn matrix(args: &[&str]) -> String {
    let mut all = vec!["matrix"];
    all.extend_from_slice(args);
    let (out, err, code) = moat(&all);
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn matrix_three_tier_text() {
    insta::assert_snapshot!(matrix(&["examples/three-tier"]));
}

#[test]
fn matrix_three_tier_json() {
    let out = matrix(&["examples/three-tier", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["schema"], "moat.matrix/v1");
    assert_eq!(
        v["count"].as_u64().unwrap() as usize,
        v["connections"].as_array().unwrap().len()
    );
    insta::assert_snapshot!(out);
}

#[test]
fn matrix_three_tier_csv() {
    insta::assert_snapshot!(matrix(&["examples/three-tier", "-o", "csv"]));
}

#[test]
fn matrix_three_tier_markdown() {
    insta::assert_snapshot!(matrix(&["examples/three-tier", "-o", "md"]));
}

#[test]
fn matrix_three_tier_dot() {
    insta::assert_snapshot!(matrix(&["examples/three-tier", "-o", "dot"]));
}

#[test]
fn matrix_three_tier_mermaid() {
    insta::assert_snapshot!(matrix(&["examples/three-tier", "-o", "mermaid"]));
}

#[test]
fn matrix_namespace_view_says_where_member_pairs_differ() {
    let out = matrix(&["examples/three-tier", "--group", "namespace"]);
    assert!(
        out.contains("ports differ by pair") || out.contains(" pairs"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn matrix_namespace_view_json_reports_pairs() {
    insta::assert_snapshot!(matrix(&[
        "examples/three-tier",
        "--group",
        "namespace",
        "-o",
        "json"
    ]));
}

#[test]
fn matrix_pod_view_task_api() {
    insta::assert_snapshot!(matrix(&["examples/task-api", "--group", "pod"]));
}

#[test]
fn matrix_seed_001_workload_view() {
    insta::assert_snapshot!(matrix(&["examples/seed-001"]));
}

#[test]
fn matrix_focus_shows_everything_touching_one_workload() {
    let out = matrix(&["examples/three-tier", "--focus", "production/backend"]);
    for line in out
        .lines()
        .skip(1)
        .filter(|l| l.contains('/') || l.contains("::"))
    {
        assert!(line.contains("production/backend"), "{line}");
    }
    insta::assert_snapshot!(out);
}

#[test]
fn matrix_port_filter_narrows_the_ports_shown() {
    let out = matrix(&[
        "examples/three-tier",
        "--port",
        "53",
        "--protocol",
        "udp",
        "--from",
        "production/frontend",
    ]);
    insta::assert_snapshot!(out);
}

#[test]
fn matrix_ns_filter_keeps_connections_touching_the_namespace() {
    insta::assert_snapshot!(matrix(&[
        "examples/three-tier",
        "--ns",
        "kube-system",
        "--group",
        "namespace"
    ]));
}

#[test]
fn matrix_to_filter_accepts_an_ip() {
    let out = matrix(&["examples/three-tier", "--to", "203.0.113.10"]);
    insta::assert_snapshot!(out);
}

#[test]
fn matrix_limit_stops_and_says_how_to_get_more() {
    let (out, err, code) = moat(&[
        "matrix",
        "examples/three-tier",
        "--group",
        "workload",
        "--limit",
        "3",
    ]);
    assert_eq!(code, 0);
    assert!(err.contains("--limit 0"), "{err}");
    assert_eq!(out.lines().filter(|l| l.contains("/")).count(), 3, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn matrix_too_many_workload_connections_fall_back_to_the_namespace_summary() {
    let (out, err, code) = moat(&["matrix", "examples/three-tier", "--limit", "5"]);
    assert_eq!(code, 0);
    assert!(
        err.contains("namespace summary") && err.contains("--group workload --limit 0"),
        "{err}"
    );
    assert_eq!(
        out,
        matrix(&["examples/three-tier", "--group", "namespace"])
    );
}

#[test]
fn matrix_stats_counts_endpoints_policies_classes_and_pairs() {
    let out = matrix(&["examples/three-tier", "--stats"]);
    // Timings vary: keep the line, drop the numbers.
    let stable: String = out
        .lines()
        .map(|l| {
            if l.starts_with("time") {
                "time           (load, compile, compute)"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(stable);
}

#[test]
fn matrix_output_is_identical_on_one_and_two_threads() {
    let run = |threads: &str| {
        let out = Command::cargo_bin("moat")
            .unwrap()
            .current_dir(repo())
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "matrix",
                "examples/seed-001",
                "examples/task-api",
                "--group",
                "pod",
                "-o",
                "json",
            ])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn matrix_bad_filters_are_input_errors() {
    for args in [
        vec!["matrix", "examples/three-tier", "--port", "0"],
        vec!["matrix", "examples/three-tier", "--port", "90-80"],
        vec!["matrix", "examples/three-tier", "--protocol", "icmp"],
        vec!["matrix", "examples/three-tier", "--from", "production/nope"],
        vec!["matrix", "examples/three-tier", "--ns", "nowhere"],
    ] {
        let (_, err, code) = moat(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("error:"), "{err}");
    }
}
