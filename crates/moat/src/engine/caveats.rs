//! What a verdict over the input cannot see, said once per input rather than per flow:
//! cluster-policy peers that match by something other than the manifests' addresses.

use super::Engine;
use crate::model::ClusterPeerKind;
use crate::text::count;

impl Engine {
    /// One sentence per kind of peer that matches no address here: `nodes` peers without
    /// Node objects in the input, and `domainNames` peers (matched by DNS name).
    pub fn tier_caveats(&self) -> Vec<String> {
        let c = &self.cluster;
        let peers = || {
            c.cluster_policies
                .iter()
                .flat_map(|p| p.ingress.iter().chain(&p.egress))
                .flat_map(|r| &r.peers)
        };
        let nodes = peers()
            .filter(|p| matches!(p.kind, ClusterPeerKind::Nodes(_)))
            .count();
        let domains = peers()
            .filter(|p| matches!(p.kind, ClusterPeerKind::DomainNames(_)))
            .count();
        let mut out = Vec::new();
        if nodes > 0 && c.nodes.is_empty() {
            out.push(format!(
                "{} of cluster policies, but no Node objects in the input: they match no address (add the Nodes, e.g. `kubectl get nodes -o yaml`)",
                count(nodes, "`nodes` peer")
            ));
        }
        if domains > 0 {
            out.push(format!(
                "{} of cluster policies match by DNS name, which moat does not resolve: they match no address, so what they accept shows as not accepted",
                count(domains, "`domainNames` peer")
            ));
        }
        out
    }
}
