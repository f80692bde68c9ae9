//! Nodes (workloads and external ranges) and the policies, as the page shows them.

use crate::engine::Engine;
use crate::matrix::{Groups, Matrix};
use crate::model::{Direction, EndpointKind, IpRange, PolicyPort, PortMatch};

use super::areas::Areas;
use super::data::{
    ContainerPortInfo, External, Isolation, PolicyInfo, RuleInfo, RulePort, Workload,
};

fn isolation(engine: &Engine, members: &[u32], d: Direction) -> Isolation {
    let view = engine.view();
    let mut policies: Vec<u32> = members
        .iter()
        .flat_map(|&e| engine.compiled().policies_for(d, e as usize))
        .map(|&p| p as u32)
        .collect();
    policies.sort_unstable();
    policies.dedup();
    Isolation {
        isolated: members
            .iter()
            .all(|&e| !view.isolating(d, e as usize).is_empty()),
        policies,
        cluster: super::tiers::applying(engine, members, d),
    }
}

/// A rule's `ports`, as the page matches them.
pub(crate) fn rule_ports(list: &[PolicyPort]) -> Vec<RulePort> {
    list.iter()
        .map(|pp| {
            let (from, to, name) = match &pp.port {
                PortMatch::All => (Some(1), Some(65535), None),
                PortMatch::Range(a, b) => (Some(*a), Some(*b), None),
                PortMatch::Named(n) => (None, None, Some(n.clone())),
            };
            RulePort {
                protocol: pp.protocol.as_str(),
                from,
                to,
                name,
            }
        })
        .collect()
}

pub(crate) fn nodes(
    engine: &Engine,
    matrix: &Matrix,
    groups: &Groups,
    areas: &Areas,
) -> (Vec<Workload>, Vec<External>) {
    let cluster = engine.cluster();
    let mut workloads = Vec::new();
    let mut externals = Vec::new();
    for g in 0..groups.len() {
        let Some(ns) = groups.namespace[g] else {
            continue;
        };
        let members = &groups.members[g];
        let first = &cluster.endpoints[members[0] as usize];
        let name = groups.names[g]
            .split_once('/')
            .map_or(groups.names[g].as_str(), |(_, n)| n)
            .to_string();
        // Several Pod objects under one controller: the group is named after it.
        let kind = match (&first.owner, members.len() > 1 || first.name != name) {
            (Some(o), true) if o.deployment.is_some() => "Deployment".to_string(),
            (Some(o), true) => o.kind.clone(),
            _ => first.kind_name().to_string(),
        };
        let pods = members
            .iter()
            .map(|&e| match cluster.endpoints[e as usize].kind {
                EndpointKind::Pod => 1,
                EndpointKind::Workload { replicas, .. } => u64::from(replicas),
            })
            .sum();
        workloads.push(Workload {
            name,
            namespace: areas.of_ns[ns],
            kind,
            pods,
            labels: first.labels.clone(),
            ports: first
                .ports
                .iter()
                .map(|p| ContainerPortInfo {
                    name: p.name.clone(),
                    protocol: p.protocol.as_str(),
                    port: p.port,
                })
                .collect(),
            host_network: members
                .iter()
                .any(|&e| cluster.endpoints[e as usize].host_network),
            file: first.span.file.to_string(),
            line: first.span.line,
            ingress: isolation(engine, members, Direction::Ingress),
            egress: isolation(engine, members, Direction::Egress),
            findings: Vec::new(),
        });
    }
    for part in matrix.ips.parts() {
        externals.push(External {
            name: part.to_string(),
            internet: is_internet(part),
        });
    }
    (workloads, externals)
}

/// Whether a range holds public addresses: it is not inside a private, shared, loopback or
/// link-local block.
fn is_internet(r: &IpRange) -> bool {
    const V4: &[(u128, u128)] = &[
        (0x0A00_0000, 0x0AFF_FFFF), // 10.0.0.0/8
        (0xAC10_0000, 0xAC1F_FFFF), // 172.16.0.0/12
        (0xC0A8_0000, 0xC0A8_FFFF), // 192.168.0.0/16
        (0x6440_0000, 0x647F_FFFF), // 100.64.0.0/10
        (0x7F00_0000, 0x7FFF_FFFF), // 127.0.0.0/8
        (0xA9FE_0000, 0xA9FE_FFFF), // 169.254.0.0/16
    ];
    const V6: &[(u128, u128)] = &[
        (0xfc00 << 112, (0xfe00 << 112) - 1), // fc00::/7
        (0xfe80 << 112, (0xfec0 << 112) - 1), // fe80::/10
        (1, 1),                               // ::1
    ];
    let blocks = match r.family {
        crate::model::Family::V4 => V4,
        crate::model::Family::V6 => V6,
    };
    !blocks.iter().any(|&(a, b)| a <= r.start && r.end <= b)
}

/// How many workloads each of `n` policies applies to, in either direction; `ids` names the
/// policies a side lists (NetworkPolicies, or cluster policies).
pub(crate) fn workloads_per_policy(
    n: usize,
    workloads: &[Workload],
    ids: impl Fn(&Isolation) -> &Vec<u32>,
) -> Vec<u32> {
    let mut selects = vec![0u32; n];
    for w in workloads {
        let mut both: Vec<u32> = ids(&w.ingress)
            .iter()
            .chain(ids(&w.egress))
            .copied()
            .collect();
        both.sort_unstable();
        both.dedup();
        for p in both {
            selects[p as usize] += 1;
        }
    }
    selects
}

pub(crate) fn policies(engine: &Engine, areas: &Areas, workloads: &[Workload]) -> Vec<PolicyInfo> {
    let cluster = engine.cluster();
    let selects = workloads_per_policy(cluster.policies.len(), workloads, |i| &i.policies);
    cluster
        .policies
        .iter()
        .enumerate()
        .map(|(pid, p)| {
            let rules = |d: Direction| {
                p.rules(d)
                    .iter()
                    .map(|r| RuleInfo {
                        line: r.span.line,
                        peers: None,
                        ports: r.ports.as_deref().map(rule_ports),
                    })
                    .collect()
            };
            let mut types = Vec::new();
            if p.policy_types.ingress {
                types.push("Ingress");
            }
            if p.policy_types.egress {
                types.push("Egress");
            }
            PolicyInfo {
                name: p.name.clone(),
                namespace: areas.find(cluster, &p.namespace).unwrap_or(0),
                file: p.span.file.to_string(),
                line: p.span.line,
                types,
                types_inferred: !p.policy_types.explicit,
                selects: selects[pid],
                ingress: rules(Direction::Ingress),
                egress: rules(Direction::Egress),
                findings: Vec::new(),
            }
        })
        .collect()
}
