use super::{default_deny_yaml, isolates_namespace};
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::load::ObjectRef;
use crate::model::{Action, Cluster, ClusterPeerKind, Direction, IpSet, Labels, Subject};
use crate::text::count;

pub struct NamespaceWithoutDefaultDeny;

static META: RuleMeta = RuleMeta {
    id: "namespace-without-default-deny",
    default_severity: Severity::Warning,
    summary: "A namespace with workloads has no default-deny for ingress, or for egress (one finding each). System namespaces are excluded; a cluster policy (Baseline or Admin tier) whose subject holds the whole namespace and that denies every peer on every port counts as one.",
    why: "Without a policy that selects every pod (`podSelector: {}`) for a direction, every new pod starts fully open in that direction; zero trust needs the deny first and explicit allows after it.",
    example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: team-a\n# ... and no NetworkPolicy with podSelector: {} in team-a",
    fix: "Add a default-deny for the direction (and allow DNS when it is egress).\n\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny-all\n  namespace: team-a\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]",
};

impl Rule for NamespaceWithoutDefaultDeny {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let cluster = cx.engine.cluster();
        let mut covered = vec![[false, false]; cluster.namespaces.len()];
        for (_, p) in cx.policies() {
            if let Some(ns) = cluster.find_namespace(&p.namespace) {
                covered[ns][0] |= isolates_namespace(p, Direction::Ingress);
                covered[ns][1] |= isolates_namespace(p, Direction::Egress);
            }
        }
        for (ns, n) in cluster.namespaces.iter().enumerate() {
            for (i, d) in [Direction::Ingress, Direction::Egress]
                .into_iter()
                .enumerate()
            {
                covered[ns][i] |= cluster_default_deny(cluster, &n.labels, d);
            }
        }
        for (ns, n) in cluster.namespaces.iter().enumerate() {
            let pods = &cx.ns_endpoints[ns];
            if pods.is_empty() || cx.is_system_namespace(&n.name) {
                continue;
            }
            let object = ObjectRef {
                kind: "Namespace".into(),
                namespace: None,
                name: n.name.clone(),
            };
            // Point at the Namespace object, or else at the first workload in it.
            let (span, path) = match &n.span {
                Some(s) => (s.clone(), "metadata.name"),
                None => (
                    cluster.endpoints[pods[0]].span.clone(),
                    "metadata.namespace",
                ),
            };
            for (i, d) in [Direction::Ingress, Direction::Egress]
                .into_iter()
                .enumerate()
            {
                if covered[ns][i] {
                    continue;
                }
                let dir = d.field();
                let mut help = format!(
                    "add a NetworkPolicy with `podSelector: {{}}` and `policyTypes: [{}]` in {}",
                    d.as_str(),
                    n.name
                );
                if d == Direction::Egress {
                    help.push_str(", together with a DNS egress policy");
                }
                out.push(
                    Diagnostic::new(
                        META.id,
                        META.default_severity,
                        format!(
                            "namespace {} has {} and no default-deny for {dir}: every pod there is open for {dir} unless a policy selects it",
                            n.name,
                            count(pods.len(), "workload")
                        ),
                    )
                    .at(Some(object.clone()), Some(span.clone()), path)
                    .label(format!("no default-deny {dir}"))
                    .help(help)
                    .fix(default_deny_yaml(&n.name, &format!("default-deny-{dir}"), &[d])),
                );
            }
        }
    }
}

/// Whether a cluster policy denies every peer on every port for `d` to every pod of the
/// namespace with these labels: its subject holds the whole namespace, and one of its rules
/// is a Deny without ports whose peers are every namespace (and, for egress, every IPv4 and
/// IPv6 address).
fn cluster_default_deny(cluster: &Cluster, ns_labels: &Labels, d: Direction) -> bool {
    let everything = |set: &IpSet| {
        [
            "0.0.0.0",
            "255.255.255.255",
            "::",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        ]
        .iter()
        .all(|a| a.parse().is_ok_and(|ip| set.contains(ip)))
            && set.ranges().len() == 2
    };
    cluster.cluster_policies.iter().any(|p| {
        let whole = match &p.subject {
            Subject::Namespaces(sel) => sel.matches(ns_labels),
            Subject::Pods { namespace, pod } => pod.is_empty() && namespace.matches(ns_labels),
        };
        whole
            && p.rules(d).iter().any(|r| {
                let all_pods = r
                    .peers
                    .iter()
                    .any(|x| matches!(&x.kind, ClusterPeerKind::Namespaces(s) if s.is_empty()));
                let all_ips = d == Direction::Ingress
                || r.peers.iter().any(
                    |x| matches!(&x.kind, ClusterPeerKind::Networks { set, .. } if everything(set)),
                );
                r.action == Action::Deny && r.ports.is_none() && all_pods && all_ips
            })
    })
}
