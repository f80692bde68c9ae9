//! `explain-drops`: every distinct dropped connection, with the policies isolating the
//! pod that dropped it, the rule that came nearest to allowing it and why it did not
//! (the engine's own explanation), and drift: a drop the manifests say is allowed.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::time::SystemTime;

use super::event::{direction, is_policy_drop, is_reply, time, transport};
use super::resolve::{Party, Resolver, UnitId, Unresolved};
use super::stream::FlowLine;
use crate::engine::{Engine, Flow, PeerResult, PortResult, SideExplanation, SideOutcome, Target};
use crate::model::{Direction, EndpointId, Protocol};

/// One end of a dropped connection.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DropEnd {
    Unit(UnitId),
    Host,
    Ip(IpAddr),
    /// A pod Hubble names that the manifests do not hold (`namespace/pod`).
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DropKey {
    pub from: DropEnd,
    pub to: DropEnd,
    /// `None` for ICMP and other flows without ports.
    pub protocol: Option<Protocol>,
    pub port: u16,
    /// The side that dropped it, as Hubble says (`traffic_direction`).
    pub direction: Option<Direction>,
    /// Policy audit mode (verdict `AUDIT`): it would have been dropped, and was not.
    pub audit: bool,
}

#[derive(Clone, Debug)]
struct Tally {
    count: u64,
    first: Option<SystemTime>,
    last: Option<SystemTime>,
    file: String,
    line: u64,
    endpoints: (Option<EndpointId>, Option<EndpointId>),
    reasons: BTreeMap<String, u64>,
    names: Vec<String>,
}

/// The rule nearest to allowing a drop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nearest {
    /// `namespace/name`.
    pub policy: String,
    /// `egress[1]`; `None` when the policy has no rule in this direction.
    pub rule: Option<String>,
    /// `file:line:col` of the rule (or of the policy).
    pub at: String,
    pub peer_matches: bool,
    pub port_matches: bool,
    /// Why it does not allow the connection (the engine's reasons).
    pub why: Vec<String>,
}

/// One distinct dropped connection, explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drop {
    pub from: String,
    pub to: String,
    pub protocol: Option<Protocol>,
    pub port: u16,
    pub direction: Option<Direction>,
    /// Seen in policy audit mode (`AUDIT`): would have been dropped.
    pub audit: bool,
    pub count: u64,
    /// RFC 3339, when the flows carry times.
    pub first: Option<String>,
    pub last: Option<String>,
    /// Where the first of them was read (`file:line`).
    pub seen_at: String,
    /// DNS names of the external end, as Cilium's DNS proxy learnt them.
    pub names: Vec<String>,
    /// Hubble's drop reasons with counts (`POLICY_DENIED`, ...).
    pub reasons: BTreeMap<String, u64>,
    /// The tier of the engine's pipeline that decided the dropping side (`NetworkPolicy`,
    /// or a cluster-wide tier), `None` when none did (not isolated).
    pub tier: Option<String>,
    /// Policies isolating the pod on the dropping side (`namespace/name`).
    pub isolated_by: Vec<String>,
    pub nearest: Option<Nearest>,
    /// The manifests allow this connection: the CNI and the manifests disagree.
    pub drift: bool,
    /// What the engine says, in one sentence.
    pub verdict: String,
}

/// Every drop, and what the lines were.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DropReport {
    pub drops: Vec<Drop>,
    /// Drops for other reasons than policy (datapath errors), by reason.
    pub not_policy: BTreeMap<String, u64>,
    /// Dropped replies (policy applies to connection starts).
    pub replies: u64,
}

pub struct DropCollector<'e> {
    pub resolver: Resolver<'e>,
    tallies: HashMap<DropKey, Tally>,
    not_policy: BTreeMap<String, u64>,
    replies: u64,
}

fn fmt_time(t: Option<SystemTime>) -> Option<String> {
    t.map(|t| humantime::format_rfc3339_nanos(t).to_string())
}

impl<'e> DropCollector<'e> {
    pub fn new(engine: &'e Engine) -> Self {
        DropCollector {
            resolver: Resolver::new(engine),
            tallies: HashMap::new(),
            not_policy: BTreeMap::new(),
            replies: 0,
        }
    }

    fn end(&self, r: Result<Party, Unresolved>, ip: Option<&str>) -> (DropEnd, Option<EndpointId>) {
        match r {
            Ok(Party::Pod { unit, endpoint }) => (DropEnd::Unit(unit), Some(endpoint)),
            Ok(Party::Host) => (DropEnd::Host, None),
            Ok(Party::Ip(ip)) => (DropEnd::Ip(ip), None),
            Err(Unresolved::UnknownPod(name)) => (DropEnd::Unknown(name), None),
            Err(Unresolved::NoAddress) => (DropEnd::Unknown(ip.unwrap_or("?").to_string()), None),
        }
    }

    /// Read one flow; anything but a drop (or an audit-mode would-be drop) is ignored
    /// here (the line counts have it).
    pub fn observe(&mut self, f: &FlowLine) {
        let flow = f.flow;
        let audit = match flow.verdict.as_deref() {
            Some("DROPPED") => false,
            Some("AUDIT") => true,
            _ => return,
        };
        let reason = flow.drop_reason_desc.as_deref();
        if !is_policy_drop(reason) {
            *self
                .not_policy
                .entry(reason.unwrap_or("UNKNOWN").to_string())
                .or_insert(0) += 1;
            return;
        }
        if is_reply(flow) == Some(true) {
            self.replies += 1;
            return;
        }
        let ip = flow.ip.as_ref();
        let sip = ip.and_then(|i| i.source.as_deref());
        let dip = ip.and_then(|i| i.destination.as_deref());
        let (from, se) = self.end(self.resolver.resolve(flow.source.as_ref(), sip), sip);
        let mut dst = self.resolver.resolve(flow.destination.as_ref(), dip);
        let service = flow.destination_service.as_ref();
        // A Service address Hubble did not translate: the workload the Service selects.
        if let (Ok(Party::Ip(_)), Some(svc)) = (&dst, service) {
            if let (Some(ns), Some(name)) = (svc.namespace.as_deref(), svc.name.as_deref()) {
                if let Some(p) = self.resolver.service(ns, name) {
                    dst = Ok(p);
                }
            }
        }
        let (to, de) = self.end(dst, dip);
        let t = transport(flow);
        // Policies see the pod's port, not the Service's.
        let port = match (t, de) {
            (Some(t), Some(e)) => {
                let name = service.and_then(|s| s.name.as_deref());
                self.resolver
                    .pod_port(e, t.protocol, t.destination_port, name)
                    .0
            }
            (Some(t), None) => t.destination_port,
            (None, _) => 0,
        };
        let key = DropKey {
            from,
            to,
            protocol: t.map(|t| t.protocol),
            port,
            direction: direction(flow),
            audit,
        };
        let when = time(f.time);
        let key_to_ip = matches!(key.to, DropEnd::Ip(_));
        let tally = self.tallies.entry(key).or_insert_with(|| Tally {
            count: 0,
            first: when,
            last: when,
            file: f.file.to_string(),
            line: f.line,
            endpoints: (se, de),
            reasons: BTreeMap::new(),
            names: Vec::new(),
        });
        tally.count += 1;
        let names = if key_to_ip {
            &flow.destination_names
        } else {
            &flow.source_names
        };
        for n in names {
            if tally.names.len() < 3 && !tally.names.iter().any(|x| x == n.as_ref()) {
                tally.names.push(n.to_string());
            }
        }
        if let Some(w) = when {
            tally.first = Some(tally.first.map_or(w, |x| x.min(w)));
            tally.last = Some(tally.last.map_or(w, |x| x.max(w)));
        }
        *tally
            .reasons
            .entry(reason.unwrap_or("UNKNOWN").to_string())
            .or_insert(0) += 1;
    }

    fn name(&self, e: &DropEnd) -> String {
        match e {
            DropEnd::Unit(u) => self.resolver.units[*u].id(),
            DropEnd::Host => "host".into(),
            DropEnd::Ip(ip) => ip.to_string(),
            DropEnd::Unknown(n) => format!("{n} (not in the manifests)"),
        }
    }

    fn target(e: &DropEnd, endpoint: Option<EndpointId>) -> Option<Target> {
        match (e, endpoint) {
            (_, Some(ep)) => Some(Target::Endpoint(ep)),
            (DropEnd::Ip(ip), None) => Some(Target::External(*ip)),
            _ => None,
        }
    }

    /// Every drop explained, most frequent first.
    pub fn finish(self) -> DropReport {
        let engine = self.resolver.engine();
        let mut drops: Vec<Drop> = Vec::new();
        for (key, tally) in &self.tallies {
            let mut d = Drop {
                from: self.name(&key.from),
                to: self.name(&key.to),
                protocol: key.protocol,
                port: key.port,
                direction: key.direction,
                audit: key.audit,
                count: tally.count,
                first: fmt_time(tally.first),
                last: fmt_time(tally.last),
                seen_at: format!("{}:{}", tally.file, tally.line),
                reasons: tally.reasons.clone(),
                names: tally.names.clone(),
                tier: None,
                isolated_by: vec![],
                nearest: None,
                drift: false,
                verdict: String::new(),
            };
            let src = Self::target(&key.from, tally.endpoints.0);
            let dst = Self::target(&key.to, tally.endpoints.1);
            match (src, dst, key.protocol) {
                (Some(src), Some(dst), Some(protocol)) => explain_drop(
                    engine,
                    &mut d,
                    Flow {
                        src,
                        dst,
                        port: key.port,
                        protocol,
                    },
                ),
                (_, _, None) => {
                    d.verdict = "not TCP, UDP or SCTP (ICMP): NetworkPolicy ports cannot name it and CNIs differ; not evaluated".into();
                }
                _ => {
                    d.verdict = "an end is not in the manifests (the node, or an unknown pod): not evaluated".into();
                }
            }
            drops.push(d);
        }
        drops.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| (&a.from, &a.to, a.port).cmp(&(&b.from, &b.to, b.port)))
                .then_with(|| a.protocol.cmp(&b.protocol))
                .then_with(|| {
                    a.direction
                        .map(|d| d.as_str())
                        .cmp(&b.direction.map(|d| d.as_str()))
                })
        });
        DropReport {
            drops,
            not_policy: self.not_policy,
            replies: self.replies,
        }
    }
}

/// Fill in what the engine says about one dropped connection.
fn explain_drop(engine: &Engine, d: &mut Drop, flow: Flow) {
    let x = engine.explain(&flow);
    let cluster = engine.cluster();
    let denying = |s: &SideExplanation| s.outcome == SideOutcome::Denied;
    let side = match d.direction {
        Some(Direction::Egress) => &x.egress,
        Some(Direction::Ingress) => &x.ingress,
        None if denying(&x.ingress) && !denying(&x.egress) => &x.ingress,
        None => &x.egress,
    };
    let verdict_side = match side.direction {
        Direction::Egress => &x.verdict.egress,
        Direction::Ingress => &x.verdict.ingress,
    };
    d.tier = verdict_side.tier.map(str::to_string);
    d.isolated_by = verdict_side
        .isolating
        .iter()
        .map(|&p| cluster.policies[p].id())
        .collect();
    let who = match side.subject {
        Some(e) => cluster.endpoint_name(e),
        None => engine.target_name(if side.direction == Direction::Egress {
            flow.src
        } else {
            flow.dst
        }),
    };
    let dir = side.direction.field();
    let allowed = if d.direction.is_some() {
        side.outcome.allows() || x.verdict.self_traffic
    } else {
        x.verdict.allowed
    };
    d.drift = allowed;
    d.verdict = match side.outcome {
        _ if x.verdict.self_traffic => {
            "the manifests allow it: a pod talking to itself is always allowed".to_string()
        }
        SideOutcome::Denied => format!("{dir} of {who} is isolated and no rule allows it"),
        SideOutcome::Allowed => format!("the manifests allow {dir} of {who}: a rule allows it"),
        SideOutcome::NotIsolated => {
            format!("the manifests allow {dir} of {who}: no policy isolates it")
        }
        SideOutcome::HostNetwork => format!(
            "the manifests allow {dir} of {who}: it is hostNetwork, policies do not isolate it"
        ),
        SideOutcome::External => format!("{who} is outside the cluster: no policy of its own"),
    };
    d.nearest = nearest(engine, side);
}

/// The rule that came nearest: an allowing one (drift), else one whose peer matches
/// (the port is wrong), else one whose port matches, else the first.
fn nearest(engine: &Engine, side: &SideExplanation) -> Option<Nearest> {
    let cluster = engine.cluster();
    let d = side.direction;
    let mut best: Option<(u8, Nearest)> = None;
    for pe in &side.policies {
        let p = &cluster.policies[pe.policy];
        if pe.rules.is_empty() && best.is_none() {
            best = Some((
                0,
                Nearest {
                    policy: p.id(),
                    rule: None,
                    at: p.span.to_string(),
                    peer_matches: false,
                    port_matches: false,
                    why: vec![format!(
                        "isolates {} and has no {} rules: allows nothing",
                        d.field(),
                        d.field()
                    )],
                },
            ));
        }
        for r in &pe.rules {
            let peer_ok = !matches!(r.peer, PeerResult::NotMatched(_));
            let port_ok = !matches!(r.port, PortResult::NotMatched(_));
            let score = match (peer_ok, port_ok) {
                (true, true) => 4,
                (true, false) => 3,
                (false, true) => 2,
                (false, false) => 1,
            };
            if best.as_ref().is_some_and(|(s, _)| *s >= score) {
                continue;
            }
            let mut why = Vec::new();
            if let PeerResult::NotMatched(reasons) = &r.peer {
                for (i, w) in reasons.iter().enumerate() {
                    why.push(format!("{}[{i}]: {w}", d.peers_field()));
                }
            }
            if let PortResult::NotMatched(w) = &r.port {
                why.push(format!("port: {w}"));
            }
            best = Some((
                score,
                Nearest {
                    policy: p.id(),
                    rule: Some(format!("{}[{}]", d.field(), r.index)),
                    at: p.rules(d)[r.index].span.to_string(),
                    peer_matches: peer_ok,
                    port_matches: port_ok,
                    why,
                },
            ));
        }
    }
    best.map(|(_, n)| n)
}
