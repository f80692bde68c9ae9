use std::collections::BTreeSet;

use super::rule_path;
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::{Direction, PortMatch};

pub struct NamedPortUnresolved;

static META: RuleMeta = RuleMeta {
    id: "named-port-unresolved",
    default_severity: Severity::Warning,
    summary: "A named port matches no container port of any pod the rule can apply to (ingress: the selected pods; egress: the peer's pods).",
    why: "A named port resolves against the destination pod's `containerPort` names, per pod and per protocol. A name no destination defines (a typo, or `dns` with the wrong protocol) allows nothing.",
    example: "ingress:\n  - ports:\n      - protocol: TCP\n        port: htttp",
    fix: "Use a name the destination pods declare in `ports[].name` (with the same protocol), or the number.\n\ningress:\n  - ports:\n      - protocol: TCP\n        port: http",
};

impl Rule for NamedPortUnresolved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let cluster = cx.engine.cluster();
        for (pid, p) in cx.policies() {
            for d in [Direction::Ingress, Direction::Egress] {
                for (ri, r) in p.rules(d).iter().enumerate() {
                    let Some(ports) = &r.ports else { continue };
                    if !ports.iter().any(|x| matches!(x.port, PortMatch::Named(_))) {
                        continue;
                    }
                    let dests: Vec<usize> = match d {
                        Direction::Ingress => {
                            cx.engine.compiled().policies[pid].selected.iter().collect()
                        }
                        Direction::Egress => cx.rule_peer_endpoints(pid, d, ri).unwrap_or_default(),
                    };
                    if dests.is_empty() {
                        continue; // nothing to resolve against: other rules say so
                    }
                    for (pi, port) in ports.iter().enumerate() {
                        let PortMatch::Named(name) = &port.port else {
                            continue;
                        };
                        if dests.iter().any(|&e| {
                            cluster.endpoints[e]
                                .named_port(name, port.protocol)
                                .is_some()
                        }) {
                            continue;
                        }
                        let other_proto: Option<&str> = dests
                            .iter()
                            .flat_map(|&e| cluster.endpoints[e].ports.iter())
                            .find(|c| c.name.as_deref() == Some(name.as_str()))
                            .map(|c| c.protocol.as_str());
                        let names: BTreeSet<String> = dests
                            .iter()
                            .flat_map(|&e| cluster.endpoints[e].ports.iter())
                            .filter_map(|c| {
                                c.name
                                    .as_ref()
                                    .map(|n| format!("{n} ({}/{})", c.protocol, c.port))
                            })
                            .collect();
                        let help = match other_proto {
                            Some(proto) => format!(
                                "`{name}` is a {proto} port on those pods: set `protocol: {proto}`"
                            ),
                            None if names.is_empty() => {
                                "those pods name no container port: use the port number".to_string()
                            }
                            None => format!(
                                "those pods name their ports {}: use one of these, or the number",
                                names.into_iter().take(8).collect::<Vec<_>>().join(", ")
                            ),
                        };
                        let whose = match d {
                            Direction::Ingress => "pod the policy selects",
                            Direction::Egress => "pod the rule's peers match",
                        };
                        out.push(
                            Diagnostic::new(
                                META.id,
                                META.default_severity,
                                format!(
                                    "named port `{name}` ({}) is no container port of any {whose}",
                                    port.protocol
                                ),
                            )
                            .at(
                                Some(cx.policy_ref(pid)),
                                Some(p.span.clone()),
                                format!("{}.ports[{pi}].port", rule_path(d, ri)),
                            )
                            .label("resolves on no pod")
                            .help(help),
                        );
                    }
                }
            }
        }
    }
}
