//! `recommend`, first half: which observed flows are connection starts to allow.
//!
//! Each flow line goes through the filters below, in order, and is either kept (under
//! its connection: source, destination, protocol, destination port) or counted under the
//! reason it was left out. Nothing is dropped silently: [`Summary`] names every reason.
//! [`super::plan`] turns the kept connections into a [`crate::gen::Plan`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::time::SystemTime;

use super::event::{is_reply, time, transport, EPHEMERAL_START};
use super::resolve::{Party, Resolver, UnitId, Unresolved};
use super::stream::FlowLine;
use crate::engine::Engine;
use crate::model::{EndpointId, Protocol};

/// How to recommend.
#[derive(Clone, Debug, Default)]
pub struct RecommendOptions {
    /// Group external addresses into wider CIDRs (else one /32 or /128 each).
    pub group_cidrs: bool,
    /// Also isolate the system namespaces (kube-system, ...), which are left alone by
    /// default: a default deny there breaks cluster components.
    pub isolate_system: bool,
}

/// One end of a connection: a workload of the manifests, or an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum End {
    Unit(UnitId),
    Ip(IpAddr),
}

/// A connection as policies see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Connection {
    pub from: End,
    pub to: End,
    pub protocol: Protocol,
    pub port: u16,
}

/// The flows behind one connection.
#[derive(Clone, Debug)]
pub struct Seen {
    pub count: u64,
    /// Index into [`Recommender::files`] and line of the first flow.
    pub file: usize,
    pub line: u64,
    pub first: Option<SystemTime>,
    pub last: Option<SystemTime>,
    /// Hubble named the destination Service `kube-dns`.
    pub dns_service: bool,
    /// DNS names of the external end, as Cilium's DNS proxy learnt them (a few).
    pub names: Vec<String>,
    /// An endpoint of each side, for the engine.
    pub endpoints: (Option<EndpointId>, Option<EndpointId>),
}

/// DNS names kept per connection, for its comment.
const MAX_NAMES: usize = 3;

/// Why flows were left out, and what was rewritten.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Flows kept as connection starts.
    pub used: u64,
    /// Flows left out, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Pods Hubble names that the manifests do not hold, with their flow counts.
    pub unknown_pods: BTreeMap<String, u64>,
    /// Flows to a Service address, taken to the workload the Service selects.
    pub service_addresses: u64,
    /// Service ports mapped back to pod ports (`ns/service TCP/80 -> 8080`).
    pub service_ports: BTreeSet<String>,
    /// Things a reviewer must know (selectors that cannot single a workload out, ...).
    pub warnings: Vec<String>,
}

impl Summary {
    pub fn skip(&mut self, reason: &str) {
        match self.skipped.get_mut(reason) {
            Some(n) => *n += 1,
            None => {
                self.skipped.insert(reason.to_string(), 1);
            }
        }
    }
}

pub const SKIP_REPLY: &str = "replies (is_reply)";
pub const SKIP_PROBE: &str = "from the pod's own node (kubelet probes)";
pub const SKIP_L4: &str = "not TCP, UDP or SCTP (ICMP; NetworkPolicy cannot express it)";
pub const SKIP_EPHEMERAL: &str = "to an ephemeral port no container declares (replies)";
pub const SKIP_UNKNOWN_POD: &str = "from or to a pod the manifests do not hold";
pub const SKIP_NO_ADDRESS: &str = "without a pod or an address";
pub const SKIP_NO_POD: &str = "between two addresses outside the manifests";

/// The verdicts whose flows really happened (AUDIT: policy audit mode, would have been
/// dropped but was not).
fn used_verdict(v: &str) -> bool {
    matches!(v, "FORWARDED" | "AUDIT" | "REDIRECTED")
}

pub struct Recommender<'e> {
    pub resolver: Resolver<'e>,
    pub options: RecommendOptions,
    /// Base names of the flow files, in the order read.
    pub files: Vec<String>,
    pub connections: HashMap<Connection, Seen>,
    pub summary: Summary,
}

impl<'e> Recommender<'e> {
    pub fn new(engine: &'e Engine, options: RecommendOptions) -> Self {
        Recommender {
            resolver: Resolver::new(engine),
            options,
            files: Vec::new(),
            connections: HashMap::new(),
            summary: Summary::default(),
        }
    }

    /// Read one flow.
    pub fn observe(&mut self, f: &FlowLine) {
        let flow = f.flow;
        let verdict = flow.verdict.as_deref().unwrap_or("UNKNOWN");
        if !used_verdict(verdict) {
            self.summary
                .skip(&format!("verdict {verdict} (not traffic that happened)"));
            return;
        }
        if is_reply(flow) == Some(true) {
            self.summary.skip(SKIP_REPLY);
            return;
        }
        let Some(t) = transport(flow) else {
            self.summary.skip(SKIP_L4);
            return;
        };
        let ip = flow.ip.as_ref();
        let src = self
            .resolver
            .resolve(flow.source.as_ref(), ip.and_then(|i| i.source.as_deref()));
        let dst_ip = ip.and_then(|i| i.destination.as_deref());
        let dst = self.resolver.resolve(flow.destination.as_ref(), dst_ip);
        let (src, dst) = match (src, dst) {
            (Ok(Party::Host), _) => {
                self.summary.skip(SKIP_PROBE);
                return;
            }
            (Ok(s), Ok(Party::Host)) => match dst_ip.and_then(|s| s.parse().ok()) {
                Some(ip) => (s, Party::Ip(ip)),
                None => {
                    self.summary.skip(SKIP_NO_ADDRESS);
                    return;
                }
            },
            (Ok(s), Ok(d)) => (s, d),
            (s, d) => {
                for r in [s, d] {
                    match r {
                        Err(Unresolved::UnknownPod(name)) => {
                            *self.summary.unknown_pods.entry(name).or_insert(0) += 1;
                        }
                        Err(Unresolved::NoAddress) => {
                            self.summary.skip(SKIP_NO_ADDRESS);
                            return;
                        }
                        Ok(_) => {}
                    }
                }
                self.summary.skip(SKIP_UNKNOWN_POD);
                return;
            }
        };
        // A Service address Hubble did not translate: the workload the Service selects.
        let dst = match (dst, &flow.destination_service) {
            (Party::Ip(_), Some(svc)) => match (svc.namespace.as_deref(), svc.name.as_deref()) {
                (Some(ns), Some(name)) => match self.resolver.service(ns, name) {
                    Some(p) => {
                        self.summary.service_addresses += 1;
                        p
                    }
                    None => dst,
                },
                _ => dst,
            },
            _ => dst,
        };
        let mut port = t.destination_port;
        let mut declared = false;
        if let Party::Pod { endpoint, .. } = dst {
            let service = flow
                .destination_service
                .as_ref()
                .and_then(|s| s.name.as_deref());
            let (p, note) = self.resolver.pod_port(endpoint, t.protocol, port, service);
            port = p;
            if let Some(n) = note {
                self.summary.service_ports.insert(n);
            }
            declared = self.resolver.engine().cluster().endpoints[endpoint]
                .ports
                .iter()
                .any(|p| p.port == port && p.protocol == t.protocol);
        }
        if port >= EPHEMERAL_START && !declared {
            self.summary.skip(SKIP_EPHEMERAL);
            return;
        }
        let end = |p: Party| match p {
            Party::Pod { unit, .. } => Some(End::Unit(unit)),
            Party::Ip(ip) => Some(End::Ip(ip)),
            Party::Host => None,
        };
        let (Some(from), Some(to)) = (end(src), end(dst)) else {
            self.summary.skip(SKIP_NO_ADDRESS);
            return;
        };
        if matches!((from, to), (End::Ip(_), End::Ip(_))) {
            self.summary.skip(SKIP_NO_POD);
            return;
        }
        self.summary.used += 1;
        let when = time(f.time);
        let file = self.file_index(f.file);
        let endpoint = |p: Party| match p {
            Party::Pod { endpoint, .. } => Some(endpoint),
            _ => None,
        };
        let dns_service = flow
            .destination_service
            .as_ref()
            .and_then(|s| s.name.as_deref())
            == Some("kube-dns");
        let key = Connection {
            from,
            to,
            protocol: t.protocol,
            port,
        };
        let seen = self.connections.entry(key).or_insert_with(|| Seen {
            count: 0,
            file,
            line: f.line,
            first: when,
            last: when,
            dns_service,
            names: Vec::new(),
            endpoints: (endpoint(src), endpoint(dst)),
        });
        let names = match (from, to) {
            (_, End::Ip(_)) => &flow.destination_names,
            (End::Ip(_), _) => &flow.source_names,
            _ => &flow.destination_names[..0],
        };
        for n in names {
            if seen.names.len() < MAX_NAMES && !seen.names.iter().any(|x| x == n.as_ref()) {
                seen.names.push(n.to_string());
            }
        }
        seen.count += 1;
        seen.dns_service |= dns_service;
        if let Some(w) = when {
            seen.first = Some(seen.first.map_or(w, |x| x.min(w)));
            seen.last = Some(seen.last.map_or(w, |x| x.max(w)));
        }
    }

    fn file_index(&mut self, file: &str) -> usize {
        match self.files.iter().position(|f| f == file) {
            Some(i) => i,
            None => {
                self.files.push(file.to_string());
                self.files.len() - 1
            }
        }
    }
}
