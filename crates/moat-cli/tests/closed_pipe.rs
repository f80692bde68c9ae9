//! A reader that goes away early (`moat matrix big.yaml | head -1`, `2>&1 | head -2`) ends
//! the run quietly with the exit code it would have had: never a panic (exit 101).
//!
//! The pipes are real: a pipe whose read end is closed before moat starts (every write
//! fails with EPIPE, deterministically), and one closed after the first line of an output
//! larger than the pipe buffer (moat is blocked in a write when it closes).

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use common::{repo, three_tier_with_configmap, Scratch};

fn moat() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("moat"));
    c.current_dir(repo());
    c
}

/// A pipe's write end whose read end is already closed.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer
}

#[derive(Clone, Copy, Debug)]
enum Closed {
    Stdout,
    Stderr,
    Both,
}

/// Exit code and stderr (empty when stderr is the closed pipe) of a run with `closed` streams.
fn run_closed(args: &[&str], closed: Closed) -> (i32, String) {
    let mut c = moat();
    c.args(args).stdin(Stdio::null());
    match closed {
        Closed::Stdout => {
            c.stdout(closed_pipe()).stderr(Stdio::piped());
        }
        Closed::Stderr => {
            c.stdout(Stdio::null()).stderr(closed_pipe());
        }
        Closed::Both => {
            // `2>&1 | head`: one pipe for both.
            let w = closed_pipe();
            c.stderr(w.try_clone().unwrap()).stdout(w);
        }
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The exit code with both streams open and read.
fn run_open(args: &[&str]) -> i32 {
    moat().args(args).output().unwrap().status.code().unwrap()
}

#[test]
fn every_command_survives_closed_stdout_and_stderr_with_its_normal_exit_code() {
    let dir = three_tier_with_configmap("closed");
    let d = dir.path().to_str().unwrap();
    let expect = "examples/three-tier/expect.yaml";
    let failing = "examples/seed-001/expect-manual.yaml";
    let cases: Vec<Vec<&str>> = vec![
        vec!["check", d, "--expect", expect],
        vec!["check", "examples/seed-001", "--expect", failing],
        vec!["check", d, "--expect", expect, "-o", "junit"],
        vec![
            "explain",
            d,
            "--from",
            "production/frontend",
            "--to",
            "production/backend",
            "--port",
            "8080",
        ],
        vec!["matrix", d],
        vec!["matrix", d, "-o", "json"],
        vec!["matrix", d, "--stats"],
        vec!["lint", d],
        vec!["lint", "examples/seed-001", "--deny", "warnings"],
        vec!["lint", "--list-rules"],
        vec!["gen", "examples/three-tier/intent.yaml"],
        vec!["gen", "--from", "examples/three-tier"],
        vec!["gen", "--kyverno"],
        vec!["completions", "bash"],
        vec!["--help"],
        vec!["matrix", "--help"],
        // Bad input: the errors go to the closed stderr, and it is still exit 2.
        vec!["matrix", "examples/no-such-dir"],
        vec!["check", d, "--expect", "examples/no-such-file.yaml"],
        // A usage error from clap.
        vec!["matrix", "--no-such-flag"],
    ];
    let mut codes = std::collections::BTreeSet::new();
    for args in &cases {
        let normal = run_open(args);
        codes.insert(normal);
        for closed in [Closed::Stdout, Closed::Stderr, Closed::Both] {
            let (code, stderr) = run_closed(args, closed);
            assert!(
                !stderr.contains("panicked"),
                "{args:?} with closed {closed:?} panicked:\n{stderr}"
            );
            assert_eq!(
                code, normal,
                "{args:?} with closed {closed:?}: exit {code}, {normal} when read\n{stderr}"
            );
        }
    }
    // The cases cover success, a finding and bad input.
    assert!(
        codes.contains(&0) && codes.contains(&1) && codes.contains(&2),
        "{codes:?}"
    );
}

#[test]
fn closed_stdout_keeps_stderr_notes() {
    // stdout going away is not an error: nothing about it on stderr, and the note that
    // belongs to the run is still written.
    let dir = three_tier_with_configmap("closed");
    let (code, stderr) = run_closed(&["matrix", dir.path().to_str().unwrap()], Closed::Stdout);
    assert_eq!(code, 0);
    assert_eq!(
        stderr,
        "note: 1 document not used: 1 ConfigMap (--verbose lists them)\n"
    );
}

/// `moat matrix big.yaml | head -1`: the reader closes after one line while moat is blocked
/// writing an output far larger than the pipe buffer.
#[test]
fn matrix_stops_quietly_when_the_reader_leaves_after_one_line() {
    let dir = Scratch::new("big");
    let mut yaml = String::new();
    for i in 0..400 {
        yaml.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: pod-{i:03}, namespace: big, labels: {{app: a{i}}}}}\nspec: {{containers: [{{name: c, image: x}}]}}\n"
        ));
    }
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, yaml).unwrap();
    for extra in [
        &["--group", "workload", "--limit", "0"][..],
        &["--group", "pod", "--limit", "0", "-o", "json"][..],
        &["--group", "pod", "--limit", "0", "-o", "csv"][..],
    ] {
        let mut child = moat()
            .arg("matrix")
            .arg(&big)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        {
            let mut r = BufReader::new(child.stdout.take().unwrap());
            r.read_line(&mut first).unwrap();
        } // the read end closes here, with most of the output unread
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!first.is_empty(), "{extra:?}: no first line");
        assert_eq!(status.code(), Some(0), "{extra:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{extra:?}: {stderr}");
        assert!(!stderr.contains("error"), "{extra:?}: {stderr}");
    }
}
