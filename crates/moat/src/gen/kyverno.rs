//! A Kyverno `ClusterPolicy` that gives every new namespace the same baseline `moat gen`
//! writes: `default-deny-all` and `allow-dns`.
//!
//! Schema: `kyverno.io/v1` ClusterPolicy with `generate` rules using a `data` source, as
//! documented for Kyverno 1.11 and later ("Generate Rules", kyverno.io/docs): each rule
//! matches `Namespace` resources, excludes system namespaces, and generates one
//! NetworkPolicy into `{{request.object.metadata.name}}` with `synchronize: true`, so
//! that Kyverno restores the policy if someone edits or deletes it.

use super::emit::{header, scalar, Out};
use super::intent::Dns;
use super::policies::MANAGED_BY;
use crate::model::labels::NAMESPACE_NAME_LABEL;

/// The Kyverno version whose documented schema this targets.
pub const KYVERNO_VERSION: &str = "1.11.0";

/// Namespaces of the cluster itself, never given a default-deny.
pub const SYSTEM_NAMESPACES: [&str; 4] =
    ["kube-node-lease", "kube-public", "kube-system", "kyverno"];

/// The ClusterPolicy. `dns` is the cluster DNS the generated `allow-dns` opens (its
/// namespace is excluded too); `files` name the intents it came from, if any.
pub fn kyverno_policy(dns: &Dns, files: &[String]) -> String {
    let mut excluded: Vec<String> = SYSTEM_NAMESPACES.iter().map(|s| s.to_string()).collect();
    if !excluded.contains(&dns.namespace) {
        excluded.push(dns.namespace.clone());
        excluded.sort();
    }
    let what = "Kyverno ClusterPolicy: default-deny-all and allow-dns in every new namespace";
    let text = if files.is_empty() {
        format!("{} (defaults): {what}\n", super::emit::MANAGED_MARKER)
    } else {
        header(what, files)
    };
    let mut o = Out { text };
    o.comment(0, &format!("Targets Kyverno {KYVERNO_VERSION} and later (kyverno.io/v1 ClusterPolicy, generate rules with a data source)."));
    o.line(0, "apiVersion: kyverno.io/v1");
    o.line(0, "kind: ClusterPolicy");
    o.line(0, "metadata:");
    o.line(2, "name: moat-namespace-baseline");
    o.line(2, "labels:");
    o.line(4, &format!("{}: {}", MANAGED_BY.0, MANAGED_BY.1));
    o.line(2, "annotations:");
    o.line(
        4,
        "policies.kyverno.io/title: Default-deny and DNS for every namespace",
    );
    o.line(4, "policies.kyverno.io/subject: Namespace, NetworkPolicy");
    o.line(
        4,
        &format!("policies.kyverno.io/minversion: {KYVERNO_VERSION}"),
    );
    o.line(4, "policies.kyverno.io/description: >-");
    o.line(
        6,
        "Every new namespace gets a NetworkPolicy denying all ingress and egress, and one",
    );
    o.line(
        6,
        "allowing DNS (UDP and TCP 53) to the cluster DNS pods only. Services then need",
    );
    o.line(
        6,
        "explicit allow policies (moat gen writes them from an intent).",
    );
    o.line(0, "spec:");
    o.line(2, "rules:");
    rule(&mut o, "default-deny-all", &excluded, |o| {
        o.line(12, "podSelector: {}");
        o.line(12, "policyTypes:");
        o.line(14, "- Ingress");
        o.line(14, "- Egress");
    });
    rule(&mut o, "allow-dns", &excluded, |o| {
        o.line(12, "podSelector: {}");
        o.line(12, "policyTypes:");
        o.line(14, "- Egress");
        o.line(12, "egress:");
        o.comment(
            14,
            "one peer holding both selectors: the DNS pods of the DNS namespace (AND)",
        );
        o.line(14, "- to:");
        o.line(18, "- namespaceSelector:");
        o.line(22, "matchLabels:");
        o.line(
            24,
            &format!("{NAMESPACE_NAME_LABEL}: {}", scalar(&dns.namespace)),
        );
        o.line(20, "podSelector:");
        o.labels(22, "matchLabels", &dns.selector);
        o.line(16, "ports:");
        for proto in ["UDP", "TCP"] {
            o.line(18, &format!("- protocol: {proto}"));
            o.line(20, "port: 53");
        }
    });
    o.text
}

fn rule(o: &mut Out, name: &str, excluded: &[String], spec: impl FnOnce(&mut Out)) {
    o.line(4, &format!("- name: generate-{name}"));
    o.line(6, "match:");
    o.line(8, "any:");
    o.line(10, "- resources:");
    o.line(14, "kinds:");
    o.line(16, "- Namespace");
    o.line(6, "exclude:");
    o.line(8, "any:");
    o.line(10, "- resources:");
    o.line(14, "namespaces:");
    for n in excluded {
        o.line(16, &format!("- {}", scalar(n)));
    }
    o.line(6, "generate:");
    o.line(8, "apiVersion: networking.k8s.io/v1");
    o.line(8, "kind: NetworkPolicy");
    o.line(8, &format!("name: {name}"));
    o.line(8, "namespace: \"{{request.object.metadata.name}}\"");
    o.line(8, "synchronize: true");
    o.line(8, "data:");
    o.line(10, "metadata:");
    o.line(12, "labels:");
    o.line(14, &format!("{}: {}", MANAGED_BY.0, MANAGED_BY.1));
    o.line(10, "spec:");
    spec(o);
}
