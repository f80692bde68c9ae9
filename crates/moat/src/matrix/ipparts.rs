//! External address ranges: the partition of each family's address space by the bounds of
//! every ipBlock (cidr minus excepts). Every ipBlock either contains a whole part or none of
//! it, so one address stands for its part. A part stands for its addresses that are no
//! known pod's IP (those are the pod).

use std::collections::BTreeSet;
use std::net::IpAddr;

use crate::model::{Cidr, Cluster, ClusterPeerKind, Family, IpRange, IpSet, PeerKind};

#[derive(Clone, Debug)]
pub struct IpParts {
    /// Sorted by (family, start); each family's parts cover its whole space.
    parts: Vec<IpRange>,
}

fn family_max(f: Family) -> u128 {
    match f {
        Family::V4 => u128::from(u32::MAX),
        Family::V6 => u128::MAX,
    }
}

impl IpParts {
    pub fn build(cluster: &Cluster) -> Self {
        let mut bounds: [BTreeSet<u128>; 2] = Default::default();
        for pol in &cluster.policies {
            for r in pol.ingress.iter().chain(&pol.egress) {
                for peer in r.peers.iter().flatten() {
                    if let PeerKind::IpBlock(b) = &peer.kind {
                        for range in b.set.ranges() {
                            let f = range.family as usize;
                            bounds[f].insert(range.start);
                            if range.end < family_max(range.family) {
                                bounds[f].insert(range.end + 1);
                            }
                        }
                    }
                }
            }
        }
        // Cluster policies: `networks` sets, and every node address (`nodes` peers).
        let mut add = |set: &IpSet| {
            for range in set.ranges() {
                let f = range.family as usize;
                bounds[f].insert(range.start);
                if range.end < family_max(range.family) {
                    bounds[f].insert(range.end + 1);
                }
            }
        };
        for pol in &cluster.cluster_policies {
            for r in pol.ingress.iter().chain(&pol.egress) {
                for peer in &r.peers {
                    if let ClusterPeerKind::Networks { set, .. } = &peer.kind {
                        add(set);
                    }
                }
            }
        }
        if !cluster.cluster_policies.is_empty() {
            for node in &cluster.nodes {
                for ip in &node.addresses {
                    let host = Cidr {
                        addr: *ip,
                        prefix: if ip.is_ipv4() { 32 } else { 128 },
                    };
                    add(&IpSet::from_block(&host, &[]));
                }
            }
        }
        let mut parts = Vec::new();
        for family in [Family::V4, Family::V6] {
            let b = &bounds[family as usize];
            let starts: Vec<u128> = std::iter::once(0)
                .chain(b.iter().copied().filter(|&s| s > 0))
                .collect();
            for (i, &start) in starts.iter().enumerate() {
                let end = starts.get(i + 1).map_or(family_max(family), |n| n - 1);
                parts.push(IpRange { family, start, end });
            }
        }
        IpParts { parts }
    }

    pub fn len(&self) -> usize {
        self.parts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    pub fn parts(&self) -> &[IpRange] {
        &self.parts
    }

    /// The part holding this address.
    pub fn part_of(&self, ip: IpAddr) -> usize {
        let (family, v) = match ip {
            IpAddr::V4(a) => (Family::V4, u128::from(u32::from(a))),
            IpAddr::V6(a) => (Family::V6, u128::from(a)),
        };
        // Parts cover every address, so the predecessor of the first part past `ip` holds it.
        self.parts
            .partition_point(|r| (r.family, r.start) <= (family, v))
            - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_ip_blocks_each_family_is_one_part() {
        let p = IpParts::build(&Cluster::default());
        assert_eq!(p.len(), 2);
        assert_eq!(p.parts()[0].to_string(), "0.0.0.0/0");
        assert_eq!(p.parts()[1].to_string(), "::/0");
        assert_eq!(p.part_of("10.0.0.1".parse().unwrap()), 0);
        assert_eq!(p.part_of("::1".parse().unwrap()), 1);
    }
}
