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
fn a_service_address_is_taken_to_the_workload_it_selects() {
    let manifests = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: web\n          image: nginx\n          ports: [{name: http, containerPort: 8080}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: client, namespace: shop}\nspec:\n  selector: {matchLabels: {app: client}}\n  template:\n    metadata: {labels: {app: client}}\n    spec: {containers: [{name: c, image: busybox}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n";
    let e = engine(&[Source {
        name: Arc::from("shop.yaml"),
        text: manifests.to_string(),
    }]);
    // The ClusterIP, untranslated: no destination pod, only the Service.
    let line = r#"{"flow":{"verdict":"FORWARDED","IP":{"source":"10.1.0.5","destination":"10.96.0.40"},"l4":{"TCP":{"source_port":40001,"destination_port":80,"flags":{"SYN":true}}},"source":{"namespace":"shop","labels":["k8s:app=client"],"pod_name":"client-6d4f5b7c8-aaaaa"},"destination":{"identity":2,"labels":["reserved:world"]},"destination_service":{"name":"web","namespace":"shop"},"traffic_direction":"EGRESS","is_reply":false}}"#;
    let (rec, _) = recommend(&e, line, RecommendOptions::default());
    assert_eq!(rec.allowed.len(), 1, "{:?}", rec.summary);
    assert_eq!(
        (rec.allowed[0].to.as_str(), rec.allowed[0].port),
        ("shop/web", 8080)
    );
    assert_eq!(rec.summary.service_addresses, 1);
}

#[test]
fn a_drop_to_a_service_is_explained_at_the_pod_port() {
    let manifests = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: web\n          image: nginx\n          ports: [{name: http, containerPort: 8080}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web-only-9090, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n  ingress: [{ports: [{port: 9090}]}]\n";
    let e = engine(&[Source {
        name: Arc::from("shop.yaml"),
        text: manifests.to_string(),
    }]);
    let line = r#"{"flow":{"verdict":"DROPPED","IP":{"source":"203.0.113.7","destination":"10.96.0.40"},"l4":{"TCP":{"source_port":40001,"destination_port":80,"flags":{"SYN":true}}},"source":{"identity":2,"labels":["reserved:world"]},"destination":{"identity":2,"labels":["reserved:world"]},"destination_service":{"name":"web","namespace":"shop"},"traffic_direction":"INGRESS","drop_reason_desc":"POLICY_DENIED","is_reply":false}}"#;
    let (report, _) = drops(&e, line);
    let d = &report.drops[0];
    assert_eq!((d.to.as_str(), d.port), ("shop/web", 8080));
    assert_eq!(d.isolated_by, vec!["shop/web-only-9090"]);
    let n = d.nearest.as_ref().expect("nearest");
    assert!(n.peer_matches && !n.port_matches, "{n:?}");
    assert!(!d.drift);
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

    let audit = find("production/database", "production/api", 8080);
    assert!(audit.audit && !audit.drift, "{audit:?}");
    assert_eq!(
        audit.isolated_by,
        vec!["production/allow-dns", "production/default-deny-all"]
    );

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

/// Pods as `kubectl get pods -o yaml` prints them: two replicas of a Deployment (owned by
/// its ReplicaSet) and a client, each with its IP.
const LIVE_PODS: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-7d8f9b6c4d-aaaaa\n  namespace: shop\n  labels: {app: web, pod-template-hash: 7d8f9b6c4d}\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d8f9b6c4d, controller: true, uid: u1}]\nspec: {containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]}\nstatus: {podIP: 10.1.0.11}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web-7d8f9b6c4d-bbbbb\n  namespace: shop\n  labels: {app: web, pod-template-hash: 7d8f9b6c4d}\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d8f9b6c4d, controller: true, uid: u1}]\nspec: {containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]}\nstatus: {podIP: 10.1.0.12}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: client-6d4f5b7c8-ccccc\n  namespace: shop\n  labels: {app: client, pod-template-hash: 6d4f5b7c8}\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: client-6d4f5b7c8, controller: true, uid: u2}]\nspec: {containers: [{name: c, image: busybox}]}\nstatus: {podIP: 10.1.0.21}\n";

fn tcp_line(src: (&str, &str), dst: (&str, &str), port: u16) -> String {
    format!(
        r#"{{"flow":{{"verdict":"FORWARDED","IP":{{"source":"{}","destination":"{}"}},"l4":{{"TCP":{{"source_port":40001,"destination_port":{port},"flags":{{"SYN":true}}}}}},"source":{{"namespace":"shop","pod_name":"{}"}},"destination":{{"namespace":"shop","pod_name":"{}"}},"traffic_direction":"EGRESS","is_reply":false}}}}"#,
        src.1, dst.1, src.0, dst.0
    )
}

#[test]
fn replicas_fold_into_their_workload_by_owner() {
    let e = engine(&[Source {
        name: Arc::from("pods.yaml"),
        text: LIVE_PODS.to_string(),
    }]);
    let client = ("client-6d4f5b7c8-ccccc", "10.1.0.21");
    let log = [
        tcp_line(client, ("web-7d8f9b6c4d-aaaaa", "10.1.0.11"), 8080),
        tcp_line(client, ("web-7d8f9b6c4d-bbbbb", "10.1.0.12"), 8080),
    ]
    .join("\n");
    let (rec, _) = recommend(&e, &log, RecommendOptions::default());
    assert_eq!(rec.allowed.len(), 1, "{:?}", rec.allowed);
    assert_eq!(
        (rec.allowed[0].from.as_str(), rec.allowed[0].to.as_str()),
        ("shop/client", "shop/web")
    );
    assert_eq!(rec.allowed[0].count, 2);
    let names: Vec<&str> = rec.plan.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["client", "web"]);
    // pod-template-hash is no part of a selector.
    let web = &rec.plan.services[1];
    assert_eq!(web.selector.keys().collect::<Vec<_>>(), vec!["app"]);
}

#[test]
fn a_workload_without_labels_is_named_and_its_flows_are_not_allowed() {
    let manifests = "apiVersion: v1\nkind: Pod\nmetadata: {name: bare, namespace: shop}\nspec: {containers: [{name: c, image: busybox}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}\n";
    let e = engine(&[Source {
        name: Arc::from("m.yaml"),
        text: manifests.to_string(),
    }]);
    let (rec, _) = recommend(
        &e,
        &tcp_line(("bare", "10.0.0.1"), ("web", "10.0.0.2"), 80),
        RecommendOptions::default(),
    );
    assert!(rec.allowed.is_empty());
    assert_eq!(
        rec.summary.skipped.get(moat::flows::SKIP_UNSELECTABLE),
        Some(&1)
    );
    assert!(
        rec.summary.warnings[0].contains("shop/bare (Pod) has no labels"),
        "{:?}",
        rec.summary.warnings
    );
}

mod property {
    use super::*;
    use proptest::prelude::*;

    use hubble::{End, Log, Pod, BACKEND_A, COREDNS_A, DATABASE, FRONTEND_A, INGRESS, PROMETHEUS};

    const PODS: [(Pod, &str); 5] = [
        (FRONTEND_A, "production/frontend"),
        (BACKEND_A, "production/backend"),
        (DATABASE, "production/database"),
        (INGRESS, "ingress-nginx/ingress-nginx-controller"),
        (PROMETHEUS, "monitoring/prometheus"),
    ];
    const PORTS: [u16; 4] = [80, 443, 5432, 8080];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Whatever connections are observed, the recommended policies allow exactly
        /// those among the workloads (on the ports seen), and DNS wherever it was used.
        #[test]
        fn recommended_policies_allow_exactly_what_was_observed(
            picks in proptest::collection::btree_set((0usize..5, 0usize..5, 0usize..4), 1..10),
            dns_from in proptest::collection::btree_set(0usize..5, 0..3),
        ) {
            let mut log = Log::new(7);
            let tcp = hubble::L4::Tcp { syn: true, ack: false };
            let observed: BTreeSet<(usize, usize, u16)> = picks
                .iter()
                .filter(|(a, b, _)| a != b)
                .map(|&(a, b, p)| (a, b, PORTS[p]))
                .collect();
            for &(a, b, port) in &observed {
                log.connect(End::Pod(PODS[a].0), End::Pod(PODS[b].0), port, tcp, None);
            }
            for &a in &dns_from {
                log.connect(End::Pod(PODS[a].0), End::Pod(COREDNS_A), 53, hubble::L4::Udp, Some(("kube-dns", "kube-system")));
            }
            let e = engine(&sources(&[THREE_TIER]));
            let (rec, _) = recommend(&e, &log.text(), RecommendOptions::default());
            let policies = with_policies(policy_stream(&rec.plan));
            let seen_ports: BTreeSet<u16> = observed.iter().map(|o| o.2).collect();
            let mut exp = String::from("expect:\n");
            let involved: BTreeSet<usize> = observed.iter().flat_map(|o| [o.0, o.1]).chain(dns_from.iter().copied()).collect();
            for &a in &involved {
                for &b in &involved {
                    if a == b {
                        continue;
                    }
                    for &port in &seen_ports {
                        let allowed = observed.contains(&(a, b, port));
                        exp.push_str(&format!("  - {{from: {}, to: {}, port: {port}, allowed: {allowed}}}\n", PODS[a].1, PODS[b].1));
                    }
                }
                let ns_dns = dns_from.iter().any(|&d| PODS[d].0.ns == PODS[a].0.ns);
                exp.push_str(&format!("  - {{from: {}, to: kube-system/coredns, port: 53, protocol: UDP, allowed: {ns_dns}}}\n", PODS[a].1));
            }
            prop_assume!(!involved.is_empty());
            check(&policies, &exp);
        }
    }
}

#[test]
fn many_single_addresses_are_flagged_with_the_way_to_fold_them() {
    let e = engine(&sources(&[THREE_TIER]));
    let mut log = hubble::Log::new(3);
    let tcp = hubble::L4::Tcp {
        syn: true,
        ack: false,
    };
    const CLIENTS: [&str; 20] = [
        "192.0.2.1",
        "192.0.2.2",
        "192.0.2.3",
        "192.0.2.4",
        "192.0.2.5",
        "192.0.2.6",
        "192.0.2.7",
        "192.0.2.8",
        "192.0.2.9",
        "192.0.2.10",
        "192.0.2.11",
        "192.0.2.12",
        "192.0.2.13",
        "192.0.2.14",
        "192.0.2.15",
        "192.0.2.16",
        "192.0.2.17",
        "192.0.2.18",
        "192.0.2.19",
        "192.0.2.20",
    ];
    for ip in CLIENTS {
        log.connect(
            hubble::End::World(ip),
            hubble::End::Pod(hubble::INGRESS),
            443,
            tcp,
            None,
        );
    }
    let (rec, _) = recommend(&e, &log.text(), RecommendOptions::default());
    assert_eq!(rec.allowed.len(), 20);
    assert!(
        rec.summary.warnings.iter().any(|w| w.starts_with(
            "ingress-nginx/ingress-nginx-controller: 20 connections from single external addresses"
        )),
        "{:?}",
        rec.summary.warnings
    );
    let (grouped, _) = recommend(
        &e,
        &log.text(),
        RecommendOptions {
            group_cidrs: true,
            ..RecommendOptions::default()
        },
    );
    assert!(grouped.summary.warnings.is_empty());
    assert!(policy_stream(&grouped.plan).contains("cidr: 192.0.2.0/27"));
}
