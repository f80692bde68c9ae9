//! The cluster tiers in the matrix, per port class. For one side (a subject class and the
//! node at the other end), the Admin rules are walked in precedence order over the ports
//! still undecided: Accept adds them to the allowed set, Deny drops them, Pass sets them
//! aside for NetworkPolicy. What Admin left (undecided or passed) goes to NetworkPolicy
//! when it isolates the class, and otherwise to the Baseline rules, where Accept and Pass
//! allow, Deny drops, and whatever no rule decided is allowed by default. This is the
//! engine's pipeline evaluated for every port class at once.

use super::{ports, Matrix};
use crate::engine::BitSet;
use crate::engine::{CompiledRule, Engine};
use crate::matrix::classes::Classes;
use crate::matrix::ports::ClassSet;
use crate::model::{Action, ClusterTier, Direction};

/// Per class and direction, the tiers' rules in the order they decide.
#[derive(Clone, Debug)]
pub(super) struct TierRules {
    /// `[direction][class]`: (rule id in `Matrix::rules`, action).
    admin: [Vec<Vec<(u32, Action)>>; 2],
    baseline: [Vec<Vec<(u32, Action)>>; 2],
    /// Classes with cluster ingress rules (over nodes, for row candidates).
    ingress_classes: BitSet,
    /// `[direction][class]`: the nodes at the other end the side may allow anything to
    /// (an over-approximation; empty for classes without cluster rules).
    pub possible: [Vec<BitSet>; 2],
}

impl TierRules {
    pub fn build<'e>(
        engine: &'e Engine,
        classes: &Classes,
        nodes: usize,
        mut add_rule: impl FnMut(&'e CompiledRule) -> u32,
    ) -> TierRules {
        let cluster = engine.cluster();
        let cc = &engine.compiled().cluster_policies;
        let c = classes.len();
        let mut out = TierRules {
            admin: [vec![Vec::new(); c], vec![Vec::new(); c]],
            baseline: [vec![Vec::new(); c], vec![Vec::new(); c]],
            ingress_classes: BitSet::new(nodes),
            possible: [Vec::new(), Vec::new()],
        };
        if cc.is_empty() {
            return out;
        }
        // Rule ids per (policy, direction), interned once.
        let ids: Vec<[Vec<u32>; 2]> = cc
            .policies
            .iter()
            .map(|p| {
                [
                    p.ingress.iter().map(&mut add_rule).collect(),
                    p.egress.iter().map(&mut add_rule).collect(),
                ]
            })
            .collect();
        for k in 0..c {
            let rep = classes.representative(k);
            for d in [Direction::Ingress, Direction::Egress] {
                for tier in [ClusterTier::Admin, ClusterTier::Baseline] {
                    let list: Vec<(u32, Action)> = cc
                        .applying(tier, d, rep)
                        .iter()
                        .flat_map(|&pid| {
                            let actions = cluster.cluster_policies[pid]
                                .rules(d)
                                .iter()
                                .map(|r| r.action);
                            ids[pid][d as usize].iter().copied().zip(actions)
                        })
                        .collect();
                    if !list.is_empty() && d == Direction::Ingress {
                        out.ingress_classes.insert(k);
                    }
                    match tier {
                        ClusterTier::Admin => out.admin[d as usize][k] = list,
                        ClusterTier::Baseline => out.baseline[d as usize][k] = list,
                    }
                }
            }
        }
        out
    }

    /// Whether any cluster rule applies to class `k` for `d`.
    pub fn applies(&self, d: Direction, k: usize) -> bool {
        let d = d as usize;
        self.admin[d].get(k).is_some_and(|l| !l.is_empty())
            || self.baseline[d].get(k).is_some_and(|l| !l.is_empty())
    }

    pub fn ingress_classes(&self) -> &BitSet {
        &self.ingress_classes
    }

    pub fn possible(&self, d: Direction, k: usize) -> &BitSet {
        &self.possible[d as usize][k]
    }
}

impl Matrix<'_> {
    /// For every class under cluster rules and each direction, the nodes at the other end
    /// that the side may allow some port to. The pipeline run over node sets instead of
    /// ports: a rule covering every port decides its peers wholly, any other may allow some.
    pub(super) fn tier_possible(&self) -> [Vec<BitSet>; 2] {
        let n = self.node_count();
        let c = self.classes.len();
        let mut out = [Vec::with_capacity(c), Vec::with_capacity(c)];
        for d in [Direction::Ingress, Direction::Egress] {
            let di = d as usize;
            for k in 0..c {
                if !self.tiers.applies(d, k) {
                    out[di].push(BitSet::new(0));
                    continue;
                }
                let full = BitSet::full(n);
                let peers = |r: u32| -> &BitSet {
                    match self.rules[r as usize].peers {
                        None => &full,
                        Some(p) => &self.peers[p as usize],
                    }
                };
                let all_ports =
                    |r: u32| matches!(self.rules[r as usize].ports, super::RulePorts::All);
                let mut possible = BitSet::new(n);
                // Admin: nodes wholly decided, and nodes passed on.
                let mut decided = BitSet::new(n);
                let mut passed = BitSet::new(n);
                for &(r, action) in &self.tiers.admin[di][k] {
                    let mut open = peers(r).clone();
                    open.difference_with(&decided);
                    match action {
                        Action::Accept => possible.union_with(&open),
                        Action::Pass => passed.union_with(&open),
                        Action::Deny => {}
                    }
                    if all_ports(r) {
                        decided.union_with(peers(r));
                    }
                }
                let mut next = BitSet::full(n);
                next.difference_with(&decided);
                next.union_with(&passed);
                let isolated = match d {
                    Direction::Egress => self.out_iso[k],
                    Direction::Ingress => self.in_iso[k],
                };
                if isolated {
                    let rules = match d {
                        Direction::Egress => &self.out_rules[k],
                        Direction::Ingress => &self.in_rules[k],
                    };
                    let mut np = BitSet::new(n);
                    for &r in rules {
                        np.union_with(peers(r));
                    }
                    np.intersect_with(&next);
                    possible.union_with(&np);
                } else {
                    let mut decided = BitSet::new(n);
                    for &(r, action) in &self.tiers.baseline[di][k] {
                        if action != Action::Deny {
                            let mut open = peers(r).clone();
                            open.intersect_with(&next);
                            open.difference_with(&decided);
                            possible.union_with(&open);
                        }
                        if all_ports(r) {
                            decided.union_with(peers(r));
                        }
                    }
                    next.difference_with(&decided);
                    possible.union_with(&next);
                }
                out[di].push(possible);
            }
        }
        out
    }

    /// The ports one side allows, tiers included: `k` is the subject class, `o` the node at
    /// the other end.
    pub(super) fn tier_side(&self, d: Direction, k: usize, o: usize, out: &mut ClassSet) {
        let w = out.len();
        let dst = match d {
            Direction::Egress => o,
            Direction::Ingress => k,
        };
        // Three scratch sets; on the stack for the usual few words of port classes.
        let mut stack = [0u64; 48];
        let mut heap = Vec::new();
        let buf: &mut [u64] = if 3 * w <= stack.len() {
            &mut stack[..3 * w]
        } else {
            heap.resize(3 * w, 0);
            &mut heap
        };
        let (undecided, rest) = buf.split_at_mut(w);
        let (passed, scratch) = rest.split_at_mut(w);
        undecided.copy_from_slice(&self.full_ports);
        out.fill(0);
        let di = d as usize;
        // Admin: Accept allows, Deny drops, Pass leaves the ports to NetworkPolicy.
        self.walk(
            &self.tiers.admin[di][k],
            o,
            dst,
            undecided,
            scratch,
            |a, p| match a {
                Action::Accept => ports::union_into(out, p),
                Action::Pass => ports::union_into(passed, p),
                Action::Deny => {}
            },
        );
        ports::union_into(undecided, passed);
        let isolated = match d {
            Direction::Egress => self.out_iso[k],
            Direction::Ingress => self.in_iso[k],
        };
        if isolated {
            // NetworkPolicy decides every port that reached it.
            scratch.fill(0);
            match d {
                Direction::Egress => self.np_egress(k, o, scratch),
                Direction::Ingress => self.np_ingress(k, o, scratch),
            }
            ports::intersect_into(scratch, undecided);
            ports::union_into(out, scratch);
            return;
        }
        // Baseline: Accept and Pass (to the default) allow, Deny drops; the rest is allowed.
        self.walk(
            &self.tiers.baseline[di][k],
            o,
            dst,
            undecided,
            scratch,
            |a, p| {
                if a != Action::Deny {
                    ports::union_into(out, p);
                }
            },
        );
        ports::union_into(out, undecided);
    }

    /// Rules in order: each matching rule takes the undecided ports it covers and hands
    /// them to `decide`.
    fn walk(
        &self,
        rules: &[(u32, Action)],
        o: usize,
        dst: usize,
        undecided: &mut ClassSet,
        scratch: &mut ClassSet,
        mut decide: impl FnMut(Action, &ClassSet),
    ) {
        for &(r, action) in rules {
            if ports::is_empty(undecided) {
                return;
            }
            if !self.peer_contains(r as usize, o) {
                continue;
            }
            scratch.fill(0);
            self.add_rule_ports(r as usize, dst, scratch);
            ports::intersect_into(scratch, undecided);
            if ports::is_empty(scratch) {
                continue;
            }
            decide(action, scratch);
            ports::difference_into(undecided, scratch);
        }
    }
}
