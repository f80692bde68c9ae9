use std::collections::BTreeSet;
use std::net::IpAddr;

use super::rule_path;
use crate::engine::{first_match, ClusterMatch, PeerSet, SideQuery, Target};
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::{
    Action, ClusterPeerKind, ClusterPort, ClusterTier, Direction, Family, IpRange, IpSet,
    PolicyPort, PortMatch, Protocol,
};

pub struct AdminDenyShadowsNetworkPolicy;

static META: RuleMeta = RuleMeta {
    id: "admin-deny-shadows-networkpolicy",
    default_severity: Severity::Warning,
    summary: "Every flow a NetworkPolicy rule allows is denied first by an Admin-tier Deny: the namespace owner's rule can never take effect.",
    why: "The Admin tier decides before NetworkPolicy, and a Deny there cannot be overridden. A team's allow under it looks like it works in review and never does; usually the platform rule is too broad or the team rule is obsolete.",
    example: "kind: ClusterNetworkPolicy\nspec:\n  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n    - action: Deny\n      from: [{namespaces: {matchLabels: {env: dev}}}]\n---\nkind: NetworkPolicy\nmetadata: {name: from-dev, namespace: prod}\nspec:\n  podSelector: {}\n  ingress:\n    - from: [{namespaceSelector: {matchLabels: {env: dev}}}]",
    fix: "Either remove the NetworkPolicy rule, or have the Admin tier Pass that traffic to NetworkPolicy (a Pass rule before the Deny).\n\ningress:\n  - action: Pass\n    from: [{namespaces: {matchLabels: {env: dev}}}]\n  - action: Deny\n    from: [{namespaces: {matchLabels: {env: dev}}}]",
};

/// Most (subject, peer, port) samples checked for one rule; beyond, the rule is skipped.
const MAX_SAMPLES: usize = 200_000;

impl Rule for AdminDenyShadowsNetworkPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let c = cx.engine.cluster();
        if !c
            .cluster_policies
            .iter()
            .any(|p| p.tier == ClusterTier::Admin)
        {
            return;
        }
        let view = cx.engine.view();
        let bounds = admin_bounds(cx);
        for (pid, p) in cx.policies() {
            let cp = &cx.engine.compiled().policies[pid];
            for d in [Direction::Ingress, Direction::Egress] {
                if !p.policy_types.has(d) {
                    continue;
                }
                let subjects: Vec<usize> = cp
                    .selected
                    .iter()
                    .filter(|&e| !c.endpoints[e].host_network)
                    .collect();
                for (ri, r) in cp.rules(d).iter().enumerate() {
                    // A rule without peers allows every address too: not sampled here.
                    let Some(peers) = &r.peers else { continue };
                    let mut others: Vec<Target> = Vec::new();
                    for set in peers {
                        match set {
                            PeerSet::Endpoints(b) => others.extend(b.iter().map(Target::Endpoint)),
                            PeerSet::Ips(ips) => {
                                for ip in ip_samples(ips, &bounds.ips) {
                                    others.push(cx.engine.resolve_ip(ip));
                                }
                            }
                        }
                    }
                    others.sort_by_key(|t| format!("{t:?}"));
                    others.dedup();
                    if subjects.is_empty() || others.is_empty() {
                        continue;
                    }
                    let mut first: Option<ClusterMatch> = None;
                    let mut count = 0usize;
                    let mut shadowed = true;
                    'all: for &s in &subjects {
                        for &o in &others {
                            let dst = if d == Direction::Egress {
                                o
                            } else {
                                Target::Endpoint(s)
                            };
                            for (proto, port) in
                                port_samples(cx, r.ports.as_deref(), dst, &bounds.ports)
                            {
                                count += 1;
                                if count > MAX_SAMPLES {
                                    shadowed = false;
                                    break 'all;
                                }
                                let q = SideQuery {
                                    direction: d,
                                    subject: s,
                                    peer: o,
                                    dst,
                                    port,
                                    protocol: proto,
                                };
                                if !view.rule_matches(r, &q) {
                                    continue;
                                }
                                match first_match(&view, ClusterTier::Admin, &q) {
                                    Some(m) if m.action == Action::Deny => {
                                        first.get_or_insert(m);
                                    }
                                    _ => {
                                        shadowed = false;
                                        break 'all;
                                    }
                                }
                            }
                        }
                    }
                    let Some(m) = first.filter(|_| shadowed) else {
                        continue;
                    };
                    let admin = &c.cluster_policies[m.policy];
                    out.push(
                        Diagnostic::new(
                            META.id,
                            META.default_severity,
                            format!(
                                "{} rule {ri} of NetworkPolicy {} can never take effect: the Admin tier denies every flow it allows ({})",
                                d.field(),
                                p.id(),
                                cx.engine.cluster_match_text(d, &m)
                            ),
                        )
                        .at(Some(cx.policy_ref(pid)), Some(p.span.clone()), rule_path(d, ri))
                        .label("denied first by the Admin tier")
                        .related(Some(admin.span.clone()), format!("{}.action", rule_path(d, m.rule)), format!("the Deny rule of {}", admin.id()))
                        .help("remove this rule, or ask for an Admin `Pass` for this traffic before the Deny so that NetworkPolicy decides it"),
                    );
                }
            }
        }
    }
}

/// Where Admin decisions can change: port and address bounds of every Admin rule.
struct Bounds {
    ports: [BTreeSet<u16>; 3],
    ips: Vec<IpAddr>,
}

fn admin_bounds(cx: &Context) -> Bounds {
    let c = cx.engine.cluster();
    let mut b = Bounds {
        ports: Default::default(),
        ips: Vec::new(),
    };
    let add_ip = |ip: IpAddr, ips: &mut Vec<IpAddr>| {
        ips.push(ip);
        match ip {
            IpAddr::V4(v) => {
                let n = u32::from(v);
                ips.extend([n.wrapping_sub(1), n.wrapping_add(1)].map(|x| IpAddr::V4(x.into())));
            }
            IpAddr::V6(v) => {
                let n = u128::from(v);
                ips.extend([n.wrapping_sub(1), n.wrapping_add(1)].map(|x| IpAddr::V6(x.into())));
            }
        }
    };
    for p in c
        .cluster_policies
        .iter()
        .filter(|p| p.tier == ClusterTier::Admin)
    {
        for r in p.ingress.iter().chain(&p.egress) {
            for port in r.ports.iter().flatten() {
                if let ClusterPort::Port(pp) = port {
                    if let PortMatch::Range(lo, hi) = pp.port {
                        let set = &mut b.ports[pp.protocol.index()];
                        set.extend([lo, hi, lo.saturating_sub(1).max(1), hi.saturating_add(1)]);
                    }
                }
            }
            for peer in &r.peers {
                if let ClusterPeerKind::Networks { set, .. } = &peer.kind {
                    for range in set.ranges() {
                        add_ip(range.first(), &mut b.ips);
                        add_ip(last(range), &mut b.ips);
                    }
                }
            }
        }
    }
    for n in &c.nodes {
        for &ip in &n.addresses {
            add_ip(ip, &mut b.ips);
        }
    }
    for e in &c.endpoints {
        for &ip in &e.ips {
            add_ip(ip, &mut b.ips);
        }
    }
    b
}

/// The last address of a range.
fn last(r: &IpRange) -> IpAddr {
    match r.family {
        // Exact: a V4 range never exceeds u32::MAX.
        Family::V4 => IpAddr::V4((r.end as u32).into()),
        Family::V6 => IpAddr::V6(r.end.into()),
    }
}

/// The addresses of `set` worth trying: its range bounds and every Admin bound inside it.
fn ip_samples(set: &IpSet, bounds: &[IpAddr]) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = Vec::new();
    for r in set.ranges() {
        out.push(r.first());
        out.push(last(r));
    }
    out.extend(bounds.iter().copied().filter(|ip| set.contains(*ip)));
    out.sort();
    out.dedup();
    out
}

/// The (protocol, port) pairs worth trying for a rule's ports towards `dst`: each entry's
/// bounds, the Admin bounds inside it, and the destination's container ports.
fn port_samples(
    cx: &Context,
    ports: Option<&[PolicyPort]>,
    dst: Target,
    bounds: &[BTreeSet<u16>; 3],
) -> Vec<(Protocol, u16)> {
    let mut out = BTreeSet::new();
    let named: Vec<(Protocol, u16)> = match dst {
        Target::Endpoint(e) => cx.engine.cluster().endpoints[e]
            .ports
            .iter()
            .map(|p| (p.protocol, p.port))
            .collect(),
        Target::External(_) => Vec::new(),
    };
    let range = |proto: Protocol, lo: u16, hi: u16, out: &mut BTreeSet<(Protocol, u16)>| {
        out.insert((proto, lo));
        out.insert((proto, hi));
        for &b in bounds[proto.index()].range(lo..=hi) {
            out.insert((proto, b));
        }
        for &(p, n) in &named {
            if p == proto && lo <= n && n <= hi {
                out.insert((p, n));
            }
        }
    };
    match ports {
        None => {
            for proto in Protocol::ALL {
                range(proto, 1, 65535, &mut out);
            }
        }
        Some(list) => {
            for p in list {
                match &p.port {
                    PortMatch::All => range(p.protocol, 1, 65535, &mut out),
                    PortMatch::Range(a, b) => range(p.protocol, *a, *b, &mut out),
                    PortMatch::Named(n) => {
                        if let Target::Endpoint(e) = dst {
                            if let Some(port) =
                                cx.engine.cluster().endpoints[e].named_port(n, p.protocol)
                            {
                                out.insert((p.protocol, port));
                            }
                        }
                    }
                }
            }
        }
    }
    out.into_iter().collect()
}
