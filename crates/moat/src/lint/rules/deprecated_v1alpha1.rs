use crate::convert::{converted_name, to_v1alpha2};
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::ClusterPolicyKind;

pub struct DeprecatedV1alpha1;

static META: RuleMeta = RuleMeta {
    id: "deprecated-v1alpha1",
    default_severity: Severity::Warning,
    summary: "An AdminNetworkPolicy or BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1): upstream replaced both with the v1alpha2 ClusterNetworkPolicy.",
    why: "network-policy-api merged the two kinds into ClusterNetworkPolicy with a `tier` (NPEP-285) and removed the v1alpha1 CRDs from its release channels; implementations follow. Policies left on v1alpha1 stop being enforced when the cluster moves to the new CRDs.",
    example: "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: deny-metadata\nspec:\n  priority: 10\n  subject:\n    namespaces: {}\n  egress:\n    - action: Deny\n      to:\n        - networks: [169.254.169.254/32]",
    fix: "Apply the v1alpha2 translation (`moat convert` writes it and proves it equal).\n\napiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: deny-metadata\nspec:\n  tier: Admin\n  priority: 10\n  subject:\n    namespaces: {}\n  egress:\n    - action: Deny\n      to:\n        - networks: [169.254.169.254/32]",
};

impl Rule for DeprecatedV1alpha1 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let all = &cx.engine.cluster().cluster_policies;
        for (cid, p) in cx.cluster_policies() {
            if !p.kind.is_deprecated() {
                continue;
            }
            let tier = match p.kind {
                ClusterPolicyKind::BaselineAdminNetworkPolicy => "Baseline",
                _ => "Admin",
            };
            let mut d = Diagnostic::new(
                META.id,
                META.default_severity,
                format!(
                    "{} is v1alpha1, superseded by the v1alpha2 ClusterNetworkPolicy with tier {tier}",
                    p.id()
                ),
            )
            .at(Some(cx.cluster_policy_ref(cid)), Some(p.span.clone()), "apiVersion")
            .label("policy.networking.k8s.io/v1alpha1")
            .help("replace it with the ClusterNetworkPolicy below (`moat convert` writes every one and proves the translation decides every flow alike)");
            match to_v1alpha2(p, &converted_name(p, all)) {
                Ok(yaml) => d = d.fix(yaml),
                Err(e) => {
                    d.help = format!(
                        "{}; it cannot be translated as it is: {}",
                        d.help, e.message
                    );
                }
            }
            out.push(d);
        }
    }
}
