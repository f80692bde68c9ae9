//! The verdict pipeline. Each direction of a flow (the source's egress, the destination's
//! ingress) is put to the tiers in order; the first tier that decides, decides. When none
//! does, the traffic is allowed (Kubernetes' default). NetworkPolicy is one tier; the
//! AdminNetworkPolicy tier goes before it and BaselineAdminNetworkPolicy after it, as
//! KEP-2091 orders them, without changing this pipeline.

use super::flow::Target;
use super::netpol::View;
use crate::model::{Direction, Protocol};

/// One direction of a flow, as a tier sees it.
#[derive(Clone, Copy, Debug)]
pub struct SideQuery {
    pub direction: Direction,
    /// The endpoint whose policies apply: the source for egress, the destination for ingress.
    pub subject: usize,
    /// The other side of the flow.
    pub peer: Target,
    /// The destination (named ports resolve against it).
    pub dst: Target,
    pub port: u16,
    pub protocol: Protocol,
}

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
