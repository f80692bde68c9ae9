use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::load::ObjectRef;
use crate::model::Direction;

pub struct UnguardedExternalService;

static META: RuleMeta = RuleMeta {
    id: "unguarded-external-service",
    default_severity: Severity::Warning,
    summary: "A NodePort or LoadBalancer Service exposes pods that no NetworkPolicy isolates for ingress.",
    why: "The Service opens the pods to clients outside the cluster through every node, and nothing restricts who may connect. NetworkPolicy cannot guard the node port itself; it can only restrict the pods behind it (and with `externalTrafficPolicy: Cluster` it sees a node's address, not the client's).",
    example: "kind: Service\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports:\n    - port: 443",
    fix: "Isolate the pods for ingress and allow only the expected sources (an ipBlock for external clients, with `externalTrafficPolicy: Local` so that the client address is preserved).\n\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web-ingress\nspec:\n  podSelector:\n    matchLabels: {app: web}\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - ipBlock:\n            cidr: 203.0.113.0/24\n      ports:\n        - protocol: TCP\n          port: 443",
};

impl Rule for UnguardedExternalService {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let cluster = cx.engine.cluster();
        let view = cx.engine.view();
        for s in &cluster.services {
            if s.type_ != "NodePort" && s.type_ != "LoadBalancer" {
                continue;
            }
            let Some(sel) = s.selector.as_ref().filter(|m| !m.is_empty()) else {
                continue;
            };
            let Some(ns) = cluster.find_namespace(&s.namespace) else {
                continue;
            };
            let open: Vec<usize> = cx.ns_endpoints[ns]
                .iter()
                .copied()
                .filter(|&e| {
                    sel.iter()
                        .all(|(k, v)| cluster.endpoints[e].labels.get(k) == Some(v))
                })
                .filter(|&e| view.isolating(Direction::Ingress, e).is_empty())
                .collect();
            if open.is_empty() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    META.id,
                    META.default_severity,
                    format!(
                        "{} Service {}/{} exposes pods outside the cluster that no NetworkPolicy isolates for ingress: {}",
                        s.type_,
                        s.namespace,
                        s.name,
                        cx.endpoint_list(&open, 3)
                    ),
                )
                .at(
                    Some(ObjectRef { kind: "Service".into(), namespace: Some(s.namespace.clone()), name: s.name.clone() }),
                    Some(s.span.clone()),
                    "spec.type",
                )
                .label("reachable from outside, unguarded")
                .help("isolate these pods for ingress and allow only the expected sources; with externalTrafficPolicy: Cluster, policies see a node's address instead of the client's"),
            );
        }
    }
}
