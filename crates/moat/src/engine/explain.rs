//! Why a flow is allowed or denied: for each side, the isolating policies and, rule by rule,
//! whether the peer and the port match and, when not, why.

use super::compile::PolicyId;
use super::explain_tiers::ClusterPolicyExplanation;
use super::flow::{Flow, Target};
use super::verdict::{SideOutcome, SideVerdict, Verdict};
use super::Engine;
use crate::model::{Direction, PeerKind, PortMatch};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerResult {
    /// The rule has no `from`/`to`: every peer.
    AnyPeer,
    /// This peer (index in the rule's list) matches.
    Matched(usize),
    /// No peer matches; one reason per peer, in order.
    NotMatched(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortResult {
    AnyPort,
    Matched(usize),
    NotMatched(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleExplanation {
    pub index: usize,
    pub allows: bool,
    pub peer: PeerResult,
    pub port: PortResult,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyExplanation {
    pub policy: PolicyId,
    pub rules: Vec<RuleExplanation>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SideExplanation {
    pub direction: Direction,
    pub outcome: SideOutcome,
    pub tier: Option<&'static str>,
    /// The endpoint whose policies apply on this side (`None` for an external address).
    pub subject: Option<usize>,
    pub policies: Vec<PolicyExplanation>,
    /// Policies that select the endpoint but leave this direction out of their types.
    pub other_direction_policies: Vec<PolicyId>,
    /// Cluster policies (Admin tier, then Baseline) whose subject holds the endpoint and
    /// that have rules of this direction.
    pub cluster_policies: Vec<ClusterPolicyExplanation>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub flow: Flow,
    pub verdict: Verdict,
    pub egress: SideExplanation,
    pub ingress: SideExplanation,
    /// Facts that change how the verdict should be read (hostNetwork, unknown IPs, ...).
    pub notes: Vec<String>,
}

impl Engine {
    pub fn explain(&self, flow: &Flow) -> Explanation {
        let verdict = self.verdict(flow);
        let egress = self.explain_side(flow, &verdict.egress);
        let ingress = self.explain_side(flow, &verdict.ingress);
        let mut notes = Vec::new();
        for (side, v) in [(&egress, &verdict.egress), (&ingress, &verdict.ingress)] {
            if let Some(subject) = side.subject {
                self.cluster_notes(
                    side.direction,
                    subject,
                    &side.cluster_policies,
                    &v.cluster_matches,
                    &mut notes,
                );
            }
        }
        if verdict.self_traffic {
            notes.push(
                "a pod talking to itself is always allowed, whatever the policies".to_string(),
            );
        }
        for t in [flow.src, flow.dst] {
            if let Target::Endpoint(e) = t {
                let ep = &self.cluster.endpoints[e];
                let name = self.cluster.endpoint_name(e);
                if ep.host_network {
                    notes.push(format!(
                        "{name} is hostNetwork: its traffic is node traffic. Policies that select it do not isolate it, podSelector/namespaceSelector peers never match it, and ipBlock matches it only by its known IP (moat follows the most common implementation; some CNIs differ)"
                    ));
                }
            }
        }
        if let (Target::Endpoint(a), Target::Endpoint(b)) = (flow.src, flow.dst) {
            if a == b && !verdict.self_traffic {
                notes.push(format!(
                    "{} has several replicas: traffic between two of them is subject to policy",
                    self.cluster.endpoint_name(a)
                ));
            }
        }
        Explanation {
            flow: *flow,
            verdict,
            egress,
            ingress,
            notes,
        }
    }

    fn explain_side(&self, flow: &Flow, v: &SideVerdict) -> SideExplanation {
        let (d, outcome, tier) = (v.direction, v.outcome, v.tier);
        let (subject, peer) = match d {
            Direction::Egress => (flow.src, flow.dst),
            Direction::Ingress => (flow.dst, flow.src),
        };
        let mut side = SideExplanation {
            direction: d,
            outcome,
            tier,
            subject: None,
            policies: vec![],
            other_direction_policies: vec![],
            cluster_policies: vec![],
        };
        let Target::Endpoint(subject) = subject else {
            return side;
        };
        side.subject = Some(subject);
        side.cluster_policies = self.explain_cluster_side(
            flow,
            d,
            subject,
            &v.cluster_matches,
            !v.isolating.is_empty(),
        );
        let view = self.view();
        let other = match d {
            Direction::Ingress => Direction::Egress,
            Direction::Egress => Direction::Ingress,
        };
        side.other_direction_policies = self
            .compiled
            .policies_for(other, subject)
            .iter()
            .copied()
            .filter(|p| !self.compiled.policies_for(d, subject).contains(p))
            .collect();
        for &pid in view.isolating(d, subject) {
            let policy = &self.cluster.policies[pid];
            let compiled = &self.compiled.policies[pid];
            let rules = policy
                .rules(d)
                .iter()
                .zip(compiled.rules(d))
                .enumerate()
                .map(|(index, (rule, crule))| {
                    let peer_result = match (&rule.peers, &crule.peers) {
                        (Some(peers), Some(sets)) => {
                            match sets.iter().position(|s| view.peer_matches(s, peer)) {
                                Some(i) => PeerResult::Matched(i),
                                None => PeerResult::NotMatched(
                                    peers
                                        .iter()
                                        .map(|p| {
                                            self.peer_mismatch(&p.kind, &policy.namespace, peer)
                                        })
                                        .collect(),
                                ),
                            }
                        }
                        _ => PeerResult::AnyPeer,
                    };
                    let port_result = match &rule.ports {
                        None => PortResult::AnyPort,
                        Some(ports) => match ports
                            .iter()
                            .position(|p| view.port_matches(p, flow.dst, flow.port, flow.protocol))
                        {
                            Some(i) => PortResult::Matched(i),
                            None => PortResult::NotMatched(self.port_mismatch(ports, flow)),
                        },
                    };
                    let allows = !matches!(peer_result, PeerResult::NotMatched(_))
                        && !matches!(port_result, PortResult::NotMatched(_));
                    RuleExplanation {
                        index,
                        allows,
                        peer: peer_result,
                        port: port_result,
                    }
                })
                .collect();
            side.policies.push(PolicyExplanation { policy: pid, rules });
        }
        side
    }

    fn peer_mismatch(&self, kind: &PeerKind, policy_ns: &str, peer: Target) -> String {
        match (kind, peer) {
            (PeerKind::Selectors { .. }, Target::External(ip)) => {
                format!("{ip} is outside the cluster: podSelector/namespaceSelector peers match only pods")
            }
            (PeerKind::Selectors { namespace, pod }, Target::Endpoint(e)) => {
                let ep = &self.cluster.endpoints[e];
                let ns = self.cluster.endpoint_ns(e);
                let name = self.cluster.endpoint_name(e);
                if ep.host_network {
                    return format!("{name} is hostNetwork: selector peers never match it");
                }
                let ns_problem = match namespace {
                    Some(sel) => sel.first_mismatch(&ns.labels).map(|r| {
                        if sel.requirements.len() == 1 {
                            format!("namespace `{}` does not match namespaceSelector {sel}", ns.name)
                        } else {
                            format!("namespace `{}` does not match namespaceSelector {sel} (fails `{r}`)", ns.name)
                        }
                    }),
                    None if ns.name != policy_ns => Some(format!(
                        "a podSelector without namespaceSelector matches only namespace `{policy_ns}`, and {name} is in `{}`",
                        ns.name
                    )),
                    None => None,
                };
                let pod_problem = pod.as_ref().and_then(|sel| {
                    sel.first_mismatch(&ep.labels).map(|r| {
                        if sel.requirements.len() == 1 {
                            format!("{name} does not match podSelector {sel}")
                        } else {
                            format!("{name} does not match podSelector {sel} (fails `{r}`)")
                        }
                    })
                });
                match (ns_problem, pod_problem) {
                    (Some(a), Some(b)) => format!("{a}; and {b}"),
                    (Some(a), None) => a,
                    (None, Some(b)) => b,
                    (None, None) => format!("{name} matches (unexpected)"),
                }
            }
            (PeerKind::IpBlock(b), Target::External(ip)) => {
                if b.cidr.range().contains(ip) {
                    format!("{ip} is in ipBlock {} but excluded by `except`", b.cidr)
                } else {
                    format!("{ip} is not in ipBlock {}", b.cidr)
                }
            }
            (PeerKind::IpBlock(b), Target::Endpoint(e)) => {
                let ep = &self.cluster.endpoints[e];
                let name = self.cluster.endpoint_name(e);
                if ep.ips.is_empty() {
                    format!(
                        "ipBlock {} matches pods only by IP, and no IP of {name} is known (give its status.podIP, or match it with a selector)",
                        b.cidr
                    )
                } else {
                    let ips: Vec<String> = ep.ips.iter().map(ToString::to_string).collect();
                    format!(
                        "{name}'s IP {} is not in ipBlock {}{}",
                        ips.join(", "),
                        b.cidr,
                        if b.except.is_empty() {
                            ""
                        } else {
                            " minus its except"
                        }
                    )
                }
            }
        }
    }

    fn port_mismatch(&self, ports: &[crate::model::PolicyPort], flow: &Flow) -> String {
        let listed: Vec<String> = ports.iter().map(ToString::to_string).collect();
        let mut msg = format!(
            "{}/{} is not among the rule's ports: {}",
            flow.protocol,
            flow.port,
            listed.join(", ")
        );
        for p in ports {
            if let PortMatch::Named(name) = &p.port {
                let resolved = match flow.dst {
                    Target::Endpoint(e) => self.cluster.endpoints[e].named_port(name, p.protocol),
                    Target::External(_) => None,
                };
                match resolved {
                    Some(n) => msg.push_str(&format!(
                        "; `{name}` is {}/{n} on {}",
                        p.protocol,
                        self.target_name(flow.dst)
                    )),
                    None => msg.push_str(&format!(
                        "; named port `{name}` is no {} container port of {}",
                        p.protocol,
                        self.target_name(flow.dst)
                    )),
                }
            }
        }
        msg
    }
}
