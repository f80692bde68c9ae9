//! `--cluster` failures against the stand-in API server: every one ends the run (exit 2,
//! nothing answered) with a message that says what is wrong; 429/5xx and an expired continue
//! token are retried first.

mod support;

use std::time::{Duration, Instant};

use support::apiserver::{ApiServer, Fault};
use support::{kubeconfig, moat, tempdir, three_tier};

#[test]
fn refused_credentials_say_unauthorized() {
    let server = ApiServer::start(three_tier());
    server.require_token("the-right-one");
    let kc = kubeconfig(&server, "401");
    let out = moat(&["matrix", "--cluster", "--kubeconfig", kc.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("unauthorized (401)"), "{}", out.stderr);
    assert!(out.stderr.contains(&server.url()), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "no answer from a cluster not read");
}

#[test]
fn forbidden_names_the_missing_verb_and_resource() {
    let server = ApiServer::start(three_tier());
    server.fault(Fault {
        prefix: "/api/v1/pods".into(),
        status: Some(403),
        times: u32::MAX,
        retry_after: None,
        continued_only: false,
    });
    let kc = kubeconfig(&server, "403");
    let out = moat(&["matrix", "--cluster", "--kubeconfig", kc.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("forbidden (403): missing permission to `list` `pods` cluster-wide"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("deploy/rbac.yaml"), "{}", out.stderr);
    // In one namespace, with the group named.
    server.fault(Fault {
        prefix: "/apis/apps/v1/namespaces/production/deployments".into(),
        status: Some(403),
        times: u32::MAX,
        retry_after: None,
        continued_only: false,
    });
    let out = moat(&[
        "matrix",
        "--cluster",
        "--kubeconfig",
        kc.to_str().unwrap(),
        "--cluster-ns",
        "production",
    ]);
    assert!(
        out.stderr
            .contains("`list` `deployments.apps` in namespace production"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_stalled_server_times_out() {
    let server = ApiServer::start(three_tier());
    server.fault(Fault {
        prefix: "/api/v1/services".into(),
        status: None,
        times: u32::MAX,
        retry_after: None,
        continued_only: false,
    });
    let kc = kubeconfig(&server, "timeout");
    let started = Instant::now();
    let out = moat(&[
        "matrix",
        "--cluster",
        "--kubeconfig",
        kc.to_str().unwrap(),
        "--request-timeout",
        "1s",
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cluster timed out"), "{}", out.stderr);
    assert!(out.stderr.contains("/api/v1/services"), "{}", out.stderr);
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_closed_port_says_unreachable() {
    // Bind then drop: a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempdir("unreachable");
    let kc = dir.join("kubeconfig");
    std::fs::write(
        &kc,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:{port}\n\
users:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\n"
        ),
    )
    .unwrap();
    let out = moat(&["matrix", "--cluster", "--kubeconfig", kc.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cluster unreachable"), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("127.0.0.1:{port}")),
        "{}",
        out.stderr
    );
}

#[test]
fn throttling_and_server_errors_are_retried_with_back_off() {
    let server = ApiServer::start(three_tier());
    server.fault(Fault {
        prefix: "/api/v1/pods".into(),
        status: Some(429),
        times: 2,
        retry_after: Some(0),
        continued_only: false,
    });
    server.fault(Fault {
        prefix: "/apis/apps/v1/deployments".into(),
        status: Some(500),
        times: 1,
        retry_after: None,
        continued_only: false,
    });
    let kc = kubeconfig(&server, "retry");
    let live = moat(&[
        "matrix",
        "--cluster",
        "--kubeconfig",
        kc.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(live.code, 0, "{}", live.stderr);
    let files = moat(&["matrix", "examples/three-tier", "-o", "json"]);
    assert_eq!(live.stdout, files.stdout);
    let pods = server
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v1/pods")
        .count();
    assert_eq!(pods, 3, "two 429s, then the answer");
    // A server that keeps failing: an error, after the retries.
    server.fault(Fault {
        prefix: "/api/v1/services".into(),
        status: Some(503),
        times: u32::MAX,
        retry_after: None,
        continued_only: false,
    });
    let out = moat(&["matrix", "--cluster", "--kubeconfig", kc.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("answered 503") && out.stderr.contains("6 attempts"),
        "{}",
        out.stderr
    );
}

#[test]
fn connection_flags_need_cluster() {
    let out = moat(&["matrix", "examples/three-tier", "--context", "prod"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("need --cluster"), "{}", out.stderr);
    let out = moat(&["matrix"]);
    assert_eq!(out.code, 2, "no PATH and no --cluster is a usage error");
}

#[test]
fn an_expired_continue_token_restarts_the_list_once() {
    let server = ApiServer::start(three_tier());
    server.max_page(2);
    server.fault(Fault {
        prefix: "/apis/apps/v1/deployments".into(),
        status: Some(410),
        times: 1,
        retry_after: None,
        continued_only: true,
    });
    let kc = kubeconfig(&server, "gone");
    let live = moat(&[
        "matrix",
        "--cluster",
        "--kubeconfig",
        kc.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(live.code, 0, "{}", live.stderr);
    let files = moat(&["matrix", "examples/three-tier", "-o", "json"]);
    assert_eq!(
        live.stdout, files.stdout,
        "no Deployment lost or read twice"
    );
    let firsts = server
        .requests()
        .iter()
        .filter(|r| r.path == "/apis/apps/v1/deployments" && !r.query.contains_key("continue"))
        .count();
    assert_eq!(firsts, 2, "the list started over once");
    // Expiring again: an error, not a list read from two snapshots.
    server.fault(Fault {
        prefix: "/apis/apps/v1/deployments".into(),
        status: Some(410),
        times: u32::MAX,
        retry_after: None,
        continued_only: true,
    });
    let out = moat(&["matrix", "--cluster", "--kubeconfig", kc.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("answered 410"), "{}", out.stderr);
}
