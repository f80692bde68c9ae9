use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::text::noun;

pub struct HostNetworkBypass;

static META: RuleMeta = RuleMeta {
    id: "host-network-bypass",
    default_severity: Severity::Warning,
    summary: "A `hostNetwork: true` pod is selected by a policy that therefore does not apply to it.",
    why: "A hostNetwork pod uses the node's network namespace: its traffic is node traffic, which NetworkPolicy implementations do not police. The policy looks like it isolates the pod and does nothing for it.",
    example: "kind: DaemonSet\nspec:\n  template:\n    metadata:\n      labels: {app: agent}\n    spec:\n      hostNetwork: true\n---\nkind: NetworkPolicy\nspec:\n  podSelector:\n    matchLabels: {app: agent}\n  policyTypes: [Ingress]",
    fix: "Run the pod without `hostNetwork` if it does not need it (and forbid it with Pod Security admission), or protect the node with host firewall rules.",
};

impl Rule for HostNetworkBypass {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let cluster = cx.engine.cluster();
        for (pid, p) in cx.policies() {
            let host: Vec<usize> = cx.engine.compiled().policies[pid]
                .selected
                .iter()
                .filter(|&e| cluster.endpoints[e].host_network)
                .collect();
            if host.is_empty() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    META.id,
                    META.default_severity,
                    format!("selects {} that it does not isolate: {}", if host.len() == 1 { "a hostNetwork pod".to_string() } else { noun(host.len(), "hostNetwork pod") }, cx.endpoint_list(&host, 3)),
                )
                .at(Some(cx.policy_ref(pid)), Some(p.span.clone()), "spec.podSelector")
                .label("hostNetwork pods bypass this policy")
                .help("hostNetwork traffic is node traffic, which NetworkPolicy does not police: drop hostNetwork from the pod, or protect the node with host firewall rules"),
            );
        }
    }
}
