use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};

pub struct DuplicatePolicy;

static META: RuleMeta = RuleMeta {
    id: "duplicate-policy-name",
    default_severity: Severity::Error,
    summary: "Two NetworkPolicy objects have the same namespace and name.",
    why: "On a cluster the last one applied replaces the other, so one of them never takes effect; which one depends on apply order. moat evaluates both, which is not what the cluster will do.",
    example: "metadata:\n  name: allow-dns\n  namespace: production\n---\nmetadata:\n  name: allow-dns\n  namespace: production",
    fix: "Rename one of them, or merge their rules into one policy.",
};

impl Rule for DuplicatePolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        // Policies are sorted by (namespace, name), stably: duplicates are adjacent, in input order.
        let policies = &cx.engine.cluster().policies;
        for i in 1..policies.len() {
            let (a, b) = (&policies[i - 1], &policies[i]);
            if a.namespace != b.namespace || a.name != b.name {
                continue;
            }
            out.push(
                Diagnostic::new(
                    META.id,
                    META.default_severity,
                    format!("NetworkPolicy {} is defined again (first at {}): on a cluster the last one applied replaces the other", b.id(), a.span),
                )
                .at(Some(cx.policy_ref(i)), Some(b.span.clone()), "metadata.name")
                .label("duplicate name")
                .related(Some(a.span.clone()), "metadata.name", "first defined here")
                .help("rename one of them, or merge their rules into one policy"),
            );
        }
    }
}
