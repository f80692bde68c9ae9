use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};

pub struct PolicyTypesInferred;

static META: RuleMeta = RuleMeta {
    id: "policy-types-inferred",
    default_severity: Severity::Warning,
    summary: "`policyTypes` is omitted and the inference drops a direction the policy evidently intends: `egress: []` is written, or the name says egress or deny-all.",
    why: "Without `policyTypes`, Kubernetes assumes Ingress always and Egress only if there is at least one egress rule. A deny-egress policy with no egress rules therefore denies ingress instead, and leaves egress open.",
    example: "metadata:\n  name: default-deny-egress\nspec:\n  podSelector: {}\n  egress: []",
    fix: "Write `policyTypes` explicitly.\n\nmetadata:\n  name: default-deny-egress\nspec:\n  podSelector: {}\n  policyTypes: [Egress]",
};

impl Rule for PolicyTypesInferred {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for (pid, p) in cx.policies() {
            if p.policy_types.explicit || p.policy_types.egress {
                continue;
            }
            let name = p.name.to_lowercase();
            let says_egress = name.contains("egress");
            let says_deny_all = name.contains("deny-all")
                || name.contains("deny-everything")
                || name.contains("denyall");
            let empty_egress = p.egress_written && p.egress.is_empty();
            let reason = if empty_egress {
                "`egress: []` is written"
            } else if says_egress {
                "its name says egress"
            } else if says_deny_all {
                "its name says deny-all"
            } else {
                continue;
            };
            // The intended types: Egress, plus Ingress unless the policy is only about egress.
            let ingress_meant = p.ingress_written || says_deny_all || name.contains("ingress");
            let types = if ingress_meant {
                "[Ingress, Egress]"
            } else {
                "[Egress]"
            };
            let path = if p.egress_written {
                "spec.egress"
            } else {
                "spec"
            };
            out.push(
                Diagnostic::new(
                    META.id,
                    META.default_severity,
                    format!(
                        "policyTypes is omitted, so it is inferred as [Ingress] and the policy does not isolate egress, although {reason}"
                    ),
                )
                .at(Some(cx.policy_ref(pid)), Some(p.span.clone()), path)
                .label("inferred policyTypes: [Ingress]")
                .help(format!("write `policyTypes: {types}` in spec"))
                .fix(format!("spec:\n  policyTypes: {types}\n")),
            );
        }
    }
}
