//! Scenarios of the network-policy-api conformance suite (conformance/tests), rebuilt for
//! moat: the same houses, policies and probes, described in our own fixtures
//! (tests/fixtures/tiers/conformance). Where the suite patches a live policy between
//! probes, the fixture has a placeholder and each step loads its own variant. Probes go to
//! the server pod's IP, in IPv4 and in IPv6. The rule-ordering scenarios (ordering.rs) and
//! the gress scenario (gress.rs) run in both generations: each v1alpha2 fixture has a
//! `-v1alpha1` twin.

mod common;
#[path = "tiers_conformance/gress.rs"]
mod gress;
#[path = "tiers_conformance/ordering.rs"]
mod ordering;

use common::{allowed_proto, engine};
use moat::engine::Engine;
use moat::model::Protocol;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/tiers/conformance"
);

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn cluster(files: &[&str], replace: &[(&str, &str)]) -> Engine {
    let mut text = fixture("houses.yaml");
    for f in files {
        text.push_str("\n---\n");
        text.push_str(&fixture(f));
    }
    for (from, to) in replace {
        text = text.replace(from, to);
    }
    engine(&text)
}

/// The pod IPs of `house`'s pod `i`: (IPv4, IPv6).
fn ips(house: &str, i: u8) -> [String; 2] {
    let n = match house {
        "gryffindor" => 1,
        "slytherin" => 2,
        "hufflepuff" => 3,
        _ => 4,
    };
    [
        format!("10.{n}.0.{}", i + 1),
        format!("fd00:{n}::{}", i + 1),
    ]
}

/// Probe from pod `i` of `from` to pod 0 of `to`, in both families; both must agree.
fn poke(e: &Engine, from: &str, i: u8, to: &str, port: u16, proto: Protocol) -> bool {
    let [s4, s6] = ips(from, i);
    let [d4, d6] = ips(to, 0);
    let v4 = allowed_proto(e, &s4, &d4, port, proto);
    let v6 = allowed_proto(e, &s6, &d6, port, proto);
    assert_eq!(
        v4, v6,
        "IPv4 and IPv6 disagree for {from}-{i} -> {to} {proto}/{port}"
    );
    v4
}

const TCP: Protocol = Protocol::Tcp;
const UDP: Protocol = Protocol::Udp;
const SCTP: Protocol = Protocol::Sctp;

#[test]
fn priority_field_an_admin_deny_at_50_wins_over_a_pass_at_60() {
    let e = cluster(&["priority.yaml"], &[("PRIORITY", "60")]);
    assert!(!poke(&e, "slytherin", 0, "gryffindor", 80, TCP));
    assert!(!poke(&e, "slytherin", 1, "gryffindor", 8080, TCP));
    assert!(!poke(&e, "gryffindor", 0, "slytherin", 80, TCP));
    assert!(!poke(&e, "gryffindor", 1, "slytherin", 8080, TCP));
}

#[test]
fn priority_field_a_pass_moved_to_40_hands_both_directions_to_the_baseline_accept() {
    let e = cluster(&["priority.yaml"], &[("PRIORITY", "40")]);
    assert!(poke(&e, "slytherin", 0, "gryffindor", 80, TCP));
    assert!(poke(&e, "slytherin", 1, "gryffindor", 8080, TCP));
    assert!(poke(&e, "gryffindor", 0, "slytherin", 80, TCP));
    assert!(poke(&e, "gryffindor", 1, "slytherin", 8080, TCP));
}

fn integration(file: &str, ingress: &str, egress: &str, netpol: bool) -> Engine {
    let mut files = vec![file];
    if netpol {
        files.push("integration-netpol.yaml");
    }
    cluster(
        &files,
        &[("INGRESS_ACTION", ingress), ("EGRESS_ACTION", egress)],
    )
}

#[test]
fn integration_admin_deny_wins_over_a_networkpolicy_allow() {
    for file in ["integration.yaml", "integration-v1alpha1.yaml"] {
        let e = integration(file, "Deny", "Deny", true);
        assert!(!poke(&e, "slytherin", 0, "gryffindor", 80, TCP), "{file}");
        assert!(!poke(&e, "gryffindor", 1, "slytherin", 8080, TCP), "{file}");
    }
}

#[test]
fn integration_admin_pass_lets_the_networkpolicy_allow() {
    for file in ["integration.yaml", "integration-v1alpha1.yaml"] {
        let e = integration(file, "Pass", "Deny", true);
        assert!(poke(&e, "slytherin", 0, "gryffindor", 80, TCP), "{file}");
        assert!(poke(&e, "slytherin", 1, "gryffindor", 8080, TCP), "{file}");
        // Egress still denied by the Admin tier.
        assert!(!poke(&e, "gryffindor", 0, "slytherin", 80, TCP), "{file}");
        let e = integration(file, "Pass", "Pass", true);
        assert!(poke(&e, "gryffindor", 0, "slytherin", 80, TCP), "{file}");
    }
}

#[test]
fn integration_admin_pass_without_the_networkpolicy_falls_to_the_baseline_deny() {
    for file in ["integration.yaml", "integration-v1alpha1.yaml"] {
        let e = integration(file, "Pass", "Pass", false);
        assert!(!poke(&e, "slytherin", 0, "gryffindor", 80, TCP), "{file}");
        assert!(!poke(&e, "gryffindor", 1, "slytherin", 8080, TCP), "{file}");
        // Other houses are untouched by every tier.
        assert!(poke(&e, "hufflepuff", 0, "gryffindor", 80, TCP), "{file}");
    }
}

fn egress_tcp(ravenclaw_first: &str, slytherin_first: &str) -> Engine {
    cluster(
        &["egress-tcp.yaml"],
        &[
            ("RAVENCLAW_FIRST", ravenclaw_first),
            ("SLYTHERIN_FIRST", slytherin_first),
        ],
    )
}

#[test]
fn egress_tcp_accept_first_wins_over_the_later_deny() {
    let e = egress_tcp("Accept", "Deny");
    assert!(poke(&e, "gryffindor", 0, "ravenclaw", 80, TCP));
    assert!(poke(&e, "gryffindor", 1, "ravenclaw", 8080, TCP));
}

#[test]
fn egress_tcp_accept_at_the_specified_port_only() {
    let e = egress_tcp("Accept", "Deny");
    assert!(poke(&e, "gryffindor", 0, "hufflepuff", 8080, TCP));
    assert!(!poke(&e, "gryffindor", 1, "hufflepuff", 80, TCP));
}

#[test]
fn egress_tcp_deny_first_denies_everything() {
    let e = egress_tcp("Deny", "Deny");
    assert!(!poke(&e, "gryffindor", 0, "ravenclaw", 80, TCP));
    assert!(!poke(&e, "gryffindor", 1, "ravenclaw", 8080, TCP));
}

#[test]
fn egress_tcp_deny_at_the_specified_port_only() {
    let e = egress_tcp("Deny", "Deny");
    assert!(!poke(&e, "gryffindor", 0, "slytherin", 80, TCP));
    assert!(poke(&e, "gryffindor", 1, "slytherin", 8080, TCP));
    // The rule is TCP: UDP and SCTP to the same house are untouched.
    assert!(poke(&e, "gryffindor", 0, "slytherin", 53, UDP));
    assert!(poke(&e, "gryffindor", 0, "slytherin", 9003, SCTP));
}

#[test]
fn egress_tcp_pass_first_skips_the_later_deny() {
    let e = egress_tcp("Pass", "Pass");
    assert!(poke(&e, "gryffindor", 0, "ravenclaw", 80, TCP));
    assert!(poke(&e, "gryffindor", 1, "ravenclaw", 8080, TCP));
    assert!(poke(&e, "gryffindor", 0, "slytherin", 80, TCP));
    assert!(poke(&e, "gryffindor", 1, "slytherin", 8080, TCP));
}

#[test]
fn egress_inline_cidr_accept_before_deny_and_pass_for_the_rest() {
    let e = cluster(&["egress-cidr.yaml"], &[]);
    assert!(poke(&e, "gryffindor", 0, "ravenclaw", 80, TCP));
    assert!(!poke(&e, "gryffindor", 0, "ravenclaw", 8080, TCP));
    assert!(!poke(&e, "gryffindor", 1, "ravenclaw", 53, UDP));
    // 0.0.0.0/0 and ::/0 cover pods too; Pass hands them to NetworkPolicy (none): allowed.
    assert!(poke(&e, "gryffindor", 0, "slytherin", 8080, TCP));
    assert!(poke(&e, "gryffindor", 0, "hufflepuff", 5353, UDP));
    let e4 = allowed_proto(&e, "10.1.0.1", "198.51.100.1", 443, TCP);
    let e6 = allowed_proto(&e, "fd00:1::1", "2001:db8::1", 443, TCP);
    assert!(e4 && e6);
}

fn baseline_udp(first: &str) -> Engine {
    cluster(
        &["baseline-ingress-udp.yaml"],
        &[("RAVENCLAW_FIRST", first)],
    )
}

#[test]
fn baseline_ingress_udp_accept_first_wins_over_the_later_deny() {
    let e = baseline_udp("Accept");
    assert!(poke(&e, "ravenclaw", 0, "hufflepuff", 53, UDP));
    assert!(poke(&e, "ravenclaw", 1, "hufflepuff", 5353, UDP));
}

#[test]
fn baseline_ingress_udp_accept_at_the_specified_port_only() {
    let e = baseline_udp("Accept");
    assert!(poke(&e, "gryffindor", 0, "hufflepuff", 53, UDP));
    assert!(!poke(&e, "gryffindor", 1, "hufflepuff", 5353, UDP));
}

#[test]
fn baseline_ingress_udp_deny_first_denies_everything() {
    let e = baseline_udp("Deny");
    assert!(!poke(&e, "ravenclaw", 0, "hufflepuff", 53, UDP));
    assert!(!poke(&e, "ravenclaw", 1, "hufflepuff", 5353, UDP));
}

#[test]
fn baseline_ingress_udp_deny_at_the_specified_port_only() {
    let e = baseline_udp("Deny");
    assert!(!poke(&e, "slytherin", 0, "hufflepuff", 5353, UDP));
    assert!(poke(&e, "slytherin", 1, "hufflepuff", 53, UDP));
    // TCP and SCTP from slytherin are untouched by a UDP rule.
    assert!(poke(&e, "slytherin", 0, "hufflepuff", 5353, TCP));
    assert!(poke(&e, "slytherin", 0, "hufflepuff", 9005, SCTP));
}

#[test]
fn baseline_rules_yield_to_a_networkpolicy_that_isolates_the_pod() {
    // A NetworkPolicy in hufflepuff allowing only gryffindor decides ingress there: the
    // baseline's Accept for ravenclaw no longer applies.
    let np = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: only-gryffindor\n  namespace: hufflepuff\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n    - from: [{namespaceSelector: {matchLabels: {conformance-house: gryffindor}}}]\n";
    let mut text = fixture("houses.yaml");
    text.push_str("\n---\n");
    text.push_str(&fixture("baseline-ingress-udp.yaml").replace("RAVENCLAW_FIRST", "Accept"));
    text.push_str("\n---\n");
    text.push_str(np);
    let e = engine(&text);
    assert!(!poke(&e, "ravenclaw", 0, "hufflepuff", 53, UDP));
    assert!(poke(&e, "gryffindor", 0, "hufflepuff", 5353, UDP));
}

/// From gryffindor pod `i` to an address, in one family.
fn poke_ip(e: &Engine, i: u8, v6: bool, to: &str, port: u16, proto: Protocol) -> bool {
    let [s4, s6] = ips("gryffindor", i);
    allowed_proto(e, if v6 { &s6 } else { &s4 }, to, port, proto)
}

#[test]
fn node_peers_accept_pass_and_deny_by_port_on_node_addresses() {
    let e = cluster(&["node-peers.yaml"], &[]);
    // The first node's addresses are the host-network server's; the second node's are not
    // any pod's. Both are matched by the nodes peer.
    for (node, v6) in [
        ("172.18.0.2", false),
        ("fc00:f853:ccd:e793::2", true),
        ("172.18.0.3", false),
        ("fc00:f853:ccd:e793::3", true),
    ] {
        assert!(poke_ip(&e, 1, v6, node, 34345, TCP), "{node}");
        assert!(
            poke_ip(&e, 1, v6, node, 34347, UDP),
            "{node}: Pass, and no NetworkPolicy"
        );
        assert!(!poke_ip(&e, 1, v6, node, 34346, TCP), "{node}");
        assert!(!poke_ip(&e, 1, v6, node, 34349, UDP), "{node}");
        assert!(!poke_ip(&e, 1, v6, node, 34351, SCTP), "{node}");
    }
}

#[test]
fn a_networks_deny_of_everything_covers_pod_traffic_too() {
    let e = cluster(&["node-peers.yaml"], &[]);
    assert!(!poke(&e, "gryffindor", 0, "slytherin", 80, TCP));
    assert!(!poke(&e, "gryffindor", 0, "hufflepuff", 80, TCP));
    assert!(!poke_ip(&e, 0, false, "198.51.100.1", 443, TCP));
    // Other houses are not subjects.
    assert!(poke(&e, "hufflepuff", 0, "slytherin", 80, TCP));
}

/// gryffindor pod 1 to `house`'s pod `j`, in both families (which must agree).
fn poke_pod(e: &Engine, house: &str, j: u8, port: u16, proto: Protocol) -> bool {
    let [s4, s6] = ips("gryffindor", 1);
    let [d4, d6] = ips(house, j);
    let v4 = allowed_proto(e, &s4, &d4, port, proto);
    assert_eq!(
        v4,
        allowed_proto(e, &s6, &d6, port, proto),
        "{house}-{j} {proto:?}/{port}"
    );
    v4
}

const EVERY_PROTOCOL: [(Protocol, u16); 3] = [(TCP, 80), (UDP, 53), (SCTP, 9003)];

#[test]
fn baseline_egress_cidr_deny_of_every_network_spares_only_the_accepted_pods() {
    for (f, e) in ordering::both_generations("baseline-egress-cidr.yaml", &[]) {
        for (proto, port) in EVERY_PROTOCOL {
            assert!(!poke_pod(&e, "ravenclaw", 0, port, proto), "{f}");
            assert!(!poke_pod(&e, "hufflepuff", 0, port, proto), "{f}");
            assert!(poke_pod(&e, "slytherin", 0, port, proto), "{f}");
        }
        let out4 = allowed_proto(&e, "10.1.0.2", "198.51.100.1", 443, TCP);
        let out6 = allowed_proto(&e, "fd00:1::2", "2001:db8::1", 443, TCP);
        assert!(!out4 && !out6, "{f}: the internet is denied too");
    }
}

#[test]
fn baseline_egress_cidr_accepted_pods_follow_their_namespace_labels() {
    // Slytherin's namespace relabelled: the pods peer no longer matches, the Deny does.
    let relabel = [(
        "kubernetes.io/metadata.name: slytherin, conformance-house: slytherin}",
        "kubernetes.io/metadata.name: slytherin, conformance-house: denied-namespace-label}",
    )];
    for (f, e) in ordering::both_generations("baseline-egress-cidr.yaml", &relabel) {
        for (proto, port) in EVERY_PROTOCOL {
            assert!(!poke_pod(&e, "slytherin", 0, port, proto), "{f}");
        }
    }
}

#[test]
fn baseline_egress_cidr_an_accept_of_single_pod_ips_first_wins_over_the_deny() {
    let rule = "- name: two-pod-ips\n      action: POD_IPS_ACTION\n      to: [{networks: [10.4.0.1/32, 10.3.0.1/32, \"fd00:4::1/128\", \"fd00:3::1/128\"]}]";
    let insert = [("# ALLOW_POD_IPS", rule), ("POD_IPS_ACTION", "Accept")];
    for (f, e) in ordering::both_generations("baseline-egress-cidr.yaml", &insert) {
        for (proto, port) in EVERY_PROTOCOL {
            assert!(poke_pod(&e, "ravenclaw", 0, port, proto), "{f}");
            assert!(poke_pod(&e, "hufflepuff", 0, port, proto), "{f}");
            // Their neighbours' IPs are outside the /32 and /128: still denied.
            assert!(!poke_pod(&e, "ravenclaw", 1, port, proto), "{f}");
            assert!(!poke_pod(&e, "hufflepuff", 1, port, proto), "{f}");
        }
    }
}
