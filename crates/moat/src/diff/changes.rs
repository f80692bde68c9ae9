//! What changed between the two sides, object by object: endpoints matched by identity
//! (namespace, kind, name), policies by namespace and name, namespaces by name. From this
//! follows which endpoints' rows and columns of the matrix can differ at all.
//!
//! The connection from endpoint `a` to endpoint (or address) `b` is
//! `egress(a → b) ∩ ingress(b ← a)`. `egress(a → b)` reads the policies isolating `a` for
//! egress and the attributes of `b` that peers and named ports read (namespace labels,
//! labels, IPs, container ports, hostNetwork); `ingress(b ← a)` reads the policies isolating
//! `b` for ingress and the same attributes of `a`. So when neither `a`'s egress side nor
//! `b`'s ingress side nor the attributes of either changed, the connection is the same on
//! both sides. An endpoint is *source-dirty* when its egress policies (which ones, or their
//! content) or its attributes changed, and *destination-dirty* likewise for ingress:
//! every connection that differs has a source-dirty source or a destination-dirty
//! destination.

use crate::engine::Engine;
use crate::model::{Cluster, Direction, Endpoint, NetworkPolicy, Rule};

/// How a policy differs from its namesake on the other side.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PolicyChange {
    /// Only on the new side.
    Added,
    /// Only on the old side.
    Removed,
    /// On both sides, with these parts of the spec different (`podSelector`,
    /// `policyTypes`, `ingress`, `egress`).
    Edited(Vec<&'static str>),
}

impl std::fmt::Display for PolicyChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyChange::Added => f.write_str("added"),
            PolicyChange::Removed => f.write_str("removed"),
            PolicyChange::Edited(parts) => write!(f, "edited ({})", parts.join(", ")),
        }
    }
}

/// Per side (0 old, 1 new): what changed and which endpoints are dirty.
pub struct Changes {
    /// Per side, per policy: its change, if any.
    pub policies: [Vec<Option<PolicyChange>>; 2],
    /// Per side, per endpoint: what changed about the endpoint itself, if anything
    /// (`Deployment production/web: labels app=web → app=api`).
    pub endpoints: [Vec<Option<String>>; 2],
    /// Per side, per endpoint: its egress may differ (its row must be recomputed).
    pub source_dirty: [Vec<bool>; 2],
    /// Per side, per endpoint: its ingress may differ (its column must be recomputed).
    pub destination_dirty: [Vec<bool>; 2],
    /// Per side, per endpoint: the same endpoint (by identity) on the other side.
    pub counterpart: [Vec<Option<usize>>; 2],
}

type EndpointKey<'a> = (&'a str, &'a str, &'a str);

fn endpoint_key(c: &Cluster, e: usize) -> EndpointKey<'_> {
    let ep = &c.endpoints[e];
    (
        c.namespaces[ep.namespace].name.as_str(),
        ep.kind_name(),
        ep.name.as_str(),
    )
}

fn policy_keys(c: &Cluster) -> Vec<(&str, &str)> {
    c.policies
        .iter()
        .map(|p| (p.namespace.as_str(), p.name.as_str()))
        .collect()
}

fn endpoint_keys(c: &Cluster) -> Vec<EndpointKey<'_>> {
    (0..c.endpoints.len()).map(|e| endpoint_key(c, e)).collect()
}

/// Match items of two sides by key: per side, per item, its counterpart on the other side.
/// A key held twice on one side is matched on neither (those items stay dirty). A sorted
/// merge, not a hash join: the loader already sorts both sides nearly by these keys.
fn match_by<K: Ord>(a: Vec<K>, b: Vec<K>) -> [Vec<Option<usize>>; 2] {
    let order = |keys: &Vec<K>| {
        let mut o: Vec<usize> = (0..keys.len()).collect();
        o.sort_by(|&x, &y| keys[x].cmp(&keys[y]));
        o
    };
    let (oa, ob) = (order(&a), order(&b));
    let mut out = [vec![None; a.len()], vec![None; b.len()]];
    let unique = |o: &[usize], keys: &[K], i: usize| {
        (i == 0 || keys[o[i - 1]] != keys[o[i]])
            && (i + 1 == o.len() || keys[o[i + 1]] != keys[o[i]])
    };
    let (mut i, mut j) = (0, 0);
    while i < oa.len() && j < ob.len() {
        match a[oa[i]].cmp(&b[ob[j]]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                if unique(&oa, &a, i) && unique(&ob, &b, j) {
                    out[0][oa[i]] = Some(ob[j]);
                    out[1][ob[j]] = Some(oa[i]);
                }
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn same_rules(a: &[Rule], b: &[Rule]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.ports == y.ports
                && match (&x.peers, &y.peers) {
                    (None, None) => true,
                    (Some(p), Some(q)) => {
                        p.len() == q.len() && p.iter().zip(q).all(|(m, n)| m.kind == n.kind)
                    }
                    _ => false,
                }
        })
}

/// The parts of the spec that differ (positions, labels and annotations do not count).
pub fn policy_differences(a: &NetworkPolicy, b: &NetworkPolicy) -> Vec<&'static str> {
    let mut parts = Vec::new();
    if a.pod_selector != b.pod_selector {
        parts.push("podSelector");
    }
    if (a.policy_types.ingress, a.policy_types.egress)
        != (b.policy_types.ingress, b.policy_types.egress)
    {
        parts.push("policyTypes");
    }
    if !same_rules(&a.ingress, &b.ingress) {
        parts.push("ingress");
    }
    if !same_rules(&a.egress, &b.egress) {
        parts.push("egress");
    }
    parts
}

fn label_changes(a: &crate::model::Labels, b: &crate::model::Labels) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in a {
        match b.get(k) {
            None => out.push(format!("-{k}={v}")),
            Some(w) if w != v => out.push(format!("{k}={v} → {k}={w}")),
            Some(_) => {}
        }
    }
    for (k, v) in b {
        if !a.contains_key(k) {
            out.push(format!("+{k}={v}"));
        }
    }
    out
}

fn replicas(e: &Endpoint) -> Option<u32> {
    match &e.kind {
        crate::model::EndpointKind::Workload { replicas, .. } => Some(*replicas),
        crate::model::EndpointKind::Pod => None,
    }
}

/// What differs between two versions of one endpoint (and its namespace), in words.
fn endpoint_differences(old: &Cluster, a: usize, new: &Cluster, b: usize) -> Vec<String> {
    let (x, y) = (&old.endpoints[a], &new.endpoints[b]);
    let mut out = Vec::new();
    let labels = label_changes(&x.labels, &y.labels);
    if !labels.is_empty() {
        out.push(format!("labels {}", labels.join(", ")));
    }
    let ns = label_changes(
        &old.namespaces[x.namespace].labels,
        &new.namespaces[y.namespace].labels,
    );
    if !ns.is_empty() {
        out.push(format!("namespace labels {}", ns.join(", ")));
    }
    if x.ports != y.ports {
        out.push("container ports".to_string());
    }
    if x.ips != y.ips {
        out.push("pod IPs".to_string());
    }
    if x.host_network != y.host_network {
        out.push(format!(
            "hostNetwork {} → {}",
            x.host_network, y.host_network
        ));
    }
    if replicas(x) != replicas(y) && x.has_several_pods() != y.has_several_pods() {
        let r = |e: &Endpoint| replicas(e).map_or("-".to_string(), |r| r.to_string());
        out.push(format!("replicas {} → {}", r(x), r(y)));
    }
    if x.owner != y.owner {
        out.push("owner".to_string());
    }
    out
}

fn policy_names<'c>(c: &'c Cluster, ids: &[usize]) -> Vec<(&'c str, &'c str)> {
    let mut v: Vec<(&str, &str)> = ids
        .iter()
        .map(|&p| {
            (
                c.policies[p].namespace.as_str(),
                c.policies[p].name.as_str(),
            )
        })
        .collect();
    v.sort_unstable();
    v
}

/// One side's endpoints: what changed about each, and which are dirty.
struct SideEndpoints {
    notes: Vec<Option<String>>,
    source_dirty: Vec<bool>,
    destination_dirty: Vec<bool>,
}

impl Changes {
    pub fn find(old: &Engine, new: &Engine) -> Changes {
        let sides = [old.cluster(), new.cluster()];

        // Policies by (namespace, name).
        let pol_match = match_by(policy_keys(sides[0]), policy_keys(sides[1]));
        let mut policies: [Vec<Option<PolicyChange>>; 2] = [Vec::new(), Vec::new()];
        for s in 0..2 {
            policies[s] = sides[s]
                .policies
                .iter()
                .zip(&pol_match[s])
                .map(|(p, m)| match m {
                    Some(j) => {
                        let diff = policy_differences(p, &sides[1 - s].policies[*j]);
                        (!diff.is_empty()).then_some(PolicyChange::Edited(diff))
                    }
                    None if s == 0 => Some(PolicyChange::Removed),
                    None => Some(PolicyChange::Added),
                })
                .collect();
        }

        // Endpoints by identity.
        let counterpart = match_by(endpoint_keys(sides[0]), endpoint_keys(sides[1]));
        let views = [old.view(), new.view()];
        let side = |s: usize| -> SideEndpoints {
            let other = 1 - s;
            let c = sides[s];
            let n = c.endpoints.len();
            let mut out = SideEndpoints {
                notes: vec![None; n],
                source_dirty: vec![false; n],
                destination_dirty: vec![false; n],
            };
            for (e, &counter) in counterpart[s].iter().enumerate() {
                let name = || {
                    let k = endpoint_key(c, e);
                    format!("{} {}/{}", k.1, k.0, k.2)
                };
                let Some(o) = counter else {
                    out.notes[e] = Some(format!(
                        "{} {}",
                        name(),
                        if s == 0 { "removed" } else { "added" }
                    ));
                    out.source_dirty[e] = true;
                    out.destination_dirty[e] = true;
                    continue;
                };
                let diffs = if s == 0 {
                    endpoint_differences(c, e, sides[1], o)
                } else {
                    endpoint_differences(sides[0], o, c, e)
                };
                if !diffs.is_empty() {
                    out.notes[e] = Some(format!("{}: {}", name(), diffs.join("; ")));
                    out.source_dirty[e] = true;
                    out.destination_dirty[e] = true;
                    continue;
                }
                // Same endpoint: dirty in a direction when its isolating policies differ,
                // by name or by content.
                for d in [Direction::Egress, Direction::Ingress] {
                    let mine = views[s].isolating(d, e);
                    let theirs = views[other].isolating(d, o);
                    let dirty = mine.iter().any(|&p| policies[s][p].is_some())
                        || mine.len() != theirs.len()
                        || policy_names(c, mine) != policy_names(sides[other], theirs);
                    match d {
                        Direction::Egress => out.source_dirty[e] = dirty,
                        Direction::Ingress => out.destination_dirty[e] = dirty,
                    }
                }
            }
            out
        };
        let (a, b) = rayon::join(|| side(0), || side(1));
        Changes {
            policies,
            endpoints: [a.notes, b.notes],
            source_dirty: [a.source_dirty, b.source_dirty],
            destination_dirty: [a.destination_dirty, b.destination_dirty],
            counterpart,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load_str, LoadOptions};

    fn engine(y: &str) -> Engine {
        let l = load_str("t.yaml", y, &LoadOptions::default());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        Engine::new(l.cluster)
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: a, labels: {app: web}}\nspec: {containers: [{name: c, image: x}]}\n---\n";
    const POLICY: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: a}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n";

    #[test]
    fn moved_lines_and_comments_are_no_change() {
        let old = engine(&format!("{POD}{POLICY}"));
        let new = engine(&format!("# a comment\n\n{POLICY}---\n{POD}"));
        let c = Changes::find(&old, &new);
        assert_eq!(c.policies, [vec![None], vec![None]]);
        assert_eq!(c.endpoints, [vec![None], vec![None]]);
        assert_eq!(c.source_dirty, [vec![false], vec![false]]);
        assert_eq!(c.destination_dirty, [vec![false], vec![false]]);
        assert_eq!(c.counterpart, [vec![Some(0)], vec![Some(0)]]);
    }

    #[test]
    fn a_policy_edit_dirties_its_direction_only() {
        let old = engine(&format!("{POD}{POLICY}"));
        let new = engine(&format!(
            "{POD}{}",
            POLICY.replace("[Ingress]", "[Ingress, Egress]")
        ));
        let c = Changes::find(&old, &new);
        assert_eq!(
            c.policies[1],
            vec![Some(PolicyChange::Edited(vec!["policyTypes"]))]
        );
        // Now isolated for egress too: its row may differ; its ingress policies did change
        // (same name, other content), so its column too.
        assert_eq!(c.source_dirty, [vec![true], vec![true]]);
        assert_eq!(c.destination_dirty, [vec![true], vec![true]]);
        let ports = POLICY.replace(
            "policyTypes: [Ingress]}",
            "policyTypes: [Egress], egress: [{}]}",
        );
        let new = engine(&format!(
            "{POD}{POLICY}---\n{}",
            ports.replace("name: deny", "name: out")
        ));
        let c = Changes::find(&old, &new);
        assert_eq!(c.policies[1], vec![None, Some(PolicyChange::Added)]);
        assert_eq!(c.source_dirty[1], vec![true]);
        assert_eq!(c.destination_dirty[1], vec![false]);
    }

    #[test]
    fn endpoint_changes_are_described_and_dirty_both_ways() {
        let old = engine(POD);
        let new = engine(&POD.replace("app: web", "app: api, tier: front"));
        let c = Changes::find(&old, &new);
        assert_eq!(
            c.endpoints[1],
            vec![Some(
                "Pod a/web: labels app=web → app=api, +tier=front".to_string()
            )]
        );
        assert_eq!(c.source_dirty[1], vec![true]);
        assert_eq!(c.destination_dirty[1], vec![true]);
        let renamed = engine(&POD.replace("name: web", "name: web2"));
        let c = Changes::find(&old, &renamed);
        assert_eq!(c.endpoints[0], vec![Some("Pod a/web removed".to_string())]);
        assert_eq!(c.endpoints[1], vec![Some("Pod a/web2 added".to_string())]);
    }
}
