use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::load::ProblemKind;

pub struct InvalidPolicy;

static META: RuleMeta = RuleMeta {
    id: "invalid-policy",
    default_severity: Severity::Error,
    summary: "The API server would reject the object: bad CIDR, `except` outside `cidr`, `endPort` below `port` or with a named port, unknown protocol, bad selector operator or values, invalid label key or value.",
    why: "`kubectl apply` fails on it, so the policy you think protects the pods does not exist. Other moat commands refuse such input; lint reports every such field and goes on with the rest.",
    example: "spec:\n  podSelector: {}\n  egress:\n    - to:\n        - ipBlock:\n            cidr: 10.0.0.0/33\n      ports:\n        - protocol: tcp\n          port: 80",
    fix: "Write the value as the API defines it: a valid CIDR, upper-case protocol, `endPort` >= `port`.\n\nspec:\n  podSelector: {}\n  egress:\n    - to:\n        - ipBlock:\n            cidr: 10.0.0.0/16\n      ports:\n        - protocol: TCP\n          port: 80",
};

impl Rule for InvalidPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for p in cx
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::Invalid)
        {
            out.push(
                Diagnostic::new(META.id, META.default_severity, p.error.message.clone())
                    .at(p.object.clone(), p.error.span.clone(), p.error.path.clone())
                    .label("rejected by the API server")
                    .help("fix this value: the API server refuses the whole object, and moat's other commands refuse the input"),
            );
        }
    }
}
