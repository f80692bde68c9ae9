//! The selector of a workload: the fewest of its labels that select it and nothing
//! else of its namespace, so that recommended policies read like hand-written ones.

use super::resolve::Unit;
use crate::model::{Cluster, Labels};

/// Labels controllers set per pod or per revision: never part of a workload's identity.
const VOLATILE: [&str; 4] = [
    "pod-template-hash",
    "controller-revision-hash",
    "statefulset.kubernetes.io/pod-name",
    "pod-template-generation",
];

/// Keys people select workloads by, most usual first; others follow in name order.
const PREFERRED: [&str; 8] = [
    "app.kubernetes.io/name",
    "app",
    "k8s-app",
    "tier",
    "name",
    "component",
    "app.kubernetes.io/component",
    "app.kubernetes.io/instance",
];

/// A workload's selector, and the other endpoints of its namespace it also selects
/// (empty unless no subset of its labels singles it out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chosen {
    pub labels: Labels,
    pub also: Vec<String>,
}

/// `None` when the workload's pods share no label (nothing can select them alone).
pub fn choose(cluster: &Cluster, unit: &Unit) -> Option<Chosen> {
    let mut common: Option<Labels> = None;
    for &m in &unit.members {
        let l = &cluster.endpoints[m].labels;
        common = Some(match common {
            None => l.clone(),
            Some(c) => c.into_iter().filter(|(k, v)| l.get(k) == Some(v)).collect(),
        });
    }
    let mut candidates: Vec<(String, String)> = common?
        .into_iter()
        .filter(|(k, _)| !VOLATILE.contains(&k.as_str()))
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let rank = |k: &str| {
        PREFERRED
            .iter()
            .position(|p| *p == k)
            .unwrap_or(PREFERRED.len())
    };
    candidates.sort_by(|a, b| (rank(&a.0), &a.0).cmp(&(rank(&b.0), &b.0)));
    let ns = cluster.endpoints[unit.members[0]].namespace;
    let others: Vec<usize> = (0..cluster.endpoints.len())
        .filter(|i| cluster.endpoints[*i].namespace == ns && !unit.members.contains(i))
        .collect();
    let selects = |sel: &[&(String, String)], e: usize| {
        let l = &cluster.endpoints[e].labels;
        sel.iter().all(|(k, v)| l.get(k) == Some(v))
    };
    let exact = |sel: &[&(String, String)]| others.iter().all(|&e| !selects(sel, e));
    for a in &candidates {
        if exact(&[a]) {
            return Some(Chosen {
                labels: [a.clone()].into_iter().collect(),
                also: vec![],
            });
        }
    }
    for (i, a) in candidates.iter().enumerate() {
        for b in &candidates[i + 1..] {
            if exact(&[a, b]) {
                return Some(Chosen {
                    labels: [a.clone(), b.clone()].into_iter().collect(),
                    also: vec![],
                });
            }
        }
    }
    let all: Vec<&(String, String)> = candidates.iter().collect();
    let also = others
        .iter()
        .filter(|&&e| selects(&all, e))
        .map(|&e| cluster.endpoint_name(e))
        .collect();
    Some(Chosen {
        labels: candidates.into_iter().collect(),
        also,
    })
}
