use super::rule_path;
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::{Direction, PeerKind};

pub struct IngressOpenToAll;

static META: RuleMeta = RuleMeta {
    id: "ingress-open-to-all",
    default_severity: Severity::Warning,
    summary: "An ingress rule admits every namespace (`namespaceSelector: {}`) or every source (no `from`), on all ports.",
    why: "Such a rule undoes isolation for the selected pods: any compromised pod anywhere in the cluster (or, without `from`, anywhere at all) reaches every port, including admin and debug ports.",
    example: "ingress:\n  - from:\n      - namespaceSelector: {}",
    fix: "Name the ports (and, where possible, the namespaces) that need access.\n\ningress:\n  - from:\n      - namespaceSelector: {}\n    ports:\n      - protocol: TCP\n        port: 5044",
};

impl Rule for IngressOpenToAll {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for (pid, p) in cx.policies() {
            if !p.policy_types.ingress {
                continue;
            }
            for (ri, r) in p.ingress.iter().enumerate() {
                if r.ports.is_some() {
                    continue;
                }
                let base = rule_path(Direction::Ingress, ri);
                let (path, what) = match &r.peers {
                    None => (base.clone(), "every source, in or outside the cluster"),
                    Some(peers) => {
                        let open = peers.iter().position(|x| match &x.kind {
                            PeerKind::Selectors {
                                namespace: Some(ns),
                                pod,
                            } => ns.is_empty() && pod.as_ref().is_none_or(|s| s.is_empty()),
                            _ => false,
                        });
                        let Some(i) = open else { continue };
                        (format!("{base}.from[{i}]"), "every pod of every namespace")
                    }
                };
                out.push(
                    Diagnostic::new(
                        META.id,
                        META.default_severity,
                        format!("ingress rule admits {what} on all ports"),
                    )
                    .at(Some(cx.policy_ref(pid)), Some(p.span.clone()), path)
                    .label("open to all, on all ports")
                    .help("list the ports that need access under `ports`, and narrow the sources where possible"),
                );
            }
        }
    }
}
