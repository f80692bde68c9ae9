//! `convert`: v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy to v1alpha2
//! ClusterNetworkPolicy, proved equal with the engine (same allowed ports between every pair
//! of endpoints and external ranges), and equal to the hand-written v1alpha2 form.

mod common;

use common::tiers::{admin, baseline, pod_with, rule, Gen, Pol, Port};
use moat::convert::{convert_all, converted_cluster, prove_equal};
use moat::engine::Engine;
use moat::load::{load_str, LoadOptions};
use moat::model::Cluster;

fn load(text: &str) -> Cluster {
    let l = load_str("in.yaml", text, &LoadOptions::default());
    assert!(l.problems.is_empty(), "{:#?}", l.problems);
    l.cluster
}

fn read(path: &str) -> String {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../../");
    std::fs::read_to_string(format!("{p}{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Convert, load back, and prove: returns the converted text and the converted engine.
fn convert_and_prove(cluster: Cluster) -> (String, Engine) {
    let text = convert_all(&cluster.cluster_policies).expect("convertible");
    let after = converted_cluster(&cluster, &text).expect("the output loads cleanly");
    assert!(after
        .cluster_policies
        .iter()
        .all(|p| !p.kind.is_deprecated()));
    let before = Engine::new(cluster);
    let after = Engine::new(after);
    let proof = prove_equal(&before, &after).unwrap_or_else(|d| panic!("not equal: {d:?}\n{text}"));
    assert!(proof.pairs > 0);
    (text, after)
}

#[test]
fn the_tiers_example_converts_and_decides_every_flow_alike() {
    let text = [
        read("examples/tiers/workloads.yaml"),
        read("examples/tiers/netpol.yaml"),
        read("examples/tiers-v1alpha1/cluster-policies.yaml"),
    ]
    .join("\n---\n");
    let (converted, after) = convert_and_prove(load(&text));
    assert!(converted.contains("action: Accept") && !converted.contains("action: Allow"));
    assert!(converted.contains("tier: Baseline"));
    // And it is the hand-written v1alpha2 example, flow for flow.
    let v2 = [
        read("examples/tiers/workloads.yaml"),
        read("examples/tiers/netpol.yaml"),
        read("examples/tiers/cluster-policies.yaml"),
    ]
    .join("\n---\n");
    let written = Engine::new(load(&v2));
    prove_equal(&written, &after)
        .unwrap_or_else(|d| panic!("differs from the v1alpha2 example: {d:?}"));
}

#[test]
fn the_conformance_integration_scenario_converts_to_its_v1alpha2_form() {
    let dir = "crates/moat/tests/fixtures/tiers/conformance";
    for (ing, eg) in [
        ("Deny", "Deny"),
        ("Pass", "Deny"),
        ("Pass", "Pass"),
        ("Allow", "Deny"),
    ] {
        let base = read(&format!("{dir}/houses.yaml"));
        let v1 = read(&format!("{dir}/integration-v1alpha1.yaml"))
            .replace("INGRESS_ACTION", ing)
            .replace("EGRESS_ACTION", eg);
        let v2 = read(&format!("{dir}/integration.yaml"))
            .replace(
                "INGRESS_ACTION",
                if ing == "Allow" { "Accept" } else { ing },
            )
            .replace("EGRESS_ACTION", eg);
        let (_, after) = convert_and_prove(load(&format!("{base}\n---\n{v1}")));
        let written = Engine::new(load(&format!("{base}\n---\n{v2}")));
        prove_equal(&written, &after).unwrap_or_else(|d| panic!("{ing}/{eg}: {d:?}"));
    }
}

const NS: &str = "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels: {team: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n  labels: {team: b}\n";

fn cluster_with(pols: &[Pol], g: Gen) -> Cluster {
    let mut text = NS.to_string();
    text.push_str(&pod_with(
        "a",
        "x",
        "{app: x}",
        &["http:8080", "dns:53/UDP"],
        &["10.1.0.1", "fd00:1::1"],
        false,
    ));
    text.push_str(&pod_with(
        "b",
        "z",
        "{app: z}",
        &["http:9090"],
        &["10.2.0.1", "fd00:2::1"],
        false,
    ));
    for p in pols {
        text.push_str(&p.render(g));
    }
    load(&text)
}

#[test]
fn every_port_and_peer_form_converts_equal_to_its_v1alpha2_rendering() {
    let a = "{namespaces: {matchLabels: {team: a}}}";
    let b = "{pods: {namespaceSelector: {matchLabels: {team: b}}, podSelector: {}}}";
    let pols = |one_port: Port| {
        vec![
            admin("forms", 3, a)
                .ingress(
                    rule("Accept", &[b])
                        .ports(&[Port::Number("TCP", 8080), Port::Range("UDP", 50, 60)]),
                )
                .ingress(rule("Pass", &[b]).ports(&[Port::Named("dns"), one_port]))
                .ingress(rule("Deny", &[b]))
                .egress(
                    rule("Deny", &["{networks: [10.2.0.0/16, 'fd00:2::/64']}"])
                        .ports(&[Port::Number("TCP", 9090)]),
                )
                .egress(rule("Pass", &["{nodes: {}}"])),
            baseline(a)
                .egress(rule("Accept", &[b]).ports(&[Port::Named("http")]))
                .egress(rule("Deny", &["{namespaces: {}}"])),
        ]
    };
    let v1 = cluster_with(&pols(Port::Range("SCTP", 9000, 9000)), Gen::V1alpha1);
    let (text, after) = convert_and_prove(v1);
    // A one-port v1alpha1 range is a number in v1alpha2 (whose ranges need start < end).
    assert!(
        text.contains("{sctp: {destinationPort: {number: 9000}}}"),
        "{text}"
    );
    let v2 = Engine::new(cluster_with(
        &pols(Port::Number("SCTP", 9000)),
        Gen::V1alpha2,
    ));
    prove_equal(&v2, &after).unwrap_or_else(|d| panic!("{d:?}"));
}

#[test]
fn the_proof_finds_a_difference_when_there_is_one() {
    let a = "{namespaces: {matchLabels: {team: a}}}";
    let deny = [admin("p", 1, a).ingress(rule("Deny", &["{namespaces: {}}"]))];
    let accept = [admin("p", 1, a)
        .ingress(rule("Accept", &["{namespaces: {}}"]).ports(&[Port::Number("TCP", 8080)]))];
    let before = Engine::new(cluster_with(&deny, Gen::V1alpha1));
    let after = Engine::new(cluster_with(&accept, Gen::V1alpha2));
    let d = prove_equal(&before, &after).expect_err("they differ");
    assert_eq!(d.to, "a/x");
}

#[test]
fn what_v1alpha2_cannot_express_is_an_error_not_a_silent_change() {
    let a = "{namespaces: {}}";
    let mut p = admin("big", 1, a);
    for _ in 0..26 {
        p = p.egress(rule("Deny", &["{namespaces: {}}"]));
    }
    let c = cluster_with(&[p], Gen::V1alpha1);
    let errs = convert_all(&c.cluster_policies).expect_err("26 rules");
    assert!(errs[0].message.contains("at most 25"), "{errs:?}");
}

#[test]
fn a_baseline_named_like_an_admin_policy_gets_a_distinct_name() {
    let a = "{namespaces: {}}";
    let pols = [
        admin("default", 1, a).ingress(rule("Deny", &["{namespaces: {matchLabels: {team: b}}}"])),
        baseline(a).ingress(rule("Deny", &["{namespaces: {}}"])),
    ];
    let (text, _) = convert_and_prove(cluster_with(&pols, Gen::V1alpha1));
    assert!(text.contains("name: baseline-default"), "{text}");
}
