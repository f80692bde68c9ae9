use super::rule_path;
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::{Direction, PortMatch, TargetPort};

pub struct ServicePortNotContainerPort;

static META: RuleMeta = RuleMeta {
    id: "service-port-not-container-port",
    default_severity: Severity::Warning,
    summary: "A rule's port equals a Service `port` whose `targetPort` differs and matches no container port of the pods behind the Service.",
    why: "NetworkPolicy is evaluated after the Service's DNAT: it sees the pod's port (`targetPort`), never the Service port. A rule on the Service port allows nothing that clients actually send.",
    example: "kind: Service\nspec:\n  selector: {app: api}\n  ports:\n    - port: 80\n      targetPort: 8080\n---\nkind: NetworkPolicy\nspec:\n  podSelector:\n    matchLabels: {app: api}\n  ingress:\n    - ports:\n        - protocol: TCP\n          port: 80",
    fix: "Use the container port (the Service's `targetPort`), or its name.\n\ningress:\n  - ports:\n      - protocol: TCP\n        port: 8080",
};

impl Rule for ServicePortNotContainerPort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let cluster = cx.engine.cluster();
        if cluster.services.is_empty() {
            return;
        }
        // Pods behind each Service (selector in the Service's namespace).
        let backends: Vec<Vec<usize>> = cluster
            .services
            .iter()
            .map(|s| {
                let Some(sel) = s.selector.as_ref().filter(|m| !m.is_empty()) else {
                    return Vec::new();
                };
                let Some(ns) = cluster.find_namespace(&s.namespace) else {
                    return Vec::new();
                };
                cx.ns_endpoints[ns]
                    .iter()
                    .copied()
                    .filter(|&e| {
                        sel.iter()
                            .all(|(k, v)| cluster.endpoints[e].labels.get(k) == Some(v))
                    })
                    .collect()
            })
            .collect();
        for (pid, p) in cx.policies() {
            for d in [Direction::Ingress, Direction::Egress] {
                for (ri, r) in p.rules(d).iter().enumerate() {
                    let Some(ports) = &r.ports else { continue };
                    let dests: Option<Vec<usize>> = match d {
                        Direction::Ingress => {
                            Some(cx.engine.compiled().policies[pid].selected.iter().collect())
                        }
                        Direction::Egress => cx.rule_peer_endpoints(pid, d, ri),
                    };
                    let Some(dests) = dests else { continue };
                    for (pi, port) in ports.iter().enumerate() {
                        let PortMatch::Range(a, b) = port.port else {
                            continue;
                        };
                        if a != b {
                            continue;
                        }
                        for (si, s) in cluster.services.iter().enumerate() {
                            let behind = &backends[si];
                            if behind.is_empty() || !behind.iter().any(|e| dests.contains(e)) {
                                continue;
                            }
                            let Some(sp) = s
                                .ports
                                .iter()
                                .find(|sp| sp.port == a && sp.protocol == port.protocol)
                            else {
                                continue;
                            };
                            if sp.target == TargetPort::Number(a) {
                                continue;
                            }
                            let is_container_port = behind.iter().any(|&e| {
                                cluster.endpoints[e]
                                    .ports
                                    .iter()
                                    .any(|c| c.port == a && c.protocol == port.protocol)
                            });
                            if is_container_port {
                                continue;
                            }
                            let target = match &sp.target {
                                TargetPort::Number(n) => n.to_string(),
                                TargetPort::Name(n) => n.clone(),
                            };
                            out.push(
                                Diagnostic::new(
                                    META.id,
                                    META.default_severity,
                                    format!(
                                        "port {a} is the port of Service {}/{}, whose pods listen on targetPort {target}: NetworkPolicy sees the pod's port",
                                        s.namespace, s.name
                                    ),
                                )
                                .at(Some(cx.policy_ref(pid)), Some(p.span.clone()), format!("{}.ports[{pi}].port", rule_path(d, ri)))
                                .label(format!("Service port, not the pods' port {target}"))
                                .help(format!("use the targetPort {target}"))
                                .fix(format!("ports:\n  - protocol: {}\n    port: {target}\n", port.protocol)),
                            );
                        }
                    }
                }
            }
        }
    }
}
