use std::collections::BTreeSet;

use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::text::count;

pub struct PolicySelectsNothing;

static META: RuleMeta = RuleMeta {
    id: "policy-selects-nothing",
    default_severity: Severity::Warning,
    summary: "The policy's `podSelector` matches no pod of its namespace, in an input that has workloads in that namespace.",
    why: "A policy that selects nothing isolates nothing: traffic that it was written to restrict flows freely, and nothing says so. Usually a label typo, a `tier:` vs `app:` mix-up, or the wrong namespace.",
    example: "metadata:\n  name: api-allow-frontend\n  namespace: production\nspec:\n  podSelector:\n    matchLabels:\n      app: apii",
    fix: "Match the labels the pods really carry (`kubectl get pods -n NS --show-labels`).\n\nspec:\n  podSelector:\n    matchLabels:\n      app: api",
};

impl Rule for PolicySelectsNothing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let cluster = cx.engine.cluster();
        for (pid, p) in cx.policies() {
            if !cx.engine.compiled().policies[pid].selected.is_empty() {
                continue;
            }
            let Some(ns) = cluster.find_namespace(&p.namespace) else {
                continue;
            };
            let pods = &cx.ns_endpoints[ns];
            if pods.is_empty() {
                continue;
            }
            // What the pods carry for the selector's keys, to point at the typo.
            let keys: BTreeSet<&str> = p
                .pod_selector
                .requirements
                .iter()
                .map(|r| r.key.as_str())
                .collect();
            let mut seen = Vec::new();
            for k in &keys {
                let values: BTreeSet<&str> = pods
                    .iter()
                    .filter_map(|&e| cluster.endpoints[e].labels.get(*k).map(String::as_str))
                    .collect();
                if values.is_empty() {
                    seen.push(format!("no pod there has the label `{k}`"));
                } else {
                    let v: Vec<&str> = values.into_iter().take(6).collect();
                    seen.push(format!("pods there carry {k} in {{{}}}", v.join(", ")));
                }
            }
            out.push(
                Diagnostic::new(
                    META.id,
                    META.default_severity,
                    format!("podSelector {{{}}} matches no pod of namespace {}, which has {}", p.pod_selector, p.namespace, count(pods.len(), "pod")),
                )
                .at(Some(cx.policy_ref(pid)), Some(p.span.clone()), "spec.podSelector")
                .label("selects nothing")
                .help(format!("{}; fix the selector so that the policy applies to the pods it was written for", seen.join("; "))),
            );
        }
    }
}
