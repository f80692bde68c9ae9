//! `moat gen --from` over manifests that hold NetworkPolicies: the draft's isolation and
//! flows are what the compiled policies allow, read from the connectivity matrix (never by
//! re-reading the YAML), each flow commented with the policy rules that allow it.
//!
//! The draft is exact where the intent language can say it: a direction is isolated when
//! the policies isolate it and do not allow everything in it; a flow is written for every
//! (source, destination) pair the matrix allows where a drafted service is isolated on
//! its side, with the matrix's ports. Ports a service does not listen on are added to its
//! declaration; what an intent cannot grant (a wide port range to a service) is a TODO
//! comment naming what the policies allow.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::draft::{service_name, DraftPort, Drafted};
use super::intent::{Dns, Isolation};
use super::policies::metadata_cidrs;
use crate::engine::{Engine, Flow, Target};
use crate::matrix::{Matrix, Ports};
use crate::model::labels::without_per_pod;
use crate::model::{Direction, EndpointId, Family, IpRange, Labels, Protocol};

/// A peer the flows name: an endpoint outside every drafted service.
pub(super) struct LearnedPeer {
    pub name: String,
    pub namespace: String,
    pub selector: Labels,
    pub note: String,
}

/// What the policies say, in intent terms.
pub(super) struct Learned {
    /// Per drafted namespace: the directions every endpoint of it is isolated in.
    pub isolation: BTreeMap<String, Isolation>,
    pub peers: Vec<LearnedPeer>,
    /// Per namespace: flow lines (with their comment), in a stable order.
    pub flows: BTreeMap<String, Vec<String>>,
    pub notes: BTreeMap<String, Vec<String>>,
    /// Whether the pods of the default cluster DNS (`gen`'s DNS rule) are in the input.
    pub dns_in_input: bool,
}

/// One side of a learned flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    /// Index into the drafted services.
    Service(usize),
    /// Index into [`Learned::peers`] (and the endpoint it stands for).
    Peer(usize, EndpointId),
    /// An external address range of the matrix (a part).
    External(usize),
}

/// Widest range of ports a flow to a service may list one by one.
const MAX_LISTED_RANGE: u16 = 16;

/// Whether the policies isolating `e` in `d` allow everything there anyway (a rule with
/// neither peers nor ports, such as `egress: [{}]`): for flows, not isolated at all.
fn allows_everything(engine: &Engine, d: Direction, e: EndpointId) -> bool {
    let compiled = engine.compiled();
    engine.view().isolating(d, e).iter().any(|&pid| {
        compiled.policies[pid]
            .rules(d)
            .iter()
            .any(|r| r.peers.is_none() && r.ports.is_none())
    })
}

fn isolated(m: &Matrix, d: Direction, e: EndpointId) -> bool {
    let class = m.classes.of_endpoint[e] as usize;
    match d {
        Direction::Ingress => m.ingress_isolated(class),
        Direction::Egress => m.egress_isolated(class),
    }
}

pub(super) fn learn(engine: &Engine, services: &mut [Drafted]) -> Learned {
    let cluster = engine.cluster();
    let m = Matrix::new(engine, &[]);
    let mut notes: BTreeMap<String, Vec<String>> = BTreeMap::new();

    // Isolation: each service's (from its first endpoint), each namespace's (all of them).
    let draft_iso = |e: EndpointId| Isolation {
        ingress: isolated(&m, Direction::Ingress, e)
            && !allows_everything(engine, Direction::Ingress, e),
        egress: isolated(&m, Direction::Egress, e)
            && !allows_everything(engine, Direction::Egress, e),
    };
    let mut isolation: BTreeMap<String, Isolation> = BTreeMap::new();
    for s in services.iter_mut() {
        let iso = draft_iso(s.members[0]);
        if s.members.iter().any(|&e| draft_iso(e) != iso) {
            s.notes.push(format!(
                "TODO: the pods of {} are not isolated alike; this follows {}",
                s.name,
                cluster.endpoint_name(s.members[0])
            ));
        }
        s.isolate = Some(iso);
        isolation
            .entry(s.namespace.clone())
            .or_insert(Isolation::BOTH);
    }
    for (e, ep) in cluster.endpoints.iter().enumerate() {
        let ns = &cluster.namespaces[ep.namespace].name;
        if let Some(i) = isolation.get_mut(ns) {
            i.ingress &= isolated(&m, Direction::Ingress, e);
            i.egress &= isolated(&m, Direction::Egress, e);
        }
    }

    // Units: the services, every other labelled endpoint (as a peer), the external parts.
    let mut owner: Vec<Option<usize>> = vec![None; cluster.endpoints.len()];
    for (i, s) in services.iter().enumerate() {
        for &e in &s.members {
            owner[e] = Some(i);
        }
    }
    let mut peers: Vec<LearnedPeer> = Vec::new();
    let mut units: Vec<Unit> = (0..services.len()).map(Unit::Service).collect();
    for (e, ep) in cluster.endpoints.iter().enumerate() {
        if owner[e].is_some() {
            continue;
        }
        let selector = without_per_pod(&ep.labels);
        let ns = cluster.namespaces[ep.namespace].name.clone();
        if selector.is_empty() {
            continue;
        }
        if peers
            .iter()
            .any(|p| p.namespace == ns && p.selector == selector)
        {
            continue;
        }
        peers.push(LearnedPeer {
            name: service_name(&format!("{ns}-{}", ep.name)),
            namespace: ns,
            selector,
            note: format!("{} {}", ep.kind_name(), cluster.endpoint_name(e)),
        });
        units.push(Unit::Peer(peers.len() - 1, e));
    }
    units.extend((0..m.ips.len()).map(Unit::External));

    let cx = Cx {
        engine,
        m: &m,
        peers: &peers,
    };

    // Every allowed pair with a guarded side; external parts with the same ports towards
    // (or from) one service are gathered into address ranges.
    let mut pairs: Vec<(Unit, Unit, Vec<u64>)> = Vec::new();
    let mut ext_in: BTreeMap<(usize, Vec<u64>), Vec<IpRange>> = BTreeMap::new();
    let mut ext_out: BTreeMap<(usize, Vec<u64>), Vec<IpRange>> = BTreeMap::new();
    for &src in &units {
        for &dst in &units {
            if !guarded(services, src, Direction::Egress)
                && !guarded(services, dst, Direction::Ingress)
            {
                continue;
            }
            if let (Unit::Service(a), Unit::Service(b)) = (src, dst) {
                let rep = services[a].members[0];
                if a == b && !cluster.endpoints[rep].has_several_pods() {
                    continue; // a pod to itself: always allowed
                }
            }
            let ports = m.allowed_ports(cx.target(services, src), cx.target(services, dst));
            if ports.iter().all(|w| *w == 0) {
                continue;
            }
            match (src, dst) {
                (Unit::External(x), Unit::Service(s)) => {
                    ext_in.entry((s, ports)).or_default().push(m.ips.parts()[x])
                }
                (Unit::Service(s), Unit::External(x)) => ext_out
                    .entry((s, ports))
                    .or_default()
                    .push(m.ips.parts()[x]),
                _ => pairs.push((src, dst, ports)),
            }
        }
    }

    // Metadata: a service that may reach the cloud metadata endpoint keeps it reachable
    // (generated CIDR grants except it otherwise).
    for i in 0..services.len() {
        if !guarded(services, Unit::Service(i), Direction::Egress) {
            continue;
        }
        let src = Target::Endpoint(services[i].members[0]);
        services[i].allow_metadata = metadata_cidrs().iter().any(|c| {
            let dst = Target::External(c.addr);
            m.allowed_ports(src, dst).iter().any(|w| *w != 0)
        });
    }

    let mut flows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add =
        |services: &mut [Drafted], f: Pending, notes: &mut BTreeMap<String, Vec<String>>| {
            if let Some((ns, line)) = cx.flow_line(services, f, notes) {
                flows.entry(ns).or_default().push(line);
            }
        };
    for (src, dst, ports) in pairs {
        let f = Pending {
            src,
            dst,
            srcs: Vec::new(),
            dst_text: None,
            ports,
            about: None,
        };
        add(services, f, &mut notes);
    }
    for ((s, ports), ranges) in ext_in {
        let f = Pending {
            src: Unit::External(0),
            dst: Unit::Service(s),
            srcs: cidr_texts(&ranges),
            dst_text: None,
            ports,
            about: as_ip_blocks(&ranges),
        };
        add(services, f, &mut notes);
    }
    for ((s, ports), ranges) in ext_out {
        let about = as_ip_blocks(&ranges);
        for c in cidr_texts(&ranges) {
            let f = Pending {
                src: Unit::Service(s),
                dst: Unit::External(0),
                srcs: Vec::new(),
                dst_text: Some(c),
                ports: ports.clone(),
                about: about.clone(),
            };
            add(services, f, &mut notes);
        }
    }

    let dns = Dns::default();
    let dns_in_input = cluster.endpoints.iter().any(|ep| {
        cluster.namespaces[ep.namespace].name == dns.namespace
            && dns
                .selector
                .iter()
                .all(|(k, v)| ep.labels.get(k) == Some(v))
    });
    Learned {
        isolation,
        peers,
        flows,
        notes,
        dns_in_input,
    }
}

/// Whether `u` is a drafted service isolated in `d` (so that a policy must carry flows).
fn guarded(services: &[Drafted], u: Unit, d: Direction) -> bool {
    match u {
        Unit::Service(i) => {
            let iso = services[i].isolate.unwrap_or(Isolation::BOTH);
            match d {
                Direction::Ingress => iso.ingress,
                Direction::Egress => iso.egress,
            }
        }
        _ => false,
    }
}

/// A flow to write: its sides, the CIDRs standing for an external side, and the ports.
struct Pending {
    src: Unit,
    dst: Unit,
    /// For an external source: its CIDRs (one flow line lists them all).
    srcs: Vec<String>,
    /// For an external destination: its CIDR.
    dst_text: Option<String>,
    ports: Vec<u64>,
    /// The external side as ipBlocks say it, for the reader.
    about: Option<String>,
}

struct Cx<'a> {
    engine: &'a Engine,
    m: &'a Matrix<'a>,
    peers: &'a [LearnedPeer],
}

impl Cx<'_> {
    fn target(&self, services: &[Drafted], u: Unit) -> Target {
        match u {
            Unit::Service(i) => Target::Endpoint(services[i].members[0]),
            Unit::Peer(_, e) => Target::Endpoint(e),
            Unit::External(x) => Target::External(self.m.ips.parts()[x].first()),
        }
    }

    /// How a flow written in namespace `ns` names `u`.
    fn name_in(&self, services: &[Drafted], u: Unit, ns: &str) -> String {
        match u {
            Unit::Service(i) if services[i].namespace == ns => services[i].name.clone(),
            Unit::Service(i) => format!("{}/{}", services[i].namespace, services[i].name),
            Unit::Peer(p, _) => self.peers[p].name.clone(),
            Unit::External(x) => self.m.ips.parts()[x].first().to_string(),
        }
    }

    /// The flow line (`src -> dst:ports   # rules`) and the namespace it is written in.
    fn flow_line(
        &self,
        services: &mut [Drafted],
        f: Pending,
        notes: &mut BTreeMap<String, Vec<String>>,
    ) -> Option<(String, String)> {
        let ns = match (f.src, f.dst) {
            (_, Unit::Service(d)) => services[d].namespace.clone(),
            (Unit::Service(s), _) => services[s].namespace.clone(),
            _ => return None,
        };
        let described = self.m.ports.describe(&f.ports);
        let (items, probes, todo) = port_items(services, f.dst, &described);
        let from = if f.srcs.is_empty() {
            self.name_in(services, f.src, &ns)
        } else {
            f.srcs.join(", ")
        };
        let to = match &f.dst_text {
            Some(t) => t.clone(),
            None => self.name_in(services, f.dst, &ns),
        };
        if let Some(t) = todo {
            notes.entry(ns.clone()).or_default().push(format!(
                "TODO: the policies allow {from} -> {to} on {t}; an intent grants a service only the ports it declares"
            ));
        }
        if items.is_empty() {
            return None;
        }
        // The rules behind it: both sides' allowing rules, at one port of each item.
        let address = |cidr: &str| {
            cidr.trim_matches(['[', ']'])
                .split('/')
                .next()
                .and_then(|a| a.parse::<IpAddr>().ok())
                .map(Target::External)
        };
        let src = match f.src {
            Unit::External(_) => f.srcs.first().and_then(|c| address(c)),
            u => Some(self.target(services, u)),
        };
        let dst = match (&f.dst, &f.dst_text) {
            (Unit::External(_), Some(t)) => address(t),
            (u, _) => Some(self.target(services, *u)),
        };
        let mut rules: Vec<String> = Vec::new();
        if let (Some(src), Some(dst)) = (src, dst) {
            for &(port, protocol) in &probes {
                let v = self.engine.verdict(&Flow {
                    src,
                    dst,
                    port,
                    protocol,
                });
                for side in [&v.egress, &v.ingress] {
                    for &(pid, ri) in &side.allowing {
                        let p = &self.engine.cluster().policies[pid];
                        let r = format!(
                            "{}/{} {}[{ri}]",
                            p.namespace,
                            p.name,
                            side.direction.field()
                        );
                        if !rules.contains(&r) {
                            rules.push(r);
                        }
                    }
                }
            }
        }
        let about = match &f.about {
            Some(a) => format!(" (together: {a})"),
            None => String::new(),
        };
        Some((
            ns,
            format!(
                "{from} -> {to}:{}   # {}{about}",
                items.join(","),
                rules.join(", ")
            ),
        ))
    }
}

/// Sorted ranges with adjacent ones merged.
fn merged(ranges: &[IpRange]) -> Vec<IpRange> {
    let mut out: Vec<IpRange> = Vec::new();
    let mut sorted = ranges.to_vec();
    sorted.sort();
    for r in sorted {
        match out.last_mut() {
            Some(last) if last.family == r.family && last.end.checked_add(1) == Some(r.start) => {
                last.end = r.end;
            }
            _ => out.push(r),
        }
    }
    out
}

/// Address ranges as the fewest CIDRs; IPv6 in brackets (a flow writes `[2001:db8::/32]:443`).
fn cidr_texts(ranges: &[IpRange]) -> Vec<String> {
    merged(ranges)
        .iter()
        .flat_map(|r| r.to_cidrs())
        .map(|c| match c.family() {
            Family::V4 => c.to_string(),
            Family::V6 => format!("[{c}]"),
        })
        .collect()
}

/// The same addresses as an ipBlock would say them (`0.0.0.0/0 except 10.0.0.0/8`), when
/// that is shorter than the CIDR list an intent needs (it has no `except`).
fn as_ip_blocks(ranges: &[IpRange]) -> Option<String> {
    let ranges = merged(ranges);
    let mut parts = Vec::new();
    let mut listed = 0;
    for (family, all, max) in [
        (Family::V4, "0.0.0.0/0", u128::from(u32::MAX)),
        (Family::V6, "::/0", u128::MAX),
    ] {
        let mine: Vec<&IpRange> = ranges.iter().filter(|r| r.family == family).collect();
        if mine.is_empty() {
            continue;
        }
        listed += mine.iter().map(|r| r.to_cidrs().len()).sum::<usize>();
        // The gaps between the ranges, within the family's whole space.
        let mut gaps = Vec::new();
        let mut next = 0u128;
        for r in &mine {
            if r.start > next {
                gaps.push(IpRange {
                    family,
                    start: next,
                    end: r.start - 1,
                });
            }
            next = r.end.saturating_add(1);
        }
        if mine.last().is_some_and(|r| r.end < max) {
            gaps.push(IpRange {
                family,
                start: next,
                end: max,
            });
        }
        let except: Vec<String> = gaps
            .iter()
            .flat_map(|g| g.to_cidrs())
            .map(|c| c.to_string())
            .collect();
        parts.push(if except.is_empty() {
            all.to_string()
        } else {
            format!("{all} except {}", except.join(", "))
        });
    }
    let words: usize = parts.iter().map(|p| p.split(", ").count()).sum();
    (words < listed).then(|| parts.join("; "))
}

/// The port items of a flow to `dst` (declared ports of a service, added when missing;
/// ranges for peers and addresses), the (port, protocol) probes standing for them, and
/// what could not be listed.
fn port_items(
    services: &mut [Drafted],
    dst: Unit,
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
    match dst {
        Unit::Service(s) => {
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
        _ => {
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
