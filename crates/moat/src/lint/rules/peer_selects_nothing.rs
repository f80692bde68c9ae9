use super::rule_path;
use crate::engine::{BitSet, PeerSet};
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::{Direction, LabelSelector, PeerKind};
use crate::text::noun;

pub struct PeerSelectsNothing;

static META: RuleMeta = RuleMeta {
    id: "peer-selects-nothing",
    default_severity: Severity::Warning,
    summary: "A `from`/`to` peer matches no pod, or its `namespaceSelector` matches no namespace of the input.",
    why: "The rule allows nothing, so the traffic it was meant for is denied. The usual cause is a namespace selected by a label it does not carry (custom labels must be set by hand; only `kubernetes.io/metadata.name` is automatic), or a podSelector without namespaceSelector that looks in the policy's own namespace for pods that live elsewhere.",
    example: "ingress:\n  - from:\n      - namespaceSelector:\n          matchLabels:\n            team: frontend",
    fix: "Select namespaces by a label they carry, usually the automatic name label.\n\ningress:\n  - from:\n      - namespaceSelector:\n          matchLabels:\n            kubernetes.io/metadata.name: frontend",
};

/// The first requirement no namespace satisfies, as `key=value`.
fn missing_label(cx: &Context, sel: &LabelSelector) -> Option<String> {
    let namespaces = &cx.engine.cluster().namespaces;
    sel.requirements
        .iter()
        .find(|r| !namespaces.iter().any(|ns| r.matches(&ns.labels)))
        .map(|r| r.to_string())
}

impl Rule for PeerSelectsNothing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let cluster = cx.engine.cluster();
        let compiled = cx.engine.compiled();
        let declared_namespaces = cluster.namespaces.iter().any(|n| n.span.is_some());
        let all_ns = BitSet::full(cluster.namespaces.len());
        for (pid, p) in cx.policies() {
            let own_ns = cluster.find_namespace(&p.namespace);
            for d in [Direction::Ingress, Direction::Egress] {
                for (ri, (r, cr)) in p
                    .rules(d)
                    .iter()
                    .zip(compiled.policies[pid].rules(d))
                    .enumerate()
                {
                    let (Some(peers), Some(sets)) = (&r.peers, &cr.peers) else {
                        continue;
                    };
                    for (pi, (peer, set)) in peers.iter().zip(sets).enumerate() {
                        let (PeerKind::Selectors { namespace, pod }, PeerSet::Endpoints(bits)) =
                            (&peer.kind, set)
                        else {
                            continue;
                        };
                        if !bits.is_empty() {
                            continue;
                        }
                        let path = format!("{}.{}[{pi}]", rule_path(d, ri), d.peers_field());
                        let namespaces: Vec<usize> = match namespace {
                            Some(sel) => compiled
                                .namespace_index
                                .select(sel, &all_ns)
                                .iter()
                                .collect(),
                            None => own_ns.into_iter().collect(),
                        };
                        let diag = if let (Some(sel), true) = (namespace, namespaces.is_empty()) {
                            if !declared_namespaces {
                                continue; // no Namespace objects: their labels are unknown
                            }
                            let why = match missing_label(cx, sel) {
                                Some(l) => format!("no namespace of the input carries `{l}`"),
                                None => format!("no namespace carries all of {{{sel}}}"),
                            };
                            Diagnostic::new(
                                META.id,
                                META.default_severity,
                                format!("namespaceSelector {{{sel}}} matches no namespace: {why}"),
                            )
                            .at(Some(cx.policy_ref(pid)), Some(p.span.clone()), format!("{path}.namespaceSelector"))
                            .label(why.clone())
                            .help("label the namespace, or select it by its automatic name label `kubernetes.io/metadata.name: <name>`")
                        } else {
                            let pods: usize =
                                namespaces.iter().map(|&n| cx.ns_endpoints[n].len()).sum();
                            if pods == 0 {
                                continue; // no workloads of those namespaces in the input
                            }
                            let names: Vec<&str> = namespaces
                                .iter()
                                .map(|&n| cluster.namespaces[n].name.as_str())
                                .collect();
                            let sel = pod.clone().unwrap_or_default();
                            let mut help =
                                "fix the podSelector to the labels the pods carry".to_string();
                            if namespace.is_none() {
                                help.push_str(&format!(
                                    "; a podSelector without namespaceSelector only looks in the policy's own namespace ({}): add a namespaceSelector in the same peer for pods elsewhere",
                                    p.namespace
                                ));
                            }
                            let host = namespaces
                                .iter()
                                .flat_map(|&n| cx.ns_endpoints[n].iter())
                                .any(|&e| {
                                    cluster.endpoints[e].host_network
                                        && sel.matches(&cluster.endpoints[e].labels)
                                });
                            if host {
                                help.push_str("; the pods it matches are hostNetwork, which selector peers never match");
                            }
                            Diagnostic::new(
                                META.id,
                                META.default_severity,
                                format!(
                                    "podSelector {{{sel}}} matches no pod in {} {}",
                                    noun(names.len(), "namespace"),
                                    names.join(", ")
                                ),
                            )
                            .at(Some(cx.policy_ref(pid)), Some(p.span.clone()), path)
                            .label("matches no pod")
                            .help(help)
                        };
                        out.push(diag);
                    }
                }
            }
        }
    }
}
