//! Hubble flow logs: `recommend` on the three-tier application running without policies,
//! `explain-drops` on seed 001's application with its policies in force. The logs are
//! generated (tests/hubble) in the exact shape `hubble observe -o json` prints.

mod hubble;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use moat::check::{parse_expectations, run_checks};
use moat::engine::Engine;
use moat::flows::{
    expectations, intent_text, open, scan, DropCollector, DropReport, LineCounts, RecommendOptions,
    Recommendation, Recommender,
};
use moat::gen::{parse_intent, policy_stream};
use moat::load::{load, read_source, LoadOptions, Source};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sources(paths: &[&str]) -> Vec<Source> {
    paths
        .iter()
        .map(|p| read_source(&root().join(p)).expect("read"))
        .collect()
}

fn engine(sources: &[Source]) -> Engine {
    let loaded = load(sources, &LoadOptions::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    Engine::new(loaded.cluster)
}

fn recommend(
    engine: &Engine,
    log: &str,
    options: RecommendOptions,
) -> (Recommendation, LineCounts) {
    let mut rec = Recommender::new(engine, options);
    let mut counts = LineCounts::default();
    let mut input = open(std::io::Cursor::new(log.as_bytes().to_vec())).expect("open");
    scan("flows.jsonl", &mut input, &mut counts, |f| rec.observe(f)).expect("scan");
    (rec.finish(), counts)
}

fn drops(engine: &Engine, log: &str) -> (DropReport, LineCounts) {
    let mut c = DropCollector::new(engine);
    let mut counts = LineCounts::default();
    let mut input = open(std::io::Cursor::new(log.as_bytes().to_vec())).expect("open");
    scan("flows.jsonl", &mut input, &mut counts, |f| c.observe(f)).expect("scan");
    (c.finish(), counts)
}

#[test]
fn flows_fixtures_are_fresh() {
    for (path, text) in [
        ("examples/three-tier/flows.jsonl", hubble::three_tier()),
        ("examples/seed-001/flows.jsonl", hubble::seed_001()),
    ] {
        let file = root().join(path);
        if std::env::var_os("UPDATE_FLOWS").is_some() {
            std::fs::write(&file, &text).expect("write");
        }
        let on_disk = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            on_disk == text,
            "{path} is stale: UPDATE_FLOWS=1 cargo test -p moat --test flows"
        );
    }
}

const THREE_TIER: &str = "examples/three-tier/workloads.yaml";

/// The connections the three-tier log starts, written down from the scenario (not from
/// the recommender): (from, to, protocol, port).
const OBSERVED: [(&str, &str, &str, u16); 16] = [
    (
        "203.0.113.10",
        "ingress-nginx/ingress-nginx-controller",
        "TCP",
        80,
    ),
    (
        "203.0.113.10",
        "ingress-nginx/ingress-nginx-controller",
        "TCP",
        443,
    ),
    (
        "203.0.113.11",
        "ingress-nginx/ingress-nginx-controller",
        "TCP",
        80,
    ),
    (
        "203.0.113.11",
        "ingress-nginx/ingress-nginx-controller",
        "TCP",
        443,
    ),
    (
        "198.51.100.200",
        "ingress-nginx/ingress-nginx-controller",
        "TCP",
        80,
    ),
    (
        "198.51.100.200",
        "ingress-nginx/ingress-nginx-controller",
        "TCP",
        443,
    ),
    (
        "ingress-nginx/ingress-nginx-controller",
        "production/frontend",
        "TCP",
        80,
    ),
    (
        "ingress-nginx/ingress-nginx-controller",
        "production/frontend",
        "TCP",
        443,
    ),
    ("production/frontend", "production/backend", "TCP", 8080),
    ("production/frontend", "kube-system/coredns", "UDP", 53),
    ("production/backend", "kube-system/coredns", "UDP", 53),
    ("production/backend", "kube-system/coredns", "TCP", 53),
    ("production/backend", "production/database", "TCP", 5432),
    ("production/backend", "198.51.100.7", "TCP", 443),
    ("production/backend", "198.51.100.9", "TCP", 443),
    ("monitoring/prometheus", "production/backend", "TCP", 8080),
];

/// Expectations: every observed connection allowed; every pair of the workloads never
/// observed on a port its destination listens on, denied (DNS aside: allow-dns opens it
/// to every pod of a namespace that resolves names).
fn proof() -> String {
    let workloads = [
        "ingress-nginx/ingress-nginx-controller",
        "production/frontend",
        "production/backend",
        "production/database",
        "monitoring/prometheus",
        "kube-system/coredns",
    ];
    let mut out = String::from("expect:\n");
    for (from, to, proto, port) in OBSERVED {
        out.push_str(&format!(
            "  - {{from: {from}, to: {to}, port: {port}, protocol: {proto}, allowed: true}}\n"
        ));
    }
    let listening: BTreeSet<(&str, &str, u16)> =
        OBSERVED.iter().map(|(_, to, p, n)| (*to, *p, *n)).collect();
    let observed: BTreeSet<(&str, &str, &str, u16)> = OBSERVED.iter().copied().collect();
    let mut negatives = 0;
    for from in workloads {
        for &(to, proto, port) in &listening {
            if from == to
                || observed.contains(&(from, to, proto, port))
                || to.contains(".") && !to.contains('/')
            {
                continue;
            }
            let dns = to == "kube-system/coredns" && from.starts_with("production/");
            // Between two namespaces left alone, nothing is isolated.
            let unprotected = |w: &str| w.starts_with("kube-system/") || !w.contains('/');
            if dns || (unprotected(from) && unprotected(to)) {
                continue;
            }
            negatives += 1;
            out.push_str(&format!(
                "  - {{from: {from}, to: {to}, port: {port}, protocol: {proto}, allowed: false}}\n"
            ));
        }
        if from != "kube-system/coredns" {
            negatives += 1;
            out.push_str(&format!(
                "  - {{from: {from}, to: 203.0.113.99, port: 443, allowed: false}}\n"
            ));
        }
    }
    assert!(negatives > 20, "{negatives} negatives");
    out
}

fn check(engine: &Engine, expectations: &str) {
    let exps = parse_expectations("proof.yaml", expectations).expect("expectations");
    let results = run_checks(engine, &exps).expect("resolvable");
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| {
            format!(
                "{:?} -> {:?} {:?}: expected {}, got {}: {}",
                r.expectation.from,
                r.expectation.to,
                r.expectation.port,
                r.expectation.allowed,
                r.actual,
                r.reason
            )
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

fn with_policies(text: String) -> Engine {
    let mut s = sources(&[THREE_TIER]);
    s.push(Source {
        name: Arc::from("recommended.yaml"),
        text,
    });
    engine(&s)
}

#[test]
fn recommend_allows_exactly_the_observed_connections_of_the_three_tier_app() {
    let e = engine(&sources(&[THREE_TIER]));
    let (rec, counts) = recommend(&e, &hubble::three_tier(), RecommendOptions::default());
    assert_eq!(counts.malformed, 1);
    assert_eq!(counts.other_events, 1);
    let mut got: Vec<(String, String, String, u16)> = rec
        .allowed
        .iter()
        .map(|a| (a.from.clone(), a.to.clone(), a.protocol.to_string(), a.port))
        .collect();
    got.sort();
    let mut want: Vec<(String, String, String, u16)> = OBSERVED
        .iter()
        .map(|(a, b, p, n)| (a.to_string(), b.to_string(), p.to_string(), *n))
        .collect();
    want.sort();
    assert_eq!(got, want);
    let policies = with_policies(policy_stream(&rec.plan));
    check(&policies, &proof());
    // The recommender's own proof holds too.
    check(&policies, &expectations(&rec));
}

#[test]
fn recommend_ignores_replies_probes_icmp_and_unknown_pods_and_counts_them() {
    let e = engine(&sources(&[THREE_TIER]));
    let (rec, _) = recommend(&e, &hubble::three_tier(), RecommendOptions::default());
    let s = &rec.summary;
    assert_eq!(s.skipped.get(moat::flows::SKIP_PROBE).copied(), Some(48));
    assert_eq!(s.skipped.get(moat::flows::SKIP_L4).copied(), Some(1));
    assert!(s.skipped.get(moat::flows::SKIP_REPLY).copied().unwrap_or(0) > 100);
    assert_eq!(
        s.unknown_pods.keys().collect::<Vec<_>>(),
        vec!["production/report-28374650-abcde"]
    );
    // No rule allows an ephemeral port, and kube-system gets no policy.
    let text = policy_stream(&rec.plan);
    assert!(!text.contains("namespace: kube-system\n  labels"), "{text}");
    for p in text.lines().filter_map(|l| l.trim().strip_prefix("port: ")) {
        let n: u16 = p.parse().expect("numeric port");
        assert!(n < moat::flows::EPHEMERAL_START, "{n}");
    }
}

#[test]
fn dns_is_the_one_allow_dns_policy_per_namespace() {
    let e = engine(&sources(&[THREE_TIER]));
    let (rec, _) = recommend(&e, &hubble::three_tier(), RecommendOptions::default());
    let text = policy_stream(&rec.plan);
    assert_eq!(text.matches("name: allow-dns").count(), 1, "{text}");
    assert!(!text.contains("port: 53\n") || text.matches("port: 53\n").count() == 2);
    let dns = rec.plan.dns.as_ref().expect("dns");
    assert_eq!(dns.namespace, "kube-system");
    assert_eq!(
        dns.selector.get("k8s-app").map(String::as_str),
        Some("kube-dns")
    );
}

#[test]
fn external_addresses_are_single_hosts_unless_grouped() {
    let e = engine(&sources(&[THREE_TIER]));
    let (single, _) = recommend(&e, &hubble::three_tier(), RecommendOptions::default());
    let text = policy_stream(&single.plan);
    assert!(text.contains("cidr: 198.51.100.7/32") && text.contains("cidr: 198.51.100.9/32"));
    let (grouped, _) = recommend(
        &e,
        &hubble::three_tier(),
        RecommendOptions {
            group_cidrs: true,
            ..RecommendOptions::default()
        },
    );
    let text = policy_stream(&grouped.plan);
    // 198.51.100.7 and .9 (egress) and .200 (a client) share a /24.
    assert!(text.contains("cidr: 198.51.100.0/24"), "{text}");
    assert!(text.contains("cidr: 203.0.113.10/31"), "{text}");
    assert!(!text.contains("198.51.100.7/32"));
}

#[test]
fn kube_system_is_isolated_only_when_asked() {
    let e = engine(&sources(&[THREE_TIER]));
    let (rec, _) = recommend(
        &e,
        &hubble::three_tier(),
        RecommendOptions {
            isolate_system: true,
            ..RecommendOptions::default()
        },
    );
    let names: Vec<&str> = rec
        .plan
        .namespaces
        .iter()
        .map(|n| n.name.as_str())
        .collect();
    assert!(names.contains(&"kube-system"), "{names:?}");
    // The cluster DNS now has an ingress policy, which must let the lookups in.
    let policies = with_policies(policy_stream(&rec.plan));
    check(
        &policies,
        "expect:\n  - {from: production/frontend, to: kube-system/coredns, port: 53, protocol: UDP, allowed: true}\n  - {from: production/database, to: kube-system/coredns, port: 53, protocol: UDP, allowed: false}\n",
    );
}

#[test]
fn the_intent_gen_reads_back_writes_the_same_policies() {
    let e = engine(&sources(&[THREE_TIER]));
    let (rec, _) = recommend(&e, &hubble::three_tier(), RecommendOptions::default());
    let intent = intent_text(&rec);
    let plan = match parse_intent("intent.yaml", &intent) {
        Ok(p) => p,
        Err(errors) => panic!("{errors:?}\n{intent}"),
    };
    let strip = |t: &str| {
        t.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        strip(&policy_stream(&plan)),
        strip(&policy_stream(&rec.plan))
    );
}

#[test]
fn service_ports_are_mapped_back_to_pod_ports() {
    let manifests = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: web\n          image: nginx\n          ports: [{name: http, containerPort: 8080}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: client, namespace: shop}\nspec:\n  selector: {matchLabels: {app: client}}\n  template:\n    metadata: {labels: {app: client}}\n    spec: {containers: [{name: c, image: busybox}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n";
    let e = engine(&[Source {
        name: Arc::from("shop.yaml"),
        text: manifests.to_string(),
    }]);
    let line = r#"{"flow":{"verdict":"FORWARDED","IP":{"source":"10.1.0.5","destination":"10.1.0.9"},"l4":{"TCP":{"source_port":40001,"destination_port":80,"flags":{"SYN":true}}},"source":{"namespace":"shop","labels":["k8s:app=client"],"pod_name":"client-6d4f5b7c8-aaaaa"},"destination":{"namespace":"shop","labels":["k8s:app=web"],"pod_name":"web-7d8f9b6c4d-bbbbb"},"destination_service":{"name":"web","namespace":"shop"},"traffic_direction":"EGRESS","is_reply":false}}"#;
    let (rec, _) = recommend(&e, line, RecommendOptions::default());
    assert_eq!(rec.allowed.len(), 1);
    assert_eq!(rec.allowed[0].port, 8080);
    assert_eq!(
        rec.summary.service_ports.iter().collect::<Vec<_>>(),
        vec!["shop/web TCP/80 -> shop/web/8080"]
    );
}

#[test]
fn pods_are_matched_by_ip_when_their_name_is_unknown() {
    let manifests = "apiVersion: v1\nkind: Pod\nmetadata: {name: db-0, namespace: data, labels: {app: db}}\nspec: {containers: [{name: db, image: postgres, ports: [{containerPort: 5432}]}]}\nstatus: {podIP: 10.9.0.7}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: client, namespace: data, labels: {app: client}}\nspec: {containers: [{name: c, image: busybox}]}\n";
    let e = engine(&[Source {
        name: Arc::from("data.yaml"),
        text: manifests.to_string(),
    }]);
    let line = r#"{"flow":{"verdict":"FORWARDED","IP":{"source":"10.9.0.8","destination":"10.9.0.7"},"l4":{"TCP":{"source_port":40001,"destination_port":5432}},"source":{"namespace":"data","pod_name":"client"},"destination":{"identity":4242},"is_reply":false}}"#;
    let (rec, _) = recommend(&e, line, RecommendOptions::default());
    assert_eq!(rec.allowed.len(), 1, "{:?}", rec.summary);
    assert_eq!(rec.allowed[0].to, "data/db-0");
}

#[test]
fn explain_drops_on_seed_001_names_the_policies_the_nearest_rule_and_the_drift() {
    let e = engine(&sources(&[
        "examples/seed-001/workloads.yaml",
        "examples/seed-001/policies.yaml",
    ]));
    let (report, counts) = drops(&e, &hubble::seed_001());
    assert_eq!(counts.malformed, 1);
    assert_eq!(report.not_policy.get("CT_MAP_INSERTION_FAILED"), Some(&1));
    let find = |from: &str, to: &str, port: u16| {
        report
            .drops
            .iter()
            .find(|d| d.from == from && d.to == to && d.port == port)
            .unwrap_or_else(|| panic!("no drop {from} -> {to}:{port}: {:?}", report.drops))
    };
    let fe = find("production/frontend", "production/api", 8080);
    assert_eq!(fe.count, 30);
    assert!(!fe.drift);
    assert_eq!(
        fe.isolated_by,
        vec!["production/allow-dns", "production/default-deny-all"]
    );
    let n = fe.nearest.as_ref().expect("nearest");
    assert_eq!(
        (n.policy.as_str(), n.rule.as_deref()),
        ("production/allow-dns", Some("egress[0]"))
    );
    assert!(fe.first.as_deref() < fe.last.as_deref());

    let https = find(
        "ingress-nginx/ingress-nginx-controller",
        "production/frontend",
        443,
    );
    let n = https.nearest.as_ref().expect("nearest");
    assert_eq!(n.policy, "production/frontend-allow-ingress");
    assert!(n.peer_matches && !n.port_matches, "{n:?}");

    let api = find("production/api", "203.0.113.50", 443);
    let n = api.nearest.as_ref().expect("nearest");
    assert_eq!(
        (n.policy.as_str(), n.rule.as_deref()),
        ("production/api-egress", Some("egress[2]"))
    );
    assert!(!n.peer_matches && n.port_matches);

    let drift = find(
        "ingress-nginx/ingress-nginx-controller",
        "production/frontend",
        80,
    );
    assert!(drift.drift);
    assert_eq!(report.drops.iter().filter(|d| d.drift).count(), 1);
    // Allowed traffic produced no drop entries.
    assert!(report
        .drops
        .iter()
        .all(|d| d.to != "production/database" || d.from != "production/api"));
}
