//! Views of the matrix: endpoints (and external parts) gathered into groups (one per pod,
//! per workload, or per namespace), and the connections between groups.
//!
//! Units are what groups hold: endpoint `e` is unit `e`, external part `x` is unit
//! `endpoints + x`. A connection from group A to group B carries the union of the ports of
//! every member pair, how many pairs are allowed, and whether every pair has the very same
//! ports (`uniform`). A pod's traffic to itself is always allowed and never subject to
//! policy, so it is left out of groups, except where it is a group's only pair (a
//! single-pod endpoint viewed on its own), where it shows as `All`.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use rayon::prelude::*;
use smallvec::SmallVec;

use super::compute::{Matrix, Row, RowFilter};
use super::ports::{self, ClassSet};
use crate::engine::BitSet;
use crate::model::{Cluster, NsId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// One group per endpoint (Pod object, or workload standing for its replicas).
    Pod,
    /// Pods gathered under their controller (the Deployment behind a ReplicaSet).
    Workload,
    Namespace,
}

#[derive(Clone, Debug)]
pub struct Groups {
    pub by: GroupBy,
    pub names: Vec<String>,
    /// The namespace of each group; `None` for an external range.
    pub namespace: Vec<Option<NsId>>,
    pub members: Vec<Vec<u32>>,
    pub of_unit: Vec<u32>,
    /// Number of endpoints: units from here on are external parts.
    pub endpoints: usize,
}

impl Groups {
    pub fn build(m: &Matrix, by: GroupBy) -> Self {
        let cluster: &Cluster = m.engine().cluster();
        let ne = cluster.endpoints.len();
        let mut keys: Vec<(String, String, u32)> = Vec::with_capacity(ne);
        for (i, e) in cluster.endpoints.iter().enumerate() {
            let ns = cluster.namespaces[e.namespace].name.clone();
            let name = match by {
                GroupBy::Pod => e.name.clone(),
                GroupBy::Workload => match &e.owner {
                    Some(o) if e.kind_name() == "Pod" => {
                        o.deployment.clone().unwrap_or_else(|| o.name.clone())
                    }
                    _ => e.name.clone(),
                },
                GroupBy::Namespace => String::new(),
            };
            keys.push((ns, name, i as u32));
        }
        keys.sort();
        let mut names = Vec::new();
        let mut namespace = Vec::new();
        let mut members: Vec<Vec<u32>> = Vec::new();
        let mut of_unit = vec![0u32; ne + m.ips.len()];
        let mut last: Option<(&str, &str)> = None;
        for (ns, name, e) in &keys {
            if last != Some((ns.as_str(), name.as_str())) {
                names.push(if by == GroupBy::Namespace {
                    ns.clone()
                } else {
                    format!("{ns}/{name}")
                });
                namespace.push(Some(cluster.endpoints[*e as usize].namespace));
                members.push(Vec::new());
                last = Some((ns, name));
            }
            if let Some(v) = members.last_mut() {
                v.push(*e);
            }
            of_unit[*e as usize] = (members.len() - 1) as u32;
        }
        for (x, part) in m.ips.parts().iter().enumerate() {
            names.push(part.to_string());
            namespace.push(None);
            members.push(vec![(ne + x) as u32]);
            of_unit[ne + x] = (members.len() - 1) as u32;
        }
        Groups {
            by,
            names,
            namespace,
            members,
            of_unit,
            endpoints: ne,
        }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn is_external(&self, g: usize) -> bool {
        self.namespace[g].is_none()
    }

    pub fn unit_count(&self) -> usize {
        self.of_unit.len()
    }
}

/// Which connections to show.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Source units (`None`: all).
    pub sources: Option<BitSet>,
    /// Destination units (`None`: all).
    pub destinations: Option<BitSet>,
    /// Each set must contain the source or the destination (`--focus`, `--ns`).
    pub touching: Vec<BitSet>,
    /// Ports to keep (`None`: all).
    pub ports: Option<Vec<u64>>,
}

/// One connection between groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    pub from: u32,
    pub to: u32,
    /// Union of the ports of every member pair (a [`ClassSet`]), held inline: one or two
    /// words cover most clusters' port classes, and a matrix has many connections.
    pub ports: SmallVec<[u64; 2]>,
    /// Member pairs with some port allowed.
    pub pairs: u64,
    /// Member pairs in all (self pairs left out).
    pub total: u64,
    /// Every allowed member pair has exactly `ports`.
    pub same_ports: bool,
    /// Every member pair is allowed, with exactly `ports`.
    pub uniform: bool,
}

/// Per destination group touched: pairs and whether all sets were equal; the union and
/// the first set live in `Scratch::words` (2 × words per slot).
struct Acc {
    to: u32,
    pairs: u64,
    equal: bool,
}

struct Scratch {
    slot: Vec<u32>,
    accs: Vec<Acc>,
    words: Vec<u64>,
    row: Row,
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            slot: Vec::new(),
            accs: Vec::new(),
            words: Vec::new(),
            row: Row::default(),
        }
    }
}

/// The units of a node: an endpoint class's members, or the external part's unit.
fn node_units<'a>(m: &'a Matrix, g: &Groups, node: usize) -> NodeUnits<'a> {
    let c = m.classes.len();
    if node < c {
        NodeUnits::Class(&m.classes.members[node])
    } else {
        NodeUnits::One((g.endpoints + node - c) as u32)
    }
}

enum NodeUnits<'a> {
    Class(&'a [u32]),
    One(u32),
}

impl NodeUnits<'_> {
    fn for_each(&self, mut f: impl FnMut(u32)) {
        match self {
            NodeUnits::Class(v) => v.iter().for_each(|&u| f(u)),
            NodeUnits::One(u) => f(*u),
        }
    }
}

fn unit_node(m: &Matrix, g: &Groups, u: usize) -> usize {
    if u < g.endpoints {
        m.classes.of_endpoint[u] as usize
    } else {
        m.classes.len() + u - g.endpoints
    }
}

/// A pod talking to itself: one endpoint that is a single pod.
fn is_single_pod(m: &Matrix, g: &Groups, u: usize) -> bool {
    u < g.endpoints && !m.engine().cluster().endpoints[u].has_several_pods()
}

pub struct Aggregator<'m, 'e> {
    m: &'m Matrix<'e>,
    g: &'m Groups,
    sel: &'m Selection,
    /// Per signature (which `touching` sets hold the source): destination units and nodes.
    masks: HashMap<u64, (Option<BitSet>, Option<BitSet>)>,
    dst_count: Vec<u64>,
}

impl<'m, 'e> Aggregator<'m, 'e> {
    pub fn new(m: &'m Matrix<'e>, g: &'m Groups, sel: &'m Selection) -> Self {
        let mut masks = HashMap::new();
        let k = sel.touching.len().min(63);
        for sig in 0..(1u64 << k) {
            // Destination units allowed for a source in exactly the sets of `sig`.
            let mut units = sel.destinations.clone();
            for (i, t) in sel.touching.iter().enumerate().take(k) {
                if sig & (1 << i) == 0 {
                    match &mut units {
                        Some(u) => u.intersect_with(t),
                        None => units = Some(t.clone()),
                    }
                }
            }
            let nodes = units.as_ref().map(|u| {
                let mut n = BitSet::new(m.node_count());
                for unit in u.iter() {
                    n.insert(unit_node(m, g, unit));
                }
                n
            });
            masks.insert(sig, (units, nodes));
        }
        let dst_count = (0..g.len())
            .map(|h| {
                let all = g.members[h].len() as u64;
                match &sel.destinations {
                    None => all,
                    Some(d) => g.members[h]
                        .iter()
                        .filter(|&&u| d.contains(u as usize))
                        .count() as u64,
                }
            })
            .collect();
        Aggregator {
            m,
            g,
            sel,
            masks,
            dst_count,
        }
    }

    fn signature(&self, u: usize) -> u64 {
        let mut sig = 0;
        for (i, t) in self.sel.touching.iter().enumerate().take(63) {
            if t.contains(u) {
                sig |= 1 << i;
            }
        }
        sig
    }

    fn source_units(&self, from: usize) -> Vec<u32> {
        self.g.members[from]
            .iter()
            .copied()
            .filter(|&u| {
                self.sel
                    .sources
                    .as_ref()
                    .is_none_or(|s| s.contains(u as usize))
            })
            .collect()
    }

    /// The connections from one group, ordered by destination group.
    pub fn connections_from(&self, from: usize) -> Vec<Connection> {
        let mut sc = Scratch::new();
        self.connections_with(from, &mut sc)
    }

    fn connections_with(&self, from: usize, sc: &mut Scratch) -> Vec<Connection> {
        let m = self.m;
        let g = self.g;
        let w = m.ports.words();
        if sc.slot.len() != g.len() {
            sc.slot = vec![u32::MAX; g.len()];
        }
        sc.accs.clear();
        sc.words.clear();
        let srcs = self.source_units(from);
        // Members in order of (node, signature): equal neighbours share one row.
        let mut order: Vec<(usize, u64, usize)> = srcs
            .iter()
            .map(|&a| {
                (
                    unit_node(m, g, a as usize),
                    self.signature(a as usize),
                    a as usize,
                )
            })
            .collect();
        order.sort_unstable();
        let mut row = std::mem::take(&mut sc.row);
        let mut row_key = None;
        let mut excluded_self = 0u64;
        let single_self = srcs.len() == 1 && is_single_pod(m, g, srcs[0] as usize);
        for &(node, sig, a) in &order {
            let Some((dst_units, dst_nodes)) = self.masks.get(&sig) else {
                continue;
            };
            if row_key != Some((node, sig)) {
                m.row(
                    node,
                    RowFilter {
                        dsts: dst_nodes.as_ref(),
                        ports: self.sel.ports.as_deref(),
                    },
                    &mut row,
                );
                row_key = Some((node, sig));
            }
            let self_pair = is_single_pod(m, g, a);
            if self_pair && dst_units.as_ref().is_none_or(|d| d.contains(a)) && !single_self {
                excluded_self += 1;
            }
            for (d, set) in row.iter() {
                node_units(m, g, d as usize).for_each(|b| {
                    if dst_units
                        .as_ref()
                        .is_some_and(|du| !du.contains(b as usize))
                    {
                        return;
                    }
                    if b as usize == a && self_pair {
                        return;
                    }
                    add(sc, g.of_unit[b as usize], set, w);
                });
            }
            if self_pair && single_self && dst_units.as_ref().is_none_or(|d| d.contains(a)) {
                let mut all = m.full_ports().to_vec();
                if let Some(p) = &self.sel.ports {
                    ports::intersect_into(&mut all, p);
                }
                if !ports::is_empty(&all) {
                    add(sc, g.of_unit[a], &all, w);
                }
            }
        }
        sc.row = row;
        let n_src = srcs.len() as u64;
        let words = std::mem::take(&mut sc.words);
        let mut out: Vec<Connection> = sc
            .accs
            .drain(..)
            .enumerate()
            .map(|(i, acc)| {
                let to = acc.to;
                let mut total = n_src * self.dst_count[to as usize];
                if to as usize == from && !single_self {
                    total -= excluded_self;
                }
                Connection {
                    from: from as u32,
                    to,
                    uniform: acc.equal && acc.pairs == total,
                    same_ports: acc.equal,
                    ports: SmallVec::from_slice(&words[2 * i * w..(2 * i + 1) * w]),
                    pairs: acc.pairs,
                    total,
                }
            })
            .collect();
        sc.words = words;
        for c in &out {
            sc.slot[c.to as usize] = u32::MAX;
        }
        out.sort_by_key(|c| c.to);
        out
    }

    /// Every connection, in order of source group then destination group; `f` returns
    /// `false` to stop. Groups are computed on the pool, in chunks, and handed over in
    /// order on the calling thread (`f` is usually a writer, which need not be `Send`).
    pub fn for_each(&self, groups: &[usize], f: impl FnMut(&Connection) -> bool) {
        if rayon::current_thread_index().is_some() {
            self.for_each_on_worker(groups, f);
        } else {
            self.for_each_pipelined(groups, f);
        }
    }

    /// From outside the pool (the CLI's main thread): the pool keeps several chunks in
    /// flight while this thread takes them in order. One chunk at a time left the writer
    /// and the workers waiting on each other, each idle for about half of the time.
    fn for_each_pipelined(&self, groups: &[usize], mut f: impl FnMut(&Connection) -> bool) {
        // Small chunks spread over the workers and let the first rows go out early.
        const CHUNK: usize = 16;
        let ahead = 4 * rayon::current_num_threads();
        let stop = AtomicBool::new(false);
        let mut chunks = groups.chunks(CHUNK);
        rayon::in_place_scope(|s| {
            let mut pending = VecDeque::with_capacity(ahead);
            let mut spawn_next = |pending: &mut VecDeque<mpsc::Receiver<_>>| {
                let Some(chunk) = chunks.next() else { return };
                let (tx, rx) = mpsc::sync_channel(1);
                let stop = &stop;
                s.spawn(move |_| {
                    let mut sc = Scratch::new();
                    let mut out = Vec::with_capacity(chunk.len());
                    for &from in chunk {
                        if stop.load(Ordering::Relaxed) {
                            return;
                        }
                        out.push(self.connections_with(from, &mut sc));
                    }
                    // The receiver is gone only once the caller has stopped.
                    let _ = tx.send(out);
                });
                pending.push_back(rx);
            };
            for _ in 0..ahead {
                spawn_next(&mut pending);
            }
            while let Some(rx) = pending.pop_front() {
                // A chunk's sender is dropped unsent only after a stop, or by a panic that
                // the scope raises when it ends.
                let Ok(results) = rx.recv() else { break };
                spawn_next(&mut pending);
                if !results.iter().flatten().all(&mut f) {
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
            }
        });
    }

    /// On a worker (a caller inside `ThreadPool::install`), which must not block: one chunk
    /// is handed over while the pool computes the next.
    fn for_each_on_worker(&self, groups: &[usize], mut f: impl FnMut(&Connection) -> bool) {
        const CHUNK: usize = 64;
        let compute = |chunk: &[usize]| -> Vec<Vec<Connection>> {
            chunk
                .par_iter()
                .map_init(Scratch::new, |sc, &from| self.connections_with(from, sc))
                .collect()
        };
        let mut chunks = groups.chunks(CHUNK);
        let mut current = chunks.next().map(compute);
        while let Some(results) = current.take() {
            let following = chunks.next();
            let mut next = None;
            let stopped = rayon::in_place_scope(|s| {
                if let Some(chunk) = following {
                    s.spawn(|_| next = Some(compute(chunk)));
                }
                !results.iter().flatten().all(&mut f)
            });
            if stopped {
                return;
            }
            current = next;
        }
    }

    /// The source groups that have a selected member, in order.
    pub fn source_groups(&self) -> Vec<usize> {
        (0..self.g.len())
            .filter(|&h| !self.source_units(h).is_empty())
            .collect()
    }
}

fn add(sc: &mut Scratch, to: u32, set: &ClassSet, w: usize) {
    let slot = sc.slot[to as usize];
    if slot == u32::MAX {
        sc.slot[to as usize] = sc.accs.len() as u32;
        sc.accs.push(Acc {
            to,
            pairs: 1,
            equal: true,
        });
        sc.words.extend_from_slice(set);
        sc.words.extend_from_slice(set);
        return;
    }
    let i = slot as usize;
    let acc = &mut sc.accs[i];
    acc.pairs += 1;
    let (union, first) = sc.words[2 * i * w..(2 * i + 2) * w].split_at_mut(w);
    if acc.equal && first != set {
        acc.equal = false;
    }
    ports::union_into(union, set);
}
