//! The cluster tiers in the report: the Admin and Baseline policies with their rules (what
//! each matches, what it decides, and the engine's words for it), and which apply to each
//! workload, in evaluation order, so that the page names the tier rule deciding a side by
//! lookup alone.

use crate::engine::{ClusterMatch, Engine};
use crate::model::{ClusterTier, Direction};

use super::data::{ClusterPolicyInfo, ClusterRuleInfo, RuleInfo, Workload};
use super::nodes::rule_ports;

const TIERS: [ClusterTier; 2] = [ClusterTier::Admin, ClusterTier::Baseline];

/// The cluster policies applying to a workload for `d`: Admin tier first, each tier in
/// precedence order (the engine's). A workload's pods share their labels and namespace, so
/// they share this list; the union is taken all the same, in order of first appearance.
pub(crate) fn applying(engine: &Engine, members: &[u32], d: Direction) -> Vec<u32> {
    let cp = &engine.compiled().cluster_policies;
    let mut out: Vec<u32> = Vec::new();
    for tier in TIERS {
        for &e in members {
            for &pid in cp.applying(tier, d, e as usize) {
                if !out.contains(&(pid as u32)) {
                    out.push(pid as u32);
                }
            }
        }
    }
    out
}

/// The cluster policies, rules without their peer sets yet (see `peers::attach`).
pub(crate) fn policies(engine: &Engine, workloads: &[Workload]) -> Vec<ClusterPolicyInfo> {
    let cluster = engine.cluster();
    let compiled = &engine.compiled().cluster_policies;
    let selects =
        super::nodes::workloads_per_policy(cluster.cluster_policies.len(), workloads, |i| {
            &i.cluster
        });
    cluster
        .cluster_policies
        .iter()
        .enumerate()
        .map(|(pid, p)| {
            let rules = |d: Direction| -> Vec<ClusterRuleInfo> {
                p.rules(d)
                    .iter()
                    .zip(compiled.policies[pid].rules(d))
                    .enumerate()
                    .map(|(ri, (rule, crule))| ClusterRuleInfo {
                        rule: RuleInfo {
                            line: rule.span.line,
                            peers: None,
                            ports: crule.ports.as_deref().map(rule_ports),
                        },
                        action: rule.action.as_str(),
                        text: engine.cluster_match_text(
                            d,
                            &ClusterMatch {
                                tier: p.tier,
                                policy: pid,
                                rule: ri,
                                action: rule.action,
                            },
                        ),
                    })
                    .collect()
            };
            ClusterPolicyInfo {
                tier: p.tier.as_str(),
                id: p.id(),
                priority: p.priority_text(),
                file: p.span.file.to_string(),
                line: p.span.line,
                selects: selects[pid],
                ingress: rules(Direction::Ingress),
                egress: rules(Direction::Egress),
            }
        })
        .collect()
}
