use super::is_default_deny;
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::Direction;

pub struct DefaultDenyInSystemNamespace;

static META: RuleMeta = RuleMeta {
    id: "default-deny-in-system-namespace",
    default_severity: Severity::Warning,
    summary: "A default-deny policy in a system namespace (kube-system, kube-public, kube-node-lease, or those `.moat.yaml` lists).",
    why: "Cluster components (DNS, metrics-server, CNI and cloud controllers) live there and need traffic that nobody wrote rules for; a blanket deny breaks DNS for the whole cluster or the control plane's reach to webhooks.",
    example: "metadata:\n  name: default-deny-all\n  namespace: kube-system\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]",
    fix: "Remove it, or replace it with policies that select specific components and allow what they need (DNS ingress on 53 from every namespace, etc.).",
};

impl Rule for DefaultDenyInSystemNamespace {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for (pid, p) in cx.policies() {
            if !cx.is_system_namespace(&p.namespace) {
                continue;
            }
            let dirs: Vec<&str> = [Direction::Ingress, Direction::Egress]
                .into_iter()
                .filter(|&d| is_default_deny(p, d))
                .map(|d| d.field())
                .collect();
            if dirs.is_empty() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    META.id,
                    META.default_severity,
                    format!("default-deny {} in system namespace {}", dirs.join(" and "), p.namespace),
                )
                .at(Some(cx.policy_ref(pid)), Some(p.span.clone()), "spec.podSelector")
                .label("selects every pod of a system namespace")
                .help("system components need traffic nobody wrote rules for (DNS, webhooks, metrics): select specific components and allow what they need instead"),
            );
        }
    }
}
