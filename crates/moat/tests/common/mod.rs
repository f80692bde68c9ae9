//! Test helpers: build an engine from manifests and ask about flows by name.
#![allow(dead_code)]

use moat::check::{resolve, EndpointSpec};
use moat::engine::{Engine, Flow, Target};
use moat::load::{load_str, LoadOptions};
use moat::model::Protocol;

/// Run `f` on a worker of a fresh pool of `threads` threads.
pub fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
        .install(f)
}

pub fn engine(yaml: &str) -> Engine {
    let loaded = load_str("test.yaml", yaml, &LoadOptions::default());
    assert!(
        loaded.problems.is_empty(),
        "unexpected problems: {:#?}",
        loaded.problems
    );
    Engine::new(loaded.cluster)
}

pub fn target(e: &Engine, s: &str) -> Target {
    let spec = match s.parse() {
        Ok(ip) => EndpointSpec::Ip(ip),
        Err(_) => {
            let (ns, name) = s.split_once('/').expect("ns/name");
            EndpointSpec::Named {
                namespace: ns.into(),
                name: name.into(),
            }
        }
    };
    let ts = resolve(e, &spec).unwrap_or_else(|m| panic!("{m}"));
    assert_eq!(ts.len(), 1, "{s} resolves to {} targets", ts.len());
    ts[0]
}

pub fn flow(e: &Engine, from: &str, to: &str, port: u16, proto: Protocol) -> Flow {
    Flow {
        src: target(e, from),
        dst: target(e, to),
        port,
        protocol: proto,
    }
}

/// Is TCP `port` from `from` to `to` allowed? Also checks that the fast path and the
/// detailed verdict and the explanation agree.
pub fn allowed(e: &Engine, from: &str, to: &str, port: u16) -> bool {
    allowed_proto(e, from, to, port, Protocol::Tcp)
}

pub fn allowed_proto(e: &Engine, from: &str, to: &str, port: u16, proto: Protocol) -> bool {
    let f = flow(e, from, to, port, proto);
    let fast = e.allowed(&f);
    assert_eq!(
        fast,
        e.verdict(&f).allowed,
        "allowed() and verdict() disagree"
    );
    assert_eq!(
        fast,
        e.explain(&f).verdict.allowed,
        "allowed() and explain() disagree"
    );
    fast
}

/// A Deployment with labels and container ports `name:port/PROTO` or `port`.
pub fn deploy(ns: &str, name: &str, labels: &[(&str, &str)], ports: &[&str]) -> String {
    let labels: String = labels
        .iter()
        .map(|(k, v)| format!("        {k}: \"{v}\"\n"))
        .collect();
    let ports: String = ports
        .iter()
        .map(|p| {
            let (pname, rest) = p.split_once(':').map_or((None, *p), |(a, b)| (Some(a), b));
            let (num, proto) = rest.split_once('/').unwrap_or((rest, "TCP"));
            let name_line = pname
                .map(|n| format!("            name: {n}\n"))
                .unwrap_or_default();
            format!("          - containerPort: {num}\n            protocol: {proto}\n{name_line}")
        })
        .collect();
    format!(
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  template:\n    metadata:\n      labels:\n{labels}    spec:\n      containers:\n        - name: c\n          ports:\n{ports}"
    )
}

pub fn pod(
    ns: &str,
    name: &str,
    labels: &[(&str, &str)],
    ip: Option<&str>,
    host_network: bool,
) -> String {
    let labels: String = labels
        .iter()
        .map(|(k, v)| format!("    {k}: \"{v}\"\n"))
        .collect();
    let status = ip
        .map(|ip| format!("status:\n  podIP: {ip}\n"))
        .unwrap_or_default();
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels:\n{labels}spec:\n  hostNetwork: {host_network}\n  containers:\n    - name: c\n{status}"
    )
}
pub mod tiers;
