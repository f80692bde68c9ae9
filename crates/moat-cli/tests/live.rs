//! `--cluster` and `moat snapshot` against a stand-in API server on 127.0.0.1 (started by
//! each test), through the real `moat` binary: the cluster gives the same answers as the
//! files it was made from, lists are paged and concurrent, and only GET is sent.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::apiserver::{objects_of, ApiServer};
use support::{assert_only_gets, kubeconfig, moat, root, run_bin, tempdir, three_tier};

#[test]
fn cluster_matrix_equals_the_matrix_of_the_files_it_runs() {
    let server = ApiServer::start(three_tier());
    // Two items a page: every list of more than two objects goes through continue tokens.
    server.max_page(2);
    let kc = kubeconfig(&server, "matrix");
    let kc = kc.to_str().unwrap();
    for format in ["json", "text"] {
        let files = moat(&["matrix", "examples/three-tier", "-o", format]);
        assert_eq!(files.code, 0, "{}", files.stderr);
        let live = moat(&["matrix", "--cluster", "--kubeconfig", kc, "-o", format]);
        assert_eq!(live.code, 0, "{}", live.stderr);
        assert_eq!(
            live.stdout, files.stdout,
            "the cluster's matrix differs ({format})"
        );
        assert!(files.stdout.contains("production/frontend"));
    }
    assert_only_gets(&server);
    let reqs = server.requests();
    // Lists come compressed (the server answers gzip to clients that accept it).
    assert!(reqs.iter().all(|r| r.gzip), "moat did not accept gzip");
    // Every list asks for pages of 500 and follows the continue tokens it is given.
    assert!(reqs
        .iter()
        .all(|r| r.query.get("limit").map(String::as_str) == Some("500")));
    let deploys: Vec<_> = reqs
        .iter()
        .filter(|r| r.path == "/apis/apps/v1/deployments")
        .collect();
    let served = three_tier()
        .iter()
        .filter(|o| o["kind"] == "Deployment")
        .count();
    assert!(
        served > 2,
        "the example has more than one page of Deployments"
    );
    // Two runs, each ceil(served / 2) pages.
    assert_eq!(deploys.len(), 2 * served.div_ceil(2));
    assert!(deploys.iter().any(|r| r.query.contains_key("continue")));
}

#[test]
fn check_and_explain_read_the_cluster_too() {
    let server = ApiServer::start(three_tier());
    let kc = kubeconfig(&server, "check");
    let kc = kc.to_str().unwrap();
    let expect = "examples/three-tier/expect.yaml";
    let files = moat(&["check", "examples/three-tier", "--expect", expect]);
    let live = moat(&["check", "--cluster", "--kubeconfig", kc, "--expect", expect]);
    assert_eq!(live.code, files.code, "{}", live.stderr);
    assert_eq!(live.stdout, files.stdout);
    let flow = [
        "--from",
        "production/frontend",
        "--to",
        "production/backend",
        "--port",
        "8080",
        "-o",
        "json",
    ];
    let mut args = vec!["explain", "--cluster", "--kubeconfig", kc];
    args.extend(flow);
    let live = moat(&args);
    assert_eq!(live.code, 0, "{}", live.stderr);
    assert!(live.stdout.contains("\"allowed\": true"), "{}", live.stdout);
    // Where the deciding rule was written: the object, named by the cluster.
    assert!(
        live.stdout.contains("cluster:production/NetworkPolicy/"),
        "{}",
        live.stdout
    );
    let lint = moat(&["lint", "--cluster", "--kubeconfig", kc, "--output", "sarif"]);
    let files_lint = moat(&["lint", "examples/three-tier", "--output", "sarif"]);
    assert_eq!(lint.code, files_lint.code, "{}", lint.stderr);
    assert!(
        lint.stdout.contains("\"version\": \"2.1.0\""),
        "{}",
        lint.stdout
    );
    assert_only_gets(&server);
}

#[test]
fn uninstalled_policy_api_types_are_skipped_with_a_note() {
    let server = ApiServer::start(three_tier());
    let kc = kubeconfig(&server, "notes");
    let live = moat(&["matrix", "--cluster", "--kubeconfig", kc.to_str().unwrap()]);
    assert_eq!(live.code, 0, "{}", live.stderr);
    let note = live
        .stderr
        .lines()
        .find(|l| l.contains("not served by this cluster (404)"))
        .unwrap_or_else(|| panic!("no note: {}", live.stderr));
    for kind in [
        "policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy",
        "policy.networking.k8s.io/v1alpha1 BaselineAdminNetworkPolicy",
        "policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy",
    ] {
        assert!(note.contains(kind), "{note}");
    }
    assert!(live.stderr.contains("note: read "), "{}", live.stderr);
    // Once installed (even empty), nothing is said about them.
    server.install_policy_api();
    let live = moat(&["matrix", "--cluster", "--kubeconfig", kc.to_str().unwrap()]);
    // The note itself, not "404": the server's ephemeral port may hold those digits.
    assert!(
        !live.stderr.contains("not served by this cluster"),
        "{}",
        live.stderr
    );
}

#[test]
fn snapshot_loads_back_to_the_same_answers() {
    let server = ApiServer::start(three_tier());
    server.max_page(3);
    let kc = kubeconfig(&server, "snapshot");
    let dir = tempdir("snapshot-out");
    let snap = dir.join("cluster.yaml");
    let out = moat(&[
        "snapshot",
        "--kubeconfig",
        kc.to_str().unwrap(),
        "-o",
        snap.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(&snap).unwrap();
    assert!(!text.contains("managedFields"), "managedFields were kept");
    let docs: Vec<&str> = text.split("\n---\n").skip(1).collect();
    assert_eq!(docs.len(), three_tier().len(), "one document per object");
    for d in &docs {
        assert!(d.contains("apiVersion: "), "untyped document: {d}");
        assert!(d.contains("kind: "), "untyped document: {d}");
    }
    let from_snapshot = moat(&["matrix", snap.to_str().unwrap(), "-o", "json"]);
    let from_files = moat(&["matrix", "examples/three-tier", "-o", "json"]);
    assert_eq!(from_snapshot.code, 0, "{}", from_snapshot.stderr);
    assert_eq!(from_snapshot.stdout, from_files.stdout);
    // To stdout as well (`--cluster` is accepted, and implied).
    let out = moat(&[
        "snapshot",
        "--cluster",
        "--kubeconfig",
        kc.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, text);
    assert_only_gets(&server);
}

#[test]
fn cluster_and_paths_load_together() {
    // Workloads from the cluster, policies from a file: the same matrix as both files.
    let dir = root().join("examples/three-tier");
    let server = ApiServer::start(objects_of(&[&dir.join("workloads.yaml")]));
    let kc = kubeconfig(&server, "both");
    let live = moat(&[
        "matrix",
        "examples/three-tier/policies.yaml",
        "--cluster",
        "--kubeconfig",
        kc.to_str().unwrap(),
        "-o",
        "json",
    ]);
    let files = moat(&["matrix", "examples/three-tier", "-o", "json"]);
    assert_eq!(live.code, 0, "{}", live.stderr);
    assert_eq!(live.stdout, files.stdout);
}

#[test]
fn cluster_ns_reads_only_the_named_namespaces() {
    let server = ApiServer::start(three_tier());
    let kc = kubeconfig(&server, "narrow");
    let live = moat(&[
        "matrix",
        "--cluster",
        "--kubeconfig",
        kc.to_str().unwrap(),
        "--cluster-ns",
        "production",
        "-o",
        "json",
    ]);
    assert_eq!(live.code, 0, "{}", live.stderr);
    assert!(live.stdout.contains("production/frontend"));
    assert!(!live.stdout.contains("kube-system/"), "{}", live.stdout);
    for r in server.requests() {
        let cluster_scoped = r.path == "/api/v1/namespaces"
            || r.path == "/api/v1/nodes"
            || r.path.starts_with("/apis/policy.networking.k8s.io/");
        assert!(
            cluster_scoped || r.path.contains("/namespaces/production/"),
            "read outside the namespace: {}",
            r.path
        );
    }
    let missing = moat(&[
        "matrix",
        "--cluster",
        "--kubeconfig",
        kc.to_str().unwrap(),
        "--cluster-ns",
        "nope",
    ]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("namespace `nope`"),
        "{}",
        missing.stderr
    );
}

#[test]
fn exec_plugin_credentials_are_used() {
    let server = ApiServer::start(three_tier());
    server.require_token("from-the-plugin");
    let dir = tempdir("exec");
    let plugin = dir.join("fake-auth-plugin");
    std::fs::write(
        &plugin,
        "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"from-the-plugin\"}}'\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let kc = dir.join("kubeconfig");
    std::fs::write(
        &kc,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\n\
users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: Never\n\
contexts:\n- name: other\n  context:\n    cluster: c\n    user: nobody\n- name: exec\n  context:\n    cluster: c\n    user: u\ncurrent-context: other\n",
            server.url(),
            plugin.display()
        ),
    )
    .unwrap();
    // --context picks the exec user over the current context.
    let out = moat(&[
        "matrix",
        "--cluster",
        "--kubeconfig",
        kc.to_str().unwrap(),
        "--context",
        "exec",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(server
        .requests()
        .iter()
        .all(|r| r.authorization.as_deref() == Some("Bearer from-the-plugin")));
}

#[test]
fn kubeconfig_env_is_honoured() {
    let server = ApiServer::start(three_tier());
    let kc = kubeconfig(&server, "env");
    let out = run_bin(
        Path::new(env!("CARGO_BIN_EXE_moat")),
        &["matrix", "--cluster", "-o", "json"],
        &[("KUBECONFIG", kc.to_str().unwrap())],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let files = moat(&["matrix", "examples/three-tier", "-o", "json"]);
    assert_eq!(out.stdout, files.stdout);
}

#[test]
fn runs_as_a_kubectl_plugin() {
    let dir = tempdir("plugin");
    let link = dir.join("kubectl-moat");
    #[cfg(unix)]
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_moat"), &link).unwrap();
    let direct = moat(&["matrix", "examples/three-tier"]);
    let as_plugin = run_bin(&link, &["matrix", "examples/three-tier"], &[]);
    assert_eq!(as_plugin.code, 0, "{}", as_plugin.stderr);
    assert_eq!(as_plugin.stdout, direct.stdout);
    let help = run_bin(&link, &["--help"], &[]);
    assert!(
        help.stdout.contains("Usage: kubectl moat"),
        "{}",
        help.stdout
    );
    // And found by kubectl itself, on PATH.
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let kubectl = Command::new("kubectl")
        .args(["moat", "matrix", "examples/three-tier"])
        .current_dir(root())
        .env("PATH", path)
        .output()
        .expect("kubectl is installed (.ci/run installs it)");
    assert_eq!(
        String::from_utf8_lossy(&kubectl.stdout),
        direct.stdout,
        "{}",
        String::from_utf8_lossy(&kubectl.stderr)
    );
}

#[test]
fn replica_sets_and_jobs_are_left_to_their_owners() {
    // What a cluster really holds for one Deployment: the Deployment, its current and an
    // old ReplicaSet (a template the Pods no longer have), and the Pods.
    let mut objects = three_tier();
    let owned = |kind: &str,
                 name: &str,
                 owner_kind: &str,
                 owner: &str,
                 labels: serde_json::Value| {
        serde_json::json!({
            "apiVersion": if kind == "Pod" { "v1" } else if kind == "Job" { "batch/v1" } else { "apps/v1" },
            "kind": kind,
            "metadata": {"name": name, "namespace": "production", "labels": labels.clone(),
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": owner_kind, "name": owner,
                                              "controller": true, "uid": "x"}]},
            "spec": if kind == "Pod" {
                serde_json::json!({"containers": [{"name": "c", "image": "i"}]})
            } else {
                serde_json::json!({"template": {"metadata": {"labels": labels},
                                                "spec": {"containers": [{"name": "c", "image": "i"}]}}})
            }
        })
    };
    objects.push(owned(
        "ReplicaSet",
        "backend-5d8f",
        "Deployment",
        "backend",
        serde_json::json!({"tier": "backend", "pod-template-hash": "5d8f"}),
    ));
    objects.push(owned(
        "ReplicaSet",
        "backend-old1",
        "Deployment",
        "backend",
        serde_json::json!({"tier": "legacy", "pod-template-hash": "old1"}),
    ));
    // A finished Job's Pod: it runs nothing, and its IP may be another pod's by now.
    let mut done = owned(
        "Pod",
        "backup-1-x7k2p",
        "Job",
        "backup-1",
        serde_json::json!({"job-name": "backup-1"}),
    );
    done["status"] = serde_json::json!({"phase": "Succeeded", "podIP": "10.0.9.9"});
    objects.push(done);
    let server = ApiServer::start(objects);
    let kc = kubeconfig(&server, "owners");
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
        "an old ReplicaSet's template is no endpoint"
    );
    assert!(
        live.stderr
            .contains("2 ReplicaSets managed by a Deployment left out"),
        "{}",
        live.stderr
    );
    assert!(
        live.stderr
            .contains("1 Pod left out: terminated (phase Succeeded or Failed)"),
        "{}",
        live.stderr
    );
}

#[test]
fn types_are_read_concurrently_with_a_bounded_number_in_flight() {
    let server = ApiServer::start(three_tier());
    server.latency(Duration::from_millis(100));
    let kc = kubeconfig(&server, "concurrency");
    // 4 namespaces × 9 namespaced types + 5 cluster-scoped types: 41 lists.
    let started = Instant::now();
    let live = moat(&[
        "matrix",
        "--cluster",
        "--kubeconfig",
        kc.to_str().unwrap(),
        "--cluster-ns",
        "production,ingress-nginx,kube-system,monitoring",
        "-o",
        "json",
    ]);
    assert_eq!(live.code, 0, "{}", live.stderr);
    let files = moat(&["matrix", "examples/three-tier", "-o", "json"]);
    assert_eq!(live.stdout, files.stdout);
    assert_eq!(server.requests().len(), 41);
    let max = server.max_in_flight();
    assert!(max > 1, "lists are read one after another");
    assert!(max <= 16, "{max} requests in flight at once");
    // 41 sequential round trips would take 4.1 s.
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn diff_against_the_cluster_shows_what_applying_the_files_would_change() {
    // The cluster runs three-tier; the PR's files are applied onto it: an object in both is
    // the file's, and what the cluster has but the files lack stays.
    let server = ApiServer::start(three_tier());
    let kc = kubeconfig(&server, "diff");
    let kc = kc.to_str().unwrap();
    let live = moat(&[
        "diff",
        "--cluster",
        "--kubeconfig",
        kc,
        "examples/three-tier-pr",
        "-o",
        "json",
    ]);
    let files = moat(&[
        "diff",
        "examples/three-tier",
        "examples/three-tier-pr",
        "-o",
        "json",
    ]);
    assert_eq!(live.code, 0, "{}", live.stderr);
    let strip = |s: &str| -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
        v.as_object_mut().unwrap().remove("old");
        v.as_object_mut().unwrap().remove("new");
        v
    };
    let (l, f) = (strip(&live.stdout), strip(&files.stdout));
    assert_eq!(l["added"], f["added"]);
    // The PR deletes the Pod test-frontend; applying files deletes nothing (no prune), so
    // its connections stay on the cluster's side and only the file-to-file diff removes them.
    assert_eq!(l["removed"], serde_json::json!([]));
    let removed = f["removed"].as_array().unwrap();
    assert!(!removed.is_empty());
    assert!(removed
        .iter()
        .all(|e| e.to_string().contains("production/test-frontend")));
    assert_eq!(
        l["changed"].as_array().map(Vec::len),
        f["changed"].as_array().map(Vec::len)
    );
    // The cluster is the old side only once: --base names another.
    let both = moat(&[
        "diff",
        "--cluster",
        "--kubeconfig",
        kc,
        "--base",
        "HEAD",
        "k8s/",
    ]);
    assert_eq!(both.code, 2, "{}", both.stderr);
    assert_only_gets(&server);
}

#[test]
fn report_recommend_and_explain_drops_read_the_cluster_too() {
    let server = ApiServer::start(three_tier());
    let kc = kubeconfig(&server, "views");
    let kc = kc.to_str().unwrap();
    let report = moat(&[
        "report",
        "--cluster",
        "--kubeconfig",
        kc,
        "--format",
        "json",
    ]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    let data: serde_json::Value = serde_json::from_str(&report.stdout).unwrap();
    assert_eq!(data["schema"], "moat.report/v1");
    assert!(report
        .stdout
        .contains("cluster:production/NetworkPolicy/default-deny-all"));
    let flows = "examples/three-tier/flows.jsonl";
    let drops = moat(&["explain-drops", flows, "--cluster", "--kubeconfig", kc]);
    let drops_files = moat(&["explain-drops", flows, "--with", "examples/three-tier"]);
    assert_eq!(drops.code, drops_files.code, "{}", drops.stderr);
    let recommend = moat(&["recommend", flows, "--cluster", "--kubeconfig", kc]);
    let recommend_files = moat(&["recommend", flows, "--with", "examples/three-tier"]);
    assert_eq!(recommend.code, 0, "{}", recommend.stderr);
    assert_eq!(recommend.stdout, recommend_files.stdout);
    assert_only_gets(&server);
}
