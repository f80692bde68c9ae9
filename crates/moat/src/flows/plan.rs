//! `recommend`, second half: the kept connections as a [`Plan`], the same structure an
//! intent file parses into, so that `moat gen`'s writer renders the policies and every
//! rule's comment names the flows behind it (file, first line, count).
//!
//! Workloads of the protected namespaces become services, everything else peers; DNS to
//! the cluster DNS becomes the one `allow-dns` per namespace; external addresses are
//! /32 or /128 peers, or, with `group_cidrs`, the narrowest CIDR over the addresses of
//! one /24 (IPv4) or /64 (IPv6), never wider.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::Arc;

use super::cidrs::cidrs;
use super::recommend::{Connection, End, Recommender, Seen, Summary};
use super::resolve::UnitId;
use super::selector::{choose, Chosen};
use crate::gen::{
    DeclaredPort, Dns, Grant, Isolation, Namespace, Origin, Party, Peer, PeerKind, Plan, Port,
    PortValue, Service, SYSTEM_NAMESPACES,
};
use crate::model::labels::is_dns1123_label;
use crate::model::{Cidr, Protocol};
use crate::source::Span;

pub const SKIP_UNSELECTABLE: &str =
    "from or to a workload without labels (no selector can pick it)";
/// More single-address connections of one workload than a reviewer reads.
const MANY_ADDRESSES: usize = 16;

pub const SKIP_UNPROTECTED: &str = "between namespaces left alone (system namespaces)";

/// One allowed connection, by the names the expectations and reports use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allowed {
    /// `namespace/workload` or an address.
    pub from: String,
    pub to: String,
    pub protocol: Protocol,
    pub port: u16,
    pub count: u64,
    /// Allowed by the namespace's `allow-dns` rather than by a rule of its own.
    pub dns: bool,
}

/// The recommended plan, what was left out, and the connections it allows.
pub struct Recommendation {
    pub plan: Plan,
    pub summary: Summary,
    pub allowed: Vec<Allowed>,
    /// Every workload of the allowed connections.
    pub workloads: Vec<WorkloadInfo>,
}

/// A workload of the recommendation, for probes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadInfo {
    /// `namespace/name`.
    pub id: String,
    pub namespace: String,
    /// In a namespace the recommendation protects.
    pub protected: bool,
    /// The cluster DNS the namespaces' `allow-dns` opens.
    pub dns: bool,
    /// Ports it was seen listening on.
    pub listening: Vec<(Protocol, u16)>,
}

fn base_name(file: &str) -> String {
    std::path::Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| file.to_string())
}

/// A peer name the intent parser accepts, unique among `taken`.
fn unique_name(wanted: &str, taken: &mut Vec<String>) -> String {
    let mut base: String = wanted
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    base = base.trim_matches('-').to_string();
    base.truncate(50);
    if base.is_empty() || !is_dns1123_label(&base) {
        base = "peer".into();
    }
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// The selector chosen for each workload (`None`: it has no label to select it by).
type Selectors = HashMap<UnitId, Option<Chosen>>;

/// The parties created so far: workloads by unit, addresses by CIDR, names in use.
#[derive(Default)]
struct Parties {
    units: HashMap<UnitId, Party>,
    cidrs: HashMap<Cidr, Party>,
    taken: Vec<String>,
}

struct PartyCtx<'a> {
    units: &'a [super::resolve::Unit],
    chosen: &'a Selectors,
    cidr_of: &'a HashMap<IpAddr, Cidr>,
    seen: &'a Seen,
}

impl Recommender<'_> {
    /// The party of a plan standing for `e`: its service, or a peer (created on first use).
    fn party(&self, e: End, ctx: &PartyCtx, parties: &mut Parties, plan: &mut Plan) -> Party {
        let (name, kind) = match e {
            End::Unit(u) => {
                if let Some(p) = parties.units.get(&u) {
                    return p.clone();
                }
                let unit = &ctx.units[u];
                let selector = ctx
                    .chosen
                    .get(&u)
                    .and_then(|c| c.as_ref())
                    .map(|c| c.labels.clone())
                    .unwrap_or_default();
                (
                    format!("{}-{}", unit.namespace, unit.name),
                    PeerKind::Pods {
                        namespace: unit.namespace.clone(),
                        selector,
                    },
                )
            }
            End::Ip(ip) => {
                let cidr = ctx.cidr_of.get(&ip).copied().unwrap_or(Cidr {
                    addr: ip,
                    prefix: if ip.is_ipv4() { 32 } else { 128 },
                });
                if let Some(p) = parties.cidrs.get(&cidr) {
                    return p.clone();
                }
                let host = cidr.prefix == if ip.is_ipv4() { 32 } else { 128 };
                // A host is named after what Cilium's DNS proxy saw it called, if anything.
                let name = if host {
                    match ctx.seen.names.first() {
                        Some(dns) => dns.trim_end_matches('.').to_string(),
                        None => format!("ip-{}", cidr.addr),
                    }
                } else {
                    format!("net-{}-{}", cidr.addr, cidr.prefix)
                };
                (name, PeerKind::Cidr(cidr))
            }
        };
        let text = match &kind {
            PeerKind::Cidr(c) if c.prefix < if c.addr.is_ipv4() { 32 } else { 128 } => {
                format!("addresses of {c} seen in the flows (--group-cidrs)")
            }
            _ => format!("{} seen in the flows", self.end_name(e)),
        };
        let peer = Peer {
            name: unique_name(&name, &mut parties.taken),
            kind: kind.clone(),
            ports: Vec::new(),
            origin: self.origin(ctx.seen, text),
        };
        plan.peers.push(peer);
        let p = Party::Peer(plan.peers.len() - 1);
        match (e, kind) {
            (End::Unit(u), _) => {
                parties.units.insert(u, p.clone());
            }
            (End::Ip(_), PeerKind::Cidr(c)) => {
                parties.cidrs.insert(c, p.clone());
            }
            _ => {}
        }
        p
    }

    fn origin(&self, seen: &Seen, text: String) -> Origin {
        let file = base_name(&self.files[seen.file]);
        Origin {
            at: Span::new(Arc::from(file.as_str()), seen.line as u32, 1),
            file,
            line: seen.line as u32,
            text,
        }
    }

    fn end_name(&self, e: End) -> String {
        match e {
            End::Unit(u) => self.resolver.units[u].id(),
            End::Ip(ip) => ip.to_string(),
        }
    }

    fn is_dns_unit(&self, u: UnitId, seen: &Seen) -> bool {
        let cluster = self.resolver.engine().cluster();
        seen.dns_service
            || self.resolver.units[u].members.iter().any(|&m| {
                cluster.endpoints[m]
                    .labels
                    .get("k8s-app")
                    .map(String::as_str)
                    == Some("kube-dns")
            })
    }

    /// Selectors, once per workload; connections of a workload that cannot be selected
    /// are left out (counted), and selectors that cannot single a workload out are named.
    fn select(&mut self, conns: Vec<(Connection, Seen)>) -> (Selectors, Vec<(Connection, Seen)>) {
        let cluster = self.resolver.engine().cluster();
        let mut chosen: HashMap<UnitId, Option<Chosen>> = HashMap::new();
        for (c, _) in &conns {
            for e in [c.from, c.to] {
                if let End::Unit(u) = e {
                    chosen
                        .entry(u)
                        .or_insert_with(|| choose(cluster, &self.resolver.units[u]));
                }
            }
        }
        let mut unselectable: Vec<UnitId> = chosen
            .iter()
            .filter(|(_, c)| c.is_none())
            .map(|(u, _)| *u)
            .collect();
        unselectable.sort_unstable();
        for u in &unselectable {
            self.summary.warnings.push(format!(
                "{} ({}) has no labels: no policy can select it, so its flows are not allowed",
                self.resolver.units[*u].id(),
                self.resolver.units[*u].kind
            ));
        }
        let mut also: Vec<(UnitId, &Chosen)> = chosen
            .iter()
            .filter_map(|(u, c)| c.as_ref().map(|c| (*u, c)))
            .filter(|(_, c)| !c.also.is_empty())
            .collect();
        also.sort_by_key(|(u, _)| *u);
        for (u, c) in also {
            self.summary.warnings.push(format!(
                "the selector of {} ({}) also selects {}: no subset of its labels singles it out",
                self.resolver.units[u].id(),
                crate::gen::flow_labels(&c.labels),
                c.also.join(", ")
            ));
        }
        let mut kept: Vec<(Connection, Seen)> = Vec::new();
        for (c, s) in conns {
            let bad = [c.from, c.to]
                .iter()
                .any(|e| matches!(e, End::Unit(u) if unselectable.contains(u)));
            if bad {
                *self
                    .summary
                    .skipped
                    .entry(SKIP_UNSELECTABLE.into())
                    .or_insert(0) += s.count;
                self.summary.used -= s.count;
            } else {
                kept.push((c, s));
            }
        }

        (chosen, kept)
    }

    /// The cluster DNS: the workload receiving the most port-53 flows among those
    /// labelled k8s-app=kube-dns (or reached through the kube-dns Service).
    fn dns_unit(&self, kept: &[(Connection, Seen)]) -> Option<UnitId> {
        let mut dns_counts: BTreeMap<UnitId, u64> = BTreeMap::new();
        for (c, s) in kept {
            if let End::Unit(u) = c.to {
                if c.port == 53
                    && matches!(c.protocol, Protocol::Udp | Protocol::Tcp)
                    && self.is_dns_unit(u, s)
                {
                    *dns_counts.entry(u).or_insert(0) += s.count;
                }
            }
        }
        dns_counts
            .iter()
            .max_by_key(|(u, n)| (**n, std::cmp::Reverse(**u)))
            .map(|(u, _)| *u)
    }

    /// Many single addresses make a rule nobody reads: say how to fold them.
    fn warn_many_addresses(&mut self, kept: &[(Connection, Seen)]) {
        let mut external: BTreeMap<(String, &str), usize> = BTreeMap::new();
        for (c, _) in kept {
            let (unit, way) = match (c.from, c.to) {
                (End::Ip(_), End::Unit(u)) => (u, "from"),
                (End::Unit(u), End::Ip(_)) => (u, "to"),
                _ => continue,
            };
            *external
                .entry((self.resolver.units[unit].id(), way))
                .or_insert(0) += 1;
        }
        for ((id, way), n) in external {
            if n > MANY_ADDRESSES {
                self.summary.warnings.push(format!(
                        "{id}: {n} connections {way} single external addresses; --group-cidrs folds them per /24, or write a CIDR in an intent (--intent)"
                    ));
            }
        }
    }

    /// The plan allowing exactly the kept connections.
    pub fn finish(mut self) -> Recommendation {
        let units = self.resolver.units.clone();
        let mut conns: Vec<(Connection, Seen)> = self.connections.drain().collect();
        conns.sort_by(|a, b| {
            let key = |c: &Connection| {
                (
                    self.end_name(c.from),
                    self.end_name(c.to),
                    c.protocol,
                    c.port,
                )
            };
            key(&a.0).cmp(&key(&b.0))
        });
        let isolate_system = self.options.isolate_system;
        let system = move |ns: &str| !isolate_system && SYSTEM_NAMESPACES.contains(&ns);
        let ns_of = |e: End| match e {
            End::Unit(u) => Some(units[u].namespace.as_str()),
            End::Ip(_) => None,
        };

        let (chosen, kept) = self.select(conns);

        let dns_unit = self.dns_unit(&kept);
        // DNS goes to allow-dns unless the DNS namespace is itself protected (then its
        // ingress needs the flows as rules of their own).
        let is_dns = |c: &Connection| {
            dns_unit.is_some_and(|d| {
                c.to == End::Unit(d)
                    && c.port == 53
                    && matches!(c.protocol, Protocol::Udp | Protocol::Tcp)
                    && system(&units[d].namespace)
            })
        };

        // The protected namespaces: those of the workloads seen, but the system ones.
        let mut written: BTreeMap<String, (u64, Seen, bool)> = BTreeMap::new();
        for (c, s) in &kept {
            for e in [c.from, c.to] {
                let Some(ns) = ns_of(e) else { continue };
                if system(ns) || (e == c.to && is_dns(c)) {
                    continue;
                }
                let entry = written
                    .entry(ns.to_string())
                    .or_insert_with(|| (0, s.clone(), false));
                entry.0 += s.count;
                if (s.file, s.line) < (entry.1.file, entry.1.line) {
                    entry.1 = s.clone();
                }
                if e == c.from && is_dns(c) {
                    entry.2 = true;
                }
            }
        }

        let mut plan = Plan {
            files: self.files.iter().map(|f| base_name(f)).collect(),
            ..Plan::default()
        };
        let mut parties = Parties::default();
        let group_cidrs = self.options.group_cidrs;
        let ips: Vec<IpAddr> = {
            let mut v: Vec<IpAddr> = kept
                .iter()
                .flat_map(|(c, _)| [c.from, c.to])
                .filter_map(|e| match e {
                    End::Ip(ip) => Some(ip),
                    End::Unit(_) => None,
                })
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let cidr_of = cidrs(&ips, group_cidrs);
        // Services first (in namespace, then name order), so that peers avoid their names.
        let mut service_units: Vec<(UnitId, Seen)> = Vec::new();
        for (c, s) in &kept {
            for e in [c.from, c.to] {
                if let End::Unit(u) = e {
                    if written.contains_key(&units[u].namespace)
                        && !service_units.iter().any(|(x, _)| *x == u)
                    {
                        service_units.push((u, s.clone()));
                    }
                }
            }
        }
        service_units.sort_by(|a, b| {
            (&units[a.0].namespace, &units[a.0].name)
                .cmp(&(&units[b.0].namespace, &units[b.0].name))
        });
        for (u, s) in &service_units {
            let unit = &units[*u];
            let mut name = unit.name.clone();
            if plan
                .services
                .iter()
                .any(|x| x.namespace == unit.namespace && x.name == name)
            {
                name = format!("{name}-{}", unit.kind.to_ascii_lowercase());
            }
            let selector = chosen
                .get(u)
                .and_then(|c| c.as_ref())
                .map(|c| c.labels.clone())
                .unwrap_or_default();
            let text = format!("{} {} seen in the flows", unit.kind, unit.id());
            let origin = self.origin(s, text);
            plan.services.push(Service {
                namespace: unit.namespace.clone(),
                name,
                selector,
                ports: listening(&kept, End::Unit(*u)),
                isolate: Isolation::BOTH,
                allow_metadata: false,
                origin,
            });
            parties
                .units
                .insert(*u, Party::Service(plan.services.len() - 1));
        }
        parties
            .taken
            .extend(plan.services.iter().map(|s| s.name.clone()));

        let mut grants: Vec<Grant> = Vec::new();
        let mut allowed: Vec<Allowed> = Vec::new();
        for (c, s) in &kept {
            let from_name = self.end_name(c.from);
            let to_name = self.end_name(c.to);
            if is_dns(c) {
                if ns_of(c.from).is_some_and(|ns| written.contains_key(ns)) {
                    allowed.push(Allowed {
                        from: from_name,
                        to: to_name,
                        protocol: c.protocol,
                        port: c.port,
                        count: s.count,
                        dns: true,
                    });
                } else {
                    *self
                        .summary
                        .skipped
                        .entry(SKIP_UNPROTECTED.into())
                        .or_insert(0) += s.count;
                    self.summary.used -= s.count;
                }
                continue;
            }
            let protected = |e: End| matches!(e, End::Unit(u) if matches!(parties.units.get(&u), Some(Party::Service(_))));
            if !protected(c.from) && !protected(c.to) {
                *self
                    .summary
                    .skipped
                    .entry(SKIP_UNPROTECTED.into())
                    .or_insert(0) += s.count;
                self.summary.used -= s.count;
                continue;
            }
            let ctx = PartyCtx {
                units: &units,
                chosen: &chosen,
                cidr_of: &cidr_of,
                seen: s,
            };
            let from = self.party(c.from, &ctx, &mut parties, &mut plan);
            let to = self.party(c.to, &ctx, &mut parties, &mut plan);
            if let Party::Peer(i) = &to {
                let dp = DeclaredPort {
                    name: None,
                    number: Some(c.port),
                    protocol: c.protocol,
                };
                if !plan.peers[*i].ports.contains(&dp) {
                    plan.peers[*i].ports.push(dp);
                }
            }
            let named = if s.names.is_empty() {
                String::new()
            } else {
                format!(" ({})", s.names.join(", "))
            };
            let (from_text, to_text) = match c.to {
                End::Ip(_) => (from_name.clone(), format!("{to_name}{named}")),
                End::Unit(_) => (format!("{from_name}{named}"), to_name.clone()),
            };
            let text = format!(
                "{} flow{} {from_text} -> {to_text} {}/{}",
                s.count,
                if s.count == 1 { "" } else { "s" },
                c.protocol,
                c.port
            );
            grants.push(Grant {
                from,
                to,
                ports: vec![Port {
                    protocol: c.protocol,
                    value: PortValue::Range(c.port, c.port),
                }],
                origin: self.origin(s, text),
            });
            allowed.push(Allowed {
                from: from_name,
                to: to_name,
                protocol: c.protocol,
                port: c.port,
                count: s.count,
                dns: false,
            });
        }
        plan.grants = grants;

        if !group_cidrs {
            self.warn_many_addresses(&kept);
        }

        if let Some(d) = dns_unit.filter(|d| system(&units[*d].namespace)) {
            let total: u64 = kept
                .iter()
                .filter(|(c, _)| is_dns(c))
                .map(|(_, s)| s.count)
                .sum();
            let first = kept.iter().find(|(c, _)| is_dns(c)).map(|(_, s)| s.clone());
            if written.values().any(|w| w.2) {
                plan.dns = Some(Dns {
                    namespace: units[d].namespace.clone(),
                    selector: chosen
                        .get(&d)
                        .and_then(|c| c.as_ref())
                        .map(|c| c.labels.clone())
                        .unwrap_or_default(),
                    origin: first.map(|s| {
                        self.origin(&s, format!("{total} DNS flows to {}", units[d].id()))
                    }),
                });
            }
        }
        for (ns, (count, s, dns)) in &written {
            let text = format!("{count} flows from or to namespace {ns}");
            plan.namespaces.push(Namespace {
                name: ns.clone(),
                isolate: Isolation::BOTH,
                dns: *dns && plan.dns.is_some(),
                origin: self.origin(s, text),
            });
        }
        let mut seen_units: Vec<UnitId> = kept
            .iter()
            .flat_map(|(c, _)| [c.from, c.to])
            .filter_map(|e| match e {
                End::Unit(u) => Some(u),
                End::Ip(_) => None,
            })
            .collect();
        seen_units.sort_by_key(|&u| units[u].id());
        seen_units.dedup();
        let workloads = seen_units
            .into_iter()
            .map(|u| WorkloadInfo {
                id: units[u].id(),
                namespace: units[u].namespace.clone(),
                protected: written.contains_key(&units[u].namespace),
                dns: plan.dns.is_some() && dns_unit == Some(u),
                listening: listening(&kept, End::Unit(u))
                    .into_iter()
                    .filter_map(|p| p.number.map(|n| (p.protocol, n)))
                    .collect(),
            })
            .collect();
        Recommendation {
            plan,
            summary: self.summary,
            allowed,
            workloads,
        }
    }
}

/// The ports a workload was seen listening on.
fn listening(conns: &[(Connection, Seen)], e: End) -> Vec<DeclaredPort> {
    let mut ports: Vec<(Protocol, u16)> = conns
        .iter()
        .filter(|(c, _)| c.to == e)
        .map(|(c, _)| (c.protocol, c.port))
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
        .into_iter()
        .map(|(protocol, n)| DeclaredPort {
            name: None,
            number: Some(n),
            protocol,
        })
        .collect()
}
