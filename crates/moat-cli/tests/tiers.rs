//! The cluster-wide tiers end to end: `check` and `explain` on examples/tiers (golden).

mod common;
use common::moat;

#[test]
fn check_tiers_example_passes() {
    let (out, err, code) = moat(&[
        "check",
        "examples/tiers",
        "--expect",
        "examples/tiers/expect.yaml",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    insta::assert_snapshot!(out);
}

fn explain(from: &str, to: &str, port: &str, format: &str) -> String {
    let (out, err, code) = moat(&[
        "explain",
        "examples/tiers",
        "--from",
        from,
        "--to",
        to,
        "--port",
        port,
        "--output",
        format,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    out
}

#[test]
fn explain_admin_deny_text() {
    insta::assert_snapshot!(explain("shop/web", "169.254.169.254", "80", "text"));
}

#[test]
fn explain_admin_pass_then_networkpolicy_text() {
    insta::assert_snapshot!(explain("shop/web", "shop/api", "9000", "text"));
}

#[test]
fn explain_pass_then_baseline_deny_text() {
    insta::assert_snapshot!(explain("shop/api", "blog/writer", "8080", "text"));
}

#[test]
fn explain_admin_accept_json() {
    insta::assert_snapshot!(explain("monitoring/prometheus", "shop/api", "9100", "json"));
}

#[test]
fn bad_cluster_policy_is_exit_2_with_file_and_line() {
    let dir = std::env::temp_dir().join(format!("moat-tiers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("cnp.yaml");
    std::fs::write(
        &f,
        "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: c\nspec:\n  tier: Admin\n  priority: 2000\n  subject: {namespaces: {}}\n",
    )
    .unwrap();
    let (_, err, code) = moat(&[
        "explain",
        f.to_str().unwrap(),
        "--from",
        "10.0.0.1",
        "--to",
        "10.0.0.2",
        "--port",
        "80",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cnp.yaml:7:"), "{err}");
    assert!(err.contains("spec.priority"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn convert_v1alpha1_example_and_prove_it() {
    let (out, err, code) = moat(&[
        "convert",
        "examples/tiers-v1alpha1",
        "examples/tiers/workloads.yaml",
        "examples/tiers/netpol.yaml",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("proved equal"), "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn convert_without_v1alpha1_objects_says_so() {
    let (out, err, code) = moat(&["convert", "examples/tiers"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("nothing to convert"), "{err}");
}

#[test]
fn peers_that_match_no_address_offline_are_named_on_stderr() {
    let dir = std::env::temp_dir().join(format!("moat-tiers-caveat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("cnp.yaml");
    std::fs::write(
        &f,
        "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: c\nspec:\n  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  egress:\n    - action: Deny\n      to: [{nodes: {}}]\n    - action: Accept\n      to: [{domainNames: [example.com]}]\n",
    )
    .unwrap();
    let (_, err, code) = moat(&["matrix", f.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("no Node objects in the input"), "{err}");
    assert!(
        err.contains("1 `domainNames` peer of cluster policies"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn explain_v1alpha1_names_the_policy_kind_and_its_own_action_spelling() {
    let (out, err, code) = moat(&[
        "explain",
        "examples/tiers-v1alpha1",
        "examples/tiers/workloads.yaml",
        "examples/tiers/netpol.yaml",
        "--from",
        "monitoring/prometheus",
        "--to",
        "shop/api",
        "--port",
        "9100",
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}
