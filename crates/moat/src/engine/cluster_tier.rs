//! The Admin and Baseline tiers: cluster policies of one tier, lowest priority number first,
//! rules in written order; the first rule whose peer and port match decides. Accept allows,
//! Deny denies, Pass hands the flow to the next tier (from Admin to NetworkPolicy, from
//! Baseline to the default, allow). No matching rule: the next tier decides too.

use super::compile_tiers::ClusterPolicyId;
use super::flow::SideQuery;
use super::tier::{Tier, TierDecision};
use super::view::View;
use crate::model::{Action, ClusterTier};

/// The rule that decided in a cluster tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClusterMatch {
    pub tier: ClusterTier,
    pub policy: ClusterPolicyId,
    /// Index among the policy's rules of the direction.
    pub rule: usize,
    pub action: Action,
}

/// The first rule of `tier` matching the query, in precedence order.
pub fn first_match(v: &View, tier: ClusterTier, q: &SideQuery) -> Option<ClusterMatch> {
    let cp = &v.compiled.cluster_policies;
    for &pid in cp.applying(tier, q.direction, q.subject) {
        for (ri, r) in cp.policies[pid].rules(q.direction).iter().enumerate() {
            if v.rule_matches(r, q) {
                return Some(ClusterMatch {
                    tier,
                    policy: pid,
                    rule: ri,
                    action: v.cluster.cluster_policies[pid].rules(q.direction)[ri].action,
                });
            }
        }
    }
    None
}

/// One cluster tier of the pipeline.
pub struct ClusterTierStage(pub ClusterTier);

impl Tier for ClusterTierStage {
    fn name(&self) -> &'static str {
        self.0.as_str()
    }

    fn decide(&self, v: &View, q: &SideQuery) -> TierDecision {
        match first_match(v, self.0, q).map(|m| m.action) {
            Some(Action::Accept) => TierDecision::Allow,
            Some(Action::Deny) => TierDecision::Deny,
            Some(Action::Pass) | None => TierDecision::Pass,
        }
    }
}
