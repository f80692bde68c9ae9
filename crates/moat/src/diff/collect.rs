//! The connections of one side, keyed so that both sides can be compared: endpoint groups
//! by name, external ranges by their common part. Either every row, or (incremental) the
//! rows of source-dirty groups plus the columns of destination-dirty groups.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::changes::Changes;
use super::ports::PortSet;
use super::refine::Refinement;
use crate::engine::BitSet;
use crate::matrix::{Aggregator, Connection, Groups, Matrix, Selection};

/// One end of a connection, the same on both sides.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// (namespace, name); the name is empty in the namespace view.
    Group(String, String),
    /// A part of the common refinement of both sides' external ranges.
    External(usize),
}

/// A connection as the matrix reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conn {
    pub ports: PortSet,
    /// Member pairs with some port allowed, of `total`.
    pub pairs: u64,
    pub total: u64,
    pub same_ports: bool,
    /// Every member pair allowed with exactly `ports`.
    pub uniform: bool,
}

impl Conn {
    /// Whether both are the same row of `moat matrix` (pair counts only matter when a
    /// connection is not uniform, as only then does the matrix print them).
    pub fn same_row(&self, other: &Conn) -> bool {
        self.ports == other.ports
            && self.uniform == other.uniform
            && (self.uniform
                || (self.pairs, self.total, self.same_ports)
                    == (other.pairs, other.total, other.same_ports))
    }
}

pub type Connections = BTreeMap<(Key, Key), Conn>;

/// One side: its matrix and groups, and which side it is (0 old, 1 new).
pub struct Side<'a, 'e> {
    pub matrix: &'a Matrix<'e>,
    pub groups: Groups,
    pub index: usize,
    by_name: HashMap<(String, String), usize>,
}

impl<'a, 'e> Side<'a, 'e> {
    pub fn new(matrix: &'a Matrix<'e>, groups: Groups, index: usize) -> Self {
        let mut by_name = HashMap::new();
        for g in 0..groups.len() {
            if let Key::Group(ns, n) = group_key(matrix, &groups, g) {
                by_name.insert((ns, n), g);
            }
        }
        Side {
            matrix,
            groups,
            index,
            by_name,
        }
    }

    /// The group of this key, if this side has it (endpoint groups only).
    pub fn group(&self, ns: &str, name: &str) -> Option<usize> {
        self.by_name
            .get(&(ns.to_string(), name.to_string()))
            .copied()
    }

    fn external_part(&self, g: usize) -> usize {
        self.groups.members[g][0] as usize - self.groups.endpoints
    }
}

/// The key of an endpoint group, or `External(part)` with the side's own part index.
pub(super) fn group_key(m: &Matrix, g: &Groups, h: usize) -> Key {
    match g.namespace[h] {
        None => Key::External(g.members[h][0] as usize - g.endpoints),
        Some(ns) => {
            let ns_name = &m.engine().cluster().namespaces[ns].name;
            let name = g.names[h]
                .strip_prefix(ns_name.as_str())
                .and_then(|r| r.strip_prefix('/'))
                .unwrap_or("")
                .to_string();
            Key::Group(ns_name.clone(), name)
        }
    }
}

/// The keys a group stands for: itself, or the common parts of its external range.
fn keys(side: &Side, refine: &Refinement, h: usize) -> Vec<Key> {
    if side.groups.is_external(h) {
        refine
            .split(side.index, side.external_part(h))
            .map(Key::External)
            .collect()
    } else {
        vec![group_key(side.matrix, &side.groups, h)]
    }
}

/// What was computed, for `--stats` and the benchmark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    /// Source groups computed with every destination.
    pub full_rows: usize,
    /// Source groups computed towards the destination-dirty groups only.
    pub column_rows: usize,
    /// Destination groups in those columns.
    pub columns: usize,
    /// Source groups of the side.
    pub groups: usize,
}

fn gather(
    side: &Side,
    refine: &Refinement,
    sources: &[usize],
    sel: &Selection,
    out: &mut Connections,
) {
    let agg = Aggregator::new(side.matrix, &side.groups, sel);
    let mut described: HashMap<Vec<u64>, PortSet> = HashMap::new();
    let mut key_cache: HashMap<u32, Vec<Key>> = HashMap::new();
    agg.for_each(sources, |c: &Connection| {
        let ports = described
            .entry(c.ports.clone())
            .or_insert_with(|| PortSet::from_ports(&side.matrix.ports.describe(&c.ports)))
            .clone();
        let conn = Conn {
            ports,
            pairs: c.pairs,
            total: c.total,
            same_ports: c.same_ports,
            uniform: c.uniform,
        };
        let from = key_cache
            .entry(c.from)
            .or_insert_with(|| keys(side, refine, c.from as usize))
            .clone();
        let to = key_cache
            .entry(c.to)
            .or_insert_with(|| keys(side, refine, c.to as usize))
            .clone();
        for f in &from {
            for t in &to {
                out.insert((f.clone(), t.clone()), conn.clone());
            }
        }
        true
    });
}

/// Every connection of the side.
pub fn all(side: &Side, refine: &Refinement) -> (Connections, Work) {
    let sources: Vec<usize> = (0..side.groups.len()).collect();
    let mut out = Connections::new();
    gather(side, refine, &sources, &Selection::default(), &mut out);
    let work = Work {
        full_rows: sources.len(),
        groups: sources.len(),
        ..Work::default()
    };
    (out, work)
}

/// The names of the groups (on either side) holding a dirty endpoint.
pub struct Dirty {
    rows: BTreeSet<Key>,
    columns: BTreeSet<Key>,
}

impl Dirty {
    pub fn find(sides: &[Side; 2], changes: &Changes) -> Dirty {
        let mut rows = BTreeSet::new();
        let mut columns = BTreeSet::new();
        for (s, side) in sides.iter().enumerate() {
            let g = &side.groups;
            for e in 0..g.endpoints {
                let h = g.of_unit[e] as usize;
                if changes.source_dirty[s][e] {
                    rows.insert(group_key(side.matrix, g, h));
                }
                if changes.destination_dirty[s][e] {
                    columns.insert(group_key(side.matrix, g, h));
                }
            }
        }
        Dirty { rows, columns }
    }
}

/// The connections of the side that can differ from the other side: the rows of
/// source-dirty groups, and the columns of destination-dirty groups.
pub fn incremental(side: &Side, refine: &Refinement, dirty: &Dirty) -> (Connections, Work) {
    let g = &side.groups;
    let mut rows = Vec::new();
    let mut others = Vec::new();
    let mut dst_units = BitSet::new(g.unit_count());
    let mut columns = 0;
    for h in 0..g.len() {
        let key = group_key(side.matrix, g, h);
        if !g.is_external(h) && dirty.rows.contains(&key) {
            rows.push(h);
        } else {
            others.push(h);
        }
        if !g.is_external(h) && dirty.columns.contains(&key) {
            columns += 1;
            for &u in &g.members[h] {
                dst_units.insert(u as usize);
            }
        }
    }
    let mut out = Connections::new();
    gather(side, refine, &rows, &Selection::default(), &mut out);
    let mut column_rows = 0;
    if columns > 0 {
        let sel = Selection {
            destinations: Some(dst_units),
            ..Selection::default()
        };
        gather(side, refine, &others, &sel, &mut out);
        column_rows = others.len();
    }
    let work = Work {
        full_rows: rows.len(),
        column_rows,
        columns,
        groups: g.len(),
    };
    (out, work)
}
