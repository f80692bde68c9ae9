use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::EndpointKind;

pub struct NoEnforcingCni;

static META: RuleMeta = RuleMeta {
    id: "no-enforcing-cni",
    default_severity: Severity::Error,
    summary: "The input holds a CNI known not to enforce NetworkPolicy (Flannel alone, the AWS VPC CNI without its policy agent) and none that does (Calico, Cilium, Antrea, Weave Net, Canal, kube-router, the AWS network policy agent). Silent when no CNI is in the input.",
    why: "The API server stores NetworkPolicies whatever the CNI; enforcing them is the CNI's job. On Flannel (k3s' default) or kubenet every policy is a silent no-op: no error, no event, all traffic flows.",
    example: "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: kube-flannel-ds\n  namespace: kube-flannel\nspec:\n  template:\n    spec:\n      containers:\n        - name: kube-flannel\n          image: docker.io/flannel/flannel:v0.25.6",
    fix: "Install a CNI that enforces policy: Calico in policy-only mode next to Flannel (Canal), or migrate to Calico, Cilium or Antrea; on EKS enable the VPC CNI's network policy agent.",
};

/// Image name fragments of CNIs that enforce NetworkPolicy.
const ENFORCING: &[(&str, &str)] = &[
    ("calico/node", "Calico"),
    ("calico-node", "Calico"),
    ("cilium/cilium", "Cilium"),
    ("cilium-agent", "Cilium"),
    ("antrea", "Antrea"),
    ("weave-npc", "Weave Net"),
    ("weave-kube", "Weave Net"),
    ("kube-router", "kube-router"),
    ("aws-network-policy-agent", "the AWS network policy agent"),
];

/// Image name fragments of CNIs that do not enforce NetworkPolicy on their own.
const NON_ENFORCING: &[(&str, &str)] = &[
    ("flannel", "Flannel"),
    (
        "amazon-k8s-cni",
        "the AWS VPC CNI (without its network policy agent)",
    ),
];

fn base_name(image: &str) -> &str {
    // registry/path/name:tag@digest -> path/name, compared by fragment.
    let no_digest = image.split('@').next().unwrap_or(image);
    match no_digest.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => no_digest,
    }
}

impl Rule for NoEnforcingCni {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let cluster = cx.engine.cluster();
        let mut enforcing = false;
        let mut found = Vec::new();
        for (e, ep) in cluster.endpoints.iter().enumerate() {
            for (ci, image) in ep.images.iter().enumerate() {
                let name = base_name(image);
                if ENFORCING.iter().any(|(f, _)| name.contains(f)) {
                    enforcing = true;
                } else if let Some((_, cni)) = NON_ENFORCING.iter().find(|(f, _)| name.contains(f))
                {
                    // flannel's CNI plugin image is an init container; `images` holds containers only.
                    found.push((e, ci, *cni, image.clone()));
                }
            }
        }
        if enforcing {
            return;
        }
        let policies = cluster.policies.len();
        for (e, ci, cni, image) in found {
            let ep = &cluster.endpoints[e];
            let spec = match &ep.kind {
                EndpointKind::Pod => "spec",
                EndpointKind::Workload { kind, .. } if kind == "CronJob" => {
                    "spec.jobTemplate.spec.template.spec"
                }
                EndpointKind::Workload { .. } => "spec.template.spec",
            };
            out.push(
                Diagnostic::new(
                    META.id,
                    META.default_severity,
                    format!(
                        "{cni} does not enforce NetworkPolicy and no enforcing CNI is in the input: {} no effect", if policies == 1 { "the 1 NetworkPolicy object has".to_string() } else { format!("the {policies} NetworkPolicy objects have") }
                    ),
                )
                .at(Some(cx.endpoint_ref(e)), Some(ep.span.clone()), format!("{spec}.containers[{ci}].image"))
                .label(format!("{image}: no NetworkPolicy enforcement"))
                .help("run a CNI that enforces NetworkPolicy: Calico for policy next to Flannel (Canal), Cilium, Antrea; on EKS enable the VPC CNI network policy agent"),
            );
        }
    }
}
