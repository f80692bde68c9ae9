//! Peer sets for the explain box: which nodes each rule's peers admit, as node ranges.
//! Read from the compiled rules, so selectors are never evaluated again.

use std::collections::HashMap;
use std::sync::Arc;

use crate::engine::{BitSet, Engine, PeerSet, Target};
use crate::matrix::{Groups, Matrix};
use crate::model::{Direction, IpSet};

use super::data::{ClusterPolicyInfo, PolicyInfo, RuleInfo};

/// Sorted node indexes to inclusive ranges.
fn ranges(set: &BitSet) -> Vec<[u32; 2]> {
    let mut out: Vec<[u32; 2]> = Vec::new();
    for n in set.iter() {
        let n = n as u32;
        match out.last_mut() {
            Some(last) if last[1] + 1 == n => last[1] = n,
            _ => out.push([n, n]),
        }
    }
    out
}

pub(crate) fn attach(
    engine: &Engine,
    matrix: &Matrix,
    groups: &Groups,
    policies: &mut [PolicyInfo],
    cluster_policies: &mut [ClusterPolicyInfo],
) -> Vec<Vec<[u32; 2]>> {
    let cluster = engine.cluster();
    let view = engine.view();
    let ne = cluster.endpoints.len();
    let n = groups.len();
    let with_ips: Vec<usize> = (0..ne)
        .filter(|&e| !cluster.endpoints[e].ips.is_empty())
        .collect();
    // Node sets of single peers, by the identity of their compiled set.
    let mut by_ptr: HashMap<usize, BitSet> = HashMap::new();
    let mut by_ips: HashMap<IpSet, BitSet> = HashMap::new();
    let mut node_set = |p: &PeerSet| -> BitSet {
        match p {
            PeerSet::Endpoints(bits) => by_ptr
                .entry(Arc::as_ptr(bits) as usize)
                .or_insert_with(|| {
                    let mut s = BitSet::new(n);
                    for e in bits.iter() {
                        s.insert(groups.of_unit[e] as usize);
                    }
                    s
                })
                .clone(),
            PeerSet::Ips(ips) => by_ips
                .entry(ips.clone())
                .or_insert_with(|| {
                    let mut s = BitSet::new(n);
                    for (x, part) in matrix.ips.parts().iter().enumerate() {
                        if ips.contains(part.first()) {
                            s.insert(groups.of_unit[ne + x] as usize);
                        }
                    }
                    for &e in &with_ips {
                        if view.peer_matches(p, Target::Endpoint(e)) {
                            s.insert(groups.of_unit[e] as usize);
                        }
                    }
                    s
                })
                .clone(),
        }
    };
    // Every rule with peers, NetworkPolicy and cluster tier alike, against its compiled form.
    let mut targets: Vec<(&[PeerSet], &mut RuleInfo)> = Vec::new();
    for (pid, info) in policies.iter_mut().enumerate() {
        let compiled = &engine.compiled().policies[pid];
        for (d, rules) in [
            (Direction::Ingress, &mut info.ingress),
            (Direction::Egress, &mut info.egress),
        ] {
            for (ri, rule) in rules.iter_mut().enumerate() {
                if let Some(peers) = compiled.rules(d).get(ri).and_then(|r| r.peers.as_deref()) {
                    targets.push((peers, rule));
                }
            }
        }
    }
    for (cid, info) in cluster_policies.iter_mut().enumerate() {
        let compiled = &engine.compiled().cluster_policies.policies[cid];
        for (d, rules) in [
            (Direction::Ingress, &mut info.ingress),
            (Direction::Egress, &mut info.egress),
        ] {
            for (ri, rule) in rules.iter_mut().enumerate() {
                if let Some(peers) = compiled.rules(d).get(ri).and_then(|r| r.peers.as_deref()) {
                    targets.push((peers, &mut rule.rule));
                }
            }
        }
    }
    let mut index: HashMap<Vec<[u32; 2]>, u32> = HashMap::new();
    let mut sets: Vec<Vec<[u32; 2]>> = Vec::new();
    for (peers, rule) in targets {
        let mut all = BitSet::new(n);
        for p in peers {
            all.union_with(&node_set(p));
        }
        let key = ranges(&all);
        let next = sets.len() as u32;
        let id = *index.entry(key.clone()).or_insert_with(|| {
            sets.push(key);
            next
        });
        rule.peers = Some(id);
    }
    sets
}
