//! What rules read: the compiled engine, the load problems, the config, and a few indexes
//! that several rules share.

use super::config::Config;
use crate::engine::{Engine, Flow, PeerSet, Target};
use crate::load::{ObjectRef, Problem};
use crate::model::{ClusterPolicy, Direction, NetworkPolicy, Protocol};

pub struct Context<'a> {
    pub engine: &'a Engine,
    pub problems: &'a [Problem],
    pub config: &'a Config,
    /// Endpoints of each namespace (hostNetwork ones included).
    pub ns_endpoints: Vec<Vec<usize>>,
    /// Endpoints that serve cluster DNS (kube-dns / CoreDNS pods).
    pub dns_servers: Vec<usize>,
}

/// Labels that DNS server pods carry in the common distributions.
const DNS_LABELS: &[(&str, &str)] = &[
    ("k8s-app", "kube-dns"),
    ("k8s-app", "coredns"),
    ("app.kubernetes.io/name", "coredns"),
    ("app.kubernetes.io/name", "kube-dns"),
];

impl<'a> Context<'a> {
    pub fn new(engine: &'a Engine, problems: &'a [Problem], config: &'a Config) -> Self {
        let cluster = engine.cluster();
        let mut ns_endpoints = vec![Vec::new(); cluster.namespaces.len()];
        let mut dns_servers = Vec::new();
        for (i, e) in cluster.endpoints.iter().enumerate() {
            ns_endpoints[e.namespace].push(i);
            let dns = DNS_LABELS
                .iter()
                .any(|(k, v)| e.labels.get(*k).map(String::as_str) == Some(*v));
            if dns && !e.host_network {
                dns_servers.push(i);
            }
        }
        Context {
            engine,
            problems,
            config,
            ns_endpoints,
            dns_servers,
        }
    }

    pub fn policies(&self) -> impl Iterator<Item = (usize, &'a NetworkPolicy)> {
        self.engine.cluster().policies.iter().enumerate()
    }

    pub fn cluster_policies(&self) -> impl Iterator<Item = (usize, &'a ClusterPolicy)> {
        self.engine.cluster().cluster_policies.iter().enumerate()
    }

    /// The object of a cluster policy (cluster-scoped: no namespace).
    pub fn cluster_policy_ref(&self, cid: usize) -> ObjectRef {
        let p = &self.engine.cluster().cluster_policies[cid];
        ObjectRef {
            kind: p.kind.as_str().into(),
            namespace: None,
            name: p.name.clone(),
        }
    }

    pub fn policy_ref(&self, pid: usize) -> ObjectRef {
        let p = &self.engine.cluster().policies[pid];
        ObjectRef {
            kind: "NetworkPolicy".into(),
            namespace: Some(p.namespace.clone()),
            name: p.name.clone(),
        }
    }

    pub fn endpoint_ref(&self, e: usize) -> ObjectRef {
        let c = self.engine.cluster();
        let ep = &c.endpoints[e];
        ObjectRef {
            kind: ep.kind_name().to_string(),
            namespace: Some(c.endpoint_ns(e).name.clone()),
            name: ep.name.clone(),
        }
    }

    pub fn is_system_namespace(&self, name: &str) -> bool {
        self.config.system_namespaces.iter().any(|n| n == name)
    }

    /// `namespace/name` of up to `max` endpoints, then "and N more".
    pub fn endpoint_list(&self, ids: &[usize], max: usize) -> String {
        let c = self.engine.cluster();
        let mut names: Vec<String> = ids.iter().take(max).map(|&e| c.endpoint_name(e)).collect();
        if ids.len() > max {
            names.push(format!("and {} more", ids.len() - max));
        }
        names.join(", ")
    }

    /// Whether `src` may open `protocol`/`port` to `dst` through both sides' policies.
    pub fn allowed(&self, src: usize, dst: usize, port: u16, protocol: Protocol) -> bool {
        self.engine.allowed(&Flow {
            src: Target::Endpoint(src),
            dst: Target::Endpoint(dst),
            port,
            protocol,
        })
    }

    /// Endpoints a rule's selector peers can match (`None` when the rule has no selector peer).
    pub fn rule_peer_endpoints(&self, pid: usize, d: Direction, ri: usize) -> Option<Vec<usize>> {
        let rule = &self.engine.compiled().policies[pid].rules(d)[ri];
        match &rule.peers {
            None => Some((0..self.engine.cluster().endpoints.len()).collect()),
            Some(sets) => {
                let mut any = false;
                let mut out = crate::engine::BitSet::new(self.engine.cluster().endpoints.len());
                for s in sets {
                    if let PeerSet::Endpoints(b) = s {
                        any = true;
                        out.union_with(b);
                    }
                }
                any.then(|| out.iter().collect())
            }
        }
    }
}
