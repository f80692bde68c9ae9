//! The cluster-policy half of matrix_props: random ClusterNetworkPolicy /
//! AdminNetworkPolicy / BaselineAdminNetworkPolicy objects (every action, peer and port form,
//! and Node objects), and a naive evaluator of the tier pipeline written from the API text.

use std::fmt::Write as _;
use std::net::IpAddr;

use moat::engine::Target;
use moat::model::{
    Action, Cluster, ClusterPeerKind, ClusterPolicy, ClusterPort, ClusterTier, Direction,
    PortMatch, Protocol, Subject,
};

use super::{in_cidr, sel_matches, selector, side_allows, Rng};

/// Node addresses: some are probe addresses, one is a pod IP (a hostNetwork pod's node).
const NODE_IPS: [&str; 4] = ["10.0.0.200", "192.168.1.4", "2a00::1", "192.168.7.7"];
const NETWORKS: [&str; 6] = [
    "10.0.0.0/16",
    "10.0.1.0/24",
    "192.168.0.0/16",
    "0.0.0.0/0",
    "2001:db8::/32",
    "::/0",
];

pub fn cluster_policies_yaml(
    r: &mut Rng,
    pod_keys: &[(&str, &[&str])],
    ns_keys: &[(&str, &[&str])],
) -> String {
    let node_keys: &[(&str, &[&str])] = &[("role", &["worker", "control"])];
    let mut y = String::new();
    for (i, ip) in NODE_IPS.iter().enumerate().take(1 + r.below(3)) {
        let role = r.pick(&["worker", "control"]);
        let _ = write!(y, "apiVersion: v1\nkind: Node\nmetadata:\n  name: node{i}\n  labels: {{role: {role}}}\nstatus:\n  addresses:\n    - {{type: InternalIP, address: \"{ip}\"}}\n---\n");
    }
    let v2 = r.chance(50);
    let mut banp = false;
    for i in 0..1 + r.below(3) {
        let admin = r.chance(60);
        let header = match (v2, admin) {
            (true, _) => format!(
                "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: cnp{i}\nspec:\n  tier: {}\n  priority: {}\n",
                if admin { "Admin" } else { "Baseline" },
                r.pick(&["1", "2", "2", "7"])
            ),
            (false, true) => format!(
                "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: anp{i}\nspec:\n  priority: {}\n",
                r.pick(&["1", "2", "2", "7"])
            ),
            (false, false) if banp => continue,
            (false, false) => {
                banp = true;
                "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata:\n  name: default\nspec:\n".to_string()
            }
        };
        y.push_str(&header);
        if r.chance(50) {
            let _ = write!(
                y,
                "  subject:\n    namespaces: {}",
                selector(r, ns_keys, "      ")
            );
        } else {
            let _ = write!(
                y,
                "  subject:\n    pods:\n      namespaceSelector: {}      podSelector: {}",
                selector(r, ns_keys, "        "),
                selector(r, pod_keys, "        ")
            );
        }
        let actions: &[&str] = match (v2, admin) {
            (true, _) => &["Accept", "Deny", "Pass"],
            (false, true) => &["Allow", "Deny", "Pass"],
            (false, false) => &["Allow", "Deny"],
        };
        for dir in ["ingress", "egress"] {
            let n = r.below(4);
            if n == 0 {
                continue;
            }
            let _ = writeln!(y, "  {dir}:");
            for _ in 0..n {
                let _ = writeln!(y, "    - action: {}", r.pick(actions));
                let _ = writeln!(y, "      {}:", if dir == "ingress" { "from" } else { "to" });
                let mut non_pod = false;
                for _ in 0..1 + r.below(2) {
                    let kinds = if dir == "ingress" { 2 } else { 4 };
                    match r.below(kinds) {
                        0 => {
                            let _ = write!(
                                y,
                                "        - namespaces: {}",
                                selector(r, ns_keys, "            ")
                            );
                        }
                        1 => {
                            let _ = write!(
                                y,
                                "        - pods:\n            namespaceSelector: {}            podSelector: {}",
                                selector(r, ns_keys, "              "),
                                selector(r, pod_keys, "              ")
                            );
                        }
                        2 => {
                            non_pod = true;
                            let _ = writeln!(
                                y,
                                "        - networks: [\"{}\"]",
                                NETWORKS[r.below(NETWORKS.len())]
                            );
                        }
                        _ => {
                            non_pod = true;
                            let _ = write!(
                                y,
                                "        - nodes: {}",
                                selector(r, node_keys, "            ")
                            );
                        }
                    }
                }
                if r.chance(60) {
                    let _ = writeln!(y, "      {}:", if v2 { "protocols" } else { "ports" });
                    for _ in 0..1 + r.below(2) {
                        let proto = r.pick(&["TCP", "UDP", "SCTP", "TCP"]);
                        let lower = proto.to_lowercase();
                        let form = if non_pod { r.below(2) } else { r.below(3) };
                        let (num, (a, b)) = (
                            r.pick(&["53", "80", "443", "5432", "8080"]),
                            [(8000, 8999), (1, 1024), (443, 8443), (79, 81)][r.below(4)],
                        );
                        let named = r.pick(&["http", "dns", "db"]);
                        let line = match (v2, form) {
                            (true, 0) => format!("{{{lower}: {{destinationPort: {{number: {num}}}}}}}"),
                            (true, 1) => format!("{{{lower}: {{destinationPort: {{range: {{start: {a}, end: {b}}}}}}}}}"),
                            (true, _) => format!("{{destinationNamedPort: {named}}}"),
                            (false, 0) => format!("{{portNumber: {{protocol: {proto}, port: {num}}}}}"),
                            (false, 1) => format!("{{portRange: {{protocol: {proto}, start: {a}, end: {b}}}}}"),
                            (false, _) => format!("{{namedPort: {named}}}"),
                        };
                        let _ = writeln!(y, "        - {line}");
                    }
                }
            }
        }
        y.push_str("---\n");
    }
    y
}

/// The tiers, from the API text: does a cluster rule's peer match?
fn cluster_peer_matches(c: &Cluster, kind: &ClusterPeerKind, peer: Target) -> bool {
    let ips: Vec<IpAddr> = match peer {
        Target::External(ip) => vec![ip],
        Target::Endpoint(e) => c.endpoints[e].ips.clone(),
    };
    match kind {
        ClusterPeerKind::Namespaces(sel) => match peer {
            Target::Endpoint(e) => {
                let ep = &c.endpoints[e];
                !ep.host_network && sel_matches(sel, &c.namespaces[ep.namespace].labels)
            }
            Target::External(_) => false,
        },
        ClusterPeerKind::Pods { namespace, pod } => match peer {
            Target::Endpoint(e) => {
                let ep = &c.endpoints[e];
                !ep.host_network
                    && sel_matches(namespace, &c.namespaces[ep.namespace].labels)
                    && sel_matches(pod, &ep.labels)
            }
            Target::External(_) => false,
        },
        ClusterPeerKind::Networks { cidrs, .. } => ips
            .iter()
            .any(|&ip| cidrs.iter().any(|cidr| in_cidr(cidr, ip))),
        ClusterPeerKind::Nodes(sel) => c
            .nodes
            .iter()
            .filter(|n| sel_matches(sel, &n.labels))
            .any(|n| n.addresses.iter().any(|a| ips.contains(a))),
        ClusterPeerKind::DomainNames(_) => false,
    }
}

fn named_port_is(c: &Cluster, dst: Target, name: &str, port: u16, proto: Protocol) -> bool {
    match dst {
        Target::Endpoint(e) => c.endpoints[e]
            .ports
            .iter()
            .any(|cp| cp.protocol == proto && cp.name.as_deref() == Some(name) && cp.port == port),
        Target::External(_) => false,
    }
}

/// The first matching rule's action in `tier`, policies by priority then name.
#[allow(clippy::too_many_arguments)]
fn tier_action(
    c: &Cluster,
    tier: ClusterTier,
    d: Direction,
    subject: usize,
    peer: Target,
    dst: Target,
    port: u16,
    proto: Protocol,
) -> Option<Action> {
    let ep = &c.endpoints[subject];
    if ep.host_network {
        return None;
    }
    let ns_labels = &c.namespaces[ep.namespace].labels;
    let mut pols: Vec<&ClusterPolicy> = c
        .cluster_policies
        .iter()
        .filter(|p| p.tier == tier)
        .filter(|p| match &p.subject {
            Subject::Namespaces(sel) => sel_matches(sel, ns_labels),
            Subject::Pods { namespace, pod } => {
                sel_matches(namespace, ns_labels) && sel_matches(pod, &ep.labels)
            }
        })
        .collect();
    pols.sort_by_key(|p| (p.priority.map_or(u32::MAX, u32::from), p.name.clone()));
    for p in pols {
        for r in p.rules(d) {
            let peer_ok = r
                .peers
                .iter()
                .any(|x| cluster_peer_matches(c, &x.kind, peer));
            let port_ok = r.ports.as_ref().is_none_or(|ps| {
                ps.iter().any(|cp| match cp {
                    ClusterPort::Port(pp) => {
                        pp.protocol == proto
                            && matches!(pp.port, PortMatch::Range(a, b) if a <= port && port <= b)
                    }
                    ClusterPort::Named(n) => named_port_is(c, dst, n, port, proto),
                })
            });
            if peer_ok && port_ok {
                return Some(r.action);
            }
        }
    }
    None
}

/// Admin, then NetworkPolicy (deciding for the pods it isolates), then Baseline, then allow.
pub fn tiered_side_allows(
    c: &Cluster,
    d: Direction,
    subject: usize,
    peer: Target,
    dst: Target,
    port: u16,
    proto: Protocol,
) -> bool {
    match tier_action(c, ClusterTier::Admin, d, subject, peer, dst, port, proto) {
        Some(Action::Accept) => return true,
        Some(Action::Deny) => return false,
        Some(Action::Pass) | None => {}
    }
    let ep = &c.endpoints[subject];
    let ns = &c.namespaces[ep.namespace].name;
    let np_isolates = !ep.host_network
        && c.policies.iter().any(|p| {
            &p.namespace == ns && p.policy_types.has(d) && sel_matches(&p.pod_selector, &ep.labels)
        });
    if np_isolates {
        return side_allows(c, d, subject, peer, dst, port, proto);
    }
    !matches!(
        tier_action(c, ClusterTier::Baseline, d, subject, peer, dst, port, proto),
        Some(Action::Deny)
    )
}
