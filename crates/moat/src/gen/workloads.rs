//! Skeleton workloads for a dry run: one Deployment per service and peer with the
//! intent's labels and ports, the cluster DNS, the scraper and an outsider, so that
//! `moat check` can evaluate the generated policies before any real manifest exists.

use std::collections::BTreeSet;

use super::emit::{header, scalar, Out};
use super::expect::{OUTSIDER_NAME, OUTSIDER_NAMESPACE};
use super::intent::{DeclaredPort, Party, PeerKind, Plan, PortValue};
use crate::model::{Labels, Protocol};

/// First number given to ports declared by name only (the real workload defines it).
const INVENTED_PORT_BASE: u16 = 30000;

struct Stub {
    namespace: String,
    name: String,
    labels: Labels,
    ports: Vec<DeclaredPort>,
    about: String,
}

/// The skeleton workloads of a plan, as one YAML stream.
pub fn workloads(plan: &Plan) -> String {
    let mut stubs: Vec<Stub> = Vec::new();
    for s in &plan.services {
        stubs.push(Stub {
            namespace: s.namespace.clone(),
            name: s.name.clone(),
            labels: s.selector.clone(),
            ports: s.ports.clone(),
            about: format!("service {}", s.id()),
        });
    }
    for (i, p) in plan.peers.iter().enumerate() {
        let (namespace, labels, name) = match &p.kind {
            PeerKind::Cidr(_) => continue,
            PeerKind::Pods {
                namespace,
                selector,
            } => (namespace.clone(), selector.clone(), p.name.clone()),
            PeerKind::Namespace(ns) => {
                let name = if p.name.contains('/') {
                    format!("{ns}-pod")
                } else {
                    p.name.clone()
                };
                let mut l = Labels::new();
                l.insert("app.kubernetes.io/name".into(), name.clone());
                (ns.clone(), l, name)
            }
        };
        let mut ports = p.ports.clone();
        if ports.is_empty() {
            // Ports flows grant towards the peer, so that the probes have something to hit.
            for g in plan.grants.iter().filter(|g| g.to == Party::Peer(i)) {
                for port in &g.ports {
                    let d = match &port.value {
                        PortValue::Range(a, _) => DeclaredPort {
                            name: None,
                            number: Some(*a),
                            protocol: port.protocol,
                        },
                        PortValue::Named(n) => DeclaredPort {
                            name: Some(n.clone()),
                            number: None,
                            protocol: port.protocol,
                        },
                    };
                    if !ports.contains(&d) {
                        ports.push(d);
                    }
                }
            }
        }
        stubs.push(Stub {
            namespace,
            name,
            labels,
            ports,
            about: format!("peer {}", p.name),
        });
    }
    if let Some(m) = &plan.monitoring {
        stubs.push(Stub {
            namespace: m.namespace.clone(),
            name: "scraper".into(),
            labels: m.selector.clone(),
            ports: Vec::new(),
            about: "the monitoring scraper".into(),
        });
    }
    if let Some(d) = &plan.dns {
        let port = |name: &str, protocol| DeclaredPort {
            name: Some(name.into()),
            number: Some(53),
            protocol,
        };
        stubs.push(Stub {
            namespace: d.namespace.clone(),
            name: "coredns".into(),
            labels: d.selector.clone(),
            ports: vec![port("dns", Protocol::Udp), port("dns-tcp", Protocol::Tcp)],
            about: "the cluster DNS".into(),
        });
    }
    let mut outsider = Labels::new();
    outsider.insert("app.kubernetes.io/name".into(), OUTSIDER_NAME.into());
    stubs.push(Stub {
        namespace: OUTSIDER_NAMESPACE.into(),
        name: OUTSIDER_NAME.into(),
        labels: outsider,
        ports: Vec::new(),
        about: "a pod in a namespace the intent does not name".into(),
    });

    let mut out = header(
        "skeleton workloads for a dry run (not for a cluster)",
        &plan.files,
    );
    let mut taken = BTreeSet::new();
    let mut invented = INVENTED_PORT_BASE;
    for s in stubs {
        let mut name = s.name.clone();
        let mut n = 2;
        while !taken.insert((s.namespace.clone(), name.clone())) {
            name = format!("{}-{n}", s.name);
            n += 1;
        }
        let mut o = Out::default();
        o.line(0, "---");
        o.comment(0, &s.about);
        o.line(0, "apiVersion: apps/v1");
        o.line(0, "kind: Deployment");
        o.line(0, "metadata:");
        o.line(2, &format!("name: {}", scalar(&name)));
        o.line(2, &format!("namespace: {}", scalar(&s.namespace)));
        o.line(0, "spec:");
        o.line(2, "replicas: 1");
        o.line(2, "selector:");
        o.labels(4, "matchLabels", &s.labels);
        o.line(2, "template:");
        o.line(4, "metadata:");
        o.labels(6, "labels", &s.labels);
        o.line(4, "spec:");
        o.line(6, "containers:");
        o.line(8, "- name: main");
        o.line(10, "image: registry.invalid/skeleton");
        if !s.ports.is_empty() {
            o.line(10, "ports:");
            for p in &s.ports {
                let number = match p.number {
                    Some(n) => n,
                    None => {
                        invented += 1;
                        o.comment(
                            12,
                            "a number invented for the dry run: the real workload defines it",
                        );
                        invented - 1
                    }
                };
                match &p.name {
                    Some(name) => {
                        o.line(12, &format!("- name: {}", scalar(name)));
                        o.line(14, &format!("containerPort: {number}"));
                    }
                    None => o.line(12, &format!("- containerPort: {number}")),
                }
                o.line(14, &format!("protocol: {}", p.protocol));
            }
        }
        out.push_str(&o.text);
    }
    out
}
