//! Explanations of the cluster tiers: for each cluster policy that applies to a side, rule
//! by rule, whether peer and port match and why not; and the notes the tiers call for
//! (equal priorities, domain names).

use super::cluster_tier::ClusterMatch;
use super::compile_tiers::ClusterPolicyId;
use super::explain::{PeerResult, PortResult};
use super::flow::{Flow, Target};
use super::Engine;
use crate::model::{Action, ClusterPeerKind, ClusterPort, ClusterTier, Direction};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterRuleExplanation {
    pub index: usize,
    pub action: Action,
    /// Peer and port both match.
    pub matches: bool,
    pub peer: PeerResult,
    pub port: PortResult,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterPolicyExplanation {
    pub policy: ClusterPolicyId,
    pub tier: ClusterTier,
    /// Whether evaluation reached this policy (an earlier rule or tier may have decided).
    pub reached: bool,
    pub rules: Vec<ClusterRuleExplanation>,
}

impl Engine {
    /// `Admin ClusterNetworkPolicy/x (priority 10), egress[0] `name` Deny`: one matched rule.
    pub fn cluster_match_text(&self, d: Direction, m: &ClusterMatch) -> String {
        let p = &self.cluster.cluster_policies[m.policy];
        let r = &p.rules(d)[m.rule];
        format!(
            "{} {} ({}), {}[{}]{} {}",
            m.tier,
            p.id(),
            p.priority_text(),
            d.field(),
            m.rule,
            r.name_suffix(),
            m.action.spelled_for(p.kind)
        )
    }

    /// The rule of a cluster tier that decided this side, if one did (not a Pass).
    pub fn cluster_decision<'v>(&self, v: &'v super::SideVerdict) -> Option<&'v ClusterMatch> {
        v.cluster_matches.iter().find(|m| m.action != Action::Pass)
    }

    /// Every cluster policy applying to `subject` for `d`, Admin tier first, each marked
    /// reached or not given the matches the verdict recorded.
    pub(super) fn explain_cluster_side(
        &self,
        flow: &Flow,
        d: Direction,
        subject: usize,
        matches: &[ClusterMatch],
        np_isolates: bool,
    ) -> Vec<ClusterPolicyExplanation> {
        let view = self.view();
        let peer = match d {
            Direction::Egress => flow.dst,
            Direction::Ingress => flow.src,
        };
        let admin = matches.iter().find(|m| m.tier == ClusterTier::Admin);
        let baseline_reached = admin.is_none_or(|m| m.action == Action::Pass) && !np_isolates;
        let mut out = Vec::new();
        for tier in [ClusterTier::Admin, ClusterTier::Baseline] {
            let decided = matches.iter().find(|m| m.tier == tier);
            let mut tier_reached = tier == ClusterTier::Admin || baseline_reached;
            for &pid in self.compiled.cluster_policies.applying(tier, d, subject) {
                let policy = &self.cluster.cluster_policies[pid];
                let compiled = &self.compiled.cluster_policies.policies[pid];
                let rules = policy
                    .rules(d)
                    .iter()
                    .zip(compiled.rules(d))
                    .enumerate()
                    .map(|(index, (rule, crule))| {
                        let sets = crule.peers.as_deref().unwrap_or(&[]);
                        let peer_result = match sets.iter().position(|s| view.peer_matches(s, peer))
                        {
                            Some(i) => PeerResult::Matched(i),
                            None => PeerResult::NotMatched(
                                rule.peers
                                    .iter()
                                    .map(|p| self.cluster_peer_mismatch(&p.kind, peer))
                                    .collect(),
                            ),
                        };
                        let port_result = match &rule.ports {
                            None => PortResult::AnyPort,
                            Some(written) => match written
                                .iter()
                                .position(|wp| self.cluster_port_matches(wp, flow))
                            {
                                Some(i) => PortResult::Matched(i),
                                None => {
                                    let listed: Vec<String> =
                                        written.iter().map(ToString::to_string).collect();
                                    PortResult::NotMatched(format!(
                                        "{}/{} is not among the rule's ports: {}",
                                        flow.protocol,
                                        flow.port,
                                        listed.join(", ")
                                    ))
                                }
                            },
                        };
                        let matches = matches!(peer_result, PeerResult::Matched(_))
                            && !matches!(port_result, PortResult::NotMatched(_));
                        ClusterRuleExplanation {
                            index,
                            action: rule.action,
                            matches,
                            peer: peer_result,
                            port: port_result,
                        }
                    })
                    .collect();
                out.push(ClusterPolicyExplanation {
                    policy: pid,
                    tier,
                    reached: tier_reached,
                    rules,
                });
                if decided.is_some_and(|m| m.policy == pid) {
                    tier_reached = false;
                }
            }
        }
        out
    }

    fn cluster_port_matches(&self, p: &ClusterPort, flow: &Flow) -> bool {
        match p {
            ClusterPort::Port(pp) => {
                self.view()
                    .port_matches(pp, flow.dst, flow.port, flow.protocol)
            }
            ClusterPort::Named(n) => match flow.dst {
                Target::Endpoint(e) => {
                    self.cluster.endpoints[e].named_port(n, flow.protocol) == Some(flow.port)
                }
                Target::External(_) => false,
            },
        }
    }

    fn cluster_peer_mismatch(&self, kind: &ClusterPeerKind, peer: Target) -> String {
        let c = &self.cluster;
        match (kind, peer) {
            (ClusterPeerKind::Namespaces(_) | ClusterPeerKind::Pods { .. }, Target::External(ip)) => {
                format!("{ip} is outside the cluster: namespaces/pods peers match only pods")
            }
            (ClusterPeerKind::Namespaces(sel), Target::Endpoint(e)) => {
                let ns = c.endpoint_ns(e);
                if c.endpoints[e].host_network {
                    format!("{} is hostNetwork: namespaces peers never match it", c.endpoint_name(e))
                } else {
                    format!("namespace `{}` does not match namespaces {sel}", ns.name)
                }
            }
            (ClusterPeerKind::Pods { namespace, pod }, Target::Endpoint(e)) => {
                let ns = c.endpoint_ns(e);
                let name = c.endpoint_name(e);
                if c.endpoints[e].host_network {
                    format!("{name} is hostNetwork: pods peers never match it")
                } else if !namespace.matches(&ns.labels) {
                    format!("namespace `{}` does not match namespaceSelector {namespace}", ns.name)
                } else {
                    format!("{name} does not match podSelector {pod}")
                }
            }
            (ClusterPeerKind::Networks { cidrs, .. }, t) => {
                let list: Vec<String> = cidrs.iter().map(ToString::to_string).collect();
                match t {
                    Target::External(ip) => format!("{ip} is not in networks {}", list.join(", ")),
                    Target::Endpoint(e) if c.endpoints[e].ips.is_empty() => format!(
                        "networks match pods only by IP, and no IP of {} is known",
                        c.endpoint_name(e)
                    ),
                    Target::Endpoint(e) => format!(
                        "{}'s IP is not in networks {}",
                        c.endpoint_name(e),
                        list.join(", ")
                    ),
                }
            }
            (ClusterPeerKind::Nodes(sel), t) => {
                let matching = c.nodes.iter().filter(|n| sel.matches(&n.labels)).count();
                let who = self.target_name(t);
                if matching == 0 {
                    format!("no Node in the input matches nodes {sel} (give the Node objects with their status.addresses)")
                } else {
                    format!("{who} is no address of the {} matching {sel}", crate::text::count(matching, "node"))
                }
            }
            (ClusterPeerKind::DomainNames(names), t) => format!(
                "domainNames {} match by DNS name, which moat does not resolve: {} is not known to be one of them (the real verdict depends on DNS)",
                names.join(", "),
                self.target_name(t)
            ),
        }
    }

    /// Notes for a side: a decision among equal priorities, and domainNames peers seen.
    pub(super) fn cluster_notes(
        &self,
        d: Direction,
        subject: usize,
        policies: &[ClusterPolicyExplanation],
        matches: &[ClusterMatch],
        notes: &mut Vec<String>,
    ) {
        let c = &self.cluster;
        for m in matches {
            let p = &c.cluster_policies[m.policy];
            let Some(prio) = p.priority else { continue };
            for other in policies
                .iter()
                .filter(|o| o.tier == m.tier && o.policy != m.policy)
            {
                let op = &c.cluster_policies[other.policy];
                if op.priority != Some(prio) {
                    continue;
                }
                if let Some(r) = other
                    .rules
                    .iter()
                    .find(|r| r.matches && r.action != m.action)
                {
                    notes.push(format!(
                        "{} and {} share {} tier priority {prio} and both match this {} flow ({} vs {}): the API leaves the order of equal priorities to the implementation; moat applies {} (name order). Give them distinct priorities",
                        p.id(),
                        op.id(),
                        m.tier,
                        d.as_str().to_lowercase(),
                        m.action.spelled_for(p.kind),
                        r.action.spelled_for(op.kind),
                        p.id()
                    ));
                }
            }
        }
        let has_domains = policies.iter().filter(|pe| pe.reached).any(|pe| {
            c.cluster_policies[pe.policy].rules(d).iter().any(|r| {
                r.peers
                    .iter()
                    .any(|p| matches!(p.kind, ClusterPeerKind::DomainNames(_)))
            })
        });
        if has_domains && d == Direction::Egress {
            notes.push(format!(
                "a rule applying to {} has a domainNames peer: it matches by DNS name, which moat cannot resolve offline, so it matches no address here; the real verdict depends on DNS",
                c.endpoint_name(subject)
            ));
        }
    }
}
