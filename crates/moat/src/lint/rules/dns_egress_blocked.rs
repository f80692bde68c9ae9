use super::{allow_dns_yaml, dns};
use crate::engine::{Flow, Target};
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::{Direction, Protocol};
use crate::text::count;

pub struct DnsEgressBlocked;

static META: RuleMeta = RuleMeta {
    id: "dns-egress-blocked",
    default_severity: Severity::Error,
    summary: "A pod is isolated for egress and cannot reach DNS on UDP 53.",
    why: "Every name lookup times out, so every connection by name fails: the most common way a default-deny breaks an application. When kube-dns/CoreDNS pods are in the input, moat checks real reachability to them through both sides' policies; otherwise it checks that some egress rule admits UDP 53.",
    example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny-all\n  namespace: production\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]",
    fix: "Add a DNS egress policy next to the default-deny (and allow DNS ingress on the DNS pods if they are isolated).\n\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-dns\n  namespace: production\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: kube-system\n          podSelector:\n            matchLabels:\n              k8s-app: kube-dns\n      ports:\n        - protocol: UDP\n          port: 53\n        - protocol: TCP\n          port: 53",
};

impl Rule for DnsEgressBlocked {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for g in dns::groups(cx) {
            if g.reach.udp {
                continue;
            }
            let pid = dns::blame(cx, &g.policies);
            let policy = &cx.engine.cluster().policies[pid];
            let names: Vec<&str> = g
                .policies
                .iter()
                .map(|&p| cx.engine.cluster().policies[p].name.as_str())
                .collect();
            let mut help = format!(
                "allow egress on UDP and TCP 53 to the DNS pods in a policy that selects these pods (isolated by {})",
                names.join(", ")
            );
            // Say which side refuses when the DNS pods are in the input.
            if let Some(&d) = cx.dns_servers.first() {
                let v = cx.engine.verdict(&Flow {
                    src: Target::Endpoint(g.endpoints[0]),
                    dst: Target::Endpoint(d),
                    port: 53,
                    protocol: Protocol::Udp,
                });
                if v.egress.outcome.allows() && !v.ingress.outcome.allows() {
                    help = format!(
                        "egress is allowed, but the ingress policies of {} refuse it: allow ingress on UDP and TCP 53 from these pods there",
                        cx.engine.cluster().endpoint_name(d)
                    );
                }
            }
            let path = if policy.policy_types.explicit {
                "spec.policyTypes"
            } else {
                "spec.podSelector"
            };
            out.push(
                Diagnostic::new(
                    META.id,
                    META.default_severity,
                    format!(
                        "{} isolated for egress cannot reach {} on UDP 53: {}",
                        count(g.endpoints.len(), "pod"),
                        dns::servers(cx),
                        cx.endpoint_list(&g.endpoints, 3)
                    ),
                )
                .at(Some(cx.policy_ref(pid)), Some(policy.span.clone()), path)
                .label(format!(
                    "isolates {} for {}",
                    cx.endpoint_list(&g.endpoints, 1),
                    Direction::Egress.as_str()
                ))
                .help(help)
                .fix(allow_dns_yaml(&policy.namespace)),
            );
        }
    }
}
