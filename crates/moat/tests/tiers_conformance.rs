//! Scenarios of the network-policy-api conformance suite (conformance/tests), rebuilt for
//! moat: the same houses, policies and probes, described in our own fixtures
//! (tests/fixtures/tiers/conformance). Where the suite patches a live policy between
//! probes, the fixture has a placeholder and each step loads its own variant. Probes go to
//! the server pod's IP, in IPv4 and in IPv6.

mod common;

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

/// One direction of the suite's rule-ordering scenarios (Admin and Baseline, ingress and
/// egress, one protocol each): a policy over `subject` whose first rule (FIRST) and a
/// following Deny both match all of `ordered`; a rule (SECOND) that holds `held` at
/// `named_port`; an Accept of `accepted` at `accepted_port`, then a Deny of the rest.
struct Ordering {
    file: &'static str,
    ingress: bool,
    subject: &'static str,
    proto: Protocol,
    ordered: &'static str,
    held: &'static str,
    accepted: &'static str,
    /// The port the rules name, and another port of the same protocol every pod serves.
    named_port: u16,
    other_port: u16,
    /// The port `accepted` may use (the Baseline egress TCP policy accepts 8080, not 80).
    accepted_port: u16,
}

impl Ordering {
    /// The scenario in both generations: the v1alpha2 fixture and its v1alpha1 twin
    /// (AdminNetworkPolicy or the BaselineAdminNetworkPolicy singleton), named by file.
    fn load(&self, first: &str, second: &str) -> Vec<(String, Engine)> {
        both_generations(self.file, &[("FIRST", first), ("SECOND", second)])
    }

    /// Probe between `peer`'s pod `i` and the subject, in the scenario's direction.
    fn poke_as(&self, e: &Engine, peer: &str, i: u8, port: u16, proto: Protocol) -> bool {
        if self.ingress {
            poke(e, peer, i, self.subject, port, proto)
        } else {
            poke(e, self.subject, i, peer, port, proto)
        }
    }

    fn poke(&self, e: &Engine, peer: &str, i: u8, port: u16) -> bool {
        self.poke_as(e, peer, i, port, self.proto)
    }

    fn refused_port(&self) -> u16 {
        if self.accepted_port == self.named_port {
            self.other_port
        } else {
            self.named_port
        }
    }

    fn accept_first_wins_over_the_later_deny(&self) {
        for (f, e) in self.load("Accept", "Deny") {
            assert!(self.poke(&e, self.ordered, 0, self.named_port), "{f}");
            assert!(self.poke(&e, self.ordered, 1, self.other_port), "{f}");
        }
    }

    fn accept_at_the_specified_port_only(&self) {
        for (f, e) in self.load("Accept", "Deny") {
            assert!(self.poke(&e, self.accepted, 0, self.accepted_port), "{f}");
            assert!(!self.poke(&e, self.accepted, 1, self.refused_port()), "{f}");
        }
    }

    fn deny_first_denies_everything(&self) {
        for (f, e) in self.load("Deny", "Deny") {
            assert!(!self.poke(&e, self.ordered, 0, self.named_port), "{f}");
            assert!(!self.poke(&e, self.ordered, 1, self.other_port), "{f}");
        }
    }

    fn deny_at_the_specified_port_and_protocol_only(&self) {
        for (f, e) in self.load("Accept", "Deny") {
            assert!(!self.poke(&e, self.held, 0, self.named_port), "{f}");
            assert!(self.poke(&e, self.held, 1, self.other_port), "{f}");
            // The rule names one protocol: the same port number over the others is untouched.
            for other in [TCP, UDP, SCTP] {
                if other != self.proto {
                    let ok = self.poke_as(&e, self.held, 0, self.named_port, other);
                    assert!(ok, "{f} {other:?}");
                }
            }
        }
    }

    /// Admin tier only: Pass goes on to NetworkPolicy (none here) and then the Baseline
    /// (none): allowed, although a Deny follows in the same policy.
    fn pass_first_skips_the_later_deny(&self) {
        for (f, e) in self.load("Pass", "Deny") {
            assert!(self.poke(&e, self.ordered, 0, self.named_port), "{f}");
            assert!(self.poke(&e, self.ordered, 1, self.other_port), "{f}");
        }
    }

    fn pass_at_the_specified_port_skips_the_later_deny(&self) {
        for (f, e) in self.load("Accept", "Pass") {
            assert!(self.poke(&e, self.held, 0, self.named_port), "{f}");
            assert!(self.poke(&e, self.held, 1, self.other_port), "{f}");
        }
    }
}

/// `file` (v1alpha2) and `file`'s `-v1alpha1` twin, with the placeholders filled in; the
/// v1alpha1 generation spells Accept as Allow.
fn both_generations(file: &str, replace: &[(&str, &str)]) -> Vec<(String, Engine)> {
    let old = file.replace(".yaml", "-v1alpha1.yaml");
    let old_replace: Vec<(&str, &str)> = replace
        .iter()
        .map(|&(from, to)| (from, if to == "Accept" { "Allow" } else { to }))
        .collect();
    vec![
        (file.to_string(), cluster(&[file], replace)),
        (old.clone(), cluster(&[old.as_str()], &old_replace)),
    ]
}

const ADMIN_INGRESS_TCP: Ordering = Ordering {
    file: "admin-ingress-tcp.yaml",
    ingress: true,
    subject: "gryffindor",
    proto: TCP,
    ordered: "ravenclaw",
    held: "slytherin",
    accepted: "hufflepuff",
    named_port: 80,
    other_port: 8080,
    accepted_port: 80,
};

const ADMIN_INGRESS_UDP: Ordering = Ordering {
    file: "admin-ingress-udp.yaml",
    ingress: true,
    subject: "hufflepuff",
    proto: UDP,
    ordered: "ravenclaw",
    held: "slytherin",
    accepted: "gryffindor",
    named_port: 5353,
    other_port: 53,
    accepted_port: 53,
};

const ADMIN_INGRESS_SCTP: Ordering = Ordering {
    file: "admin-ingress-sctp.yaml",
    ingress: true,
    subject: "ravenclaw",
    proto: SCTP,
    ordered: "gryffindor",
    held: "slytherin",
    accepted: "hufflepuff",
    named_port: 9003,
    other_port: 9005,
    accepted_port: 9003,
};

const ADMIN_EGRESS_UDP: Ordering = Ordering {
    file: "admin-egress-udp.yaml",
    ingress: false,
    ..ADMIN_INGRESS_UDP
};

const ADMIN_EGRESS_SCTP: Ordering = Ordering {
    file: "admin-egress-sctp.yaml",
    ingress: false,
    ..ADMIN_INGRESS_SCTP
};

const BASELINE_EGRESS_TCP: Ordering = Ordering {
    file: "baseline-egress-tcp.yaml",
    ingress: false,
    accepted_port: 8080,
    ..ADMIN_INGRESS_TCP
};

const BASELINE_EGRESS_UDP: Ordering = Ordering {
    file: "baseline-egress-udp.yaml",
    ..ADMIN_EGRESS_UDP
};

const BASELINE_EGRESS_SCTP: Ordering = Ordering {
    file: "baseline-egress-sctp.yaml",
    ..ADMIN_EGRESS_SCTP
};

const ADMIN_INGRESS: [Ordering; 3] = [ADMIN_INGRESS_TCP, ADMIN_INGRESS_UDP, ADMIN_INGRESS_SCTP];
const ADMIN_EGRESS: [Ordering; 2] = [ADMIN_EGRESS_UDP, ADMIN_EGRESS_SCTP];
const BASELINE_EGRESS: [Ordering; 3] = [
    BASELINE_EGRESS_TCP,
    BASELINE_EGRESS_UDP,
    BASELINE_EGRESS_SCTP,
];

#[test]
fn admin_ingress_tcp_udp_sctp_accept_first_wins_over_the_later_deny() {
    ADMIN_INGRESS
        .iter()
        .for_each(Ordering::accept_first_wins_over_the_later_deny);
}

#[test]
fn admin_ingress_tcp_udp_sctp_accept_at_the_specified_port_only() {
    ADMIN_INGRESS
        .iter()
        .for_each(Ordering::accept_at_the_specified_port_only);
}

#[test]
fn admin_ingress_tcp_udp_sctp_deny_first_denies_everything() {
    ADMIN_INGRESS
        .iter()
        .for_each(Ordering::deny_first_denies_everything);
}

#[test]
fn admin_ingress_tcp_udp_sctp_deny_at_the_specified_port_and_protocol_only() {
    ADMIN_INGRESS
        .iter()
        .for_each(Ordering::deny_at_the_specified_port_and_protocol_only);
}

#[test]
fn admin_ingress_tcp_udp_sctp_pass_first_skips_the_later_deny() {
    ADMIN_INGRESS
        .iter()
        .for_each(Ordering::pass_first_skips_the_later_deny);
}

#[test]
fn admin_ingress_tcp_udp_sctp_pass_at_the_specified_port_skips_the_later_deny() {
    ADMIN_INGRESS
        .iter()
        .for_each(Ordering::pass_at_the_specified_port_skips_the_later_deny);
}

#[test]
fn admin_egress_udp_sctp_accept_first_wins_over_the_later_deny() {
    ADMIN_EGRESS
        .iter()
        .for_each(Ordering::accept_first_wins_over_the_later_deny);
}

#[test]
fn admin_egress_udp_sctp_accept_at_the_specified_port_only() {
    ADMIN_EGRESS
        .iter()
        .for_each(Ordering::accept_at_the_specified_port_only);
}

#[test]
fn admin_egress_udp_sctp_deny_first_denies_everything() {
    ADMIN_EGRESS
        .iter()
        .for_each(Ordering::deny_first_denies_everything);
}

#[test]
fn admin_egress_udp_sctp_deny_at_the_specified_port_and_protocol_only() {
    ADMIN_EGRESS
        .iter()
        .for_each(Ordering::deny_at_the_specified_port_and_protocol_only);
}

#[test]
fn admin_egress_udp_sctp_pass_first_skips_the_later_deny() {
    ADMIN_EGRESS
        .iter()
        .for_each(Ordering::pass_first_skips_the_later_deny);
}

#[test]
fn admin_egress_udp_sctp_pass_at_the_specified_port_skips_the_later_deny() {
    ADMIN_EGRESS
        .iter()
        .for_each(Ordering::pass_at_the_specified_port_skips_the_later_deny);
}

#[test]
fn baseline_egress_tcp_udp_sctp_accept_first_wins_over_the_later_deny() {
    BASELINE_EGRESS
        .iter()
        .for_each(Ordering::accept_first_wins_over_the_later_deny);
}

#[test]
fn baseline_egress_tcp_udp_sctp_accept_at_the_specified_port_only() {
    BASELINE_EGRESS
        .iter()
        .for_each(Ordering::accept_at_the_specified_port_only);
}

#[test]
fn baseline_egress_tcp_udp_sctp_deny_first_denies_everything() {
    BASELINE_EGRESS
        .iter()
        .for_each(Ordering::deny_first_denies_everything);
}

#[test]
fn baseline_egress_tcp_udp_sctp_deny_at_the_specified_port_and_protocol_only() {
    BASELINE_EGRESS
        .iter()
        .for_each(Ordering::deny_at_the_specified_port_and_protocol_only);
}

/// The suite's "gress" scenario: one Admin policy over gryffindor with an egress and an
/// ingress list of the same shape; `first` and `second` go to both directions.
fn gress(out_first: &str, in_first: &str, second: &str) -> Vec<(String, Engine)> {
    let replace = [
        ("OUT_FIRST", out_first),
        ("IN_FIRST", in_first),
        ("OUT_SECOND", second),
        ("IN_SECOND", second),
    ];
    both_generations("admin-gress-combined.yaml", &replace)
}

/// Probes both ways between gryffindor and `house`, in both generations: (pod, protocol,
/// port, expected).
fn gress_probes(engines: &[(String, Engine)], house: &str, probes: &[(u8, Protocol, u16, bool)]) {
    for (f, e) in engines {
        for &(i, proto, port, want) in probes {
            let inbound = poke(e, house, i, "gryffindor", port, proto);
            assert_eq!(inbound, want, "{f}: {house} in {proto:?}/{port}");
            let outbound = poke(e, "gryffindor", i, house, port, proto);
            assert_eq!(outbound, want, "{f}: {house} out {proto:?}/{port}");
        }
    }
}

const GRESS_EVERY_PROTOCOL: [(u8, Protocol, u16, bool); 3] = [
    (0, TCP, 80, true),
    (1, UDP, 53, true),
    (0, SCTP, 9003, true),
];

#[test]
fn gress_combined_accept_first_wins_in_both_directions_for_every_protocol() {
    gress_probes(
        &gress("Accept", "Accept", "Deny"),
        "ravenclaw",
        &GRESS_EVERY_PROTOCOL,
    );
}

#[test]
fn gress_combined_each_direction_accepts_its_own_ports_only() {
    // Egress to hufflepuff accepts TCP 8080, UDP 5353, SCTP 9003; ingress TCP 80 instead.
    let out = [(TCP, 8080, true), (TCP, 80, false), (UDP, 5353, true)];
    let out = out
        .into_iter()
        .chain([(UDP, 53, false), (SCTP, 9003, true), (SCTP, 9005, false)]);
    let inn = [(TCP, 80, true), (TCP, 8080, false), (UDP, 5353, true)];
    let inn = inn
        .into_iter()
        .chain([(UDP, 53, false), (SCTP, 9003, true), (SCTP, 9005, false)]);
    let engines = gress("Accept", "Accept", "Deny");
    for (proto, port, want) in out {
        for (f, e) in &engines {
            let got = poke(e, "gryffindor", 0, "hufflepuff", port, proto);
            assert_eq!(got, want, "{f}: out {proto:?}/{port}");
        }
    }
    for (proto, port, want) in inn {
        for (f, e) in &engines {
            let got = poke(e, "hufflepuff", 1, "gryffindor", port, proto);
            assert_eq!(got, want, "{f}: in {proto:?}/{port}");
        }
    }
}

#[test]
fn gress_combined_deny_first_denies_both_directions_for_every_protocol() {
    let denied = GRESS_EVERY_PROTOCOL.map(|(i, p, port, _)| (i, p, port, false));
    gress_probes(&gress("Deny", "Deny", "Deny"), "ravenclaw", &denied);
}

#[test]
fn gress_combined_a_deny_in_one_direction_leaves_the_other_to_its_own_rules() {
    for (f, e) in gress("Accept", "Deny", "Deny") {
        assert!(poke(&e, "gryffindor", 0, "ravenclaw", 80, TCP), "{f}");
        assert!(!poke(&e, "ravenclaw", 0, "gryffindor", 80, TCP), "{f}");
    }
    for (f, e) in gress("Deny", "Accept", "Deny") {
        assert!(!poke(&e, "gryffindor", 1, "ravenclaw", 53, UDP), "{f}");
        assert!(poke(&e, "ravenclaw", 1, "gryffindor", 53, UDP), "{f}");
    }
}

#[test]
fn gress_combined_deny_at_the_specified_ports_of_each_protocol_only() {
    let probes = [
        (0, TCP, 80, false),
        (1, TCP, 8080, true),
        (0, UDP, 53, false),
        (1, UDP, 5353, true),
        (0, SCTP, 9003, false),
        (1, SCTP, 9005, true),
    ];
    gress_probes(&gress("Accept", "Accept", "Deny"), "slytherin", &probes);
}

#[test]
fn gress_combined_pass_first_skips_the_later_deny_in_both_directions() {
    gress_probes(
        &gress("Pass", "Pass", "Deny"),
        "ravenclaw",
        &GRESS_EVERY_PROTOCOL,
    );
}

#[test]
fn gress_combined_pass_at_the_specified_ports_skips_the_later_deny() {
    let probes = [
        (0, TCP, 80, true),
        (0, UDP, 53, true),
        (0, SCTP, 9003, true),
    ];
    gress_probes(&gress("Accept", "Accept", "Pass"), "slytherin", &probes);
}
