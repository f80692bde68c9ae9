//! Cluster policies compiled once, like NetworkPolicies: subjects and selector peers into
//! endpoint bitsets, networks and nodes into IP sets, and per endpoint, tier and direction
//! the policies that apply, in precedence order.

use std::sync::Arc;

use super::bitset::BitSet;
use super::compile::{CompiledRule, PeerSet, Universe};
use crate::model::{
    Cidr, Cluster, ClusterPeerKind, ClusterPort, ClusterRule, ClusterTier, Direction, IpSet,
    PolicyPort, PortMatch, Protocol, Subject,
};

/// Index of a policy in [`Cluster::cluster_policies`].
pub type ClusterPolicyId = usize;

#[derive(Clone, Debug)]
pub struct CompiledClusterPolicy {
    /// The endpoints of the subject (hostNetwork ones never are).
    pub subject: BitSet,
    pub ingress: Vec<CompiledRule>,
    pub egress: Vec<CompiledRule>,
}

impl CompiledClusterPolicy {
    pub fn rules(&self, d: Direction) -> &[CompiledRule] {
        match d {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct CompiledClusterPolicies {
    pub policies: Vec<CompiledClusterPolicy>,
    /// `[tier][direction][endpoint]`: the policies with rules of that direction whose
    /// subject holds the endpoint, in precedence order.
    applying: [[Vec<Vec<ClusterPolicyId>>; 2]; 2],
}

fn slot(tier: ClusterTier, d: Direction) -> (usize, usize) {
    (tier as usize, d as usize)
}

impl CompiledClusterPolicies {
    /// The policies of `tier` that apply to `endpoint` for `d`, first to decide first.
    pub fn applying(&self, tier: ClusterTier, d: Direction, endpoint: usize) -> &[ClusterPolicyId] {
        let (t, d) = slot(tier, d);
        self.applying[t][d]
            .get(endpoint)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }
}

/// A rule's ports as NetworkPolicy ports: a named port of any protocol is one entry per
/// protocol (a container port's name is unique in a pod, so at most one resolves).
pub fn rule_ports(ports: Option<&[ClusterPort]>) -> Option<Vec<PolicyPort>> {
    ports.map(|list| {
        list.iter()
            .flat_map(|p| match p {
                ClusterPort::Port(pp) => vec![pp.clone()],
                ClusterPort::Named(n) => Protocol::ALL
                    .iter()
                    .map(|&protocol| PolicyPort {
                        protocol,
                        port: PortMatch::Named(n.clone()),
                    })
                    .collect(),
            })
            .collect()
    })
}

/// The addresses of the nodes matching a selector, as a set.
pub fn node_ips(cluster: &Cluster, sel: &crate::model::LabelSelector) -> IpSet {
    let mut set = IpSet::empty();
    for node in cluster.nodes.iter().filter(|n| sel.matches(&n.labels)) {
        for ip in &node.addresses {
            let host = Cidr {
                addr: *ip,
                prefix: if ip.is_ipv4() { 32 } else { 128 },
            };
            set = set.union(&IpSet::from_block(&host, &[]));
        }
    }
    set
}

pub(super) fn compile_cluster_policies(cluster: &Cluster, u: &Universe) -> CompiledClusterPolicies {
    let mut out = CompiledClusterPolicies {
        policies: Vec::with_capacity(cluster.cluster_policies.len()),
        applying: Default::default(),
    };
    if cluster.cluster_policies.is_empty() {
        // `applying` answers empty for every endpoint: nothing to allocate.
        return out;
    }
    for t in &mut out.applying {
        for d in t.iter_mut() {
            *d = vec![Vec::new(); u.n];
        }
    }
    let compile_rules = |rules: &[ClusterRule]| -> Vec<CompiledRule> {
        rules
            .iter()
            .map(|r| CompiledRule {
                peers: Some(
                    r.peers
                        .iter()
                        .map(|p| match &p.kind {
                            ClusterPeerKind::Namespaces(ns) => {
                                PeerSet::Endpoints(Arc::new(u.select(ns, None)))
                            }
                            ClusterPeerKind::Pods { namespace, pod } => {
                                PeerSet::Endpoints(Arc::new(u.select(namespace, Some(pod))))
                            }
                            ClusterPeerKind::Networks { set, .. } => PeerSet::Ips(set.clone()),
                            ClusterPeerKind::Nodes(sel) => PeerSet::Ips(node_ips(cluster, sel)),
                            // Matched by name, not address: no address is known to match.
                            ClusterPeerKind::DomainNames(_) => PeerSet::Ips(IpSet::empty()),
                        })
                        .collect(),
                ),
                ports: rule_ports(r.ports.as_deref()),
            })
            .collect()
    };
    for (pid, p) in cluster.cluster_policies.iter().enumerate() {
        let subject = match &p.subject {
            Subject::Namespaces(ns) => u.select(ns, None),
            Subject::Pods { namespace, pod } => u.select(namespace, Some(pod)),
        };
        let ingress = compile_rules(&p.ingress);
        let egress = compile_rules(&p.egress);
        for d in [Direction::Ingress, Direction::Egress] {
            if p.rules(d).is_empty() {
                // A policy without rules of a direction does not affect it.
                continue;
            }
            let (t, di) = slot(p.tier, d);
            for e in subject.iter() {
                out.applying[t][di][e].push(pid);
            }
        }
        out.policies.push(CompiledClusterPolicy {
            subject,
            ingress,
            egress,
        });
    }
    out
}
