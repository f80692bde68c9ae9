//! The verdict pipeline. Each direction of a flow (the source's egress, the destination's
//! ingress) is put to the tiers in order; the first tier that decides, decides. When none
//! does, the traffic is allowed (Kubernetes' default). The tiers are Admin (cluster
//! policies of tier Admin: ClusterNetworkPolicy, AdminNetworkPolicy), NetworkPolicy, and
//! Baseline (ClusterNetworkPolicy tier Baseline, BaselineAdminNetworkPolicy), the order the
//! network-policy-api specifies.

use super::flow::SideQuery;
use super::view::View;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TierDecision {
    Allow,
    Deny,
    /// No opinion: the next tier decides.
    Pass,
}

/// A source of verdicts.
pub trait Tier: Send + Sync {
    /// Short name, such as `NetworkPolicy`.
    fn name(&self) -> &'static str;
    fn decide(&self, view: &View, q: &SideQuery) -> TierDecision;
}
