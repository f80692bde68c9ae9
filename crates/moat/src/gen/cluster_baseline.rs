//! The platform baseline as cluster-wide policies (policy.networking.k8s.io/v1alpha2
//! ClusterNetworkPolicy), for `moat gen --cluster-baseline`:
//!
//! - Admin tier: egress to the cloud metadata endpoint (169.254.169.254/32 and AWS's IPv6
//!   fd00:ec2::254/128) denied. Admin decides before NetworkPolicy, so no namespace's own
//!   policy (an egress allow to 0.0.0.0/0, say) can reopen it.
//! - Baseline tier: default deny, with DNS (UDP and TCP 53) to the cluster DNS pods
//!   accepted. Baseline decides only where no NetworkPolicy isolates a pod, so a team's
//!   policies replace it for their pods, as a per-namespace default-deny would.
//!
//! System namespaces (and the DNS namespace) are left out of both subjects.

use super::emit::{header, scalar, Out, MANAGED_MARKER};
use super::intent::Dns;
use super::kyverno::SYSTEM_NAMESPACES;
use super::policies::{metadata_cidrs, MANAGED_BY};
use crate::model::labels::NAMESPACE_NAME_LABEL;

/// Priorities: the metadata deny early in the Admin tier (room before it for overrides),
/// the baseline late in its tier (room before it for more specific baselines).
pub const METADATA_DENY_PRIORITY: u16 = 10;
pub const BASELINE_PRIORITY: u16 = 900;

/// The two ClusterNetworkPolicies; `files` name the intents the DNS came from, if any.
pub fn cluster_baseline(dns: &Dns, files: &[String]) -> String {
    let mut excluded: Vec<String> = SYSTEM_NAMESPACES.iter().map(|s| s.to_string()).collect();
    if !excluded.contains(&dns.namespace) {
        excluded.push(dns.namespace.clone());
        excluded.sort();
    }
    let what = "platform baseline as ClusterNetworkPolicies (Admin: no cloud metadata; Baseline: default deny, DNS)";
    let text = if files.is_empty() {
        format!("{MANAGED_MARKER} (defaults): {what}\n")
    } else {
        header(what, files)
    };
    let mut o = Out { text };
    o.comment(0, "policy.networking.k8s.io/v1alpha2 (kubernetes-sigs/network-policy-api); check with `moat check`.");
    doc_head(
        &mut o,
        "platform-deny-cloud-metadata",
        "Admin",
        METADATA_DENY_PRIORITY,
    );
    subject(&mut o, &excluded);
    o.line(2, "egress:");
    o.comment(
        4,
        "Admin decides first: no NetworkPolicy can allow these addresses again.",
    );
    o.line(4, "- name: deny-cloud-metadata");
    o.line(6, "action: Deny");
    o.line(6, "to:");
    let cidrs: Vec<String> = metadata_cidrs()
        .iter()
        .map(|c| scalar(&c.to_string()))
        .collect();
    o.line(8, &format!("- networks: [{}]", cidrs.join(", ")));
    o.line(0, "---");
    doc_head(&mut o, "platform-baseline", "Baseline", BASELINE_PRIORITY);
    subject(&mut o, &excluded);
    o.line(2, "ingress:");
    o.comment(
        4,
        "Every pod's traffic in is denied unless a NetworkPolicy selects the pod.",
    );
    o.comment(4, "Ingress peers are pods only: traffic from outside the cluster needs a NetworkPolicy to deny it.");
    o.line(4, "- name: default-deny-from-pods");
    o.line(6, "action: Deny");
    o.line(6, "from:");
    o.line(8, "- namespaces: {}");
    o.line(2, "egress:");
    o.line(4, "- name: allow-dns");
    o.line(6, "action: Accept");
    o.line(6, "to:");
    o.line(8, "- pods:");
    o.line(12, "namespaceSelector:");
    o.line(14, "matchLabels:");
    o.line(
        16,
        &format!("{NAMESPACE_NAME_LABEL}: {}", scalar(&dns.namespace)),
    );
    o.selector(12, "podSelector", &dns.selector);
    o.line(6, "protocols:");
    o.line(8, "- udp: {destinationPort: {number: 53}}");
    o.line(8, "- tcp: {destinationPort: {number: 53}}");
    o.line(4, "- name: default-deny");
    o.line(6, "action: Deny");
    o.line(6, "to:");
    o.line(8, "- namespaces: {}");
    o.line(8, "- networks: [0.0.0.0/0, \"::/0\"]");
    o.text
}

fn doc_head(o: &mut Out, name: &str, tier: &str, priority: u16) {
    o.line(0, "apiVersion: policy.networking.k8s.io/v1alpha2");
    o.line(0, "kind: ClusterNetworkPolicy");
    o.line(0, "metadata:");
    o.line(2, &format!("name: {name}"));
    o.line(2, "labels:");
    o.line(4, &format!("{}: {}", MANAGED_BY.0, MANAGED_BY.1));
    o.line(0, "spec:");
    o.line(2, &format!("tier: {tier}"));
    o.line(2, &format!("priority: {priority}"));
}

fn subject(o: &mut Out, excluded: &[String]) {
    o.line(2, "subject:");
    o.line(4, "namespaces:");
    o.line(6, "matchExpressions:");
    o.line(8, &format!("- key: {NAMESPACE_NAME_LABEL}"));
    o.line(10, "operator: NotIn");
    let names: Vec<String> = excluded.iter().map(|n| scalar(n)).collect();
    o.line(10, &format!("values: [{}]", names.join(", ")));
}
