//! The engine: policies compiled once, flows decided by a pipeline of tiers.

mod bitset;
mod caveats;
mod cluster_tier;
mod compile;
mod compile_tiers;
mod explain;
mod explain_tiers;
mod flow;
mod index;
mod netpol;
mod tier;
mod verdict;
mod view;

use std::net::IpAddr;

pub use bitset::BitSet;
pub use cluster_tier::{first_match, ClusterMatch, ClusterTierStage};
pub use compile::{compile, Compiled, CompiledPolicy, CompiledRule, PeerSet, PolicyId};
pub use compile_tiers::{
    node_ips, rule_ports, ClusterPolicyId, CompiledClusterPolicies, CompiledClusterPolicy,
};
pub use explain::{
    Explanation, PeerResult, PolicyExplanation, PortResult, RuleExplanation, SideExplanation,
};
pub use explain_tiers::{ClusterPolicyExplanation, ClusterRuleExplanation};
pub use flow::{Flow, SideQuery, Target};
pub use index::LabelIndex;
pub use netpol::NetworkPolicyTier;
pub use tier::{Tier, TierDecision};
pub use verdict::{SideOutcome, SideVerdict, Verdict};
pub use view::View;

use crate::model::{Cluster, ClusterTier};

/// A cluster with its policies compiled, ready for any number of queries.
pub struct Engine {
    cluster: Cluster,
    compiled: Compiled,
    tiers: Vec<Box<dyn Tier>>,
}

impl Engine {
    /// Compile the cluster's policies. The tiers are, in order: Admin (cluster policies),
    /// NetworkPolicy, Baseline (cluster policies).
    pub fn new(cluster: Cluster) -> Self {
        let compiled = compile(&cluster);
        Engine {
            cluster,
            compiled,
            tiers: vec![
                Box::new(ClusterTierStage(ClusterTier::Admin)),
                Box::new(NetworkPolicyTier),
                Box::new(ClusterTierStage(ClusterTier::Baseline)),
            ],
        }
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    pub fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    pub fn view(&self) -> View<'_> {
        View {
            cluster: &self.cluster,
            compiled: &self.compiled,
        }
    }

    /// Names of the tiers, in the order they decide.
    pub fn tier_names(&self) -> Vec<&'static str> {
        self.tiers.iter().map(|t| t.name()).collect()
    }

    /// An address: the endpoint whose known IP it is, or an external address.
    pub fn resolve_ip(&self, ip: IpAddr) -> Target {
        match self.compiled.ip_owner.get(&ip) {
            Some(&e) => Target::Endpoint(e),
            None => Target::External(ip),
        }
    }

    /// `namespace/name`, or the address.
    pub fn target_name(&self, t: Target) -> String {
        match t {
            Target::Endpoint(e) => self.cluster.endpoint_name(e),
            Target::External(ip) => ip.to_string(),
        }
    }
}
