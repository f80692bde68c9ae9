//! Classes of identical endpoints: same namespace, labels, container ports, hostNetwork
//! flag, and IPs in the same external parts. Every policy treats the members of a class
//! alike (selectors read namespace and labels, named ports read container ports, ipBlocks
//! read the part of each IP), so reachability is computed once per class.

// foldhash, not SipHash: every endpoint's labels and ports are hashed here, on one thread.
use foldhash::HashMap;

use super::ipparts::IpParts;
use crate::model::{Cluster, ContainerPort, Labels};

#[derive(Clone, Debug)]
pub struct Classes {
    /// Class of each endpoint.
    pub of_endpoint: Vec<u32>,
    /// Members of each class, ascending; classes are numbered by their first member.
    pub members: Vec<Vec<u32>>,
}

impl Classes {
    pub fn build(cluster: &Cluster, ips: &IpParts) -> Self {
        type Key<'a> = (usize, &'a Labels, &'a [ContainerPort], Vec<usize>, bool);
        // Sized up front: growing re-hashed every key (labels included) again.
        let mut index: HashMap<Key, u32> =
            HashMap::with_capacity_and_hasher(cluster.endpoints.len(), Default::default());
        let mut of_endpoint = Vec::with_capacity(cluster.endpoints.len());
        let mut members: Vec<Vec<u32>> = Vec::new();
        for (i, e) in cluster.endpoints.iter().enumerate() {
            let mut parts: Vec<usize> = e.ips.iter().map(|ip| ips.part_of(*ip)).collect();
            parts.sort_unstable();
            parts.dedup();
            let key = (
                e.namespace,
                &e.labels,
                e.ports.as_slice(),
                parts,
                e.host_network,
            );
            let c = *index.entry(key).or_insert_with(|| {
                members.push(Vec::new());
                (members.len() - 1) as u32
            });
            members[c as usize].push(i as u32);
            of_endpoint.push(c);
        }
        Classes {
            of_endpoint,
            members,
        }
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The endpoint that stands for the class.
    pub fn representative(&self, class: usize) -> usize {
        self.members[class][0] as usize
    }
}
