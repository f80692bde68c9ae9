use super::rule_path;
use crate::engine::{CompiledRule, PeerSet};
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::{Direction, PolicyPort, PortMatch};

pub struct TierPriorityOverlap;

static META: RuleMeta = RuleMeta {
    id: "tier-priority-overlap",
    default_severity: Severity::Warning,
    summary: "Two cluster policies of one tier share a priority, apply to the same pods, and have rules with different actions that can match the same traffic.",
    why: "The API leaves the order of equal priorities to the implementation: \"there is no way for the user to reliably determine which one it will choose\". The same manifests can allow on one CNI and deny on another, or after an upgrade. (moat orders them by name so that its own answers are reproducible.)",
    example: "kind: ClusterNetworkPolicy\nmetadata:\n  name: allow-monitoring\nspec:\n  tier: Admin\n  priority: 10\n  subject: {namespaces: {}}\n  ingress:\n    - action: Accept\n      from: [{namespaces: {matchLabels: {team: monitoring}}}]\n---\nkind: ClusterNetworkPolicy\nmetadata:\n  name: deny-cross-namespace\nspec:\n  tier: Admin\n  priority: 10\n  subject: {namespaces: {}}\n  ingress:\n    - action: Deny\n      from: [{namespaces: {}}]",
    fix: "Give the policies distinct priorities, the one that must win lower.\n\nspec:\n  tier: Admin\n  priority: 9",
};

fn ports_overlap(a: &Option<Vec<PolicyPort>>, b: &Option<Vec<PolicyPort>>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return true;
    };
    a.iter().any(|x| {
        b.iter().any(|y| {
            x.protocol == y.protocol
                && match (&x.port, &y.port) {
                    (PortMatch::Range(a1, b1), PortMatch::Range(a2, b2)) => a1 <= b2 && a2 <= b1,
                    (PortMatch::Named(n1), PortMatch::Named(n2)) => n1 == n2,
                    // A named port may resolve to any number.
                    _ => true,
                }
        })
    })
}

fn peers_overlap(cx: &Context, a: &CompiledRule, b: &CompiledRule) -> bool {
    let c = cx.engine.cluster();
    let sets = |r: &CompiledRule| r.peers.clone().unwrap_or_default();
    sets(a).iter().any(|x| {
        sets(b).iter().any(|y| match (x, y) {
            (PeerSet::Endpoints(p), PeerSet::Endpoints(q)) => p.iter().any(|e| q.contains(e)),
            (PeerSet::Ips(p), PeerSet::Ips(q)) => !p.intersect(q).is_empty(),
            (PeerSet::Endpoints(e), PeerSet::Ips(ips))
            | (PeerSet::Ips(ips), PeerSet::Endpoints(e)) => e
                .iter()
                .any(|i| c.endpoints[i].ips.iter().any(|ip| ips.contains(*ip))),
        })
    })
}

impl Rule for TierPriorityOverlap {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let c = cx.engine.cluster();
        let cc = &cx.engine.compiled().cluster_policies;
        // Without pods in the input, overlap cannot be ruled out: judge by the policies alone.
        let no_pods = c.endpoints.is_empty();
        let ps = &c.cluster_policies;
        for j in 0..ps.len() {
            for i in 0..j {
                let (a, b) = (&ps[i], &ps[j]);
                if a.tier != b.tier || a.priority.is_none() || a.priority != b.priority {
                    continue;
                }
                let shared = no_pods
                    || cc.policies[i]
                        .subject
                        .iter()
                        .any(|e| cc.policies[j].subject.contains(e));
                if !shared {
                    continue;
                }
                'dirs: for d in [Direction::Ingress, Direction::Egress] {
                    for (ri, ra) in a.rules(d).iter().enumerate() {
                        for (rj, rb) in b.rules(d).iter().enumerate() {
                            if ra.action == rb.action {
                                continue;
                            }
                            let (ca, cb) =
                                (&cc.policies[i].rules(d)[ri], &cc.policies[j].rules(d)[rj]);
                            if !ports_overlap(&ca.ports, &cb.ports)
                                || (!no_pods
                                    && !peers_overlap(cx, ca, cb)
                                    && !peers_may_be_external(ca, cb))
                            {
                                continue;
                            }
                            let prio = a.priority.unwrap_or_default();
                            out.push(
                                Diagnostic::new(
                                    META.id,
                                    META.default_severity,
                                    format!(
                                        "{} and {} share {} tier priority {prio} and can both match the same {} traffic with different actions ({} vs {}): their order is up to the implementation",
                                        b.id(),
                                        a.id(),
                                        b.tier,
                                        d.as_str().to_lowercase(),
                                        rb.action.spelled_for(b.kind),
                                        ra.action.spelled_for(a.kind)
                                    ),
                                )
                                .at(Some(cx.cluster_policy_ref(j)), Some(b.span.clone()), "spec.priority")
                                .label(format!("same priority as {}", a.id()))
                                .related(Some(a.span.clone()), format!("{}.action", rule_path(d, ri)), format!("the {} rule of {}", ra.action.spelled_for(a.kind), a.id()))
                                .help(format!("give one of them another priority (lower decides first); moat applies {} first (name order)", a.id())),
                            );
                            break 'dirs;
                        }
                    }
                }
            }
        }
    }
}

/// Two address-set peers can overlap on addresses outside the input even when no pod IP
/// is in both.
fn peers_may_be_external(a: &CompiledRule, b: &CompiledRule) -> bool {
    let ips = |r: &CompiledRule| -> Vec<crate::model::IpSet> {
        r.peers
            .iter()
            .flatten()
            .filter_map(|p| match p {
                PeerSet::Ips(s) => Some(s.clone()),
                PeerSet::Endpoints(_) => None,
            })
            .collect()
    };
    ips(a)
        .iter()
        .any(|x| ips(b).iter().any(|y| !x.intersect(y).is_empty()))
}
