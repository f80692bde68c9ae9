use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::load::ProblemKind;

pub struct UnknownField;

static META: RuleMeta = RuleMeta {
    id: "unknown-field",
    default_severity: Severity::Error,
    summary: "A field the NetworkPolicy API does not define (`podselector`, `policyType`, `matchLabel`, ...).",
    why: "With strict field validation (kubectl's default since 1.27) the API server rejects the object; with lax validation it silently drops the field, so a misspelt `podSelector` becomes `{}` and selects every pod.",
    example: "spec:\n  podselector:\n    matchLabels:\n      app: api\n  policyType: [Ingress]",
    fix: "Use the field's real name (moat suggests the nearest one).\n\nspec:\n  podSelector:\n    matchLabels:\n      app: api\n  policyTypes: [Ingress]",
};

impl Rule for UnknownField {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for p in cx
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::UnknownField)
        {
            let field = p
                .error
                .path
                .rsplit('.')
                .next()
                .unwrap_or(&p.error.path)
                .to_string();
            let help = match &p.suggestion {
                Some(s) => format!("rename `{field}` to `{s}`"),
                None => format!("remove `{field}`: the API does not define it"),
            };
            let label = match &p.suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => "unknown field".to_string(),
            };
            out.push(
                Diagnostic::new(META.id, META.default_severity, p.error.message.clone())
                    .at(p.object.clone(), p.error.span.clone(), p.error.path.clone())
                    .label(label)
                    .help(help),
            );
        }
    }
}
