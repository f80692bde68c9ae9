//! The ports of a learned flow, as an intent can grant them.

use crate::gen::draft::{DraftPort, Drafted};
use crate::matrix::Ports;
use crate::model::Protocol;

/// Widest range of ports a flow to a service may list one by one.
const MAX_LISTED_RANGE: u16 = 16;

/// The port items of a flow (to service `to_service`: its declared ports, added when missing;
/// else ranges, for peers and addresses), the (port, protocol) probes standing for them, and
/// what could not be listed.
pub(super) fn port_items(
    services: &mut [Drafted],
    to_service: Option<usize>,
    ports: &Ports,
) -> (Vec<String>, Vec<(u16, Protocol)>, Option<String>) {
    let mut items = Vec::new();
    let mut probes = Vec::new();
    let mut todo = Vec::new();
    let ranges: Vec<(Protocol, Vec<(u16, u16)>)> = match ports {
        Ports::All => Protocol::ALL
            .iter()
            .map(|&p| (p, vec![(1, 65535)]))
            .collect(),
        Ports::Some(list) => list.clone(),
    };
    match to_service {
        Some(s) => {
            let svc = &mut services[s];
            if matches!(ports, Ports::All) && !svc.ports.is_empty() {
                // Every port: the declared ones are what an intent can name.
                for p in &svc.ports {
                    items.push(p.flow_text());
                    probes.push((p.port, p.protocol));
                }
                todo.push("every port".to_string());
                return (items, probes, Some(todo.join(", ")));
            }
            for (protocol, list) in ranges {
                for (a, b) in list {
                    if b - a >= MAX_LISTED_RANGE {
                        todo.push(format!("{protocol} {a}-{b}"));
                        continue;
                    }
                    for port in a..=b {
                        let p = DraftPort {
                            name: None,
                            port,
                            protocol,
                        };
                        if !svc
                            .ports
                            .iter()
                            .any(|d| d.port == port && d.protocol == protocol)
                        {
                            svc.ports.push(p.clone());
                        }
                        items.push(p.flow_text());
                        probes.push((port, protocol));
                    }
                }
            }
        }
        None => {
            for (protocol, list) in ranges {
                for (a, b) in list {
                    let v = if a == b {
                        a.to_string()
                    } else {
                        format!("{a}-{b}")
                    };
                    items.push(if protocol == Protocol::Tcp {
                        v
                    } else {
                        format!("{v}/{protocol}")
                    });
                    probes.push((a, protocol));
                }
            }
        }
    }
    let todo = (!todo.is_empty()).then(|| todo.join(", "));
    (items, probes, todo)
}
