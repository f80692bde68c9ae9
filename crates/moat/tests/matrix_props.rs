//! The matrix agrees with the engine on every flow, and the engine agrees with a naive
//! evaluator written straight from the NetworkPolicy v1 reference, on random clusters
//! (labels, selectors with every operator, named ports, port ranges, ipBlocks with except,
//! IPv4 and IPv6 pod IPs, hostNetwork pods, multi-replica workloads), and with random
//! cluster policies of both generations (v1alpha2 ClusterNetworkPolicy in the Admin and
//! Baseline tiers, v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy) with every
//! action, peer and port form, against a naive evaluator of the tier pipeline.

use std::net::IpAddr;

use moat::engine::{Engine, Flow, Target};
use moat::load::{load_str, LoadOptions};
use moat::matrix::{Aggregator, GroupBy, Groups, Matrix, Selection};
use moat::model::{Cluster, Direction, LabelSelector, PeerKind, PortMatch, Protocol};
use proptest::prelude::*;
use random_cluster::{cluster_yaml_with, selector, Rng};

mod random_cluster;
mod tiers_reference;
use tiers_reference::{cluster_policies_yaml, tiered_side_allows};

/// Addresses to try as external peers (some are pod IPs: those resolve to the pod).
const PROBE_IPS: [&str; 10] = [
    "10.0.0.5",
    "10.0.0.200",
    "10.0.1.1",
    "10.2.3.4",
    "192.168.1.9",
    "192.168.7.7",
    "8.8.8.8",
    "2001:db8::77",
    "2001:db8:1::1",
    "2a00::1",
];
const PORTS: [u16; 9] = [53, 80, 443, 5432, 8080, 8443, 9000, 1, 65535];

// ---- The naive reference evaluator, from the API reference text. ----

fn sel_matches(sel: &LabelSelector, labels: &moat::model::Labels) -> bool {
    sel.requirements.iter().all(|req| {
        let v = labels.get(&req.key);
        match req.op {
            moat::model::Operator::In => v.is_some_and(|v| req.values.contains(v)),
            moat::model::Operator::NotIn => v.is_none_or(|v| !req.values.contains(v)),
            moat::model::Operator::Exists => v.is_some(),
            moat::model::Operator::DoesNotExist => v.is_none(),
        }
    })
}

fn in_cidr(c: &moat::model::Cidr, ip: IpAddr) -> bool {
    let r = c.range();
    r.contains(ip)
}

/// Does `peer` (a target) match one entry of a rule's peer list, for a policy of `policy_ns`?
fn peer_matches(c: &Cluster, policy_ns: &str, kind: &PeerKind, peer: Target) -> bool {
    match kind {
        PeerKind::IpBlock(b) => {
            let ips: Vec<IpAddr> = match peer {
                Target::External(ip) => vec![ip],
                Target::Endpoint(e) => c.endpoints[e].ips.clone(),
            };
            ips.iter()
                .any(|&ip| in_cidr(&b.cidr, ip) && !b.except.iter().any(|x| in_cidr(x, ip)))
        }
        PeerKind::Selectors { namespace, pod } => {
            let Target::Endpoint(e) = peer else {
                return false;
            };
            let ep = &c.endpoints[e];
            if ep.host_network {
                return false;
            }
            let ns = &c.namespaces[ep.namespace];
            let ns_ok = match namespace {
                None => ns.name == policy_ns,
                Some(s) => sel_matches(s, &ns.labels),
            };
            ns_ok && pod.as_ref().is_none_or(|s| sel_matches(s, &ep.labels))
        }
    }
}

fn side_allows(
    c: &Cluster,
    d: Direction,
    subject: usize,
    peer: Target,
    dst: Target,
    port: u16,
    proto: Protocol,
) -> bool {
    let ep = &c.endpoints[subject];
    if ep.host_network {
        return true;
    }
    let ns = &c.namespaces[ep.namespace].name;
    let isolating: Vec<_> = c
        .policies
        .iter()
        .filter(|p| {
            &p.namespace == ns && p.policy_types.has(d) && sel_matches(&p.pod_selector, &ep.labels)
        })
        .collect();
    if isolating.is_empty() {
        return true;
    }
    isolating.iter().any(|p| {
        p.rules(d).iter().any(|r| {
            let peer_ok = r.peers.as_ref().is_none_or(|ps| {
                ps.iter()
                    .any(|x| peer_matches(c, &p.namespace, &x.kind, peer))
            });
            let port_ok = r.ports.as_ref().is_none_or(|ps| {
                ps.iter().any(|pp| {
                    pp.protocol == proto
                        && match &pp.port {
                            PortMatch::All => true,
                            PortMatch::Range(a, b) => *a <= port && port <= *b,
                            PortMatch::Named(n) => match dst {
                                Target::Endpoint(e) => c.endpoints[e]
                                    .ports
                                    .iter()
                                    .find(|cp| {
                                        cp.protocol == proto
                                            && cp.name.as_deref() == Some(n.as_str())
                                    })
                                    .is_some_and(|cp| cp.port == port),
                                Target::External(_) => false,
                            },
                        }
                })
            });
            peer_ok && port_ok
        })
    })
}

fn naive_allowed(c: &Cluster, f: &Flow) -> bool {
    if let (Target::Endpoint(a), Target::Endpoint(b)) = (f.src, f.dst) {
        if a == b && !c.endpoints[a].has_several_pods() {
            return true;
        }
    }
    let egress = match f.src {
        Target::Endpoint(s) => {
            tiered_side_allows(c, Direction::Egress, s, f.dst, f.dst, f.port, f.protocol)
        }
        Target::External(_) => true,
    };
    let ingress = match f.dst {
        Target::Endpoint(d) => {
            tiered_side_allows(c, Direction::Ingress, d, f.src, f.dst, f.port, f.protocol)
        }
        Target::External(_) => true,
    };
    egress && ingress
}

fn engine_for(seed: u64) -> (Engine, String) {
    let mut r = Rng(seed | 1);
    let yaml = cluster_yaml_with(&mut r, &mut |r, pod_keys, ns_keys| {
        if r.chance(60) {
            cluster_policies_yaml(r, pod_keys, ns_keys)
        } else {
            String::new()
        }
    });
    let loaded = load_str("random.yaml", &yaml, &LoadOptions::default());
    assert!(
        loaded.problems.is_empty(),
        "generator wrote bad YAML: {:#?}\n{yaml}",
        loaded.problems
    );
    (Engine::new(loaded.cluster), yaml)
}

fn targets(e: &Engine) -> Vec<Target> {
    let mut t: Vec<Target> = (0..e.cluster().endpoints.len())
        .map(Target::Endpoint)
        .collect();
    t.extend(PROBE_IPS.iter().map(|s| e.resolve_ip(s.parse().unwrap())));
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn matrix_engine_and_naive_reference_agree_on_every_flow(seed in any::<u64>()) {
        let (engine, yaml) = engine_for(seed);
        let m = Matrix::new(&engine, &[]);
        let c = engine.cluster();
        let ts = targets(&engine);
        for &src in &ts {
            for &dst in &ts {
                if matches!((src, dst), (Target::External(_), Target::External(_))) {
                    continue;
                }
                for protocol in Protocol::ALL {
                    for &port in &PORTS {
                        let f = Flow { src, dst, port, protocol };
                        let engine_says = engine.allowed(&f);
                        prop_assert_eq!(m.allows(src, dst, port, protocol), engine_says,
                            "matrix vs engine on {:?}\n{}", f, yaml);
                        prop_assert_eq!(naive_allowed(c, &f), engine_says,
                            "naive reference vs engine on {:?}\n{}", f, yaml);
                    }
                }
            }
        }
    }

    #[test]
    fn pod_view_connections_are_exactly_the_allowed_pairs(seed in any::<u64>()) {
        let (engine, yaml) = engine_for(seed);
        let m = Matrix::new(&engine, &[]);
        let groups = Groups::build(&m, GroupBy::Pod);
        let sel = Selection::default();
        let agg = Aggregator::new(&m, &groups, &sel);
        let mut got = std::collections::BTreeMap::new();
        agg.for_each(&agg.source_groups(), |conn| {
            got.insert((conn.from, conn.to), conn.ports.clone());
            true
        });
        let ne = engine.cluster().endpoints.len();
        let unit_target = |u: usize| if u < ne { Target::Endpoint(u) } else { Target::External(m.ips.parts()[u - ne].first()) };
        for a in 0..groups.unit_count() {
            for b in 0..groups.unit_count() {
                if a >= ne && b >= ne {
                    continue;
                }
                let (ta, tb) = (unit_target(a), unit_target(b));
                // An external range's first address may be a pod IP: then it is that pod.
                if ta != engine.resolve_ip_target(ta) || tb != engine.resolve_ip_target(tb) {
                    continue;
                }
                let want = m.allowed_ports(ta, tb);
                let key = (groups.of_unit[a], groups.of_unit[b]);
                match got.get(&key) {
                    Some(p) => prop_assert_eq!(&p[..], &want[..], "ports of {:?}\n{}", key, yaml),
                    None => prop_assert!(want.iter().all(|w| *w == 0), "missing {:?}\n{}", key, yaml),
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// `convert` on random v1alpha1 policies: the v1alpha2 translation decides alike.
    #[test]
    fn converting_v1alpha1_policies_changes_no_verdict(seed in any::<u64>()) {
        let (engine, yaml) = engine_for(seed);
        let c = engine.cluster();
        if c.cluster_policies.iter().any(|p| p.kind.is_deprecated()) {
            let text = moat::convert::convert_all(&c.cluster_policies)
                .unwrap_or_else(|e| panic!("{e:?}\n{yaml}"));
            let after = moat::convert::converted_cluster(c, &text)
                .unwrap_or_else(|e| panic!("{e:?}\n{text}"));
            let after = Engine::new(after);
            let r = moat::convert::prove_equal(&engine, &after);
            prop_assert!(r.is_ok(), "{:?}\n{}\n---\n{}", r, yaml, text);
        }
    }
}

trait ResolveTarget {
    fn resolve_ip_target(&self, t: Target) -> Target;
}

impl ResolveTarget for Engine {
    fn resolve_ip_target(&self, t: Target) -> Target {
        match t {
            Target::External(ip) => self.resolve_ip(ip),
            t => t,
        }
    }
}

#[test]
fn generated_clusters_exercise_the_features() {
    // The generator must produce named ports, ipBlocks, hostNetwork and multi-replica
    // workloads in a reasonable share of clusters, or the property proves little.
    let mut named = 0;
    let mut ipblocks = 0;
    let mut policies = 0;
    let mut tiers = [0; 4];
    for seed in 1..200u64 {
        let (_, yaml) = engine_for(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        named += usize::from(yaml.contains("port: http") || yaml.contains("port: dns"));
        ipblocks += usize::from(yaml.contains("ipBlock"));
        policies += usize::from(yaml.contains("kind: NetworkPolicy"));
        for (i, k) in [
            "tier: Admin",
            "tier: Baseline",
            "kind: AdminNetworkPolicy",
            "kind: BaselineAdminNetworkPolicy",
        ]
        .iter()
        .enumerate()
        {
            tiers[i] += usize::from(yaml.contains(k));
        }
    }
    assert!(
        tiers.iter().all(|&n| n > 15),
        "cluster policy kinds: {tiers:?}"
    );
    assert!(
        named > 20 && ipblocks > 40 && policies > 100,
        "named {named}, ipBlock {ipblocks}, policies {policies}"
    );
}
