//! Port classes: per protocol, 1-65535 split into the coarsest intervals on which every
//! rule of every policy is constant. A set of ports is then a small bitset over classes.

use std::collections::BTreeSet;
use std::fmt;

use crate::model::{Cluster, ClusterPort, PolicyPort, PortMatch, Protocol};

/// Classes of every protocol, numbered globally (TCP first, then UDP, then SCTP).
#[derive(Clone, Debug)]
pub struct PortClasses {
    /// Per protocol, the first port of each class, ascending; the first is always 1.
    starts: [Vec<u16>; 3],
    /// Global index of each protocol's first class.
    offset: [usize; 3],
    total: usize,
    words: usize,
}

/// A set of port classes, `PortClasses::words()` words long.
pub type ClassSet = [u64];

impl PortClasses {
    /// Boundaries from every numeric rule port, every named container port (named rule
    /// ports resolve to those), and `extra` ranges (for exact port filters).
    pub fn build(cluster: &Cluster, extra: &[(Protocol, u16, u16)]) -> Self {
        let mut bounds: [BTreeSet<u32>; 3] = Default::default();
        let mut add = |p: Protocol, a: u16, b: u16| {
            bounds[p.index()].insert(u32::from(a));
            bounds[p.index()].insert(u32::from(b) + 1);
        };
        for pol in &cluster.policies {
            for r in pol.ingress.iter().chain(&pol.egress) {
                for p in r.ports.iter().flatten() {
                    if let PortMatch::Range(a, b) = p.port {
                        add(p.protocol, a, b);
                    }
                }
            }
        }
        for pol in &cluster.cluster_policies {
            for r in pol.ingress.iter().chain(&pol.egress) {
                for p in r.ports.iter().flatten() {
                    if let ClusterPort::Port(PolicyPort {
                        protocol,
                        port: PortMatch::Range(a, b),
                    }) = p
                    {
                        add(*protocol, *a, *b);
                    }
                }
            }
        }
        for e in &cluster.endpoints {
            for cp in e.ports.iter().filter(|cp| cp.name.is_some()) {
                add(cp.protocol, cp.port, cp.port);
            }
        }
        for &(p, a, b) in extra {
            add(p, a, b);
        }
        let mut starts: [Vec<u16>; 3] = Default::default();
        let mut offset = [0; 3];
        let mut total = 0;
        for p in Protocol::ALL {
            let s: Vec<u16> = std::iter::once(1)
                .chain(
                    bounds[p.index()]
                        .iter()
                        .filter(|&&b| b > 1 && b <= 65535)
                        .map(|&b| b as u16),
                )
                .collect();
            offset[p.index()] = total;
            total += s.len();
            starts[p.index()] = s;
        }
        PortClasses {
            starts,
            offset,
            total,
            words: total.div_ceil(64),
        }
    }

    /// Number of classes over all protocols.
    pub fn len(&self) -> usize {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Number of classes of one protocol.
    pub fn count(&self, protocol: Protocol) -> usize {
        self.starts[protocol.index()].len()
    }

    /// Words of a [`ClassSet`].
    pub fn words(&self) -> usize {
        self.words
    }

    pub fn empty(&self) -> Vec<u64> {
        vec![0; self.words]
    }

    pub fn full(&self) -> Vec<u64> {
        let mut v = vec![u64::MAX; self.words];
        let rem = self.total % 64;
        if rem != 0 {
            if let Some(last) = v.last_mut() {
                *last = (1u64 << rem) - 1;
            }
        }
        v
    }

    /// The class holding `port` (a port of 0 is treated as 1: it never occurs).
    pub fn class_of(&self, protocol: Protocol, port: u16) -> usize {
        let s = &self.starts[protocol.index()];
        let i = s.partition_point(|&st| st <= port.max(1)) - 1;
        self.offset[protocol.index()] + i
    }

    /// Add the classes of `a..=b` (bounds need not be class bounds: every class touching
    /// the range is added, which is exact when the range's bounds were given to `build`).
    pub fn add_range(&self, set: &mut ClassSet, protocol: Protocol, a: u16, b: u16) {
        for c in self.class_of(protocol, a)..=self.class_of(protocol, b) {
            set[c / 64] |= 1 << (c % 64);
        }
    }

    pub fn add_protocol(&self, set: &mut ClassSet, protocol: Protocol) {
        self.add_range(set, protocol, 1, 65535);
    }

    /// The ports of a class set, as per-protocol intervals.
    pub fn describe(&self, set: &ClassSet) -> Ports {
        let mut out = Vec::new();
        let mut all = true;
        for p in Protocol::ALL {
            let s = &self.starts[p.index()];
            let mut ranges: Vec<(u16, u16)> = Vec::new();
            for (i, &start) in s.iter().enumerate() {
                let c = self.offset[p.index()] + i;
                if set[c / 64] & (1 << (c % 64)) == 0 {
                    all = false;
                    continue;
                }
                let end = s.get(i + 1).map_or(65535, |n| n - 1);
                match ranges.last_mut() {
                    Some(last) if u32::from(last.1) + 1 == u32::from(start) => last.1 = end,
                    _ => ranges.push((start, end)),
                }
            }
            if !ranges.is_empty() {
                out.push((p, ranges));
            }
        }
        if all {
            Ports::All
        } else {
            Ports::Some(out)
        }
    }
}

pub fn is_empty(set: &ClassSet) -> bool {
    set.iter().all(|w| *w == 0)
}

pub fn union_into(dst: &mut ClassSet, src: &ClassSet) {
    for (a, b) in dst.iter_mut().zip(src) {
        *a |= *b;
    }
}

pub fn intersect_into(dst: &mut ClassSet, src: &ClassSet) {
    for (a, b) in dst.iter_mut().zip(src) {
        *a &= *b;
    }
}

/// `dst` minus `src`.
pub fn difference_into(dst: &mut ClassSet, src: &ClassSet) {
    for (a, b) in dst.iter_mut().zip(src) {
        *a &= !b;
    }
}

pub fn contains(set: &ClassSet, class: usize) -> bool {
    set.get(class / 64)
        .is_some_and(|w| w & (1 << (class % 64)) != 0)
}

/// A port set for people and programs: every port of every protocol, or per protocol a
/// list of inclusive intervals.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ports {
    All,
    Some(Vec<(Protocol, Vec<(u16, u16)>)>),
}

/// `80`, or `8000-8999`.
pub fn interval_text(a: u16, b: u16) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("{a}-{b}")
    }
}

impl fmt::Display for Ports {
    /// `All`, or `TCP 80,443,8000-8999; UDP 53` (`TCP all` for every TCP port).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ports::All => f.write_str("All"),
            Ports::Some(protos) => {
                for (i, (p, ranges)) in protos.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    if ranges.as_slice() == [(1, 65535)] {
                        write!(f, "{p} all")?;
                        continue;
                    }
                    let parts: Vec<String> =
                        ranges.iter().map(|&(a, b)| interval_text(a, b)).collect();
                    write!(f, "{p} {}", parts.join(","))?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(ranges: &[(Protocol, u16, u16)]) -> PortClasses {
        PortClasses::build(&Cluster::default(), ranges)
    }

    #[test]
    fn ranges_split_the_port_space_into_classes() {
        let pc = classes(&[
            (Protocol::Tcp, 80, 80),
            (Protocol::Tcp, 8000, 8999),
            (Protocol::Udp, 53, 53),
        ]);
        // TCP: 1-79, 80, 81-7999, 8000-8999, 9000-65535; UDP: 1-52, 53, 54-65535; SCTP: all.
        assert_eq!(pc.len(), 5 + 3 + 1);
        let mut s = pc.empty();
        pc.add_range(&mut s, Protocol::Tcp, 80, 80);
        pc.add_range(&mut s, Protocol::Tcp, 8000, 8999);
        pc.add_range(&mut s, Protocol::Udp, 53, 53);
        assert_eq!(pc.describe(&s).to_string(), "TCP 80,8000-8999; UDP 53");
        assert_eq!(pc.describe(&pc.full()), Ports::All);
        let mut t = pc.empty();
        pc.add_protocol(&mut t, Protocol::Tcp);
        assert_eq!(pc.describe(&t).to_string(), "TCP all");
    }

    #[test]
    fn adjacent_classes_merge_when_printed() {
        let pc = classes(&[(Protocol::Tcp, 80, 80), (Protocol::Tcp, 81, 90)]);
        let mut s = pc.empty();
        pc.add_range(&mut s, Protocol::Tcp, 80, 90);
        assert_eq!(pc.describe(&s).to_string(), "TCP 80-90");
    }
}
