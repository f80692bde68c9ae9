//! Port sets that both sides of a diff can share. Each side's matrix numbers its own port
//! classes, so sets are compared as per-protocol lists of inclusive intervals.

use crate::matrix::Ports;
use crate::model::Protocol;

/// Per protocol (TCP, UDP, SCTP), sorted, disjoint, non-adjacent inclusive intervals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PortSet {
    ranges: [Vec<(u16, u16)>; 3],
}

impl PortSet {
    pub fn from_ports(p: &Ports) -> Self {
        let mut s = PortSet::default();
        match p {
            Ports::All => {
                for r in &mut s.ranges {
                    r.push((1, 65535));
                }
            }
            Ports::Some(protos) => {
                for (proto, list) in protos {
                    s.ranges[proto.index()] = normalise(list.clone());
                }
            }
        }
        s
    }

    /// The same set as a matrix prints it (`All` when every port of every protocol).
    pub fn to_ports(&self) -> Ports {
        if self.ranges.iter().all(|r| r.as_slice() == [(1, 65535)]) {
            return Ports::All;
        }
        Ports::Some(
            Protocol::ALL
                .iter()
                .filter(|p| !self.ranges[p.index()].is_empty())
                .map(|&p| (p, self.ranges[p.index()].clone()))
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.iter().all(Vec::is_empty)
    }

    /// The ports of `self` that `other` lacks.
    pub fn minus(&self, other: &PortSet) -> PortSet {
        let mut out = PortSet::default();
        for i in 0..3 {
            out.ranges[i] = subtract(&self.ranges[i], &other.ranges[i]);
        }
        out
    }

    pub fn intersect(&self, other: &PortSet) -> PortSet {
        self.minus(&self.minus(other))
    }

    pub fn contains(&self, protocol: Protocol, port: u16) -> bool {
        self.ranges[protocol.index()]
            .iter()
            .any(|&(a, b)| a <= port && port <= b)
    }

    /// The lowest port, of the first protocol that has one.
    pub fn first(&self) -> Option<(Protocol, u16)> {
        Protocol::ALL
            .iter()
            .find_map(|&p| self.ranges[p.index()].first().map(|r| (p, r.0)))
    }

    pub fn ranges(&self, protocol: Protocol) -> &[(u16, u16)] {
        &self.ranges[protocol.index()]
    }
}

impl std::fmt::Display for PortSet {
    /// As the matrix writes ports; `none` for the empty set.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        write!(f, "{}", self.to_ports())
    }
}

fn normalise(mut list: Vec<(u16, u16)>) -> Vec<(u16, u16)> {
    list.sort_unstable();
    let mut out: Vec<(u16, u16)> = Vec::with_capacity(list.len());
    for (a, b) in list {
        match out.last_mut() {
            Some(last) if u32::from(a) <= u32::from(last.1) + 1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn subtract(a: &[(u16, u16)], b: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    for &(start, end) in a {
        let mut cur = u32::from(start);
        let end = u32::from(end);
        for &(x, y) in b {
            let (x, y) = (u32::from(x), u32::from(y));
            if y < cur || x > end {
                continue;
            }
            if x > cur {
                out.push((cur as u16, (x - 1) as u16));
            }
            cur = y + 1;
            if cur > end {
                break;
            }
        }
        if cur <= end {
            out.push((cur as u16, end as u16));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(list: &[(u16, u16)]) -> PortSet {
        PortSet::from_ports(&Ports::Some(vec![(Protocol::Tcp, list.to_vec())]))
    }

    #[test]
    fn difference_splits_intervals() {
        let a = tcp(&[(1, 1024), (8080, 8080)]);
        let b = tcp(&[(80, 80), (443, 443), (8000, 9000)]);
        assert_eq!(a.minus(&b).to_string(), "TCP 1-79,81-442,444-1024");
        assert_eq!(b.minus(&a).to_string(), "TCP 8000-8079,8081-9000");
        assert_eq!(a.intersect(&b).to_string(), "TCP 80,443,8080");
    }

    #[test]
    fn all_round_trips_and_subtracts_to_every_other_port() {
        let all = PortSet::from_ports(&Ports::All);
        assert_eq!(all.to_ports(), Ports::All);
        let rest = all.minus(&tcp(&[(1, 65535)]));
        assert_eq!(rest.to_string(), "UDP all; SCTP all");
        assert!(tcp(&[(80, 80)]).minus(&all).is_empty());
        assert_eq!(PortSet::default().to_string(), "none");
    }
}
