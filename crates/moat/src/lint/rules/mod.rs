//! One file per rule, and the helpers several rules share.

pub mod admin_deny_shadows_networkpolicy;
pub mod controller_pods_differ;
pub mod default_deny_in_system_namespace;
pub mod deprecated_v1alpha1;
pub mod dns_egress_blocked;
pub mod dns_udp_only;
pub mod duplicate_policy;
pub mod egress_to_metadata;
pub mod host_network_bypass;
pub mod ingress_open_to_all;
pub mod invalid_policy;
pub mod named_port_unresolved;
pub mod namespace_without_default_deny;
pub mod no_enforcing_cni;
pub mod pass_to_nothing;
pub mod peer_or_confusion;
pub mod peer_selects_nothing;
pub mod policy_selects_nothing;
pub mod policy_types_inferred;
pub mod redundant_rule;
pub mod same_port_conflict;
pub mod service_port_not_container_port;
pub mod tier_priority_overlap;
pub mod unguarded_external_service;
pub mod unknown_field;

mod dns;

use crate::model::{Direction, NetworkPolicy, PolicyPort, PortMatch, Protocol, Rule as PolicyRule};

/// Whether a numeric `ports` entry admits `protocol`/`port` (named ports never do here:
/// they resolve per destination).
pub(crate) fn port_admits(p: &PolicyPort, protocol: Protocol, port: u16) -> bool {
    p.protocol == protocol
        && match p.port {
            PortMatch::All => true,
            PortMatch::Range(a, b) => a <= port && port <= b,
            PortMatch::Named(_) => false,
        }
}

/// Whether a rule's ports admit `protocol`/`port` (no `ports`: every port).
pub(crate) fn rule_admits(r: &PolicyRule, protocol: Protocol, port: u16) -> bool {
    match &r.ports {
        None => true,
        Some(ports) => ports.iter().any(|p| port_admits(p, protocol, port)),
    }
}

/// `spec.ingress[3]`.
pub(crate) fn rule_path(d: Direction, i: usize) -> String {
    format!("spec.{}[{i}]", d.field())
}

/// Whether the policy selects every pod of its namespace and isolates direction `d`.
pub(crate) fn isolates_namespace(p: &NetworkPolicy, d: Direction) -> bool {
    p.pod_selector.is_empty() && p.policy_types.has(d)
}

/// Whether the policy is a default-deny for `d`: every pod, that direction, no rule.
pub(crate) fn is_default_deny(p: &NetworkPolicy, d: Direction) -> bool {
    isolates_namespace(p, d) && p.rules(d).is_empty()
}

/// A default-deny policy for `namespace` and the given directions.
pub(crate) fn default_deny_yaml(namespace: &str, name: &str, types: &[Direction]) -> String {
    let types: Vec<&str> = types.iter().map(|d| d.as_str()).collect();
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  podSelector: {{}}\n  policyTypes: [{}]\n",
        types.join(", ")
    )
}

/// The DNS egress policy of seed 000, for `namespace`.
pub(crate) fn allow_dns_yaml(namespace: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-dns\n  namespace: {namespace}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: kube-system\n          podSelector:\n            matchLabels:\n              k8s-app: kube-dns\n      ports:\n        - protocol: UDP\n          port: 53\n        - protocol: TCP\n          port: 53\n"
    )
}
