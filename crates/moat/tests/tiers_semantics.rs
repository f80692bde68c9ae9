//! One test per semantic rule of the cluster-wide tiers, named after it. Each runs in both
//! generations (v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy and v1alpha2
//! ClusterNetworkPolicy) and, where addresses matter, in IPv4 and IPv6. The authority: the
//! API types and docs of kubernetes-sigs/network-policy-api (apis/v1alpha1, apis/v1alpha2)
//! and its conformance suite.

mod common;

use common::tiers::{admin, baseline, pod_with, rule, Gen, Pol, Port, GENS};
use common::{allowed, allowed_proto, engine};
use moat::engine::Engine;
use moat::model::Protocol;

const NS: &str = "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels: {team: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n  labels: {team: b}\n";

const A: &str = "{namespaces: {matchLabels: {team: a}}}";
const B: &str = "{namespaces: {matchLabels: {team: b}}}";
const ALL_NS: &str = "{namespaces: {}}";

fn base() -> String {
    [
        NS.to_string(),
        pod_with("a", "x", "{app: x}", &["http:8080", "dns:53/UDP"], &["10.1.0.1", "fd00:1::1"], false),
        pod_with("a", "y", "{app: y}", &["http:9090"], &["10.1.0.2", "fd00:1::2"], false),
        pod_with("b", "z", "{app: z}", &["http:8080"], &["10.2.0.1", "fd00:2::1"], false),
        pod_with("a", "host", "{app: host}", &["http:8080"], &["192.168.0.10", "fd00:99::10"], true),
        "---\napiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  labels: {role: worker}\nstatus:\n  addresses:\n    - {type: InternalIP, address: 192.168.0.10}\n    - {type: InternalIP, address: 'fd00:99::10'}\n".to_string(),
    ]
    .join("")
}

fn with(g: Gen, pols: &[Pol], netpols: &str) -> Engine {
    let mut text = base();
    for p in pols {
        text.push_str(&p.render(g));
    }
    text.push_str(netpols);
    engine(&text)
}

fn netpol(ns: &str, name: &str, spec: &str) -> String {
    format!("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{spec}\n")
}

/// A NetworkPolicy isolating every pod of `a` for ingress, allowing nothing.
fn deny_ingress_a() -> String {
    netpol("a", "deny", "  podSelector: {}\n  policyTypes: [Ingress]")
}

/// A NetworkPolicy letting pods of `b` into every pod of `a`.
fn allow_b_into_a() -> String {
    netpol(
        "a",
        "from-b",
        "  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n    - from: [{namespaceSelector: {matchLabels: {team: b}}}]",
    )
}

#[test]
fn admin_accept_overrides_a_networkpolicy_deny() {
    for g in GENS {
        let p = admin("acc", 1, A).ingress(rule("Accept", &[B]));
        let e = with(g, &[p], &deny_ingress_a());
        assert!(allowed(&e, "b/z", "a/x", 8080), "{g:?}");
        // Not matched by the admin rule: the NetworkPolicy still denies.
        assert!(!allowed(&e, "a/y", "a/x", 8080), "{g:?}");
    }
}

#[test]
fn admin_deny_overrides_a_networkpolicy_allow() {
    for g in GENS {
        let p = admin("deny", 1, A).ingress(rule("Deny", &[B]));
        let e = with(g, &[p], &allow_b_into_a());
        assert!(!allowed(&e, "b/z", "a/x", 8080), "{g:?}");
    }
}

#[test]
fn admin_pass_hands_the_flow_to_networkpolicy() {
    for g in GENS {
        // Pass first, then a Deny that Pass skips.
        let p = admin("pass", 1, A)
            .ingress(rule("Pass", &[B]))
            .ingress(rule("Deny", &[B]));
        let e = with(g, std::slice::from_ref(&p), &allow_b_into_a());
        assert!(allowed(&e, "b/z", "a/x", 8080), "{g:?}");
        let e = with(g, &[p], &deny_ingress_a());
        assert!(!allowed(&e, "b/z", "a/x", 8080), "{g:?}");
    }
}

#[test]
fn admin_pass_skips_every_later_admin_policy() {
    for g in GENS {
        let pass = admin("first", 1, A).ingress(rule("Pass", &[B]));
        let deny = admin("second", 2, A).ingress(rule("Deny", &[B]));
        let e = with(g, &[pass, deny], "");
        assert!(allowed(&e, "b/z", "a/x", 8080), "{g:?}");
    }
}

#[test]
fn admin_pass_without_a_networkpolicy_goes_to_the_baseline() {
    for g in GENS {
        let pass = admin("pass", 1, A).ingress(rule("Pass", &[B]));
        let base = baseline(A).ingress(rule("Deny", &[B]));
        let e = with(g, &[pass, base], "");
        assert!(!allowed(&e, "b/z", "a/x", 8080), "{g:?}");
    }
}

#[test]
fn lower_priority_number_decides_first() {
    for g in GENS {
        let deny = admin("deny", 50, A).ingress(rule("Deny", &[B]));
        let accept = admin("accept", 40, A).ingress(rule("Accept", &[B]));
        let e = with(g, &[deny.clone(), accept], &deny_ingress_a());
        assert!(allowed(&e, "b/z", "a/x", 8080), "{g:?}");
        let accept = admin("accept", 60, A).ingress(rule("Accept", &[B]));
        let e = with(g, &[deny, accept], "");
        assert!(!allowed(&e, "b/z", "a/x", 8080), "{g:?}");
    }
}

#[test]
fn rules_of_a_policy_apply_in_written_order_first_match_decides() {
    for g in GENS {
        let p = admin("order", 1, A)
            .ingress(rule("Accept", &[B]).ports(&[Port::Number("TCP", 8080)]))
            .ingress(rule("Deny", &[B]));
        let e = with(g, &[p], "");
        assert!(allowed(&e, "b/z", "a/x", 8080), "{g:?}");
        assert!(!allowed(&e, "b/z", "a/x", 9090), "{g:?}");
    }
}

#[test]
fn equal_priorities_are_ordered_by_name_and_the_ambiguity_is_explained() {
    for g in GENS {
        let a = admin("aaa-accept", 5, A).ingress(rule("Accept", &[B]));
        let z = admin("zzz-deny", 5, A).ingress(rule("Deny", &[B]));
        let e = with(g, &[z, a], "");
        let f = common::flow(&e, "b/z", "a/x", 8080, Protocol::Tcp);
        let x = e.explain(&f);
        assert!(x.verdict.allowed, "{g:?}");
        assert!(
            x.notes
                .iter()
                .any(|n| n.contains("share Admin tier priority 5")),
            "{:?}",
            x.notes
        );
    }
}

#[test]
fn networkpolicy_decides_for_the_pods_it_selects_and_the_baseline_is_not_consulted() {
    for g in GENS {
        let base = baseline(A).ingress(rule("Deny", &[B]));
        let e = with(g, &[base], &allow_b_into_a());
        assert!(allowed(&e, "b/z", "a/x", 8080), "{g:?}");
    }
}

#[test]
fn baseline_applies_where_no_networkpolicy_isolates_the_direction() {
    for g in GENS {
        let base = baseline(A)
            .ingress(rule("Deny", &[B]))
            .egress(rule("Deny", &[B]));
        // A NetworkPolicy isolates a for ingress only: egress still falls to the baseline.
        let e = with(g, &[base], &allow_b_into_a());
        assert!(allowed(&e, "b/z", "a/x", 8080), "{g:?}");
        assert!(!allowed(&e, "a/x", "b/z", 8080), "{g:?}");
    }
}

#[test]
fn baseline_accept_allows_and_an_unmatched_flow_is_allowed_by_default() {
    for g in GENS {
        let base = baseline(A)
            .ingress(rule("Accept", &[B]).ports(&[Port::Number("TCP", 8080)]))
            .ingress(rule("Deny", &[ALL_NS]).ports(&[Port::Number("TCP", 9090)]));
        let e = with(g, &[base], "");
        assert!(allowed(&e, "b/z", "a/x", 8080), "{g:?}");
        assert!(!allowed(&e, "b/z", "a/y", 9090), "{g:?}");
        assert!(allowed(&e, "b/z", "a/x", 7000), "{g:?}");
    }
}

#[test]
fn v1alpha2_baseline_pass_goes_to_the_default_allow() {
    let mut pass = baseline(A)
        .ingress(rule("Pass", &[B]))
        .ingress(rule("Deny", &[B]));
    pass.name = "baseline-pass";
    let e = with(Gen::V1alpha2, &[pass], "");
    assert!(allowed(&e, "b/z", "a/x", 8080));
}

#[test]
fn no_tier_deciding_means_allowed() {
    for g in GENS {
        let p = admin("other", 1, B).ingress(rule("Deny", &[B]));
        let e = with(g, &[p], "");
        assert!(allowed(&e, "b/z", "a/x", 8080), "{g:?}");
    }
}

#[test]
fn both_directions_must_allow() {
    for g in GENS {
        let out = admin("out", 1, B).egress(rule("Accept", &[A]));
        let base = baseline(A).ingress(rule("Deny", &[B]));
        let e = with(g, &[out, base], "");
        assert!(!allowed(&e, "b/z", "a/x", 8080), "{g:?}");
        let f = common::flow(&e, "b/z", "a/x", 8080, Protocol::Tcp);
        let v = e.verdict(&f);
        assert_eq!(v.egress.tier, Some("Admin"));
        assert_eq!(v.ingress.tier, Some("Baseline"));
    }
}

#[test]
fn egress_accept_does_not_bypass_the_destinations_ingress() {
    for g in GENS {
        let out = admin("out", 1, B).egress(rule("Accept", &[A]));
        let e = with(g, &[out], &deny_ingress_a());
        assert!(!allowed(&e, "b/z", "a/x", 8080), "{g:?}");
    }
}

#[test]
fn subject_namespaces_selects_every_pod_of_the_matching_namespaces() {
    for g in GENS {
        let p = admin("ns", 1, A).ingress(rule("Deny", &[B]));
        let e = with(g, &[p], "");
        assert!(!allowed(&e, "b/z", "a/x", 8080), "{g:?}");
        assert!(!allowed(&e, "b/z", "a/y", 9090), "{g:?}");
    }
}

#[test]
fn subject_pods_is_namespace_and_pod_selector_together() {
    for g in GENS {
        let subject = "{pods: {namespaceSelector: {matchLabels: {team: a}}, podSelector: {matchLabels: {app: x}}}}";
        let p = admin("pods", 1, subject).ingress(rule("Deny", &[B]));
        let e = with(g, &[p], "");
        assert!(!allowed(&e, "b/z", "a/x", 8080), "{g:?}");
        assert!(allowed(&e, "b/z", "a/y", 9090), "{g:?}");
    }
}

#[test]
fn host_network_pods_are_never_subjects() {
    for g in GENS {
        let p = admin("all", 1, ALL_NS).ingress(rule("Deny", &[ALL_NS]));
        let e = with(g, &[p], "");
        assert!(allowed(&e, "b/z", "a/host", 8080), "{g:?}");
        assert!(!allowed(&e, "b/z", "a/x", 8080), "{g:?}");
    }
}

#[test]
fn host_network_pods_are_not_matched_by_namespaces_or_pods_peers() {
    for g in GENS {
        let p = admin("from-a", 1, B).ingress(rule("Deny", &[A]));
        let e = with(g, &[p], "");
        assert!(!allowed(&e, "a/x", "b/z", 8080), "{g:?}");
        assert!(allowed(&e, "a/host", "b/z", 8080), "{g:?}");
    }
}

#[test]
fn networks_peers_match_external_addresses_in_both_families() {
    for g in GENS {
        let p = admin("imds", 1, A).egress(rule(
            "Deny",
            &["{networks: [169.254.169.254/32, 'fd00:ec2::254/128']}"],
        ));
        let e = with(g, &[p], "");
        assert!(!allowed(&e, "a/x", "169.254.169.254", 80), "{g:?}");
        assert!(!allowed(&e, "a/x", "fd00:ec2::254", 80), "{g:?}");
        assert!(allowed(&e, "a/x", "169.254.169.253", 80), "{g:?}");
        assert!(allowed(&e, "a/x", "fd00:ec2::253", 80), "{g:?}");
    }
}

#[test]
fn networks_peers_match_pod_ips_too() {
    for (g, cidr) in GENS
        .iter()
        .flat_map(|&g| [(g, "10.2.0.0/16"), (g, "'fd00:2::/64'")])
    {
        let p = admin("cidr", 1, A).egress(rule("Deny", &[&format!("{{networks: [{cidr}]}}")]));
        let e = with(g, &[p], "");
        assert!(!allowed(&e, "a/x", "b/z", 8080), "{g:?} {cidr}");
        assert!(allowed(&e, "a/x", "a/y", 9090), "{g:?} {cidr}");
    }
}

#[test]
fn nodes_peers_match_node_addresses_and_host_network_pods_on_them() {
    for g in GENS {
        let p =
            admin("nodes", 1, A).egress(rule("Deny", &["{nodes: {matchLabels: {role: worker}}}"]));
        let e = with(g, &[p], "");
        assert!(!allowed(&e, "a/x", "fd00:99::10", 10250), "{g:?}");
        // 192.168.0.10 is the host-network pod's IP: the node it runs on.
        assert!(!allowed(&e, "a/x", "192.168.0.10", 10250), "{g:?}");
        assert!(allowed(&e, "a/x", "192.168.0.11", 10250), "{g:?}");
        assert!(allowed(&e, "a/x", "b/z", 8080), "{g:?}");
        let p = admin("nodes", 1, A).egress(rule(
            "Deny",
            &["{nodes: {matchLabels: {role: control-plane}}}"],
        ));
        let e = with(g, &[p], "");
        assert!(allowed(&e, "a/x", "192.168.0.10", 10250), "{g:?}");
    }
}

#[test]
fn port_number_matches_its_protocol_and_port_only() {
    for g in GENS {
        let p = admin("udp", 1, A).ingress(rule("Deny", &[B]).ports(&[Port::Number("UDP", 53)]));
        let e = with(g, &[p], "");
        assert!(!allowed_proto(&e, "b/z", "a/x", 53, Protocol::Udp), "{g:?}");
        assert!(allowed_proto(&e, "b/z", "a/x", 53, Protocol::Tcp), "{g:?}");
        assert!(allowed_proto(&e, "b/z", "a/x", 54, Protocol::Udp), "{g:?}");
    }
}

#[test]
fn port_range_is_inclusive() {
    for g in GENS {
        let p = admin("range", 1, A)
            .ingress(rule("Deny", &[B]).ports(&[Port::Range("SCTP", 9003, 9005)]));
        let e = with(g, &[p], "");
        for port in [9003, 9004, 9005] {
            assert!(
                !allowed_proto(&e, "b/z", "a/x", port, Protocol::Sctp),
                "{g:?}"
            );
        }
        assert!(
            allowed_proto(&e, "b/z", "a/x", 9006, Protocol::Sctp),
            "{g:?}"
        );
        assert!(
            allowed_proto(&e, "b/z", "a/x", 9004, Protocol::Tcp),
            "{g:?}"
        );
    }
}

#[test]
fn named_port_resolves_against_the_destination_in_any_protocol() {
    for g in GENS {
        let p = admin("named", 1, A)
            .ingress(rule("Deny", &[B]).ports(&[Port::Named("http"), Port::Named("dns")]));
        let e = with(g, &[p], "");
        assert!(!allowed(&e, "b/z", "a/x", 8080), "{g:?}");
        assert!(!allowed_proto(&e, "b/z", "a/x", 53, Protocol::Udp), "{g:?}");
        assert!(!allowed(&e, "b/z", "a/y", 9090), "{g:?}");
        assert!(allowed(&e, "b/z", "a/y", 8080), "{g:?}");
    }
}

#[test]
fn a_rule_without_ports_matches_every_port_and_protocol() {
    for g in GENS {
        let p = admin("all", 1, A).ingress(rule("Deny", &[B]));
        let e = with(g, &[p], "");
        for proto in Protocol::ALL {
            assert!(!allowed_proto(&e, "b/z", "a/x", 1, proto), "{g:?}");
            assert!(!allowed_proto(&e, "b/z", "a/x", 65535, proto), "{g:?}");
        }
    }
}

#[test]
fn a_policy_without_rules_of_a_direction_does_not_affect_it() {
    for g in GENS {
        let p = admin("ingress-only", 1, A).ingress(rule("Deny", &[B]));
        let e = with(g, &[p], "");
        assert!(allowed(&e, "a/x", "b/z", 8080), "{g:?}");
        let f = common::flow(&e, "a/x", "b/z", 8080, Protocol::Tcp);
        assert_eq!(e.verdict(&f).egress.tier, None);
    }
}

#[test]
fn domain_names_match_no_address_and_the_explanation_says_so() {
    let p = admin("fqdn", 1, A)
        .egress(rule("Accept", &["{domainNames: [api.example.com]}"]))
        .egress(rule("Deny", &["{networks: [0.0.0.0/0]}"]));
    let e = with(Gen::V1alpha2, std::slice::from_ref(&p), "");
    assert!(!allowed(&e, "a/x", "203.0.113.7", 443));
    let x = e.explain(&common::flow(&e, "a/x", "203.0.113.7", 443, Protocol::Tcp));
    assert!(
        x.notes.iter().any(|n| n.contains("depends on DNS")),
        "{:?}",
        x.notes
    );
    let e = with(Gen::V1alpha1, &[p], "");
    assert!(!allowed(&e, "a/x", "203.0.113.7", 443));
}

#[test]
fn admin_rules_apply_to_traffic_between_pods_of_one_namespace() {
    for g in GENS {
        let p = admin("intra", 1, A).ingress(rule("Deny", &[A]));
        let e = with(g, &[p], "");
        assert!(!allowed(&e, "a/y", "a/x", 8080), "{g:?}");
    }
}

#[test]
fn explain_names_the_tier_policy_priority_and_rule() {
    for g in GENS {
        let p = admin("named-rule", 7, A).ingress(rule("Deny", &[B]));
        let e = with(g, &[p], "");
        let f = common::flow(&e, "b/z", "a/x", 8080, Protocol::Tcp);
        let v = e.verdict(&f);
        let m = v.ingress.cluster_matches[0];
        let pol = &e.cluster().cluster_policies[m.policy];
        assert_eq!(pol.name, "named-rule");
        assert_eq!(pol.priority, Some(7));
        assert_eq!(m.rule, 0);
        assert_eq!(m.tier.as_str(), "Admin");
    }
}
