//! Namespaces: their order in the report, the namespace × namespace matrix (every external
//! range gathered into one area), isolation coverage, default-deny and DNS status.

use crate::engine::{Engine, Target};
use crate::lint::{Config, Context};
use crate::matrix::{Aggregator, GroupBy, Groups, Matrix, Selection};
use crate::model::{Cluster, Direction, EndpointKind, NsId, Protocol};

use super::data::{Cell, DefaultDeny, DnsState, DnsStatus, NamespaceInfo, Report};
use super::PortSets;

/// Namespaces sorted by name: area `i` is `order[i]`.
pub(crate) struct Areas {
    pub order: Vec<NsId>,
    pub of_ns: Vec<u32>,
}

impl Areas {
    pub fn new(cluster: &Cluster) -> Self {
        let mut order: Vec<NsId> = (0..cluster.namespaces.len()).collect();
        order.sort_by(|&a, &b| cluster.namespaces[a].name.cmp(&cluster.namespaces[b].name));
        let mut of_ns = vec![0; order.len()];
        for (i, &ns) in order.iter().enumerate() {
            of_ns[ns] = i as u32;
        }
        Areas { order, of_ns }
    }

    pub fn find(&self, cluster: &Cluster, name: &str) -> Option<u32> {
        cluster.find_namespace(name).map(|ns| self.of_ns[ns])
    }
}

/// Namespace groups, with every external range merged into one last group.
fn area_groups(matrix: &Matrix) -> Groups {
    let mut g = Groups::build(matrix, GroupBy::Namespace);
    let first_ext = g.namespace.iter().position(Option::is_none);
    if let Some(first) = first_ext {
        let merged: Vec<u32> = g.members[first..].iter().flatten().copied().collect();
        g.names.truncate(first);
        g.namespace.truncate(first);
        g.members.truncate(first);
        for &u in &merged {
            g.of_unit[u as usize] = first as u32;
        }
        g.names.push("external".to_string());
        g.namespace.push(None);
        g.members.push(merged);
    }
    g
}

pub(crate) fn matrix(matrix: &Matrix, areas: &Areas, ports: &mut PortSets) -> Vec<Cell> {
    let groups = area_groups(matrix);
    let sel = Selection::default();
    let agg = Aggregator::new(matrix, &groups, &sel);
    let external = areas.order.len() as u32;
    let area = |g: u32| match groups.namespace[g as usize] {
        Some(ns) => areas.of_ns[ns],
        None => external,
    };
    let mut cells = Vec::new();
    agg.for_each(&agg.source_groups(), |c| {
        cells.push(Cell(
            area(c.from),
            area(c.to),
            ports.intern(&c.ports),
            c.pairs,
            c.total,
        ));
        true
    });
    cells.sort_by_key(|c| (c.0, c.1));
    cells
}

/// Per workload (group): whether every member reaches a DNS server on UDP 53 and TCP 53.
fn dns_reach(matrix: &Matrix, dns_servers: &[usize], members: &[u32]) -> (bool, bool) {
    let reach = |p: Protocol| {
        members.iter().all(|&e| {
            dns_servers
                .iter()
                .any(|&d| matrix.allows(Target::Endpoint(e as usize), Target::Endpoint(d), 53, p))
        })
    };
    (reach(Protocol::Udp), reach(Protocol::Tcp))
}

pub(crate) fn namespaces(
    engine: &Engine,
    matrix: &Matrix,
    groups: &Groups,
    areas: &Areas,
    report: &Report,
) -> Vec<NamespaceInfo> {
    let cluster = engine.cluster();
    let config = Config::default();
    let cx = Context::new(engine, &[], &config);
    let mut out: Vec<NamespaceInfo> = areas
        .order
        .iter()
        .map(|&ns| {
            let n = &cluster.namespaces[ns];
            NamespaceInfo {
                name: n.name.clone(),
                declared: n.span.is_some(),
                labels: n.labels.clone(),
                workloads: 0,
                pods: 0,
                ingress_isolated: 0,
                egress_isolated: 0,
                unselected: 0,
                pods_ingress_isolated: 0,
                pods_egress_isolated: 0,
                pods_unselected: 0,
                default_deny: DefaultDeny::default(),
                dns: DnsStatus {
                    state: DnsState::Open,
                    isolated: 0,
                    udp: 0,
                    tcp: 0,
                },
                findings: Default::default(),
            }
        })
        .collect();
    let view = engine.view();
    for (w, wl) in report.workloads.iter().enumerate() {
        let a = &mut out[wl.namespace as usize];
        a.workloads += 1;
        a.pods += wl.pods;
        a.ingress_isolated += u32::from(wl.ingress.isolated);
        a.egress_isolated += u32::from(wl.egress.isolated);
        if wl.unselected() {
            a.unselected += 1;
        }
        for &e in &groups.members[w] {
            let e = e as usize;
            let pods = match cluster.endpoints[e].kind {
                EndpointKind::Pod => 1,
                EndpointKind::Workload { replicas, .. } => u64::from(replicas),
            };
            let ing = !view.isolating(Direction::Ingress, e).is_empty();
            let eg = !view.isolating(Direction::Egress, e).is_empty();
            a.pods_ingress_isolated += if ing { pods } else { 0 };
            a.pods_egress_isolated += if eg { pods } else { 0 };
            // Cluster-wide policies apply to a workload's pods alike (its sides list them).
            let selected = !engine
                .compiled()
                .policies_for(Direction::Ingress, e)
                .is_empty()
                || !engine
                    .compiled()
                    .policies_for(Direction::Egress, e)
                    .is_empty()
                || !wl.ingress.cluster.is_empty()
                || !wl.egress.cluster.is_empty();
            a.pods_unselected += if selected { 0 } else { pods };
        }
        // DNS servers themselves are not asked to reach DNS.
        let members: Vec<u32> = groups.members[w]
            .iter()
            .copied()
            .filter(|&e| {
                !cx.dns_servers.contains(&(e as usize))
                    && !view.isolating(Direction::Egress, e as usize).is_empty()
            })
            .collect();
        if members.is_empty() {
            continue;
        }
        a.dns.isolated += 1;
        let (udp, tcp) = dns_reach(matrix, &cx.dns_servers, &members);
        a.dns.udp += u32::from(udp);
        a.dns.tcp += u32::from(tcp);
    }
    for a in &mut out {
        a.dns.state = if a.dns.isolated == 0 {
            DnsState::Open
        } else if cx.dns_servers.is_empty() {
            DnsState::Unknown
        } else if a.dns.udp < a.dns.isolated {
            DnsState::Blocked
        } else if a.dns.tcp < a.dns.isolated {
            DnsState::UdpOnly
        } else {
            DnsState::Ok
        };
    }
    // Default-deny: a policy selecting every pod of its namespace for the direction; the
    // first by name, preferring one without rules (a pure deny).
    for (pid, p) in cluster.policies.iter().enumerate() {
        if !p.pod_selector.is_empty() {
            continue;
        }
        let Some(a) = areas.find(cluster, &p.namespace) else {
            continue;
        };
        let dd = &mut out[a as usize].default_deny;
        for (d, slot) in [
            (Direction::Ingress, &mut dd.ingress),
            (Direction::Egress, &mut dd.egress),
        ] {
            if !p.policy_types.has(d) {
                continue;
            }
            let pure = p.rules(d).is_empty();
            let better = match slot {
                None => true,
                Some(prev) => pure && !cluster.policies[*prev as usize].rules(d).is_empty(),
            };
            if better {
                *slot = Some(pid as u32);
            }
        }
    }
    for f in &report.findings {
        if let Some(a) = f.namespace {
            super::findings::count(&mut out[a as usize].findings, f.severity);
        }
    }
    out
}
