//! The proof: an expectations file for `moat check` derived from the intent alone.
//!
//! Positive probes for every declared flow (one probe crosses both the source's egress
//! policy and the destination's ingress policy), a DNS probe per service, and negative
//! probes for what the intent does not say: reverse flows, skipped hops, other pairs,
//! other namespaces, the internet and the cloud metadata address.

use std::net::IpAddr;

use super::emit::{flow_labels, header, scalar};
use super::intent::{Party, PeerKind, Plan, Port, PortValue};
use super::policies::metadata_cidrs;
use super::ports::{covers, minimal};
use crate::model::{Cidr, IpSet, Labels, Protocol};

/// The namespace of the "somebody else" probe; `workloads` puts one pod there.
pub const OUTSIDER_NAMESPACE: &str = "moat-outsider";
/// The label of the outsider pod.
pub const OUTSIDER_NAME: &str = "moat-outsider";
/// A documentation address (TEST-NET-3) standing for "the internet".
pub const INTERNET_V4: [u8; 4] = [203, 0, 113, 10];

struct Probe {
    comment: String,
    from: String,
    to: String,
    port: String,
    protocol: Protocol,
    allowed: bool,
}

/// Who a party covers, for overlap questions.
#[derive(Clone, Debug)]
enum Region {
    Service(usize),
    /// Pods of a namespace; `None` is every pod of it.
    Pods(String, Option<Labels>),
    Net(IpSet),
}

fn region(plan: &Plan, p: &Party) -> Region {
    match p {
        Party::Service(i) => Region::Service(*i),
        Party::Scraper => match &plan.monitoring {
            Some(m) => Region::Pods(m.namespace.clone(), Some(m.selector.clone())),
            None => Region::Pods(String::new(), Some(Labels::new())),
        },
        Party::Peer(i) => match &plan.peers[*i].kind {
            PeerKind::Namespace(ns) => Region::Pods(ns.clone(), None),
            PeerKind::Pods {
                namespace,
                selector,
            } => Region::Pods(namespace.clone(), Some(selector.clone())),
            PeerKind::Cidr(c) => Region::Net(IpSet::from_block(c, &[])),
        },
    }
}

fn overlaps(a: &Region, b: &Region) -> bool {
    match (a, b) {
        (Region::Service(i), Region::Service(j)) => i == j,
        (Region::Pods(n1, s1), Region::Pods(n2, s2)) => {
            n1 == n2
                && match (s1, s2) {
                    (Some(x), Some(y)) => !x.iter().any(|(k, v)| y.get(k).is_some_and(|w| w != v)),
                    _ => true,
                }
        }
        (Region::Net(x), Region::Net(y)) => !x.intersect(y).is_empty(),
        _ => false,
    }
}

/// A representative address of a CIDR: the documentation address when it is inside,
/// else the second address of the block (the first, for a single address).
pub fn representative(c: &Cidr) -> IpAddr {
    let set = IpSet::from_block(c, &[]);
    let internet = IpAddr::from(INTERNET_V4);
    let internet6: IpAddr = IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10]);
    for ip in [internet, internet6] {
        if set.contains(ip)
            && !metadata_cidrs()
                .iter()
                .any(|m| IpSet::from_block(m, &[]).contains(ip))
        {
            return ip;
        }
    }
    let r = c.range();
    let first = r.first();
    if r.end > r.start {
        match first {
            IpAddr::V4(v) => IpAddr::from(std::net::Ipv4Addr::from(u32::from(v).wrapping_add(1))),
            IpAddr::V6(v) => IpAddr::from(std::net::Ipv6Addr::from(u128::from(v).wrapping_add(1))),
        }
    } else {
        first
    }
}

fn endpoint(plan: &Plan, p: &Party) -> String {
    let sel =
        |ns: &str, l: &Labels| format!("{{namespace: {}, labels: {}}}", scalar(ns), flow_labels(l));
    match p {
        Party::Service(i) => sel(&plan.services[*i].namespace, &plan.services[*i].selector),
        Party::Scraper => match &plan.monitoring {
            Some(m) => sel(&m.namespace, &m.selector),
            None => String::new(),
        },
        Party::Peer(i) => match &plan.peers[*i].kind {
            PeerKind::Namespace(ns) => format!("{{namespace: {}}}", scalar(ns)),
            PeerKind::Pods {
                namespace,
                selector,
            } => sel(namespace, selector),
            PeerKind::Cidr(c) => scalar(&representative(c).to_string()),
        },
    }
}

/// The single ports a probe tries for a port set: each number, both ends of a range.
fn probe_ports(ports: &[Port]) -> Vec<(String, Protocol, PortValue)> {
    let mut out = Vec::new();
    for p in minimal(ports) {
        match &p.value {
            PortValue::Range(a, b) => {
                out.push((a.to_string(), p.protocol, PortValue::Range(*a, *a)));
                if b > a {
                    out.push((b.to_string(), p.protocol, PortValue::Range(*b, *b)));
                }
            }
            PortValue::Named(n) => out.push((scalar(n), p.protocol, p.value.clone())),
        }
    }
    out
}

/// The ports a party listens on: declared, or else those that flows grant towards it.
fn listening(plan: &Plan, p: &Party) -> Vec<Port> {
    let declared = match p {
        Party::Service(i) => &plan.services[*i].ports,
        Party::Peer(i) => &plan.peers[*i].ports,
        Party::Scraper => return Vec::new(),
    };
    if !declared.is_empty() {
        return declared.iter().map(|d| d.as_port()).collect();
    }
    let used: Vec<Port> = plan
        .grants
        .iter()
        .filter(|g| &g.to == p)
        .flat_map(|g| g.ports.iter().cloned())
        .collect();
    minimal(&used)
}

/// Whether the intent allows `from` to reach `to` on `port`, counting every grant whose
/// parties overlap these (so a negative probe never contradicts a broader grant).
fn granted_any(plan: &Plan, from: &Party, to: &Party, proto: Protocol, port: &PortValue) -> bool {
    let (rf, rt) = (region(plan, from), region(plan, to));
    plan.grants.iter().any(|g| {
        overlaps(&region(plan, &g.from), &rf)
            && overlaps(&region(plan, &g.to), &rt)
            && covers(&g.ports, proto, port)
    })
}

fn isolated_egress(plan: &Plan, p: &Party) -> bool {
    matches!(p, Party::Service(i) if plan.services[*i].isolate.egress)
}

fn isolated_ingress(plan: &Plan, p: &Party) -> bool {
    matches!(p, Party::Service(i) if plan.services[*i].isolate.ingress)
}

/// The expectations file proving the plan's policies.
pub fn expectations(plan: &Plan) -> String {
    let mut probes: Vec<Probe> = Vec::new();
    let push = |probes: &mut Vec<Probe>, p: Probe| {
        if !probes.iter().any(|q| {
            q.from == p.from && q.to == p.to && q.port == p.port && q.protocol == p.protocol
        }) {
            probes.push(p);
        }
    };

    // Every declared flow.
    for g in &plan.grants {
        for (port, protocol, _) in probe_ports(&g.ports) {
            let p = Probe {
                comment: g.origin.to_string(),
                from: endpoint(plan, &g.from),
                to: endpoint(plan, &g.to),
                port,
                protocol,
                allowed: true,
            };
            push(&mut probes, p);
        }
    }

    // DNS for every service.
    for ns in &plan.namespaces {
        for (i, svc) in plan.services_in(&ns.name) {
            let (allowed, why) = match (&plan.dns, ns.dns) {
                (Some(_), true) => (true, "DNS".to_string()),
                _ if svc.isolate.egress => (false, format!("DNS is off for namespace {}", ns.name)),
                _ => continue,
            };
            let dns = plan.dns.clone().unwrap_or_default();
            let to = format!(
                "{{namespace: {}, labels: {}}}",
                scalar(&dns.namespace),
                flow_labels(&dns.selector)
            );
            for protocol in [Protocol::Udp, Protocol::Tcp] {
                let p = Probe {
                    comment: why.clone(),
                    from: endpoint(plan, &Party::Service(i)),
                    to: to.clone(),
                    port: "53".into(),
                    protocol,
                    allowed,
                };
                push(&mut probes, p);
            }
        }
    }

    // Undeclared pairs.
    let mut parties: Vec<Party> = (0..plan.services.len()).map(Party::Service).collect();
    parties.extend(
        (0..plan.peers.len())
            .filter(|&i| !matches!(plan.peers[i].kind, PeerKind::Cidr(_)))
            .map(Party::Peer),
    );
    if plan.monitoring.is_some() {
        parties.push(Party::Scraper);
    }
    for from in &parties {
        for to in &parties {
            if from == to
                || (!matches!(from, Party::Service(_)) && !matches!(to, Party::Service(_)))
            {
                continue;
            }
            if !isolated_egress(plan, from) && !isolated_ingress(plan, to) {
                continue;
            }
            for (port, protocol, value) in probe_ports(&listening(plan, to)) {
                if granted_any(plan, from, to, protocol, &value) {
                    continue;
                }
                let p = Probe {
                    comment: why_denied(plan, from, to),
                    from: endpoint(plan, from),
                    to: endpoint(plan, to),
                    port,
                    protocol,
                    allowed: false,
                };
                push(&mut probes, p);
            }
        }
    }

    // Somebody in another namespace, and the internet, towards every isolated service.
    let internet = IpAddr::from(INTERNET_V4);
    let internet_region = Region::Net(IpSet::from_block(
        &Cidr {
            addr: internet,
            prefix: 32,
        },
        &[],
    ));
    let mut internet_probes = Vec::new();
    for (i, svc) in plan.services.iter().enumerate() {
        if !svc.isolate.ingress {
            continue;
        }
        let me = Party::Service(i);
        for (port, protocol, value) in probe_ports(&listening(plan, &me)) {
            let outsider = format!("{{namespace: {OUTSIDER_NAMESPACE}, labels: {{app.kubernetes.io/name: {OUTSIDER_NAME}}}}}");
            let p = Probe {
                comment: "a pod of another namespace".into(),
                from: outsider,
                to: endpoint(plan, &me),
                port: port.clone(),
                protocol,
                allowed: false,
            };
            push(&mut probes, p);
            let from_internet = plan.grants.iter().any(|g| {
                g.to == me
                    && overlaps(&region(plan, &g.from), &internet_region)
                    && covers(&g.ports, protocol, &value)
            });
            if !from_internet {
                let p = Probe {
                    comment: "the internet".into(),
                    from: internet.to_string(),
                    to: endpoint(plan, &me),
                    port,
                    protocol,
                    allowed: false,
                };
                internet_probes.push(p);
            }
        }
    }
    // Grouped after the outsider probes, so that each comment heads one block.
    for p in internet_probes {
        push(&mut probes, p);
    }
    for (i, svc) in plan.services.iter().enumerate() {
        if !svc.isolate.egress {
            continue;
        }
        let me = Party::Service(i);
        let reachable = |ip: IpAddr, port: u16| {
            plan.grants.iter().any(|g| {
                g.from == me
                    && covers(&g.ports, Protocol::Tcp, &PortValue::Range(port, port))
                    && match &g.to {
                        Party::Peer(j) => match &plan.peers[*j].kind {
                            PeerKind::Cidr(c) => {
                                let except: Vec<Cidr> = if svc.allow_metadata {
                                    Vec::new()
                                } else {
                                    metadata_cidrs()
                                        .into_iter()
                                        .filter(|m| c.prefix < m.prefix && c.contains(m))
                                        .collect()
                                };
                                IpSet::from_block(c, &except).contains(ip)
                            }
                            _ => false,
                        },
                        _ => false,
                    }
            })
        };
        if !reachable(internet, 443) {
            let p = Probe {
                comment: "the internet".into(),
                from: endpoint(plan, &me),
                to: internet.to_string(),
                port: "443".into(),
                protocol: Protocol::Tcp,
                allowed: false,
            };
            push(&mut probes, p);
        }
        // A broad grant must not open the metadata address.
        let broad = plan.grants.iter().any(|g| {
            g.from == me && matches!(&g.to, Party::Peer(j) if matches!(&plan.peers[*j].kind, PeerKind::Cidr(c) if c.prefix < 32 && c.contains(&metadata_cidrs()[0])))
        });
        let metadata = metadata_cidrs()[0].addr;
        if broad && !reachable(metadata, 80) {
            let p = Probe {
                comment: "the cloud metadata address is excepted".into(),
                from: endpoint(plan, &me),
                to: metadata.to_string(),
                port: "80".into(),
                protocol: Protocol::Tcp,
                allowed: false,
            };
            push(&mut probes, p);
        }
    }

    let mut out = header("expectations proving the generated policies", &plan.files);
    out.push_str("# Check: moat check POLICIES WORKLOADS --expect THIS_FILE\n");
    out.push_str(&format!(
        "# Selector endpoints need matching workloads; `{OUTSIDER_NAMESPACE}` is a pod outside every namespace named here\n# (`moat gen --workloads` writes skeletons of all of them).\n"
    ));
    out.push_str("expect:\n");
    let mut last_comment = String::new();
    for p in &probes {
        if p.comment != last_comment {
            out.push_str(&format!("  # {}\n", super::emit::comment_text(&p.comment)));
            last_comment = p.comment.clone();
        }
        out.push_str(&format!(
            "  - {{from: {}, to: {}, port: {}, protocol: {}, allowed: {}}}\n",
            p.from, p.to, p.port, p.protocol, p.allowed
        ));
    }
    out
}

/// Why the intent implies a denial, for the comment above a negative probe.
fn why_denied(plan: &Plan, from: &Party, to: &Party) -> String {
    let name = |p: &Party| plan.party_name(p);
    if let Some(g) = plan.grants.iter().find(|g| &g.from == to && &g.to == from) {
        return format!("reverse of {}", g.origin);
    }
    if let Some(g) = plan.grants.iter().find(|g| &g.from == from && &g.to == to) {
        return format!("other ports: {} grants only the ports it names", g.origin);
    }
    for g in plan.grants.iter().filter(|g| &g.from == from) {
        if let Some(h) = plan.grants.iter().find(|h| h.from == g.to && &h.to == to) {
            return format!(
                "skipped hop: {} -> {} -> {} (lines {} and {})",
                name(from),
                name(&g.to),
                name(to),
                g.origin.line,
                h.origin.line
            );
        }
    }
    match (from, to) {
        (Party::Service(i), Party::Service(j))
            if plan.services[*i].namespace != plan.services[*j].namespace =>
        {
            format!(
                "other namespace: no flow from {} to {}",
                name(from),
                name(to)
            )
        }
        (Party::Service(_), _) => {
            format!("undeclared: no flow from {} to {}", name(from), name(to))
        }
        _ => format!(
            "other namespace: no flow from {} to {}",
            name(from),
            name(to)
        ),
    }
}
