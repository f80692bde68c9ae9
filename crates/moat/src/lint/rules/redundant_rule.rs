use super::rule_path;
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::{
    Direction, LabelSelector, NetworkPolicy, PeerKind, PolicyPort, PortMatch, Rule as PolicyRule,
};

pub struct RedundantRule;

static META: RuleMeta = RuleMeta {
    id: "redundant-rule",
    default_severity: Severity::Info,
    summary: "A rule allows nothing that another rule (of the same policy, or of a policy selecting at least the same pods) does not already allow.",
    why: "Policies are additive: the narrower rule has no effect. It misleads readers into thinking it restricts something, and it drifts when the wider rule changes.",
    example: "egress:\n  - to:\n      - namespaceSelector: {}\n    ports:\n      - protocol: UDP\n        port: 53\n  - to:\n      - namespaceSelector:\n          matchLabels:\n            kubernetes.io/metadata.name: kube-system\n    ports:\n      - protocol: UDP\n        port: 53",
    fix: "Remove the narrower rule, or narrow the wider one if it allows more than intended.",
};

/// `wide` matches everything `narrow` matches: its requirements are a subset.
pub(crate) fn selector_covers(wide: &LabelSelector, narrow: &LabelSelector) -> bool {
    wide.requirements
        .iter()
        .all(|r| narrow.requirements.contains(r))
}

fn peer_covers(
    cx: &Context,
    wide: (&NetworkPolicy, &PeerKind),
    narrow: (&NetworkPolicy, &PeerKind),
) -> bool {
    match (wide.1, narrow.1) {
        (PeerKind::IpBlock(w), PeerKind::IpBlock(n)) => n.set.subtract(&w.set).is_empty(),
        (
            PeerKind::Selectors {
                namespace: wn,
                pod: wp,
            },
            PeerKind::Selectors {
                namespace: nn,
                pod: np,
            },
        ) => {
            let ns_ok = match (wn, nn) {
                (None, None) => wide.0.namespace == narrow.0.namespace,
                (None, Some(_)) => false,
                (Some(w), Some(n)) => selector_covers(w, n),
                (Some(w), None) => {
                    let c = cx.engine.cluster();
                    c.find_namespace(&narrow.0.namespace)
                        .is_some_and(|ns| w.matches(&c.namespaces[ns].labels))
                }
            };
            let pod_ok = match (wp, np) {
                (None, _) => true,
                (Some(w), _) if w.is_empty() => true,
                (Some(w), Some(n)) => selector_covers(w, n),
                (Some(_), None) => false,
            };
            ns_ok && pod_ok
        }
        _ => false,
    }
}

fn port_covers(wide: &PolicyPort, narrow: &PolicyPort) -> bool {
    wide.protocol == narrow.protocol
        && match (&wide.port, &narrow.port) {
            (PortMatch::All, _) => true,
            (PortMatch::Range(a, b), PortMatch::Range(c, d)) => a <= c && d <= b,
            (PortMatch::Named(a), PortMatch::Named(b)) => a == b,
            _ => false,
        }
}

/// Every (peer, port) the narrow rule allows, the wide one allows too (structurally, so
/// that it holds for any pods, not just those of the input).
pub(crate) fn rule_covers(
    cx: &Context,
    wide: (&NetworkPolicy, &PolicyRule),
    narrow: (&NetworkPolicy, &PolicyRule),
) -> bool {
    let peers_ok = match (&wide.1.peers, &narrow.1.peers) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(w), Some(n)) => n.iter().all(|np| {
            w.iter()
                .any(|wp| peer_covers(cx, (wide.0, &wp.kind), (narrow.0, &np.kind)))
        }),
    };
    let ports_ok = match (&wide.1.ports, &narrow.1.ports) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(w), Some(n)) => n.iter().all(|np| w.iter().any(|wp| port_covers(wp, np))),
    };
    peers_ok && ports_ok
}

/// `wide` applies, for `d`, to every pod `narrow` applies to.
pub(crate) fn policy_covers(wide: &NetworkPolicy, narrow: &NetworkPolicy, d: Direction) -> bool {
    wide.namespace == narrow.namespace
        && wide.policy_types.has(d)
        && selector_covers(&wide.pod_selector, &narrow.pod_selector)
}

impl Rule for RedundantRule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let policies = &cx.engine.cluster().policies;
        for run in cx.engine.cluster().policy_namespace_runs() {
            let (start, end) = (run.start, run.end);
            for d in [Direction::Ingress, Direction::Egress] {
                let rules: Vec<(usize, usize)> = (start..end)
                    .filter(|&p| policies[p].policy_types.has(d))
                    .flat_map(|p| (0..policies[p].rules(d).len()).map(move |r| (p, r)))
                    .collect();
                for &(np, nr) in &rules {
                    let narrow = (&policies[np], &policies[np].rules(d)[nr]);
                    let cover = rules.iter().copied().find(|&(wp, wr)| {
                        if (wp, wr) == (np, nr) || !policy_covers(&policies[wp], &policies[np], d) {
                            return false;
                        }
                        let wide = (&policies[wp], &policies[wp].rules(d)[wr]);
                        if !rule_covers(cx, wide, narrow) {
                            return false;
                        }
                        // Equal rules cover each other: report only the later one.
                        let mutual = policy_covers(&policies[np], &policies[wp], d)
                            && rule_covers(cx, narrow, wide);
                        !mutual || (wp, wr) < (np, nr)
                    });
                    let Some((wp, wr)) = cover else { continue };
                    let where_ = if wp == np {
                        format!("{} of the same policy", rule_path(d, wr))
                    } else {
                        format!("{} of {}", rule_path(d, wr), policies[wp].id())
                    };
                    out.push(
                        Diagnostic::new(
                            META.id,
                            META.default_severity,
                            format!("{} allows nothing that {where_} does not already allow", rule_path(d, nr)),
                        )
                        .at(Some(cx.policy_ref(np)), Some(policies[np].span.clone()), rule_path(d, nr))
                        .label("redundant")
                        .related(Some(policies[wp].span.clone()), rule_path(d, wr), "already allowed here")
                        .help("remove this rule, or narrow the wider one if it allows more than intended"),
                    );
                }
            }
        }
    }
}
