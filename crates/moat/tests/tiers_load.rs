//! Loading ClusterNetworkPolicy (v1alpha2) and AdminNetworkPolicy /
//! BaselineAdminNetworkPolicy (v1alpha1): what their CRD schemas and CEL rules accept, and
//! every rejection with its file:line and field path.

use moat::load::{load_str, LoadOptions, ProblemKind};
use moat::model::SkipReason;
use moat::model::{
    Action, ClusterPeerKind, ClusterPolicyKind, ClusterPort, ClusterTier, PortMatch, Protocol,
    Subject,
};

fn problems(text: &str) -> Vec<(ProblemKind, u32, String, String)> {
    load_str("in.yaml", text, &LoadOptions::default())
        .problems
        .into_iter()
        .map(|p| {
            let span = p.error.span.expect("every problem has a position");
            (p.kind, span.line, p.error.path, p.error.message)
        })
        .collect()
}

fn cnp(spec: &str) -> String {
    format!("apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: c\nspec:\n{spec}\n")
}

fn anp(spec: &str) -> String {
    format!("apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: a\nspec:\n{spec}\n")
}

fn banp(name: &str, spec: &str) -> String {
    format!("apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata:\n  name: {name}\nspec:\n{spec}\n")
}

/// The single problem of `text`, which must be Invalid or UnknownField.
fn one(text: &str) -> (ProblemKind, u32, String, String) {
    let ps = problems(text);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    ps.into_iter().next().unwrap()
}

const SUBJECT: &str = "  subject:\n    namespaces: {}\n";

#[test]
fn cnp_with_every_peer_and_protocol_form_loads() {
    let text = cnp(&format!(
        "  tier: Admin\n  priority: 7\n{SUBJECT}  ingress:\n    - name: from-monitoring\n      action: Accept\n      from:\n        - namespaces: {{matchLabels: {{team: mon}}}}\n        - pods: {{namespaceSelector: {{}}, podSelector: {{matchLabels: {{app: prom}}}}}}\n      protocols:\n        - tcp: {{destinationPort: {{number: 9090}}}}\n        - udp: {{destinationPort: {{range: {{start: 5000, end: 5100}}}}}}\n        - destinationNamedPort: metrics\n  egress:\n    - action: Deny\n      to:\n        - networks: [169.254.169.254/32, 'fd00:ec2::254/128']\n        - nodes: {{matchLabels: {{role: control-plane}}}}\n    - action: Accept\n      to:\n        - domainNames: ['*.example.com', example.org]\n      protocols:\n        - sctp: {{destinationPort: {{number: 9003}}}}\n"
    ));
    let l = load_str("in.yaml", &text, &LoadOptions::default());
    assert!(l.problems.is_empty(), "{:#?}", l.problems);
    let p = &l.cluster.cluster_policies[0];
    assert_eq!(p.kind, ClusterPolicyKind::ClusterNetworkPolicy);
    assert_eq!(p.tier, ClusterTier::Admin);
    assert_eq!(p.priority, Some(7));
    assert!(matches!(p.subject, Subject::Namespaces(ref s) if s.is_empty()));
    assert_eq!(p.ingress[0].name.as_deref(), Some("from-monitoring"));
    assert_eq!(p.ingress[0].peers.len(), 2);
    let ports = p.ingress[0].ports.as_ref().unwrap();
    assert!(
        matches!(&ports[0], ClusterPort::Port(pp) if pp.protocol == Protocol::Tcp && pp.port == PortMatch::Range(9090, 9090))
    );
    assert!(
        matches!(&ports[1], ClusterPort::Port(pp) if pp.protocol == Protocol::Udp && pp.port == PortMatch::Range(5000, 5100))
    );
    assert_eq!(ports[2], ClusterPort::Named("metrics".into()));
    assert!(
        matches!(&p.egress[0].peers[0].kind, ClusterPeerKind::Networks { cidrs, .. } if cidrs.len() == 2)
    );
    assert!(matches!(
        &p.egress[0].peers[1].kind,
        ClusterPeerKind::Nodes(_)
    ));
    assert!(matches!(&p.egress[1].peers[0].kind, ClusterPeerKind::DomainNames(d) if d.len() == 2));
    assert_eq!(p.egress[1].action, Action::Accept);
}

#[test]
fn anp_and_banp_load_into_their_tiers_with_allow_as_accept() {
    let text = format!(
        "{}---\n{}",
        anp(&format!("  priority: 3\n{SUBJECT}  egress:\n    - action: Allow\n      to: [{{pods: {{namespaceSelector: {{}}, podSelector: {{}}}}}}]\n      ports:\n        - portNumber: {{port: 53}}\n        - portNumber: {{protocol: UDP, port: 53}}\n        - portRange: {{start: 8000, end: 8080}}\n        - namedPort: dns\n    - action: Pass\n      to: [{{networks: [10.0.0.0/8]}}]\n")),
        banp("default", &format!("{SUBJECT}  ingress:\n    - action: Deny\n      from: [{{namespaces: {{}}}}]\n"))
    );
    let l = load_str("in.yaml", &text, &LoadOptions::default());
    assert!(l.problems.is_empty(), "{:#?}", l.problems);
    let ps = &l.cluster.cluster_policies;
    assert_eq!(ps.len(), 2);
    // Sorted by tier: the ANP first.
    assert_eq!(ps[0].kind, ClusterPolicyKind::AdminNetworkPolicy);
    assert_eq!(ps[0].tier, ClusterTier::Admin);
    assert_eq!(ps[0].egress[0].action, Action::Accept);
    let ports = ps[0].egress[0].ports.as_ref().unwrap();
    // portNumber's protocol defaults to TCP.
    assert!(matches!(&ports[0], ClusterPort::Port(pp) if pp.protocol == Protocol::Tcp));
    assert!(matches!(&ports[1], ClusterPort::Port(pp) if pp.protocol == Protocol::Udp));
    assert!(matches!(&ports[2], ClusterPort::Port(pp) if pp.port == PortMatch::Range(8000, 8080)));
    assert_eq!(ports[3], ClusterPort::Named("dns".into()));
    assert_eq!(ps[1].kind, ClusterPolicyKind::BaselineAdminNetworkPolicy);
    assert_eq!(ps[1].tier, ClusterTier::Baseline);
    assert_eq!(ps[1].priority, None);
}

#[test]
fn list_kinds_unwrap() {
    let text = "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicyList\nitems:\n  - apiVersion: policy.networking.k8s.io/v1alpha2\n    kind: ClusterNetworkPolicy\n    metadata: {name: a}\n    spec: {tier: Baseline, priority: 0, subject: {namespaces: {}}}\n---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicyList\nitems:\n  - apiVersion: policy.networking.k8s.io/v1alpha1\n    kind: AdminNetworkPolicy\n    metadata: {name: b}\n    spec: {priority: 1, subject: {namespaces: {}}}\n---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicyList\nitems:\n  - apiVersion: policy.networking.k8s.io/v1alpha1\n    kind: BaselineAdminNetworkPolicy\n    metadata: {name: default}\n    spec: {subject: {namespaces: {}}}\n";
    let l = load_str("in.yaml", text, &LoadOptions::default());
    assert!(l.problems.is_empty(), "{:#?}", l.problems);
    assert_eq!(l.cluster.cluster_policies.len(), 3);
}

#[test]
fn cnp_priority_out_of_range_is_rejected() {
    let (k, line, path, msg) = one(&cnp(&format!("  tier: Admin\n  priority: 1001\n{SUBJECT}")));
    assert_eq!(k, ProblemKind::Invalid);
    assert_eq!((line, path.as_str()), (7, "spec.priority"));
    assert!(msg.contains("0-1000"), "{msg}");
}

#[test]
fn anp_priority_out_of_range_is_rejected() {
    let (_, line, path, _) = one(&anp(&format!("  priority: -1\n{SUBJECT}")));
    assert_eq!((line, path.as_str()), (6, "spec.priority"));
}

#[test]
fn cnp_tier_is_required_and_enumerated() {
    let (_, _, path, _) = one(&cnp(&format!("  priority: 1\n{SUBJECT}")));
    assert_eq!(path, "spec.tier");
    let (_, line, _, msg) = one(&cnp(&format!("  tier: admin\n  priority: 1\n{SUBJECT}")));
    assert_eq!(line, 6);
    assert!(msg.contains("`Admin` or `Baseline`"), "{msg}");
}

#[test]
fn subject_needs_exactly_one_of_namespaces_or_pods() {
    let (_, line, path, msg) = one(&cnp(
        "  tier: Admin\n  priority: 1\n  subject:\n    namespaces: {}\n    pods: {podSelector: {}}",
    ));
    assert_eq!(path, "spec.subject");
    assert_eq!(line, 10);
    assert!(msg.contains("only one of"), "{msg}");
    let (_, _, path, _) = one(&cnp("  tier: Admin\n  priority: 1\n  subject: {}"));
    assert_eq!(path, "spec.subject");
}

#[test]
fn namespaced_pod_needs_a_pod_selector() {
    let (_, _, path, _) = one(&cnp(
        "  tier: Admin\n  priority: 1\n  subject:\n    pods: {namespaceSelector: {}}",
    ));
    assert_eq!(path, "spec.subject.pods.podSelector");
}

#[test]
fn v1alpha1_namespaced_pod_needs_a_namespace_selector_v1alpha2_does_not() {
    let (_, _, path, _) = one(&anp(
        "  priority: 1\n  subject:\n    pods: {podSelector: {}}",
    ));
    assert_eq!(path, "spec.subject.pods.namespaceSelector");
    assert!(problems(&cnp(
        "  tier: Admin\n  priority: 1\n  subject:\n    pods: {podSelector: {}}"
    ))
    .is_empty());
}

#[test]
fn v1alpha2_rejects_allow_and_v1alpha1_rejects_accept() {
    let (_, line, path, msg) = one(&cnp(&format!("  tier: Admin\n  priority: 1\n{SUBJECT}  ingress:\n    - action: Allow\n      from: [{{namespaces: {{}}}}]")));
    assert_eq!((line, path.as_str()), (11, "spec.ingress[0].action"));
    assert!(msg.contains("`Accept`"), "{msg}");
    let (_, _, _, msg) = one(&anp(&format!("  priority: 1\n{SUBJECT}  ingress:\n    - action: Accept\n      from: [{{namespaces: {{}}}}]")));
    assert!(msg.contains("`Allow`"), "{msg}");
}

#[test]
fn banp_has_no_pass_action() {
    let (_, _, path, msg) = one(&banp(
        "default",
        &format!("{SUBJECT}  egress:\n    - action: Pass\n      to: [{{namespaces: {{}}}}]"),
    ));
    assert_eq!(path, "spec.egress[0].action");
    assert!(msg.contains("Allow, Deny"), "{msg}");
}

#[test]
fn banp_must_be_named_default() {
    let (_, line, path, msg) = one(&banp("platform", SUBJECT));
    assert_eq!((line, path.as_str()), (4, "metadata.name"));
    assert!(msg.contains("singleton"), "{msg}");
}

#[test]
fn banp_has_no_priority() {
    let (k, _, path, _) = one(&banp("default", &format!("  priority: 1\n{SUBJECT}")));
    assert_eq!(k, ProblemKind::UnknownField);
    assert_eq!(path, "spec.priority");
}

#[test]
fn rules_need_at_least_one_peer() {
    let (_, _, path, _) = one(&cnp(&format!(
        "  tier: Admin\n  priority: 1\n{SUBJECT}  egress:\n    - action: Deny\n      to: []"
    )));
    assert_eq!(path, "spec.egress[0].to");
    let (_, _, path, _) = one(&cnp(&format!(
        "  tier: Admin\n  priority: 1\n{SUBJECT}  egress:\n    - action: Deny"
    )));
    assert_eq!(path, "spec.egress[0].to");
}

#[test]
fn cnp_allows_25_rules_anp_100() {
    let rule = "    - action: Deny\n      to: [{namespaces: {}}]\n";
    let (_, _, path, msg) = one(&cnp(&format!(
        "  tier: Admin\n  priority: 1\n{SUBJECT}  egress:\n{}",
        rule.repeat(26)
    )));
    assert_eq!(path, "spec.egress");
    assert!(msg.contains("at most 25"), "{msg}");
    assert!(problems(&anp(&format!(
        "  priority: 1\n{SUBJECT}  egress:\n{}",
        rule.repeat(26)
    )))
    .is_empty());
    let (_, _, _, msg) = one(&anp(&format!(
        "  priority: 1\n{SUBJECT}  egress:\n{}",
        rule.repeat(101)
    )));
    assert!(msg.contains("at most 100"), "{msg}");
}

#[test]
fn ingress_peers_are_namespaces_or_pods_only() {
    let (_, line, path, msg) = one(&cnp(&format!("  tier: Admin\n  priority: 1\n{SUBJECT}  ingress:\n    - action: Deny\n      from:\n        - networks: [10.0.0.0/8]")));
    assert_eq!(
        (line, path.as_str()),
        (13, "spec.ingress[0].from[0].networks")
    );
    assert!(msg.contains("egress-only"), "{msg}");
}

#[test]
fn peer_needs_exactly_one_field() {
    let (_, _, path, msg) = one(&cnp(&format!("  tier: Admin\n  priority: 1\n{SUBJECT}  egress:\n    - action: Deny\n      to:\n        - namespaces: {{}}\n          networks: [10.0.0.0/8]")));
    assert_eq!(path, "spec.egress[0].to[0]");
    assert!(msg.contains("only one of"), "{msg}");
}

#[test]
fn invalid_cidr_is_rejected_in_both_families() {
    for bad in ["10.0.0.0/33", "fd00::/129", "not-a-cidr"] {
        let (_, line, path, _) = one(&cnp(&format!("  tier: Admin\n  priority: 1\n{SUBJECT}  egress:\n    - action: Deny\n      to:\n        - networks:\n            - '{bad}'")));
        assert_eq!(
            (line, path.as_str()),
            (14, "spec.egress[0].to[0].networks[0]"),
            "{bad}"
        );
    }
}

#[test]
fn named_ports_cannot_go_with_networks_nodes_or_domains() {
    let (_, _, path, msg) = one(&cnp(&format!("  tier: Admin\n  priority: 1\n{SUBJECT}  egress:\n    - action: Deny\n      to: [{{networks: [10.0.0.0/8]}}]\n      protocols: [{{destinationNamedPort: http}}]")));
    assert_eq!(path, "spec.egress[0]");
    assert!(msg.contains("named ports"), "{msg}");
    let (_, _, _, msg) = one(&anp(&format!("  priority: 1\n{SUBJECT}  egress:\n    - action: Deny\n      to: [{{nodes: {{}}}}]\n      ports: [{{namedPort: http}}]")));
    assert!(msg.contains("named ports"), "{msg}");
}

#[test]
fn domain_names_only_in_accept_rules_and_only_in_admin_kinds() {
    let (_, _, path, msg) = one(&cnp(&format!("  tier: Admin\n  priority: 1\n{SUBJECT}  egress:\n    - action: Deny\n      to: [{{domainNames: [example.com]}}]")));
    assert_eq!(path, "spec.egress[0].to");
    assert!(msg.contains("only supported in Accept"), "{msg}");
    let (k, _, path, _) = one(&banp(
        "default",
        &format!(
            "{SUBJECT}  egress:\n    - action: Allow\n      to: [{{domainNames: [example.com]}}]"
        ),
    ));
    assert_eq!(k, ProblemKind::UnknownField);
    assert_eq!(path, "spec.egress[0].to[0].domainNames");
    let (_, _, path, _) = one(&cnp(&format!("  tier: Admin\n  priority: 1\n{SUBJECT}  egress:\n    - action: Accept\n      to: [{{domainNames: ['example.*']}}]")));
    assert_eq!(path, "spec.egress[0].to[0].domainNames[0]");
}

#[test]
fn v1alpha2_port_range_needs_start_below_end() {
    let (_, line, path, msg) = one(&cnp(&format!("  tier: Admin\n  priority: 1\n{SUBJECT}  egress:\n    - action: Deny\n      to: [{{namespaces: {{}}}}]\n      protocols:\n        - tcp:\n            destinationPort:\n              range: {{start: 80, end: 80}}")));
    assert_eq!(line, 16);
    assert_eq!(
        path,
        "spec.egress[0].protocols[0].tcp.destinationPort.range.end"
    );
    assert!(msg.contains("less than"), "{msg}");
}

#[test]
fn v1alpha2_protocol_entry_needs_exactly_one_field_and_a_destination_port() {
    let (_, _, path, _) = one(&cnp(&format!("  tier: Admin\n  priority: 1\n{SUBJECT}  egress:\n    - action: Deny\n      to: [{{namespaces: {{}}}}]\n      protocols: [{{tcp: {{}}}}]")));
    assert_eq!(path, "spec.egress[0].protocols[0].tcp.destinationPort");
    let (_, _, path, _) = one(&cnp(&format!("  tier: Admin\n  priority: 1\n{SUBJECT}  egress:\n    - action: Deny\n      to: [{{namespaces: {{}}}}]\n      protocols: [{{tcp: {{destinationPort: {{number: 1}}}}, udp: {{destinationPort: {{number: 1}}}}}}]")));
    assert_eq!(path, "spec.egress[0].protocols[0]");
    let (_, _, path, _) = one(&cnp(&format!("  tier: Admin\n  priority: 1\n{SUBJECT}  egress:\n    - action: Deny\n      to: [{{namespaces: {{}}}}]\n      protocols: []")));
    assert_eq!(path, "spec.egress[0].protocols");
}

#[test]
fn v1alpha1_port_needs_exactly_one_form_and_a_valid_number() {
    let (_, _, path, _) = one(&anp(&format!("  priority: 1\n{SUBJECT}  egress:\n    - action: Deny\n      to: [{{namespaces: {{}}}}]\n      ports: [{{portNumber: {{port: 0}}}}]")));
    assert_eq!(path, "spec.egress[0].ports[0].portNumber.port");
    let (_, _, path, _) = one(&anp(&format!("  priority: 1\n{SUBJECT}  egress:\n    - action: Deny\n      to: [{{namespaces: {{}}}}]\n      ports: [{{portNumber: {{port: 80}}, namedPort: http}}]")));
    assert_eq!(path, "spec.egress[0].ports[0]");
    let (_, _, path, _) = one(&anp(&format!("  priority: 1\n{SUBJECT}  egress:\n    - action: Deny\n      to: [{{namespaces: {{}}}}]\n      ports: [{{portRange: {{protocol: ICMP, start: 1, end: 2}}}}]")));
    assert_eq!(path, "spec.egress[0].ports[0].portRange.protocol");
}

#[test]
fn a_tier_kind_at_another_generations_api_version_is_skipped_and_named_not_decoded() {
    // AdminNetworkPolicy exists at v1alpha1 only, ClusterNetworkPolicy at v1alpha2 only.
    let l = load_str(
        "in.yaml",
        concat!(
            "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: AdminNetworkPolicy\n",
            "metadata: {name: a}\nspec: {priority: 1, subject: {namespaces: {}}}\n---\n",
            "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: ClusterNetworkPolicy\n",
            "metadata: {name: c}\nspec: {tier: Admin, priority: 1, subject: {namespaces: {}}}\n",
        ),
        &LoadOptions::default(),
    );
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    assert!(l.cluster.cluster_policies.is_empty());
    let labels: Vec<String> = l.cluster.skipped.iter().map(|s| s.label()).collect();
    assert_eq!(
        labels,
        [
            "AdminNetworkPolicy (unknown apiVersion policy.networking.k8s.io/v1alpha2)",
            "ClusterNetworkPolicy (unknown apiVersion policy.networking.k8s.io/v1alpha1)",
        ]
    );
    assert!(l
        .cluster
        .skipped
        .iter()
        .all(|s| s.reason == SkipReason::UnknownApiVersion));
}

#[test]
fn unknown_fields_are_reported_with_a_suggestion() {
    let (k, line, path, msg) = one(&cnp(&format!(
        "  tier: Admin\n  priority: 1\n{SUBJECT}  egres: []"
    )));
    assert_eq!(k, ProblemKind::UnknownField);
    assert_eq!((line, path.as_str()), (10, "spec.egres"));
    assert!(msg.contains("`egress`"), "{msg}");
}

#[test]
fn rule_name_at_most_100_characters() {
    let (_, _, path, _) = one(&cnp(&format!("  tier: Admin\n  priority: 1\n{SUBJECT}  egress:\n    - name: {}\n      action: Deny\n      to: [{{namespaces: {{}}}}]", "x".repeat(101))));
    assert_eq!(path, "spec.egress[0].name");
}

#[test]
fn nodes_load_with_their_ip_addresses() {
    let text = "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  labels: {role: worker}\nstatus:\n  addresses:\n    - {type: InternalIP, address: 10.0.0.11}\n    - {type: InternalIP, address: 'fd00::11'}\n    - {type: Hostname, address: n1}\n";
    let l = load_str("in.yaml", text, &LoadOptions::default());
    assert!(l.problems.is_empty(), "{:#?}", l.problems);
    assert_eq!(l.cluster.nodes[0].addresses.len(), 2);
    assert!(l.cluster.skipped.is_empty());
}
