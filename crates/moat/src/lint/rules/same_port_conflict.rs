use super::redundant_rule::{policy_covers, rule_covers};
use super::rule_path;
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::{Direction, PolicyPort, PortMatch};

pub struct SamePortConflict;

static META: RuleMeta = RuleMeta {
    id: "same-port-conflict",
    default_severity: Severity::Warning,
    summary: "One policy restricts a port to some peers while another policy selecting some of the same pods opens that port to every peer.",
    why: "NetworkPolicies are additive, with no precedence: the permissive rule wins for the pods both policies select, so the restriction that looks like it protects the port does not.",
    example: "# db-from-backend: port 5432 from tier=backend only\n# db-open: podSelector {app: db}, ingress: [{ports: [{port: 5432}]}]",
    fix: "Remove the open rule, or give it the same `from` as the restricted one.",
};

fn overlap(a: &Option<Vec<PolicyPort>>, b: &Option<Vec<PolicyPort>>) -> Option<String> {
    let all = |p: &Option<Vec<PolicyPort>>| p.is_none();
    match (a, b) {
        (None, None) => Some("every port".into()),
        (Some(x), None) | (None, Some(x)) => x.first().map(|p| p.to_string()),
        (Some(x), Some(y)) => x.iter().find_map(|p| {
            y.iter().find_map(|q| {
                if p.protocol != q.protocol {
                    return None;
                }
                let hit = match (&p.port, &q.port) {
                    (PortMatch::All, _) => Some(q.to_string()),
                    (_, PortMatch::All) => Some(p.to_string()),
                    (PortMatch::Range(a, b), PortMatch::Range(c, d)) if a.max(c) <= b.min(d) => {
                        Some(format!("{}/{}", p.protocol, a.max(c)))
                    }
                    (PortMatch::Named(m), PortMatch::Named(n)) if m == n => Some(p.to_string()),
                    _ => None,
                };
                let _ = all;
                hit
            })
        }),
    }
}

impl Rule for SamePortConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let policies = &cx.engine.cluster().policies;
        let compiled = &cx.engine.compiled().policies;
        for run in cx.engine.cluster().policy_namespace_runs() {
            let (start, end) = (run.start, run.end);
            for d in [Direction::Ingress, Direction::Egress] {
                for a in start..end {
                    let pa = &policies[a];
                    if !pa.policy_types.has(d) {
                        continue;
                    }
                    for (ra, rule_a) in pa.rules(d).iter().enumerate() {
                        if rule_a.peers.is_none() {
                            continue; // only restricted rules can be undone
                        }
                        let hit = (start..end)
                            .filter(|&b| b != a && policies[b].policy_types.has(d))
                            .find_map(|b| {
                                let pb = &policies[b];
                                let mut shared = compiled[a].selected.clone();
                                shared.intersect_with(&compiled[b].selected);
                                if shared.is_empty() {
                                    return None;
                                }
                                pb.rules(d).iter().enumerate().find_map(|(rb, rule_b)| {
                                    if rule_b.peers.is_some() {
                                        return None;
                                    }
                                    // Wholly covered: that is `redundant-rule`, not a conflict.
                                    if policy_covers(pb, pa, d)
                                        && rule_covers(cx, (pb, rule_b), (pa, rule_a))
                                    {
                                        return None;
                                    }
                                    overlap(&rule_a.ports, &rule_b.ports)
                                        .map(|port| (b, rb, port, shared.clone()))
                                })
                            });
                        let Some((b, rb, port, shared)) = hit else {
                            continue;
                        };
                        let shared: Vec<usize> = shared.iter().collect();
                        let peers = d.peers_field();
                        out.push(
                            Diagnostic::new(
                                META.id,
                                META.default_severity,
                                format!(
                                    "{} restricts {port} to its `{peers}` peers, but {} of {} opens it to every peer for {}",
                                    rule_path(d, ra),
                                    rule_path(d, rb),
                                    policies[b].id(),
                                    cx.endpoint_list(&shared, 2)
                                ),
                            )
                            .at(Some(cx.policy_ref(a)), Some(pa.span.clone()), format!("{}.{peers}", rule_path(d, ra)))
                            .label("this restriction does not hold")
                            .related(Some(policies[b].span.clone()), rule_path(d, rb), "opens the same port to every peer")
                            .help(format!(
                                "policies are additive: remove the open rule of {}, or give it the same `{peers}`",
                                policies[b].id()
                            )),
                        );
                    }
                }
            }
        }
    }
}
