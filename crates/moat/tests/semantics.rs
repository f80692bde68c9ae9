//! One test per semantic rule of NetworkPolicy v1 (networking.k8s.io/v1), named after it.
//! The authority: the API reference, KEP-2091's ordering, and the upstream e2e conformance
//! tests (test/e2e/network/netpol).

mod common;

use common::{allowed, allowed_proto, deploy, engine, pod};
use moat::model::Protocol;

const NS: &str = "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n  labels:\n    env: prod\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n  labels:\n    env: dev\n";

fn base() -> String {
    [
        NS.to_string(),
        deploy(
            "prod",
            "web",
            &[("app", "web")],
            &["http:8080", "metrics:9090"],
        ),
        deploy(
            "prod",
            "api",
            &[("app", "api")],
            &["http:9000", "dns:53/UDP"],
        ),
        deploy("prod", "db", &[("app", "db")], &["5432"]),
        deploy("dev", "web", &[("app", "web")], &["http:8080"]),
        deploy("dev", "tool", &[("app", "tool")], &["80"]),
    ]
    .join("")
}

fn with(policies: &str) -> moat::engine::Engine {
    engine(&format!("{}---\n{policies}", base()))
}

fn netpol(ns: &str, name: &str, spec: &str) -> String {
    format!("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{spec}\n")
}

#[test]
fn pod_not_selected_by_any_policy_allows_everything() {
    let e = with(&netpol(
        "prod",
        "p",
        "  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Ingress, Egress]",
    ));
    assert!(allowed(&e, "dev/tool", "prod/web", 1234));
    assert!(allowed(&e, "prod/web", "198.51.100.1", 443));
}

#[test]
fn isolation_requires_the_direction_in_policy_types() {
    let e = with(&netpol(
        "prod",
        "p",
        "  podSelector: {}\n  policyTypes: [Ingress]",
    ));
    assert!(
        !allowed(&e, "dev/tool", "prod/web", 8080),
        "ingress isolated"
    );
    assert!(
        allowed(&e, "prod/web", "198.51.100.1", 443),
        "egress not isolated"
    );
}

#[test]
fn omitted_policy_types_means_ingress_when_there_are_no_egress_rules() {
    let e = with(&netpol("prod", "deny-all-egress", "  podSelector: {}"));
    assert!(!allowed(&e, "dev/tool", "prod/web", 8080));
    assert!(
        allowed(&e, "prod/web", "dev/tool", 80),
        "egress is not isolated by inference"
    );
}

#[test]
fn omitted_policy_types_includes_egress_when_egress_rules_exist() {
    let e = with(&netpol(
        "prod",
        "p",
        "  podSelector: {matchLabels: {app: web}}\n  egress:\n    - ports: [{port: 9000}]",
    ));
    assert!(allowed(&e, "prod/web", "prod/api", 9000));
    assert!(
        !allowed(&e, "prod/web", "dev/tool", 80),
        "egress isolated by inference"
    );
    assert!(
        !allowed(&e, "dev/tool", "prod/web", 8080),
        "ingress isolated too"
    );
}

#[test]
fn empty_egress_list_with_omitted_policy_types_does_not_isolate_egress() {
    let e = with(&netpol("prod", "p", "  podSelector: {}\n  egress: []"));
    assert!(allowed(&e, "prod/web", "dev/tool", 80));
    assert!(!allowed(&e, "dev/tool", "prod/web", 8080));
}

#[test]
fn flow_needs_egress_of_source_and_ingress_of_destination() {
    let pols = netpol("prod", "web-egress", "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n    - to: [{podSelector: {matchLabels: {app: api}}}]")
        + &netpol("prod", "api-ingress", "  podSelector: {matchLabels: {app: api}}\n  policyTypes: [Ingress]\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: db}}}]");
    let e = with(&pols);
    assert!(
        !allowed(&e, "prod/web", "prod/api", 9000),
        "egress allows, ingress does not"
    );
    assert!(
        allowed(&e, "prod/db", "prod/api", 9000),
        "db egress not isolated, api ingress allows db"
    );
    assert!(
        !allowed(&e, "prod/web", "prod/db", 5432),
        "web egress only to api"
    );
}

#[test]
fn policies_are_additive() {
    let pols = netpol("prod", "a", "  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: api}}}]")
        + &netpol("prod", "b", "  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: web}}}]")
        + &netpol("prod", "deny", "  podSelector: {}\n  policyTypes: [Ingress]");
    let e = with(&pols);
    assert!(allowed(&e, "prod/api", "prod/db", 5432));
    assert!(
        allowed(&e, "prod/web", "prod/db", 5432),
        "a deny-all cannot take away another policy's allow"
    );
    assert!(!allowed(&e, "dev/tool", "prod/db", 5432));
}

#[test]
fn rule_without_peers_matches_every_peer_including_external() {
    let e = with(&netpol("prod", "p", "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - ports: [{port: 8080}]\n  egress:\n    - ports: [{port: 443}]"));
    assert!(allowed(&e, "dev/tool", "prod/web", 8080));
    assert!(allowed(&e, "203.0.113.9", "prod/web", 8080));
    assert!(allowed(&e, "prod/web", "203.0.113.9", 443));
    assert!(!allowed(&e, "prod/web", "203.0.113.9", 80));
}

#[test]
fn rule_without_ports_matches_every_port_and_protocol() {
    let e = with(&netpol("prod", "p", "  podSelector: {matchLabels: {app: web}}\n  ingress:\n    - from: [{namespaceSelector: {matchLabels: {env: dev}}}]"));
    assert!(allowed(&e, "dev/tool", "prod/web", 1));
    assert!(allowed_proto(
        &e,
        "dev/tool",
        "prod/web",
        65535,
        Protocol::Udp
    ));
    assert!(allowed_proto(&e, "dev/tool", "prod/web", 7, Protocol::Sctp));
}

#[test]
fn empty_ingress_list_allows_nothing() {
    let e = with(&netpol("prod", "p", "  podSelector: {}\n  ingress: []"));
    assert!(!allowed(&e, "prod/api", "prod/web", 8080));
}

#[test]
fn empty_rule_in_list_allows_everything() {
    let e = with(&netpol(
        "prod",
        "p",
        "  podSelector: {}\n  ingress:\n    - {}",
    ));
    assert!(allowed(&e, "dev/tool", "prod/web", 8080));
    assert!(allowed(&e, "203.0.113.9", "prod/db", 5432));
}

#[test]
fn pod_selector_alone_matches_pods_of_the_policy_namespace_only() {
    let e = with(&netpol("prod", "p", "  podSelector: {matchLabels: {app: api}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: web}}}]"));
    assert!(allowed(&e, "prod/web", "prod/api", 9000));
    assert!(
        !allowed(&e, "dev/web", "prod/api", 9000),
        "dev/web has the label but another namespace"
    );
}

#[test]
fn namespace_selector_alone_matches_every_pod_of_matching_namespaces() {
    let e = with(&netpol("prod", "p", "  podSelector: {matchLabels: {app: api}}\n  ingress:\n    - from: [{namespaceSelector: {matchLabels: {env: dev}}}]"));
    assert!(allowed(&e, "dev/web", "prod/api", 9000));
    assert!(allowed(&e, "dev/tool", "prod/api", 9000));
    assert!(!allowed(&e, "prod/web", "prod/api", 9000));
}

#[test]
fn namespace_and_pod_selector_in_one_peer_mean_and() {
    let e = with(&netpol("prod", "p", "  podSelector: {matchLabels: {app: api}}\n  ingress:\n    - from:\n        - namespaceSelector: {matchLabels: {env: dev}}\n          podSelector: {matchLabels: {app: web}}"));
    assert!(allowed(&e, "dev/web", "prod/api", 9000));
    assert!(
        !allowed(&e, "dev/tool", "prod/api", 9000),
        "right namespace, wrong pod"
    );
    assert!(
        !allowed(&e, "prod/web", "prod/api", 9000),
        "right pod, wrong namespace"
    );
}

#[test]
fn namespace_and_pod_selector_in_two_peers_mean_or() {
    let e = with(&netpol("prod", "p", "  podSelector: {matchLabels: {app: api}}\n  ingress:\n    - from:\n        - namespaceSelector: {matchLabels: {env: dev}}\n        - podSelector: {matchLabels: {app: web}}"));
    assert!(allowed(&e, "dev/web", "prod/api", 9000));
    assert!(allowed(&e, "dev/tool", "prod/api", 9000), "any pod of dev");
    assert!(
        allowed(&e, "prod/web", "prod/api", 9000),
        "web of the policy's namespace"
    );
    assert!(!allowed(&e, "prod/db", "prod/api", 9000));
}

#[test]
fn empty_selectors_match_everything_in_their_scope() {
    let same_ns = with(&netpol(
        "prod",
        "p",
        "  podSelector: {}\n  ingress:\n    - from: [{podSelector: {}}]",
    ));
    assert!(allowed(&same_ns, "prod/db", "prod/web", 8080));
    assert!(
        !allowed(&same_ns, "dev/tool", "prod/web", 8080),
        "podSelector {{}} alone: own namespace"
    );
    let all_ns = with(&netpol(
        "prod",
        "p",
        "  podSelector: {}\n  ingress:\n    - from: [{namespaceSelector: {}}]",
    ));
    assert!(allowed(&all_ns, "dev/tool", "prod/web", 8080));
    assert!(
        !allowed(&all_ns, "203.0.113.9", "prod/web", 8080),
        "namespaceSelector {{}} matches pods, not external IPs"
    );
}

#[test]
fn ip_block_is_cidr_minus_every_except() {
    let e = with(&netpol("prod", "p", "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 169.254.169.254/32]}\n        - ipBlock: {cidr: '2001:db8::/32', except: ['2001:db8:bad::/48']}"));
    assert!(allowed(&e, "prod/web", "198.51.100.1", 443));
    assert!(!allowed(&e, "prod/web", "10.1.2.3", 443));
    assert!(!allowed(&e, "prod/web", "169.254.169.254", 80));
    assert!(allowed(&e, "prod/web", "169.254.169.253", 80));
    assert!(allowed(&e, "prod/web", "2001:db8::1", 443));
    assert!(!allowed(&e, "prod/web", "2001:db8:bad::1", 443));
    assert!(!allowed(&e, "prod/web", "2001:db9::1", 443));
}

#[test]
fn match_labels_and_match_expressions_are_anded() {
    let e = engine(&format!(
        "{}{}{}---\n{}",
        NS,
        deploy("prod", "a", &[("app", "x"), ("tier", "1")], &["80"]),
        deploy("prod", "b", &[("app", "x"), ("tier", "2")], &["80"]),
        netpol("prod", "p", "  podSelector: {matchLabels: {app: x}, matchExpressions: [{key: tier, operator: In, values: ['1']}]}\n  policyTypes: [Ingress]")
    ));
    assert!(
        !allowed(&e, "prod/b", "prod/a", 80),
        "a is selected (isolated)"
    );
    assert!(
        allowed(&e, "prod/a", "prod/b", 80),
        "b fails the expression: not selected"
    );
}

#[test]
fn match_expression_operators() {
    let pods = [
        deploy("prod", "has-x", &[("team", "x")], &["80"]),
        deploy("prod", "has-y", &[("team", "y")], &["80"]),
        deploy("prod", "none", &[("other", "1")], &["80"]),
        deploy("dev", "probe", &[("app", "probe")], &["80"]),
    ]
    .join("");
    let case = |op: &str| {
        let values = if op.starts_with("In") || op.starts_with("NotIn") {
            ", values: [x]"
        } else {
            ""
        };
        let sel = format!("{{matchExpressions: [{{key: team, operator: {op}{values}}}]}}");
        engine(&format!(
            "{NS}{pods}---\n{}",
            netpol(
                "prod",
                "p",
                &format!("  podSelector: {sel}\n  policyTypes: [Ingress]")
            )
        ))
    };
    // A pod is selected (so isolated for ingress) iff a probe from elsewhere is denied.
    let isolated = |e: &moat::engine::Engine, name: &str| {
        !allowed(e, "dev/probe", &format!("prod/{name}"), 80)
    };
    let e = case("In");
    assert!(isolated(&e, "has-x") && !isolated(&e, "has-y") && !isolated(&e, "none"));
    let e = case("NotIn");
    assert!(
        !isolated(&e, "has-x") && isolated(&e, "has-y") && isolated(&e, "none"),
        "NotIn matches a missing key"
    );
    let e = case("Exists");
    assert!(isolated(&e, "has-x") && isolated(&e, "has-y") && !isolated(&e, "none"));
    let e = case("DoesNotExist");
    assert!(!isolated(&e, "has-x") && !isolated(&e, "has-y") && isolated(&e, "none"));
}

#[test]
fn protocol_defaults_to_tcp() {
    let e = with(&netpol(
        "prod",
        "p",
        "  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - ports: [{port: 5432}]",
    ));
    assert!(allowed(&e, "prod/api", "prod/db", 5432));
    assert!(!allowed_proto(
        &e,
        "prod/api",
        "prod/db",
        5432,
        Protocol::Udp
    ));
}

#[test]
fn end_port_range_is_inclusive() {
    let e = with(&netpol("prod", "p", "  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - ports: [{port: 32000, endPort: 32768}]"));
    assert!(!allowed(&e, "prod/api", "prod/db", 31999));
    assert!(allowed(&e, "prod/api", "prod/db", 32000));
    assert!(allowed(&e, "prod/api", "prod/db", 32768));
    assert!(!allowed(&e, "prod/api", "prod/db", 32769));
}

#[test]
fn named_port_resolves_against_each_destination_pod() {
    let e = engine(&format!(
        "{NS}{}{}{}---\n{}",
        deploy("prod", "a", &[("role", "srv")], &["http:8080"]),
        deploy("prod", "b", &[("role", "srv")], &["http:9090"]),
        deploy("prod", "c", &[("role", "client")], &["1"]),
        netpol(
            "prod",
            "p",
            "  podSelector: {matchLabels: {role: srv}}\n  ingress:\n    - ports: [{port: http}]"
        )
    ));
    assert!(allowed(&e, "prod/c", "prod/a", 8080));
    assert!(!allowed(&e, "prod/c", "prod/a", 9090), "http is 8080 on a");
    assert!(allowed(&e, "prod/c", "prod/b", 9090));
    assert!(!allowed(&e, "prod/c", "prod/b", 8080), "http is 9090 on b");
}

#[test]
fn named_port_in_egress_resolves_against_the_destination() {
    let e = with(&netpol("prod", "p", "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n    - ports: [{port: http}]"));
    assert!(
        allowed(&e, "prod/web", "prod/api", 9000),
        "http is 9000 on api"
    );
    assert!(
        !allowed(&e, "prod/web", "prod/api", 8080),
        "8080 is web's own http, not api's"
    );
    assert!(
        !allowed(&e, "prod/web", "198.51.100.1", 80),
        "an external address has no named ports"
    );
}

#[test]
fn named_port_requires_the_same_protocol() {
    let e = with(&netpol("prod", "p", "  podSelector: {matchLabels: {app: api}}\n  ingress:\n    - ports: [{port: dns, protocol: TCP}]"));
    assert!(
        !allowed(&e, "prod/web", "prod/api", 53),
        "dns is a UDP port of api"
    );
    assert!(!allowed_proto(
        &e,
        "prod/web",
        "prod/api",
        53,
        Protocol::Udp
    ));
    let e = with(&netpol("prod", "p", "  podSelector: {matchLabels: {app: api}}\n  ingress:\n    - ports: [{port: dns, protocol: UDP}]"));
    assert!(allowed_proto(&e, "prod/web", "prod/api", 53, Protocol::Udp));
}

#[test]
fn port_entry_with_only_a_protocol_matches_every_port_of_it() {
    let e = with(&netpol(
        "prod",
        "p",
        "  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - ports: [{protocol: UDP}]",
    ));
    assert!(allowed_proto(&e, "prod/api", "prod/db", 1, Protocol::Udp));
    assert!(allowed_proto(
        &e,
        "prod/api",
        "prod/db",
        65535,
        Protocol::Udp
    ));
    assert!(!allowed(&e, "prod/api", "prod/db", 5432));
}

#[test]
fn sctp_is_a_protocol_of_its_own() {
    let e = with(&netpol("prod", "p", "  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - ports: [{protocol: SCTP, port: 5432}]"));
    assert!(allowed_proto(
        &e,
        "prod/api",
        "prod/db",
        5432,
        Protocol::Sctp
    ));
    assert!(!allowed(&e, "prod/api", "prod/db", 5432));
}

fn ip_world(policy: &str) -> moat::engine::Engine {
    engine(&format!(
        "{NS}{}{}{}{}---\n{}",
        pod(
            "prod",
            "known",
            &[("app", "known")],
            Some("10.0.1.5"),
            false
        ),
        pod("prod", "unknown", &[("app", "unknown")], None, false),
        pod(
            "prod",
            "target",
            &[("app", "target")],
            Some("10.0.9.9"),
            false
        ),
        pod(
            "prod",
            "node-agent",
            &[("app", "agent")],
            Some("192.168.0.10"),
            true
        ),
        policy
    ))
}

#[test]
fn ip_block_matches_pods_whose_ip_is_known() {
    let e = ip_world(&netpol("prod", "p", "  podSelector: {matchLabels: {app: target}}\n  ingress:\n    - from: [{ipBlock: {cidr: 10.0.1.0/24}}]"));
    assert!(allowed(&e, "prod/known", "prod/target", 80));
    assert!(
        allowed(&e, "10.0.1.5", "prod/target", 80),
        "the address is the pod"
    );
}

#[test]
fn ip_block_does_not_match_pods_without_a_known_ip() {
    let e = ip_world(&netpol("prod", "p", "  podSelector: {matchLabels: {app: target}}\n  ingress:\n    - from: [{ipBlock: {cidr: 0.0.0.0/0}}]"));
    assert!(!allowed(&e, "prod/unknown", "prod/target", 80));
    assert!(allowed(&e, "prod/known", "prod/target", 80));
}

#[test]
fn external_address_has_no_policy_of_its_own() {
    let e = ip_world(&netpol(
        "prod",
        "p",
        "  podSelector: {}\n  policyTypes: [Ingress, Egress]",
    ));
    assert!(
        !allowed(&e, "203.0.113.1", "prod/target", 80),
        "target's ingress is isolated"
    );
    assert!(
        !allowed(&e, "prod/target", "203.0.113.1", 80),
        "target's egress is isolated"
    );
    let open = ip_world("");
    assert!(
        allowed(&open, "203.0.113.1", "203.0.113.2", 80),
        "nothing isolates two external addresses"
    );
}

#[test]
fn address_of_a_known_pod_is_that_pod() {
    let e = ip_world(&netpol("prod", "p", "  podSelector: {matchLabels: {app: target}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: known}}}]"));
    assert!(
        allowed(&e, "10.0.1.5", "prod/target", 80),
        "10.0.1.5 is prod/known, matched by its labels"
    );
    assert!(!allowed(&e, "10.0.1.6", "prod/target", 80));
}

#[test]
fn pod_talking_to_itself_is_always_allowed() {
    let e = ip_world(&netpol(
        "prod",
        "p",
        "  podSelector: {}\n  policyTypes: [Ingress, Egress]",
    ));
    assert!(allowed(&e, "prod/target", "prod/target", 80));
}

#[test]
fn replicas_of_one_workload_are_distinct_pods_subject_to_policy() {
    let mut d = deploy("prod", "cache", &[("app", "cache")], &["6379"]);
    d = d.replace("spec:\n  template:", "spec:\n  replicas: 3\n  template:");
    let e = engine(&format!(
        "{NS}{d}---\n{}",
        netpol("prod", "p", "  podSelector: {}\n  policyTypes: [Ingress]")
    ));
    assert!(
        !allowed(&e, "prod/cache", "prod/cache", 6379),
        "replica to replica is not self traffic"
    );
    let e = engine(&format!(
        "{NS}{d}---\n{}",
        netpol(
            "prod",
            "p",
            "  podSelector: {}\n  ingress: [{from: [{podSelector: {matchLabels: {app: cache}}}]}]"
        )
    ));
    assert!(allowed(&e, "prod/cache", "prod/cache", 6379));
}

#[test]
fn host_network_pod_is_not_isolated_by_policies_that_select_it() {
    let e = ip_world(&netpol(
        "prod",
        "p",
        "  podSelector: {}\n  policyTypes: [Ingress, Egress]",
    ));
    assert!(allowed(&e, "203.0.113.1", "prod/node-agent", 80));
    assert!(allowed(&e, "prod/node-agent", "203.0.113.1", 80));
    let x = e.explain(&common::flow(
        &e,
        "203.0.113.1",
        "prod/node-agent",
        80,
        Protocol::Tcp,
    ));
    assert!(
        x.notes.iter().any(|n| n.contains("hostNetwork")),
        "explain says so"
    );
}

#[test]
fn selector_peers_never_match_host_network_pods() {
    let e = ip_world(&netpol("prod", "p", "  podSelector: {matchLabels: {app: target}}\n  ingress:\n    - from: [{podSelector: {}}, {namespaceSelector: {}}]"));
    assert!(allowed(&e, "prod/known", "prod/target", 80));
    assert!(!allowed(&e, "prod/node-agent", "prod/target", 80));
}

#[test]
fn ip_block_matches_host_network_pods_only_by_their_known_ip() {
    let e = ip_world(&netpol("prod", "p", "  podSelector: {matchLabels: {app: target}}\n  ingress:\n    - from: [{ipBlock: {cidr: 192.168.0.0/16}}]"));
    assert!(allowed(&e, "prod/node-agent", "prod/target", 80));
    assert!(!allowed(&e, "prod/known", "prod/target", 80));
}

#[test]
fn referenced_namespace_exists_and_carries_its_name_label() {
    let e = engine(&format!(
        "{}{}---\n{}",
        deploy("undeclared", "x", &[("app", "x")], &["80"]),
        deploy("other", "y", &[("app", "y")], &["80"]),
        netpol("other", "p", "  podSelector: {}\n  ingress:\n    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: undeclared}}}]")
    ));
    assert!(allowed(&e, "undeclared/x", "other/y", 80));
}

#[test]
fn namespace_name_label_cannot_be_overridden() {
    let e = engine(&format!(
        "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: real\n  labels:\n    kubernetes.io/metadata.name: fake\n{}{}---\n{}",
        deploy("real", "x", &[("app", "x")], &["80"]),
        deploy("other", "y", &[("app", "y")], &["80"]),
        netpol("other", "p", "  podSelector: {}\n  ingress:\n    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: fake}}}]")
    ));
    assert!(
        !allowed(&e, "real/x", "other/y", 80),
        "the API server sets the label to the real name"
    );
}

#[test]
fn policy_selects_pods_of_its_own_namespace_only() {
    let e = with(&netpol(
        "dev",
        "p",
        "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]",
    ));
    assert!(!allowed(&e, "dev/tool", "dev/web", 8080));
    assert!(allowed(&e, "dev/tool", "prod/web", 8080));
}

#[test]
fn objects_without_namespace_go_to_the_default_namespace() {
    let text = format!(
        "{}---\n{}",
        deploy("default", "a", &[("app", "a")], &["80"]).replace("  namespace: default\n", ""),
        netpol(
            "default",
            "p",
            "  podSelector: {}\n  policyTypes: [Ingress]"
        )
        .replace("  namespace: default\n", "")
    );
    let e = engine(&text);
    assert!(!allowed(&e, "203.0.113.1", "default/a", 80));
}
