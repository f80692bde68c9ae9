//! Policies compiled once: every selector evaluated against all endpoints and namespaces,
//! into per-endpoint lists of the policies that isolate it, and per-peer endpoint bitsets
//! and IP interval sets. Every query reads this form; nothing is re-evaluated per flow.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use super::bitset::BitSet;
use super::compile_tiers::{compile_cluster_policies, CompiledClusterPolicies};
use super::index::LabelIndex;
use crate::model::{Cluster, Direction, IpSet, LabelSelector, PeerKind, PolicyPort};

/// Index of a policy in [`Cluster::policies`].
pub type PolicyId = usize;

/// What a peer matches.
#[derive(Clone, Debug)]
pub enum PeerSet {
    /// Selector peers: these endpoints (hostNetwork endpoints never match).
    Endpoints(Arc<BitSet>),
    /// ipBlock peers: these addresses (and the endpoints whose known IP is in them).
    Ips(IpSet),
}

#[derive(Clone, Debug)]
pub struct CompiledRule {
    /// `None`: every peer.
    pub peers: Option<Vec<PeerSet>>,
    /// `None`: every port.
    pub ports: Option<Vec<PolicyPort>>,
}

#[derive(Clone, Debug)]
pub struct CompiledPolicy {
    /// The endpoints the policy selects in its namespace (hostNetwork ones included: the
    /// tier decides that they are not isolated).
    pub selected: BitSet,
    pub ingress: Vec<CompiledRule>,
    pub egress: Vec<CompiledRule>,
}

impl CompiledPolicy {
    pub fn rules(&self, d: Direction) -> &[CompiledRule] {
        match d {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }
}

/// The compiled cluster.
pub struct Compiled {
    pub policies: Vec<CompiledPolicy>,
    /// AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy objects.
    pub cluster_policies: CompiledClusterPolicies,
    /// For each endpoint, the policies that select it and have Ingress in their types.
    pub ingress_policies: Vec<Vec<PolicyId>>,
    /// For each endpoint, the policies that select it and have Egress in their types.
    pub egress_policies: Vec<Vec<PolicyId>>,
    /// Known pod IPs to endpoints.
    pub ip_owner: HashMap<IpAddr, usize>,
    pub endpoint_index: LabelIndex,
    pub namespace_index: LabelIndex,
    /// Endpoints of each namespace, hostNetwork ones excluded (selector peers' universe).
    pub ns_members: Vec<BitSet>,
}

impl Compiled {
    pub fn policies_for(&self, d: Direction, endpoint: usize) -> &[PolicyId] {
        match d {
            Direction::Ingress => &self.ingress_policies[endpoint],
            Direction::Egress => &self.egress_policies[endpoint],
        }
    }
}

pub fn compile(cluster: &Cluster) -> Compiled {
    let n = cluster.endpoints.len();
    let endpoint_index = LabelIndex::build(cluster.endpoints.iter().map(|e| &e.labels));
    let namespace_index = LabelIndex::build(cluster.namespaces.iter().map(|ns| &ns.labels));
    let mut ns_all = vec![BitSet::new(n); cluster.namespaces.len()];
    let mut ns_members = vec![BitSet::new(n); cluster.namespaces.len()];
    let mut ip_owner = HashMap::new();
    for (i, e) in cluster.endpoints.iter().enumerate() {
        ns_all[e.namespace].insert(i);
        if !e.host_network {
            ns_members[e.namespace].insert(i);
        }
        for ip in &e.ips {
            ip_owner.entry(*ip).or_insert(i);
        }
    }
    let all_ns = BitSet::full(cluster.namespaces.len());

    type PeerKey<'a> = (
        Option<&'a LabelSelector>,
        Option<&'a LabelSelector>,
        Option<usize>,
    );
    // foldhash: keys hash whole selectors, once per peer of every rule.
    let mut cache: foldhash::HashMap<PeerKey, Arc<BitSet>> = Default::default();
    let mut ingress_policies = vec![Vec::new(); n];
    let mut egress_policies = vec![Vec::new(); n];
    let mut policies = Vec::with_capacity(cluster.policies.len());

    for (pid, p) in cluster.policies.iter().enumerate() {
        let ns = cluster.find_namespace(&p.namespace).unwrap_or(0);
        let selected = if cluster.namespaces.is_empty() {
            BitSet::new(n)
        } else {
            endpoint_index.select(&p.pod_selector, &ns_all[ns])
        };
        let mut compile_rules = |d: Direction| {
            p.rules(d)
                .iter()
                .map(|r| CompiledRule {
                    ports: r.ports.clone(),
                    peers: r.peers.as_ref().map(|peers| {
                        peers
                            .iter()
                            .map(|peer| match &peer.kind {
                                PeerKind::IpBlock(b) => PeerSet::Ips(b.set.clone()),
                                PeerKind::Selectors { namespace, pod } => {
                                    // podSelector alone means the policy's own namespace.
                                    let own_ns = namespace.is_none().then_some(ns);
                                    let key = (namespace.as_ref(), pod.as_ref(), own_ns);
                                    let set = cache.entry(key).or_insert_with(|| {
                                        Arc::new(select_peer(
                                            &endpoint_index,
                                            &namespace_index,
                                            &ns_members,
                                            &all_ns,
                                            namespace.as_ref(),
                                            pod.as_ref(),
                                            own_ns,
                                            n,
                                        ))
                                    });
                                    PeerSet::Endpoints(set.clone())
                                }
                            })
                            .collect()
                    }),
                })
                .collect::<Vec<_>>()
        };
        let ingress = compile_rules(Direction::Ingress);
        let egress = compile_rules(Direction::Egress);
        for e in selected.iter() {
            if p.policy_types.ingress {
                ingress_policies[e].push(pid);
            }
            if p.policy_types.egress {
                egress_policies[e].push(pid);
            }
        }
        policies.push(CompiledPolicy {
            selected,
            ingress,
            egress,
        });
    }
    let cluster_policies = compile_cluster_policies(
        cluster,
        &Universe {
            endpoints: &endpoint_index,
            namespaces: &namespace_index,
            ns_members: &ns_members,
            all_ns: &all_ns,
            n,
        },
    );
    Compiled {
        policies,
        cluster_policies,
        ingress_policies,
        egress_policies,
        ip_owner,
        endpoint_index,
        namespace_index,
        ns_members,
    }
}

/// What selector peers are evaluated against.
pub(super) struct Universe<'a> {
    pub endpoints: &'a LabelIndex,
    pub namespaces: &'a LabelIndex,
    /// Endpoints of each namespace, hostNetwork ones excluded.
    pub ns_members: &'a [BitSet],
    pub all_ns: &'a BitSet,
    pub n: usize,
}

impl Universe<'_> {
    /// The non-hostNetwork endpoints matching `pod` (every one when `None`) in the
    /// namespaces matching `ns`.
    pub fn select(&self, ns: &LabelSelector, pod: Option<&LabelSelector>) -> BitSet {
        select_peer(
            self.endpoints,
            self.namespaces,
            self.ns_members,
            self.all_ns,
            Some(ns),
            pod,
            None,
            self.n,
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn select_peer(
    endpoints: &LabelIndex,
    namespaces: &LabelIndex,
    ns_members: &[BitSet],
    all_ns: &BitSet,
    ns_sel: Option<&LabelSelector>,
    pod_sel: Option<&LabelSelector>,
    own_ns: Option<usize>,
    n: usize,
) -> BitSet {
    let mut universe = BitSet::new(n);
    match (ns_sel, own_ns) {
        (Some(sel), _) => {
            for ns in namespaces.select(sel, all_ns).iter() {
                universe.union_with(&ns_members[ns]);
            }
        }
        (None, Some(ns)) => universe.union_with(&ns_members[ns]),
        (None, None) => {}
    }
    match pod_sel {
        Some(sel) => endpoints.select(sel, &universe),
        None => universe,
    }
}
