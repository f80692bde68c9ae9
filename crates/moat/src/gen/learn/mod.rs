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

mod addresses;
mod ports;

use addresses::{as_ip_blocks, cidr_text, cidrs};
use ports::port_items;

use super::draft::{service_name, Drafted};
use super::intent::{Dns, Isolation};
use super::policies::metadata_cidrs;
use crate::engine::{Engine, Flow, Target};
use crate::matrix::{Matrix, Row, RowFilter};
use crate::model::labels::without_per_pod;
use crate::model::{Cidr, Direction, EndpointId, IpRange, Labels};

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
    // What no flow can grant, by (namespace, destination, ports): the sources.
    let mut todos: Todos = BTreeMap::new();

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
    let mut add = |services: &mut [Drafted], f: Pending, todos: &mut Todos| {
        if let Some((ns, line)) = cx.flow_line(services, f, todos) {
            flows.entry(ns).or_default().push(line);
        }
    };
    // Every allowed pair with a guarded side, from each source's matrix row (the row holds
    // only the destinations it may reach); external parts with the same ports towards (or
    // from) one service are gathered into address ranges.
    let mut ext_in: BTreeMap<(usize, Vec<u64>), Vec<IpRange>> = BTreeMap::new();
    let mut ext_out: BTreeMap<(usize, Vec<u64>), Vec<IpRange>> = BTreeMap::new();
    let mut at_node: Vec<Vec<usize>> = vec![Vec::new(); m.node_count()];
    for (i, &u) in units.iter().enumerate() {
        at_node[m.node_of(cx.target(services, u))].push(i);
    }
    let mut row = Row::default();
    for &src in &units {
        let src_guarded = guarded(services, src, Direction::Egress);
        m.row(
            m.node_of(cx.target(services, src)),
            RowFilter::default(),
            &mut row,
        );
        let mut dsts: Vec<(usize, Vec<u64>)> = row
            .iter()
            .flat_map(|(d, set)| at_node[d as usize].iter().map(move |&i| (i, set.to_vec())))
            .collect();
        dsts.sort_by_key(|(i, _)| *i);
        for (i, ports) in dsts {
            let dst = units[i];
            if !src_guarded && !guarded(services, dst, Direction::Ingress) {
                continue;
            }
            if let (Unit::Service(a), Unit::Service(b)) = (src, dst) {
                let rep = services[a].members[0];
                if a == b && !cluster.endpoints[rep].has_several_pods() {
                    continue; // a pod to itself: always allowed
                }
            }
            match (src, dst) {
                (Unit::External(x), Unit::Service(s)) => {
                    ext_in.entry((s, ports)).or_default().push(m.ips.parts()[x])
                }
                (Unit::Service(s), Unit::External(x)) => ext_out
                    .entry((s, ports))
                    .or_default()
                    .push(m.ips.parts()[x]),
                _ => {
                    let f = Pending {
                        src: Side::Unit(src),
                        dst: Side::Unit(dst),
                        ports,
                        about: None,
                    };
                    add(services, f, &mut todos);
                }
            }
        }
    }
    for ((s, ports), ranges) in ext_in {
        let f = Pending {
            src: Side::Addresses(cidrs(&ranges)),
            dst: Side::Unit(Unit::Service(s)),
            ports,
            about: as_ip_blocks(&ranges),
        };
        add(services, f, &mut todos);
    }
    for ((s, ports), ranges) in ext_out {
        // One destination per flow: one flow per CIDR.
        let about = as_ip_blocks(&ranges);
        for c in cidrs(&ranges) {
            let f = Pending {
                src: Side::Unit(Unit::Service(s)),
                dst: Side::Addresses(vec![c]),
                ports: ports.clone(),
                about: about.clone(),
            };
            add(services, f, &mut todos);
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
    let mut notes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for ((ns, to, ports), from) in todos {
        notes.entry(ns).or_default().push(format!(
            "TODO: the policies allow {} -> {to} on {ports}; an intent grants a service only the ports it declares",
            from.join(", ")
        ));
    }
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

/// Sources of what no flow can grant, by (namespace, destination, ports).
type Todos = BTreeMap<(String, String, String), Vec<String>>;

/// One side of a flow to write.
enum Side {
    /// A service or a peer (never an external part: those are gathered into `Addresses`).
    Unit(Unit),
    /// Addresses outside the cluster, as CIDRs (one flow line lists them all).
    Addresses(Vec<Cidr>),
}

/// A flow to write: its sides and ports.
struct Pending {
    src: Side,
    dst: Side,
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

    /// How a flow written in namespace `ns` names a side.
    fn name_in(&self, services: &[Drafted], side: &Side, ns: &str) -> String {
        match side {
            Side::Unit(Unit::Service(i)) if services[*i].namespace == ns => {
                services[*i].name.clone()
            }
            Side::Unit(Unit::Service(i)) => {
                format!("{}/{}", services[*i].namespace, services[*i].name)
            }
            Side::Unit(Unit::Peer(p, _)) => self.peers[*p].name.clone(),
            Side::Unit(Unit::External(x)) => self.m.ips.parts()[*x].first().to_string(),
            Side::Addresses(cs) => cs.iter().map(cidr_text).collect::<Vec<_>>().join(", "),
        }
    }

    /// An address or endpoint the side stands for, to ask the engine which rules allow it.
    fn sample(&self, services: &[Drafted], side: &Side) -> Option<Target> {
        match side {
            Side::Unit(u) => Some(self.target(services, *u)),
            Side::Addresses(cs) => cs.first().map(|c| Target::External(c.range().first())),
        }
    }

    /// The flow line (`src -> dst:ports   # rules`) and the namespace it is written in.
    fn flow_line(
        &self,
        services: &mut [Drafted],
        f: Pending,
        todos: &mut Todos,
    ) -> Option<(String, String)> {
        let ns = match (&f.src, &f.dst) {
            (_, Side::Unit(Unit::Service(d))) => services[*d].namespace.clone(),
            (Side::Unit(Unit::Service(s)), _) => services[*s].namespace.clone(),
            _ => return None,
        };
        let described = self.m.ports.describe(&f.ports);
        let to_service = match f.dst {
            Side::Unit(Unit::Service(d)) => Some(d),
            _ => None,
        };
        let (items, probes, todo) = port_items(services, to_service, &described);
        let from = self.name_in(services, &f.src, &ns);
        let to = self.name_in(services, &f.dst, &ns);
        if let Some(t) = todo {
            todos
                .entry((ns.clone(), to.clone(), t))
                .or_default()
                .push(from.clone());
        }
        if items.is_empty() {
            return None;
        }
        // The rules behind it: both sides' allowing rules, at one port of each item.
        let src = self.sample(services, &f.src);
        let dst = self.sample(services, &f.dst);
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
