//! Reachability between nodes (endpoint classes, then external parts), per port class.
//!
//! For a source node s and destination node d, the allowed ports are
//! `egress(s, d) ∩ ingress(s, d)`, where each side is every port when the subject is not
//! isolated (or is external, or hostNetwork), and otherwise the union of the ports of the
//! isolating policies' rules whose peers contain the other node. A row (all d for one s)
//! first narrows the candidates with bitsets over nodes: the union of s's egress peers,
//! intersected with the nodes whose ingress admits s on some rule (through a reverse index
//! from each node to the ingress peer sets that contain it). Only candidates get the exact,
//! per-rule port computation.

// foldhash, not SipHash: the interning maps are filled on one thread, and `in_sel` is read
// for every row.
use foldhash::HashMap;
use std::sync::Arc;

mod tiers;

use self::tiers::TierRules;
use super::classes::Classes;
use super::ipparts::IpParts;
use super::ports::{self, ClassSet, PortClasses};
use crate::engine::{BitSet, CompiledRule, Engine, PeerSet, Target};
use crate::model::{Direction, IpSet, PolicyPort, PortMatch, Protocol};

/// The ports of one rule, with named ports left to resolve per destination.
#[derive(Clone, Debug)]
enum RulePorts {
    All,
    Fixed(Vec<u64>),
    Named {
        fixed: Vec<u64>,
        named: Vec<(String, Protocol)>,
    },
}

#[derive(Clone, Debug)]
struct NodeRule {
    /// Index in `Matrix::peers`; `None`: every node.
    peers: Option<u32>,
    ports: RulePorts,
}

/// The allowed destinations of one source node, with their port-class sets.
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub dsts: Vec<u32>,
    /// `words` words per destination, in the order of `dsts`.
    pub sets: Vec<u64>,
    words: usize,
}

impl Row {
    pub fn len(&self) -> usize {
        self.dsts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dsts.is_empty()
    }

    pub fn get(&self, i: usize) -> (u32, &ClassSet) {
        (
            self.dsts[i],
            &self.sets[i * self.words..(i + 1) * self.words],
        )
    }

    pub fn iter(&self) -> impl Iterator<Item = (u32, &ClassSet)> {
        self.dsts
            .iter()
            .copied()
            .zip(self.sets.chunks_exact(self.words.max(1)))
    }
}

/// What a row may be narrowed to (for filters): destination nodes, and ports.
#[derive(Clone, Copy, Debug, Default)]
pub struct RowFilter<'a> {
    pub dsts: Option<&'a BitSet>,
    pub ports: Option<&'a ClassSet>,
}

pub struct Matrix<'e> {
    engine: &'e Engine,
    pub ports: PortClasses,
    pub ips: IpParts,
    pub classes: Classes,
    /// Distinct peer sets of rules, over nodes.
    peers: Vec<Arc<BitSet>>,
    rules: Vec<NodeRule>,
    in_rules: Vec<Vec<u32>>,
    /// Per class: its ingress rules' port sets (named ports resolved against it), merged
    /// by peer set (`u32::MAX`: every peer); `in_words` holds the sets.
    in_peers: Vec<Vec<u32>>,
    in_words: Vec<Vec<u64>>,
    out_rules: Vec<Vec<u32>>,
    /// Per class: isolated for ingress / egress.
    in_iso: Vec<bool>,
    out_iso: Vec<bool>,
    /// Nodes whose ingress admits every source (not isolated, external, hostNetwork).
    open_in: BitSet,
    /// Classes with an ingress rule that has no `from` (matches every source).
    in_sel_all: BitSet,
    /// Per ingress peer id: the classes with an ingress rule of that peer set.
    in_sel: HashMap<u32, BitSet>,
    /// Per node: the ingress peer ids whose set contains it.
    peer_rev: Vec<Vec<u32>>,
    externals: BitSet,
    full_ports: Vec<u64>,
    /// The Admin and Baseline tiers' rules per class.
    tiers: TierRules,
}

impl<'e> Matrix<'e> {
    /// Build for every port; `extra_ports` adds class bounds (for exact port filters).
    pub fn new(engine: &'e Engine, extra_ports: &[(Protocol, u16, u16)]) -> Self {
        let cluster = engine.cluster();
        let compiled = engine.compiled();
        let view = engine.view();
        let pc = PortClasses::build(cluster, extra_ports);
        let ips = IpParts::build(cluster);
        let classes = Classes::build(cluster, &ips);
        let c = classes.len();
        let n = c + ips.len();
        let mut externals = BitSet::new(n);
        for x in c..n {
            externals.insert(x);
        }

        // Peer sets over nodes, interned: selector sets by identity, ipBlocks by value,
        // multi-peer rules by their members.
        let mut peers: Vec<Arc<BitSet>> = Vec::new();
        let mut by_ptr: HashMap<usize, u32> = HashMap::default();
        let mut by_ips: HashMap<&IpSet, u32> = HashMap::default();
        let mut by_list: HashMap<Vec<u32>, u32> = HashMap::default();
        let mut peer_id = |set: &'e PeerSet, peers: &mut Vec<Arc<BitSet>>| -> u32 {
            match set {
                PeerSet::Endpoints(bits) => {
                    *by_ptr.entry(Arc::as_ptr(bits) as usize).or_insert_with(|| {
                        let mut s = BitSet::new(n);
                        for e in bits.iter() {
                            s.insert(classes.of_endpoint[e] as usize);
                        }
                        peers.push(Arc::new(s));
                        (peers.len() - 1) as u32
                    })
                }
                PeerSet::Ips(set) => *by_ips.entry(set).or_insert_with(|| {
                    let mut s = BitSet::new(n);
                    for (x, part) in ips.parts().iter().enumerate() {
                        if set.contains(part.first()) {
                            s.insert(c + x);
                        }
                    }
                    for (k, m) in classes.members.iter().enumerate() {
                        let rep = &cluster.endpoints[m[0] as usize];
                        if rep.ips.iter().any(|ip| set.contains(*ip)) {
                            s.insert(k);
                        }
                    }
                    peers.push(Arc::new(s));
                    (peers.len() - 1) as u32
                }),
            }
        };

        let mut rules: Vec<NodeRule> = Vec::new();
        let mut add_rule = |r: &'e CompiledRule, peers: &mut Vec<Arc<BitSet>>| -> u32 {
            let peer = r.peers.as_ref().map(|list| {
                let members: Vec<u32> = list.iter().map(|p| peer_id(p, peers)).collect();
                if members.len() == 1 {
                    return members[0];
                }
                let mut key = members.clone();
                key.sort_unstable();
                key.dedup();
                *by_list.entry(key).or_insert_with(|| {
                    let mut s = BitSet::new(n);
                    for m in &members {
                        s.union_with(&peers[*m as usize]);
                    }
                    peers.push(Arc::new(s));
                    (peers.len() - 1) as u32
                })
            });
            rules.push(NodeRule {
                peers: peer,
                ports: rule_ports(&pc, r.ports.as_deref()),
            });
            (rules.len() - 1) as u32
        };
        // Per policy and direction: the ids of its rules.
        let mut policy_rules: [Vec<Vec<u32>>; 2] = [Vec::new(), Vec::new()];
        for cp in &compiled.policies {
            for (di, d) in [Direction::Ingress, Direction::Egress]
                .into_iter()
                .enumerate()
            {
                let ids = cp
                    .rules(d)
                    .iter()
                    .map(|r| add_rule(r, &mut peers))
                    .collect();
                policy_rules[di].push(ids);
            }
        }
        let tiers = TierRules::build(engine, &classes, n, |r| add_rule(r, &mut peers));

        let mut in_rules = Vec::with_capacity(c);
        let mut out_rules = Vec::with_capacity(c);
        let mut in_iso = Vec::with_capacity(c);
        let mut out_iso = Vec::with_capacity(c);
        let mut open_in = BitSet::new(n);
        open_in.union_with(&externals);
        for k in 0..c {
            let rep = classes.representative(k);
            let ing = view.isolating(Direction::Ingress, rep);
            let eg = view.isolating(Direction::Egress, rep);
            in_iso.push(!ing.is_empty());
            out_iso.push(!eg.is_empty());
            if ing.is_empty() {
                open_in.insert(k);
            }
            in_rules.push(
                ing.iter()
                    .flat_map(|&p| policy_rules[0][p].iter().copied())
                    .collect::<Vec<_>>(),
            );
            out_rules.push(
                eg.iter()
                    .flat_map(|&p| policy_rules[1][p].iter().copied())
                    .collect::<Vec<_>>(),
            );
        }

        let full_ports = pc.full();
        let mut m = Matrix {
            engine,
            ports: pc,
            ips,
            classes,
            peers,
            rules,
            in_rules,
            in_peers: Vec::new(),
            in_words: Vec::new(),
            out_rules,
            in_iso,
            out_iso,
            open_in,
            in_sel_all: BitSet::new(n),
            in_sel: HashMap::default(),
            peer_rev: vec![Vec::new(); n],
            externals,
            full_ports,
            tiers,
        };
        m.tiers.possible = m.tier_possible();
        // Reverse index for ingress: which classes a source may be admitted by.
        let mut scratch = m.ports.empty();
        let mut in_sel: HashMap<u32, BitSet> = HashMap::default();
        let mut in_sel_all = BitSet::new(n);
        let w = m.ports.words();
        let mut in_peers = Vec::with_capacity(c);
        let mut in_words = Vec::with_capacity(c);
        for k in 0..c {
            let mut peers_k: Vec<u32> = Vec::new();
            let mut words_k: Vec<u64> = Vec::new();
            for &r in &m.in_rules[k] {
                scratch.fill(0);
                m.add_rule_ports(r as usize, k, &mut scratch);
                if ports::is_empty(&scratch) {
                    continue;
                }
                let peer = m.rules[r as usize].peers.unwrap_or(u32::MAX);
                match peers_k.iter().position(|&p| p == peer) {
                    Some(i) => ports::union_into(&mut words_k[i * w..(i + 1) * w], &scratch),
                    None => {
                        peers_k.push(peer);
                        words_k.extend_from_slice(&scratch);
                    }
                }
                match m.rules[r as usize].peers {
                    None => in_sel_all.insert(k),
                    Some(p) => in_sel.entry(p).or_insert_with(|| BitSet::new(n)).insert(k),
                }
            }
            in_peers.push(peers_k);
            in_words.push(words_k);
        }
        m.in_peers = in_peers;
        m.in_words = in_words;
        let mut ids: Vec<u32> = in_sel.keys().copied().collect();
        ids.sort_unstable();
        for p in ids {
            for s in m.peers[p as usize].iter() {
                m.peer_rev[s].push(p);
            }
        }
        m.in_sel = in_sel;
        m.in_sel_all = in_sel_all;
        m
    }

    pub fn engine(&self) -> &'e Engine {
        self.engine
    }

    /// Endpoint classes, then external parts.
    pub fn node_count(&self) -> usize {
        self.classes.len() + self.ips.len()
    }

    pub fn is_external(&self, node: usize) -> bool {
        node >= self.classes.len()
    }

    /// The node of a target: its endpoint's class, or the external part of its address.
    pub fn node_of(&self, t: Target) -> usize {
        match t {
            Target::Endpoint(e) => self.classes.of_endpoint[e] as usize,
            Target::External(ip) => self.classes.len() + self.ips.part_of(ip),
        }
    }

    pub fn ingress_isolated(&self, class: usize) -> bool {
        self.in_iso.get(class).copied().unwrap_or(false)
    }

    pub fn egress_isolated(&self, class: usize) -> bool {
        self.out_iso.get(class).copied().unwrap_or(false)
    }

    fn add_rule_ports(&self, r: usize, dst: usize, acc: &mut ClassSet) {
        match &self.rules[r].ports {
            RulePorts::All => acc.copy_from_slice(&self.full_ports),
            RulePorts::Fixed(set) => ports::union_into(acc, set),
            RulePorts::Named { fixed, named } => {
                ports::union_into(acc, fixed);
                if dst < self.classes.len() {
                    let ep = &self.engine.cluster().endpoints[self.classes.representative(dst)];
                    for (name, proto) in named {
                        if let Some(p) = ep.named_port(name, *proto) {
                            let k = self.ports.class_of(*proto, p);
                            acc[k / 64] |= 1 << (k % 64);
                        }
                    }
                }
            }
        }
    }

    fn peer_contains(&self, r: usize, node: usize) -> bool {
        match self.rules[r].peers {
            None => true,
            Some(p) => self.peers[p as usize].contains(node),
        }
    }

    /// The ports allowed from node `s` to node `d`, by policy (the self-traffic rule is the
    /// caller's: it concerns one pod, not a class). `acc` receives the set; `tmp` is scratch.
    pub fn pair(&self, s: usize, d: usize, acc: &mut ClassSet, tmp: &mut ClassSet) {
        let c = self.classes.len();
        if s >= c && d >= c {
            // Between two outside addresses: no policy applies; the matrix leaves it out.
            acc.fill(0);
            return;
        }
        if s < c && self.tiers.applies(Direction::Egress, s) {
            self.tier_side(Direction::Egress, s, d, acc);
        } else if s < c && self.out_iso[s] {
            acc.fill(0);
            self.np_egress(s, d, acc);
        } else {
            acc.copy_from_slice(&self.full_ports);
        }
        if d < c && !ports::is_empty(acc) {
            if self.tiers.applies(Direction::Ingress, d) {
                self.tier_side(Direction::Ingress, d, s, tmp);
                ports::intersect_into(acc, tmp);
            } else if self.in_iso[d] {
                tmp.fill(0);
                self.np_ingress(d, s, tmp);
                ports::intersect_into(acc, tmp);
            }
        }
    }

    /// The NetworkPolicy egress ports of class `s` towards node `d` (s isolated).
    fn np_egress(&self, s: usize, d: usize, acc: &mut ClassSet) {
        for &r in &self.out_rules[s] {
            if self.peer_contains(r as usize, d) {
                self.add_rule_ports(r as usize, d, acc);
            }
        }
    }

    /// The NetworkPolicy ingress ports of class `d` from node `s` (d isolated).
    fn np_ingress(&self, d: usize, s: usize, acc: &mut ClassSet) {
        let w = acc.len();
        for (i, &p) in self.in_peers[d].iter().enumerate() {
            if p == u32::MAX || self.peers[p as usize].contains(s) {
                ports::union_into(acc, &self.in_words[d][i * w..(i + 1) * w]);
            }
        }
    }

    /// Every destination node that `s` may reach, with the ports.
    pub fn row(&self, s: usize, filter: RowFilter, out: &mut Row) {
        let n = self.node_count();
        let c = self.classes.len();
        let w = self.ports.words();
        out.dsts.clear();
        out.sets.clear();
        out.words = w;
        let mut cand = if s < c && self.tiers.applies(Direction::Egress, s) {
            self.tiers.possible(Direction::Egress, s).clone()
        } else if s < c && self.out_iso[s] {
            let mut u = BitSet::new(n);
            for &r in &self.out_rules[s] {
                match self.rules[r as usize].peers {
                    None => {
                        u = BitSet::full(n);
                        break;
                    }
                    Some(p) => u.union_with(&self.peers[p as usize]),
                }
            }
            u
        } else {
            BitSet::full(n)
        };
        if s >= c {
            cand.difference_with(&self.externals);
        }
        let mut incol = self.open_in.clone();
        incol.union_with(&self.in_sel_all);
        for p in &self.peer_rev[s] {
            if let Some(b) = self.in_sel.get(p) {
                incol.union_with(b);
            }
        }
        // Classes under cluster tiers: admitted by their own over-approximation instead.
        let tier_in = self.tiers.ingress_classes();
        incol.difference_with(tier_in);
        for d in tier_in.iter() {
            if self.tiers.possible(Direction::Ingress, d).contains(s) {
                incol.insert(d);
            }
        }
        cand.intersect_with(&incol);
        if let Some(m) = filter.dsts {
            cand.intersect_with(m);
        }
        let mut acc = vec![0u64; w];
        let mut tmp = vec![0u64; w];
        for d in cand.iter() {
            self.pair(s, d, &mut acc, &mut tmp);
            if let Some(pm) = filter.ports {
                ports::intersect_into(&mut acc, pm);
            }
            if !ports::is_empty(&acc) {
                out.dsts.push(d as u32);
                out.sets.extend_from_slice(&acc);
            }
        }
    }

    /// The ports allowed for one flow between two targets, self-traffic rule included
    /// (between two external addresses: none, as the matrix leaves those out).
    pub fn allowed_ports(&self, src: Target, dst: Target) -> Vec<u64> {
        if let (Target::Endpoint(a), Target::Endpoint(b)) = (src, dst) {
            if a == b && !self.engine.cluster().endpoints[a].has_several_pods() {
                return self.full_ports.clone();
            }
        }
        let mut acc = self.ports.empty();
        let mut tmp = self.ports.empty();
        self.pair(self.node_of(src), self.node_of(dst), &mut acc, &mut tmp);
        acc
    }

    /// Whether the matrix allows this flow.
    pub fn allows(&self, src: Target, dst: Target, port: u16, protocol: Protocol) -> bool {
        ports::contains(
            &self.allowed_ports(src, dst),
            self.ports.class_of(protocol, port),
        )
    }

    pub fn full_ports(&self) -> &ClassSet {
        &self.full_ports
    }
}

fn rule_ports(pc: &PortClasses, list: Option<&[PolicyPort]>) -> RulePorts {
    let Some(list) = list else {
        return RulePorts::All;
    };
    let mut fixed = pc.empty();
    let mut named = Vec::new();
    for p in list {
        match &p.port {
            PortMatch::All => pc.add_protocol(&mut fixed, p.protocol),
            PortMatch::Range(a, b) => pc.add_range(&mut fixed, p.protocol, *a, *b),
            PortMatch::Named(n) => named.push((n.clone(), p.protocol)),
        }
    }
    if named.is_empty() {
        RulePorts::Fixed(fixed)
    } else {
        RulePorts::Named { fixed, named }
    }
}
