use super::dns;
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::text::count;

pub struct DnsUdpOnly;

static META: RuleMeta = RuleMeta {
    id: "dns-udp-only",
    default_severity: Severity::Warning,
    summary: "DNS is reachable on UDP 53 but not on TCP 53.",
    why: "Responses larger than a UDP datagram (many records, DNSSEC, long TXT) are retried over TCP; with TCP 53 blocked those lookups fail intermittently, which is hard to diagnose.",
    example: "egress:\n  - to:\n      - namespaceSelector:\n          matchLabels:\n            kubernetes.io/metadata.name: kube-system\n    ports:\n      - protocol: UDP\n        port: 53",
    fix: "Allow TCP 53 next to UDP 53.\n\negress:\n  - to:\n      - namespaceSelector:\n          matchLabels:\n            kubernetes.io/metadata.name: kube-system\n    ports:\n      - protocol: UDP\n        port: 53\n      - protocol: TCP\n        port: 53",
};

impl Rule for DnsUdpOnly {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for g in dns::groups(cx) {
            if !g.reach.udp || g.reach.tcp {
                continue;
            }
            let policies = &cx.engine.cluster().policies;
            // Point at the rule that opens UDP 53, where TCP 53 belongs.
            let at = g.policies.iter().find_map(|&pid| {
                policies[pid]
                    .egress
                    .iter()
                    .position(|r| super::rule_admits(r, crate::model::Protocol::Udp, 53))
                    .map(|ri| (pid, ri))
            });
            let (pid, path) = match at {
                Some((pid, ri)) => (pid, format!("spec.egress[{ri}].ports")),
                None => (dns::blame(cx, &g.policies), "spec.egress".to_string()),
            };
            let policy = &policies[pid];
            out.push(
                Diagnostic::new(
                    META.id,
                    META.default_severity,
                    format!(
                        "{} {} {} on UDP 53 but not on TCP 53: {}",
                        count(g.endpoints.len(), "pod"),
                        if g.endpoints.len() == 1 { "reaches" } else { "reach" },
                        dns::servers(cx),
                        cx.endpoint_list(&g.endpoints, 3)
                    ),
                )
                .at(Some(cx.policy_ref(pid)), Some(policy.span.clone()), path)
                .label("UDP 53 only")
                .help("add `- protocol: TCP` / `port: 53` next to the UDP entry: large DNS responses are retried over TCP")
                .fix("ports:\n  - protocol: UDP\n    port: 53\n  - protocol: TCP\n    port: 53\n"),
            );
        }
    }
}
