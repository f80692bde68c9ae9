//! The verdict of a flow: both directions through the tier pipeline.

use super::cluster_tier::{first_match, ClusterMatch};
use super::compile::PolicyId;
use super::flow::{Flow, SideQuery, Target};
use super::tier::TierDecision;
use super::Engine;
use crate::model::{Action, ClusterTier, Direction};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SideOutcome {
    /// A tier allowed it.
    Allowed,
    /// A tier denied it (for NetworkPolicy: isolated, and no rule allows).
    Denied,
    /// No tier had an opinion: nothing isolates the endpoint in this direction.
    NotIsolated,
    /// The side is an address outside the cluster: no policy of its own.
    External,
    /// The endpoint is hostNetwork: policies selecting it do not isolate it.
    HostNetwork,
}

impl SideOutcome {
    pub fn allows(self) -> bool {
        !matches!(self, SideOutcome::Denied)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SideVerdict {
    pub direction: Direction,
    pub outcome: SideOutcome,
    /// The tier that decided, if one did.
    pub tier: Option<&'static str>,
    /// Policies that isolate the endpoint in this direction.
    pub isolating: Vec<PolicyId>,
    /// (policy, rule index) pairs whose rule allows the flow.
    pub allowing: Vec<(PolicyId, usize)>,
    /// The cluster-policy rule that matched in each cluster tier the flow reached (Admin,
    /// then Baseline), in order. A Pass match hands on to the next tier.
    pub cluster_matches: Vec<ClusterMatch>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    /// A pod talking to itself: always allowed, whatever the policies.
    pub self_traffic: bool,
    pub egress: SideVerdict,
    pub ingress: SideVerdict,
}

impl Engine {
    fn side_query(&self, flow: &Flow, d: Direction) -> Option<SideQuery> {
        let (subject, peer) = match d {
            Direction::Egress => (flow.src, flow.dst),
            Direction::Ingress => (flow.dst, flow.src),
        };
        match subject {
            Target::External(_) => None,
            Target::Endpoint(subject) => Some(SideQuery {
                direction: d,
                subject,
                peer,
                dst: flow.dst,
                port: flow.port,
                protocol: flow.protocol,
            }),
        }
    }

    /// Whether the flow is from one pod to itself (never subject to policy).
    pub fn is_self(&self, flow: &Flow) -> bool {
        match (flow.src, flow.dst) {
            (Target::Endpoint(a), Target::Endpoint(b)) => {
                a == b && !self.cluster.endpoints[a].has_several_pods()
            }
            _ => false,
        }
    }

    fn decide(&self, q: &SideQuery) -> (TierDecision, Option<&'static str>) {
        let view = self.view();
        for tier in &self.tiers {
            match tier.decide(&view, q) {
                TierDecision::Pass => continue,
                d => return (d, Some(tier.name())),
            }
        }
        (TierDecision::Pass, None)
    }

    /// The fast path: is the flow allowed?
    pub fn allowed(&self, flow: &Flow) -> bool {
        if self.is_self(flow) {
            return true;
        }
        [Direction::Egress, Direction::Ingress]
            .iter()
            .all(|&d| match self.side_query(flow, d) {
                None => true,
                Some(q) => self.decide(&q).0 != TierDecision::Deny,
            })
    }

    fn side(&self, flow: &Flow, d: Direction) -> SideVerdict {
        let mut v = SideVerdict {
            direction: d,
            outcome: SideOutcome::External,
            tier: None,
            isolating: vec![],
            allowing: vec![],
            cluster_matches: vec![],
        };
        let Some(q) = self.side_query(flow, d) else {
            return v;
        };
        let view = self.view();
        if self.cluster.endpoints[q.subject].host_network {
            v.outcome = SideOutcome::HostNetwork;
        }
        v.isolating = view.isolating(d, q.subject).to_vec();
        for &pid in &v.isolating {
            for (ri, r) in self.compiled.policies[pid].rules(d).iter().enumerate() {
                if view.rule_matches(r, &q) {
                    v.allowing.push((pid, ri));
                }
            }
        }
        let (decision, tier) = self.decide(&q);
        v.tier = tier;
        let admin = first_match(&view, ClusterTier::Admin, &q);
        v.cluster_matches.extend(admin);
        let admin_passes = admin.is_none_or(|m| m.action == Action::Pass);
        if admin_passes && v.isolating.is_empty() {
            v.cluster_matches
                .extend(first_match(&view, ClusterTier::Baseline, &q));
        }
        v.outcome = match decision {
            TierDecision::Allow => SideOutcome::Allowed,
            TierDecision::Deny => SideOutcome::Denied,
            TierDecision::Pass if v.outcome == SideOutcome::HostNetwork => SideOutcome::HostNetwork,
            TierDecision::Pass => SideOutcome::NotIsolated,
        };
        v
    }

    /// The verdict with, for each side, which policies isolate and which rules allow.
    pub fn verdict(&self, flow: &Flow) -> Verdict {
        let egress = self.side(flow, Direction::Egress);
        let ingress = self.side(flow, Direction::Ingress);
        let self_traffic = self.is_self(flow);
        Verdict {
            allowed: self_traffic || (egress.outcome.allows() && ingress.outcome.allows()),
            self_traffic,
            egress,
            ingress,
        }
    }
}
