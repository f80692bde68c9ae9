//! Port sets in their minimal form: per protocol, numbers merged into ranges where they
//! overlap or touch, then names, each once.

use super::intent::{Port, PortValue};
use crate::model::Protocol;

/// The minimal, sorted equivalent of `ports`: `8080, 8081, 8082` becomes `8080-8082`.
pub fn minimal(ports: &[Port]) -> Vec<Port> {
    let mut out = Vec::new();
    for proto in Protocol::ALL {
        let mut ranges: Vec<(u16, u16)> = ports
            .iter()
            .filter(|p| p.protocol == proto)
            .filter_map(|p| match p.value {
                PortValue::Range(a, b) => Some((a, b)),
                PortValue::Named(_) => None,
            })
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(u16, u16)> = Vec::new();
        for (a, b) in ranges {
            match merged.last_mut() {
                Some(last) if u32::from(a) <= u32::from(last.1) + 1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        out.extend(merged.into_iter().map(|(a, b)| Port {
            protocol: proto,
            value: PortValue::Range(a, b),
        }));
        let mut names: Vec<&str> = ports
            .iter()
            .filter(|p| p.protocol == proto)
            .filter_map(|p| match &p.value {
                PortValue::Named(n) => Some(n.as_str()),
                PortValue::Range(..) => None,
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        out.extend(names.into_iter().map(|n| Port {
            protocol: proto,
            value: PortValue::Named(n.to_string()),
        }));
    }
    out
}

/// Whether `set` (any form) covers port `n` of `proto`.
pub fn covers(set: &[Port], proto: Protocol, value: &PortValue) -> bool {
    set.iter().any(|p| {
        p.protocol == proto
            && match (&p.value, value) {
                (PortValue::Range(a, b), PortValue::Range(x, y)) => a <= x && y <= b,
                (PortValue::Named(a), PortValue::Named(b)) => a == b,
                _ => false,
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(a: u16, b: u16) -> Port {
        Port {
            protocol: Protocol::Tcp,
            value: PortValue::Range(a, b),
        }
    }

    #[test]
    fn touching_ports_merge_into_one_range() {
        let got = minimal(&[
            tcp(8082, 8082),
            tcp(8080, 8080),
            tcp(8081, 8081),
            tcp(9090, 9090),
        ]);
        assert_eq!(got, vec![tcp(8080, 8082), tcp(9090, 9090)]);
    }

    #[test]
    fn duplicates_and_overlaps_collapse() {
        let got = minimal(&[tcp(80, 80), tcp(80, 80), tcp(70, 85), tcp(86, 90)]);
        assert_eq!(got, vec![tcp(70, 90)]);
    }

    #[test]
    fn protocols_never_merge_and_names_come_after_numbers() {
        let udp = Port {
            protocol: Protocol::Udp,
            value: PortValue::Range(53, 53),
        };
        let named = Port {
            protocol: Protocol::Tcp,
            value: PortValue::Named("http".into()),
        };
        let got = minimal(&[udp.clone(), named.clone(), tcp(53, 53), named.clone()]);
        assert_eq!(got, vec![tcp(53, 53), named, udp]);
    }

    #[test]
    fn the_highest_port_does_not_overflow() {
        assert_eq!(
            minimal(&[tcp(65535, 65535), tcp(65534, 65534)]),
            vec![tcp(65534, 65535)]
        );
    }
}
