//! The NetworkPolicy tier: isolation, peers and ports, exactly as networking.k8s.io/v1
//! specifies them.

use super::flow::SideQuery;
use super::tier::{Tier, TierDecision};
use super::view::View;

/// The NetworkPolicy tier. Stateless: everything it needs is compiled in the [`View`].
pub struct NetworkPolicyTier;

impl Tier for NetworkPolicyTier {
    fn name(&self) -> &'static str {
        "NetworkPolicy"
    }

    fn decide(&self, v: &View, q: &SideQuery) -> TierDecision {
        let policies = v.isolating(q.direction, q.subject);
        if policies.is_empty() {
            return TierDecision::Pass;
        }
        let allowed = policies.iter().any(|&pid| {
            v.compiled.policies[pid]
                .rules(q.direction)
                .iter()
                .any(|r| v.rule_matches(r, q))
        });
        if allowed {
            TierDecision::Allow
        } else {
            TierDecision::Deny
        }
    }
}
