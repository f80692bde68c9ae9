//! `moat gen --cluster-baseline`, proved with `moat check` on examples/tiers' workloads:
//! default deny with DNS (UDP and TCP 53) in the Baseline tier, the cloud metadata endpoint
//! denied in the Admin tier in both families, whatever a team's NetworkPolicy says.

mod common;
use common::moat;

const EXPECT: &str = "expect:
  - {from: shop/web, to: kube-system/coredns, port: 53, protocol: UDP, allowed: true}
  - {from: shop/web, to: kube-system/coredns, port: 53, protocol: TCP, allowed: true}
  - {from: shop/web, to: kube-system/coredns, port: 80, allowed: false}
  - {from: shop/web, to: 169.254.169.254, port: 80, allowed: false}
  - {from: blog/writer, to: 'fd00:ec2::254', port: 80, allowed: false}
  - {from: shop/web, to: 198.51.100.7, port: 443, allowed: false}
  - {from: shop/web, to: shop/api, port: 9000, allowed: false}
  - {from: monitoring/prometheus, to: shop/api, port: 9100, allowed: false}
  - {from: kube-system/coredns, to: shop/web, port: 8080, allowed: false}
  # System namespaces are not subjects.
  - {from: kube-system/coredns, to: 198.51.100.7, port: 443, allowed: true}
  # Ingress peers are pods only: an outside client is not denied by the baseline.
  - {from: 198.51.100.7, to: shop/web, port: 8080, allowed: true}
";

/// A team policy opening all egress for shop/web: NetworkPolicy now decides web's egress
/// (the Baseline no longer applies to it), but the Admin metadata deny still does.
const OPEN_EGRESS: &str = "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-anywhere
  namespace: shop
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
    - to: [{ipBlock: {cidr: 0.0.0.0/0}}, {ipBlock: {cidr: '::/0'}}]
";

const EXPECT_OPEN: &str = "expect:
  - {from: shop/web, to: 198.51.100.7, port: 443, allowed: true}
  - {from: shop/web, to: 169.254.169.254, port: 80, allowed: false}
  - {from: shop/web, to: 'fd00:ec2::254', port: 80, allowed: false}
";

#[test]
fn the_cluster_baseline_holds_under_check() {
    let dir = std::env::temp_dir().join(format!("moat-cluster-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.to_str().unwrap().to_string();
    let (_, err, code) = moat(&["gen", "--cluster-baseline", "-o", &out]);
    assert_eq!(code, 0, "{err}");
    let baseline = dir.join("cluster-baseline.yaml");
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert!(
        text.contains("tier: Baseline") && text.contains("tier: Admin"),
        "{text}"
    );
    let expect = dir.join("expect.yaml");
    std::fs::write(&expect, EXPECT).unwrap();
    let (stdout, err, code) = moat(&[
        "check",
        "examples/tiers/workloads.yaml",
        baseline.to_str().unwrap(),
        "--expect",
        expect.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}{err}");
    assert!(stdout.contains("11 passed, 0 failed"), "{stdout}");

    let open = dir.join("open.yaml");
    std::fs::write(&open, OPEN_EGRESS).unwrap();
    std::fs::write(&expect, EXPECT_OPEN).unwrap();
    let (stdout, err, code) = moat(&[
        "check",
        "examples/tiers/workloads.yaml",
        baseline.to_str().unwrap(),
        open.to_str().unwrap(),
        "--expect",
        expect.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}{err}");
    assert!(
        stdout.contains("denied by Admin ClusterNetworkPolicy/platform-deny-cloud-metadata"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_cluster_baseline_is_golden() {
    let (out, err, code) = moat(&["gen", "--cluster-baseline"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}
