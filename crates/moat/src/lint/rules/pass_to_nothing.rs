use super::rule_path;
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::{Action, ClusterTier, Direction};

pub struct PassToNothing;

static META: RuleMeta = RuleMeta {
    id: "pass-to-nothing",
    default_severity: Severity::Warning,
    summary: "A Pass rule hands traffic to tiers where nothing applies: no NetworkPolicy isolates its subject pods and no Baseline policy covers them (or the Pass is in the Baseline tier itself), so it allows like Accept.",
    why: "Pass means \"let the namespace owner or the baseline decide\". When neither exists, the traffic falls through to Kubernetes' default allow: the rule reads as a restriction but allows everything it matches.",
    example: "kind: ClusterNetworkPolicy\nspec:\n  tier: Admin\n  priority: 5\n  subject:\n    namespaces: {matchLabels: {team: a}}\n  ingress:\n    - action: Pass\n      from: [{namespaces: {}}]",
    fix: "Say what should happen: Accept it in the Admin tier, add the Baseline (or NetworkPolicy) that decides it, or Deny.\n\nkind: ClusterNetworkPolicy\nspec:\n  tier: Baseline\n  priority: 100\n  subject:\n    namespaces: {matchLabels: {team: a}}\n  ingress:\n    - action: Deny\n      from: [{namespaces: {}}]",
};

impl Rule for PassToNothing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let view = cx.engine.view();
        let cc = &cx.engine.compiled().cluster_policies;
        for (cid, p) in cx.cluster_policies() {
            for d in [Direction::Ingress, Direction::Egress] {
                for (ri, r) in p.rules(d).iter().enumerate() {
                    if r.action != Action::Pass {
                        continue;
                    }
                    let why = match p.tier {
                        ClusterTier::Baseline => Some("the Baseline tier is the last: a Pass there goes to the default, allow".to_string()),
                        ClusterTier::Admin => {
                            let subject = &cc.policies[cid].subject;
                            let n = subject.iter().count();
                            let decided = subject.iter().any(|e| {
                                !view.isolating(d, e).is_empty()
                                    || !cc.applying(ClusterTier::Baseline, d, e).is_empty()
                            });
                            (n > 0 && !decided).then(|| format!(
                                "no NetworkPolicy isolates its {} for {} and no Baseline policy applies to them",
                                crate::text::count(n, "subject pod"),
                                d.as_str().to_lowercase()
                            ))
                        }
                    };
                    let Some(why) = why else { continue };
                    out.push(
                        Diagnostic::new(
                            META.id,
                            META.default_severity,
                            format!("{} {}[{ri}]{} is a Pass to nothing: {why}; it allows what it matches", p.id(), d.field(), r.name_suffix()),
                        )
                        .at(Some(cx.cluster_policy_ref(cid)), Some(p.span.clone()), format!("{}.action", rule_path(d, ri)))
                        .label("Pass")
                        .help("use Accept if allowing is intended; otherwise add the NetworkPolicy or Baseline policy that should decide, or Deny here"),
                    );
                }
            }
        }
    }
}
