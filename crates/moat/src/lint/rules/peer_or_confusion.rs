use super::rule_path;
use crate::lint::yamlfmt::{peer_item, selector_lines};
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::{Direction, LabelSelector, PeerKind};

pub struct PeerOrConfusion;

static META: RuleMeta = RuleMeta {
    id: "peer-or-confusion",
    default_severity: Severity::Warning,
    summary: "One rule's `from`/`to` list holds a peer with only `namespaceSelector` and another with only `podSelector`: they are ORed, and almost always meant as one AND peer.",
    why: "Two list items are two peers, either of which matches: any pod of the selected namespaces, OR the selected pods of the policy's own namespace. The difference from the intended AND (those pods, in those namespaces) is one `-`, and it opens far more than intended while the intended pods often match neither peer.",
    example: "egress:\n  - to:\n      - namespaceSelector:\n          matchLabels:\n            kubernetes.io/metadata.name: kube-system\n      - podSelector:\n          matchLabels:\n            k8s-app: kube-dns",
    fix: "Put both selectors in one peer (drop the second `-`), unless OR is really meant; then write two rules.\n\negress:\n  - to:\n      - namespaceSelector:\n          matchLabels:\n            kubernetes.io/metadata.name: kube-system\n        podSelector:\n          matchLabels:\n            k8s-app: kube-dns",
};

fn describe(sel: &LabelSelector) -> String {
    if sel.is_empty() {
        "every".to_string()
    } else {
        sel.to_string()
    }
}

impl Rule for PeerOrConfusion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for (pid, p) in cx.policies() {
            for d in [Direction::Ingress, Direction::Egress] {
                for (ri, r) in p.rules(d).iter().enumerate() {
                    let Some(peers) = &r.peers else { continue };
                    let ns_only = peers.iter().position(|x| {
                        matches!(
                            &x.kind,
                            PeerKind::Selectors {
                                namespace: Some(_),
                                pod: None
                            }
                        )
                    });
                    let pod_only = peers.iter().position(|x| {
                        matches!(
                            &x.kind,
                            PeerKind::Selectors {
                                namespace: None,
                                pod: Some(_)
                            }
                        )
                    });
                    let (Some(ni), Some(pi)) = (ns_only, pod_only) else {
                        continue;
                    };
                    let (
                        PeerKind::Selectors {
                            namespace: Some(ns),
                            ..
                        },
                        PeerKind::Selectors { pod: Some(pod), .. },
                    ) = (&peers[ni].kind, &peers[pi].kind)
                    else {
                        continue;
                    };
                    let field = d.peers_field();
                    let base = rule_path(d, ri);
                    let as_written = format!(
                        "as written: any pod in namespaces {{{}}}, OR pods {{{}}} in {}",
                        describe(ns),
                        describe(pod),
                        p.namespace
                    );
                    let meant = format!(
                        "probably meant: pods {{{}}} in namespaces {{{}}}",
                        describe(pod),
                        describe(ns)
                    );
                    // The fixed rule: the two peers merged, the others kept.
                    let mut lines = vec![format!("- {field}:")];
                    for (i, peer) in peers.iter().enumerate() {
                        if i == pi {
                            continue;
                        }
                        if i == ni {
                            lines.push("    - namespaceSelector:".to_string());
                            lines.extend(selector_lines(ns, 8));
                            if ns.is_empty() {
                                let n = lines.len() - 1;
                                lines[n] = "    - namespaceSelector: {}".to_string();
                            }
                            lines.push("      podSelector:".to_string());
                            lines.extend(selector_lines(pod, 8));
                            if pod.is_empty() {
                                let n = lines.len() - 1;
                                lines[n] = "      podSelector: {}".to_string();
                            }
                        } else {
                            lines.extend(peer_item(&peer.kind, 4));
                        }
                    }
                    if let Some(ports) = &r.ports {
                        lines.push("  ports:".to_string());
                        for port in ports {
                            lines.push(format!("    - protocol: {}", port.protocol));
                            match &port.port {
                                crate::model::PortMatch::All => {}
                                crate::model::PortMatch::Range(a, b) if a == b => {
                                    lines.push(format!("      port: {a}"))
                                }
                                crate::model::PortMatch::Range(a, b) => {
                                    lines.push(format!("      port: {a}"));
                                    lines.push(format!("      endPort: {b}"));
                                }
                                crate::model::PortMatch::Named(n) => {
                                    lines.push(format!("      port: {n}"))
                                }
                            }
                        }
                    }
                    let mut fix = lines.join("\n");
                    fix.push('\n');
                    out.push(
                        Diagnostic::new(
                            META.id,
                            META.default_severity,
                            format!(
                                "`{field}` of {base} ORs a namespaceSelector-only peer with a podSelector-only peer; one peer with both was probably meant"
                            ),
                        )
                        .at(Some(cx.policy_ref(pid)), Some(p.span.clone()), format!("{base}.{field}[{pi}]"))
                        .label(format!("OR: pods {{{}}} of {} only", describe(pod), p.namespace))
                        .related(
                            Some(p.span.clone()),
                            format!("{base}.{field}[{ni}]"),
                            format!("OR: every pod of namespaces {{{}}}", describe(ns)),
                        )
                        .help(format!("{as_written}; {meant}. For AND, make both selectors one peer (remove the `-` before `podSelector`)"))
                        .fix(fix),
                    );
                }
            }
        }
    }
}
