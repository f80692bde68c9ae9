//! The report's data answers what the engine answers, by lookup alone: for every pair of
//! nodes and probe port, the embedded edge's port set holds the port exactly when the
//! engine allows the flow, and the rules found by looking the peer up in the rules' peer
//! sets (and the port in their ports) are the rules the engine's verdict names. This is
//! what the page's explain box relies on.

use std::collections::BTreeSet;
use std::path::Path;

use moat::engine::{Engine, Flow, Target};
use moat::load::{collect_files, load, read_source, LoadOptions};
use moat::matrix::Matrix;
use moat::model::{Direction, Protocol};
use moat::report::{build, Report, ReportOptions, RuleInfo, SCHEMA};

fn engine_of(dir: &str) -> Engine {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(dir);
    let files = collect_files(&[root]).expect("files");
    let sources: Vec<_> = files
        .iter()
        .map(|f| read_source(f).expect("read"))
        .collect();
    let loaded = load(&sources, &LoadOptions::default());
    assert!(loaded.problems.is_empty(), "{:#?}", loaded.problems);
    Engine::new(loaded.cluster)
}

fn report(engine: &Engine) -> Report {
    let matrix = Matrix::new(engine, &[]);
    build(
        engine,
        &matrix,
        &[],
        &|_| String::new(),
        &ReportOptions::default(),
    )
}

fn in_peers(r: &Report, set: u32, node: u32) -> bool {
    r.peer_sets[set as usize]
        .iter()
        .any(|&[a, b]| a <= node && node <= b)
}

fn rule_admits(r: &Report, rule: &RuleInfo, peer: u32, dst: u32, port: u16, proto: &str) -> bool {
    let peer_ok = rule.peers.is_none_or(|s| in_peers(r, s, peer));
    let port_ok = rule.ports.as_ref().is_none_or(|ports| {
        ports.iter().any(|p| {
            p.protocol == proto
                && match &p.name {
                    Some(name) => {
                        (dst as usize) < r.workloads.len()
                            && r.workloads[dst as usize].ports.iter().any(|c| {
                                c.name.as_deref() == Some(name)
                                    && c.protocol == proto
                                    && c.port == port
                            })
                    }
                    None => p.from.unwrap_or(1) <= port && port <= p.to.unwrap_or(65535),
                }
        })
    });
    peer_ok && port_ok
}

/// The rules (policy, rule index) that admit the flow on one side, found by lookup.
fn admitting(
    r: &Report,
    subject: u32,
    d: Direction,
    peer: u32,
    dst: u32,
    port: u16,
    proto: &str,
) -> BTreeSet<(usize, usize)> {
    let w = &r.workloads[subject as usize];
    let iso = match d {
        Direction::Ingress => &w.ingress,
        Direction::Egress => &w.egress,
    };
    let mut out = BTreeSet::new();
    for &p in &iso.policies {
        let rules = match d {
            Direction::Ingress => &r.policies[p as usize].ingress,
            Direction::Egress => &r.policies[p as usize].egress,
        };
        for (i, rule) in rules.iter().enumerate() {
            if rule_admits(r, rule, peer, dst, port, proto) {
                out.insert((p as usize, i));
            }
        }
    }
    out
}

/// The cluster-tier rule deciding one side, found by lookup as the page does: the first
/// matching rule of the Admin tier decides unless it passes; then NetworkPolicies decide
/// where they isolate; else the first matching Baseline rule, unless it passes.
fn tier_decision(
    r: &Report,
    subject: u32,
    d: Direction,
    peer: u32,
    dst: u32,
    port: u16,
    proto: &str,
) -> Option<String> {
    let w = &r.workloads[subject as usize];
    let iso = match d {
        Direction::Ingress => &w.ingress,
        Direction::Egress => &w.egress,
    };
    let first = |tier: &str| {
        iso.cluster
            .iter()
            .map(|&c| &r.cluster_policies[c as usize])
            .filter(|c| c.tier == tier)
            .flat_map(|c| match d {
                Direction::Ingress => &c.ingress,
                Direction::Egress => &c.egress,
            })
            .find(|rule| rule_admits(r, &rule.rule, peer, dst, port, proto))
    };
    match first("Admin") {
        Some(rule) if rule.action != "Pass" => return Some(rule.text.clone()),
        _ => {}
    }
    if !iso.policies.is_empty() {
        return None;
    }
    first("Baseline")
        .filter(|rule| rule.action != "Pass")
        .map(|rule| rule.text.clone())
}

fn check(dir: &str) -> BTreeSet<String> {
    let engine = engine_of(dir);
    let r = report(&engine);
    assert_eq!(r.schema, SCHEMA);
    assert!(!r.budget.cut);
    let cluster = engine.cluster();
    let w = r.workloads.len() as u32;
    let nodes = w + r.externals.len() as u32;
    // Node -> a target it stands for (single-endpoint workloads only: that is what one
    // engine query can check exactly).
    let target = |n: u32| -> Option<Target> {
        if n >= w {
            let name = &r.externals[(n - w) as usize].name;
            let first = name.split(['/', '-']).next()?;
            return first.parse().ok().map(Target::External);
        }
        let wl = &r.workloads[n as usize];
        let ns = &r.namespaces[wl.namespace as usize].name;
        let ids: Vec<usize> = (0..cluster.endpoints.len())
            .filter(|&e| cluster.endpoint_ns(e).name == *ns && cluster.endpoints[e].name == wl.name)
            .collect();
        (ids.len() == 1).then(|| Target::Endpoint(ids[0]))
    };
    let probes: &[(u16, Protocol)] = &[
        (53, Protocol::Udp),
        (53, Protocol::Tcp),
        (80, Protocol::Tcp),
        (443, Protocol::Tcp),
        (5432, Protocol::Tcp),
        (8080, Protocol::Tcp),
        (9090, Protocol::Tcp),
        (6379, Protocol::Tcp),
        (1, Protocol::Sctp),
    ];
    let mut checked = 0;
    let mut tier_rules = BTreeSet::new();
    for a in 0..nodes {
        for b in 0..nodes {
            if a >= w && b >= w {
                continue;
            }
            let (Some(src), Some(dst)) = (target(a), target(b)) else {
                continue;
            };
            let edge = r.edges.iter().find(|e| e.0 == a && e.1 == b);
            for &(port, proto) in probes {
                let flow = Flow {
                    src,
                    dst,
                    port,
                    protocol: proto,
                };
                let verdict = engine.verdict(&flow);
                let embedded = edge.is_some_and(|e| {
                    r.port_sets[e.2 as usize]
                        .ranges
                        .iter()
                        .any(|&(p, x, y)| p == proto.as_str() && x <= port && port <= y)
                });
                assert_eq!(
                    embedded,
                    verdict.allowed,
                    "{dir}: {} -> {} {proto}/{port}",
                    engine.target_name(src),
                    engine.target_name(dst)
                );
                if verdict.self_traffic {
                    continue;
                }
                for (d, subject, peer, side) in [
                    (Direction::Egress, a, b, &verdict.egress),
                    (Direction::Ingress, b, a, &verdict.ingress),
                ] {
                    if subject >= w {
                        continue;
                    }
                    let decided = tier_decision(&r, subject, d, peer, b, port, proto.as_str());
                    let want = engine
                        .cluster_decision(side)
                        .map(|m| engine.cluster_match_text(d, m));
                    assert_eq!(
                        decided,
                        want,
                        "{dir}: {d:?} tier rule for {} -> {} {proto}/{port}",
                        engine.target_name(src),
                        engine.target_name(dst)
                    );
                    tier_rules.extend(decided);
                    let found = admitting(&r, subject, d, peer, b, port, proto.as_str());
                    let want: BTreeSet<(usize, usize)> = side.allowing.iter().copied().collect();
                    if side.isolating.is_empty() {
                        continue;
                    }
                    assert_eq!(
                        found, want,
                        "{dir}: {d:?} rules for {a} -> {b} {proto}/{port}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{dir}: only {checked} flows checked");
    tier_rules
}

#[test]
fn report_data_agrees_with_the_engine_three_tier() {
    assert!(check("examples/three-tier").is_empty());
}

#[test]
fn report_data_agrees_with_the_engine_seed_001() {
    check("examples/seed-001");
}

#[test]
fn report_data_agrees_with_the_engine_task_api() {
    check("examples/task-api");
}

#[test]
fn report_data_names_the_deciding_tier_rule_tiers() {
    let decided = check("examples/tiers");
    // Both tiers decide somewhere in the example, and both actions: the check above is
    // not vacuous.
    for want in ["Admin ", "Baseline ", " Deny", " Accept"] {
        assert!(
            decided.iter().any(|t| t.contains(want)),
            "no decision with {want:?} among {decided:#?}"
        );
    }
}

#[test]
fn report_lists_the_cluster_policies_applying_to_a_workload() {
    let engine = engine_of("examples/tiers");
    let r = report(&engine);
    assert!(!r.cluster_policies.is_empty());
    let cluster = engine.cluster();
    for w in &r.workloads {
        let ns = &r.namespaces[w.namespace as usize].name;
        let e = (0..cluster.endpoints.len())
            .find(|&e| cluster.endpoint_ns(e).name == *ns && cluster.endpoints[e].name == w.name)
            .expect("endpoint");
        for (d, iso) in [
            (Direction::Ingress, &w.ingress),
            (Direction::Egress, &w.egress),
        ] {
            let want: Vec<String> = [
                moat::model::ClusterTier::Admin,
                moat::model::ClusterTier::Baseline,
            ]
            .into_iter()
            .flat_map(|t| {
                engine
                    .compiled()
                    .cluster_policies
                    .applying(t, d, e)
                    .to_vec()
            })
            .map(|p| cluster.cluster_policies[p].id())
            .collect();
            let got: Vec<String> = iso
                .cluster
                .iter()
                .map(|&c| r.cluster_policies[c as usize].id.clone())
                .collect();
            assert_eq!(got, want, "{ns}/{} {d:?}", w.name);
        }
    }
    let guard = r
        .cluster_policies
        .iter()
        .find(|c| c.id == "ClusterNetworkPolicy/platform-guardrails")
        .expect("platform-guardrails");
    assert_eq!(
        (guard.tier, guard.priority.as_str()),
        ("Admin", "priority 10")
    );
    assert!(guard.file.ends_with("cluster-policies.yaml") && guard.line > 0);
    assert!(guard.selects > 0);
}

// ---------------------------------------------------------------- namespace status

const DNS_AND_APP: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec:
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec: {containers: [{name: dns, image: coredns}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api}]}
";

const DENY_ALL: &str = "
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
";

fn dns_rule(ports: &str) -> String {
    format!(
        "
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: allow-dns, namespace: shop}}
spec:
  podSelector: {{}}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: kube-system}}}}
      podSelector: {{matchLabels: {{k8s-app: kube-dns}}}}
    ports: [{ports}]
"
    )
}

fn shop(yaml: &str) -> moat::report::NamespaceInfo {
    let loaded = moat::load::load_str("test.yaml", yaml, &LoadOptions::default());
    assert!(loaded.problems.is_empty(), "{:#?}", loaded.problems);
    let engine = Engine::new(loaded.cluster);
    let r = report(&engine);
    r.namespaces
        .into_iter()
        .find(|n| n.name == "shop")
        .expect("namespace shop")
}

#[test]
fn namespace_without_policies_is_open_and_unselected() {
    let ns = shop(DNS_AND_APP);
    assert_eq!((ns.workloads, ns.unselected, ns.pods_unselected), (2, 2, 2));
    assert_eq!((ns.ingress_isolated, ns.egress_isolated), (0, 0));
    assert_eq!(ns.dns.state, moat::report::DnsState::Open);
    assert!(ns.default_deny.ingress.is_none() && ns.default_deny.egress.is_none());
}

#[test]
fn default_deny_egress_without_dns_rule_blocks_dns() {
    let ns = shop(&format!("{DNS_AND_APP}{DENY_ALL}"));
    assert_eq!(
        (ns.ingress_isolated, ns.egress_isolated, ns.unselected),
        (2, 2, 0)
    );
    assert!(ns.default_deny.ingress.is_some() && ns.default_deny.egress.is_some());
    assert_eq!(ns.dns.state, moat::report::DnsState::Blocked);
    assert_eq!((ns.dns.isolated, ns.dns.udp, ns.dns.tcp), (2, 0, 0));
}

#[test]
fn dns_over_udp_only_is_flagged() {
    let ns = shop(&format!(
        "{DNS_AND_APP}{DENY_ALL}{}",
        dns_rule("{port: 53, protocol: UDP}")
    ));
    assert_eq!(ns.dns.state, moat::report::DnsState::UdpOnly);
    assert_eq!((ns.dns.udp, ns.dns.tcp), (2, 0));
}

#[test]
fn dns_over_udp_and_tcp_is_ok() {
    let ns = shop(&format!(
        "{DNS_AND_APP}{DENY_ALL}{}",
        dns_rule("{port: 53, protocol: UDP}, {port: 53, protocol: TCP}")
    ));
    assert_eq!(ns.dns.state, moat::report::DnsState::Ok);
}

#[test]
fn dns_without_dns_pods_in_the_input_is_unknown() {
    let without_dns = DNS_AND_APP
        .split("---")
        .nth(1)
        .map_or(String::new(), |s| s.to_string());
    let ns = shop(&format!("{without_dns}{DENY_ALL}"));
    assert_eq!(ns.dns.state, moat::report::DnsState::Unknown);
}

#[test]
fn a_policy_selecting_every_pod_with_rules_is_not_preferred_over_a_pure_deny() {
    let with_rules = "
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: aaa-allow-all-ingress, namespace: shop}
spec:
  podSelector: {}
  ingress: [{}]
";
    let loaded = moat::load::load_str(
        "test.yaml",
        &format!("{DNS_AND_APP}{DENY_ALL}{with_rules}"),
        &LoadOptions::default(),
    );
    let engine = Engine::new(loaded.cluster);
    let r = report(&engine);
    let ns = r.namespaces.iter().find(|n| n.name == "shop").unwrap();
    let p = ns.default_deny.ingress.expect("a default-deny");
    assert_eq!(r.policies[p as usize].name, "default-deny-all");
}

#[test]
fn a_workload_only_cluster_policies_apply_to_is_not_counted_as_unselected() {
    // blog/writer: no NetworkPolicy selects it, but the platform's cluster policies apply.
    let engine = engine_of("examples/tiers");
    let r = report(&engine);
    let writer = r
        .workloads
        .iter()
        .find(|w| w.name == "writer")
        .expect("blog/writer");
    assert!(writer.ingress.policies.is_empty() && writer.egress.policies.is_empty());
    assert!(!writer.ingress.cluster.is_empty());
    assert!(!writer.unselected());
    let unselected = r.workloads.iter().filter(|w| w.unselected()).count() as u32;
    assert_eq!(r.totals.unselected, unselected);
    let by_ns: u32 = r.namespaces.iter().map(|n| n.unselected).sum();
    assert_eq!(by_ns, unselected);
}
