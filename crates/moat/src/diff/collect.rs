//! The connections of one side, keyed so that both sides can be compared: endpoint groups
//! by name, external ranges by their common part. Either every row, or (incremental) the
//! rows of source-dirty groups plus the columns of destination-dirty groups.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::changes::Changes;
use super::ports::PortSet;
use super::refine::Refinement;
use crate::engine::BitSet;
use crate::matrix::{Aggregator, Connection, Groups, Matrix, Selection};

/// One end of a connection, the same on both sides: an endpoint group by its id in
/// [`Names`] (ids follow name order, so keys sort as names do), or a part of the common
/// refinement of both sides' external ranges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    Group(u32),
    External(u32),
}

/// A connection as the matrix reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conn {
    /// Shared: few distinct port sets stand for many connections.
    pub ports: Arc<PortSet>,
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

/// (namespace, name) of an endpoint group; the name is empty in the namespace view.
fn raw_name(m: &Matrix, g: &Groups, h: usize) -> Option<(String, String)> {
    let ns = g.namespace[h]?;
    let ns_name = &m.engine().cluster().namespaces[ns].name;
    let name = g.names[h]
        .strip_prefix(ns_name.as_str())
        .and_then(|r| r.strip_prefix('/'))
        .unwrap_or("");
    Some((ns_name.clone(), name.to_string()))
}

/// The endpoint groups of both sides, by name, sorted.
pub struct Names {
    list: Vec<(String, String)>,
}

impl Names {
    pub fn build(sides: [(&Matrix, &Groups); 2]) -> Names {
        let mut list: Vec<(String, String)> = sides
            .iter()
            .flat_map(|(m, g)| (0..g.len()).filter_map(|h| raw_name(m, g, h)))
            .collect();
        list.sort_unstable();
        list.dedup();
        Names { list }
    }

    fn id(&self, name: &(String, String)) -> Option<u32> {
        self.list.binary_search(name).ok().map(|i| i as u32)
    }

    /// As `moat matrix` prints it: `namespace/name`, or `namespace`.
    pub fn display(&self, id: u32) -> String {
        let (ns, name) = &self.list[id as usize];
        if name.is_empty() {
            ns.clone()
        } else {
            format!("{ns}/{name}")
        }
    }
}

/// One side: its matrix and groups, and which side it is (0 old, 1 new).
pub struct Side<'a, 'e> {
    pub matrix: &'a Matrix<'e>,
    pub groups: Groups,
    pub index: usize,
    /// Per group: its key (`External` with the side's own part index for ranges).
    key_of_group: Vec<Key>,
    group_of_id: HashMap<u32, usize>,
}

impl<'a, 'e> Side<'a, 'e> {
    pub fn new(matrix: &'a Matrix<'e>, groups: Groups, index: usize, names: &Names) -> Self {
        let mut group_of_id = HashMap::new();
        let key_of_group = (0..groups.len())
            .map(
                |h| match raw_name(matrix, &groups, h).and_then(|n| names.id(&n)) {
                    Some(id) => {
                        group_of_id.insert(id, h);
                        Key::Group(id)
                    }
                    None => {
                        Key::External((groups.members[h][0] as usize - groups.endpoints) as u32)
                    }
                },
            )
            .collect();
        Side {
            matrix,
            groups,
            index,
            key_of_group,
            group_of_id,
        }
    }

    /// The group of this endpoint group key, if this side has it.
    pub fn group(&self, id: u32) -> Option<usize> {
        self.group_of_id.get(&id).copied()
    }

    /// The key of a group (`External` with this side's own part index for ranges).
    pub fn key(&self, h: usize) -> Key {
        self.key_of_group[h]
    }
}

/// The keys a group stands for: itself, or the common parts of its external range.
fn keys(side: &Side, refine: &Refinement, h: usize) -> Vec<Key> {
    match side.key(h) {
        Key::External(part) => refine
            .split(side.index, part as usize)
            .map(|i| Key::External(i as u32))
            .collect(),
        k => vec![k],
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
    let mut described: HashMap<Vec<u64>, Arc<PortSet>> = HashMap::new();
    let mut key_cache: HashMap<u32, Vec<Key>> = HashMap::new();
    agg.for_each(sources, |c: &Connection| {
        // Looked up by slice: a key is copied only for a port set not seen before.
        let ports = match described.get(&c.ports[..]) {
            Some(p) => p.clone(),
            None => {
                let p = Arc::new(PortSet::from_ports(&side.matrix.ports.describe(&c.ports)));
                described.insert(c.ports.to_vec(), p.clone());
                p
            }
        };
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
        for &f in &from {
            for &t in &to {
                out.insert((f, t), conn.clone());
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
                let key = side.key(g.of_unit[e] as usize);
                if changes.source_dirty[s][e] {
                    rows.insert(key);
                }
                if changes.destination_dirty[s][e] {
                    columns.insert(key);
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
        let key = side.key(h);
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
