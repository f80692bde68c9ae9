//! Matching the two ends of a Hubble flow to the manifests.
//!
//! A pod is found by namespace and pod name: a Pod object of that name; else the
//! workload Hubble names (`workloads`); else the workload whose generated pod names fit
//! (`<deployment>-<hash>-<id>`, `<statefulset>-<ordinal>`, `<daemonset>-<id>`); else by
//! its IP (`status.podIP`). Every endpoint is folded into a [`Unit`]: its workload, by
//! owner, so that the replicas of a Deployment are one party whatever their pod names.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::IpAddr;

use super::parse::HubbleEndpoint;
use crate::engine::{Engine, Target};
use crate::model::{Cluster, EndpointId, EndpointKind, Protocol, TargetPort};

/// A pod port, and the note saying which Service port it was mapped from.
type PodPort = (u16, Option<String>);

/// Index into [`Resolver::units`].
pub type UnitId = usize;

/// A workload (or a bare Pod) and the endpoints of the manifests that stand for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub namespace: String,
    pub name: String,
    /// `Deployment`, `StatefulSet`, ..., or `Pod` for a Pod without controller.
    pub kind: String,
    /// Every endpoint folded into it (a workload and the Pod objects it owns).
    pub members: Vec<EndpointId>,
}

impl Unit {
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// One end of a flow, resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Party {
    /// A pod of the manifests: its unit, and the endpoint the engine is asked about.
    Pod { unit: UnitId, endpoint: EndpointId },
    /// The node itself (Cilium's `reserved:host`): kubelet probes, host processes.
    Host,
    /// An address that is no pod of the manifests.
    Ip(IpAddr),
}

/// Why an end could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unresolved {
    /// A pod Hubble names that the manifests do not hold (`namespace/pod`).
    UnknownPod(String),
    /// Neither a pod nor a parseable address.
    NoAddress,
}

pub struct Resolver<'e> {
    engine: &'e Engine,
    pub units: Vec<Unit>,
    unit_of: Vec<UnitId>,
    /// namespace -> Pod object name -> endpoint.
    pods: HashMap<String, HashMap<String, EndpointId>>,
    /// namespace -> workloads (name, kind, endpoint).
    workloads: HashMap<String, Vec<(String, String, EndpointId)>>,
    /// namespace -> pod name -> what it resolved to: a log names the same pods over and
    /// over, and matching a generated name scans the namespace's workloads.
    seen: RefCell<HashMap<String, HashMap<String, Option<EndpointId>>>>,
    /// namespace -> Service name -> the pods it selects, when they are of one workload.
    services: RefCell<HashMap<String, HashMap<String, Option<Party>>>>,
    /// (endpoint, protocol, port seen) -> the pod port and the note of its mapping.
    ports: RefCell<HashMap<(EndpointId, Protocol, u16), PodPort>>,
}

impl<'e> Resolver<'e> {
    pub fn new(engine: &'e Engine) -> Self {
        let cluster = engine.cluster();
        let mut pods: HashMap<String, HashMap<String, EndpointId>> = HashMap::new();
        let mut workloads: HashMap<String, Vec<(String, String, EndpointId)>> = HashMap::new();
        for (i, e) in cluster.endpoints.iter().enumerate() {
            let ns = cluster.namespaces[e.namespace].name.clone();
            match &e.kind {
                EndpointKind::Pod => {
                    pods.entry(ns).or_default().insert(e.name.clone(), i);
                }
                EndpointKind::Workload { kind, .. } => {
                    workloads
                        .entry(ns)
                        .or_default()
                        .push((e.name.clone(), kind.clone(), i));
                }
            }
        }
        let (units, unit_of) = fold(cluster, &workloads);
        Resolver {
            engine,
            units,
            unit_of,
            pods,
            workloads,
            seen: RefCell::new(HashMap::new()),
            services: RefCell::new(HashMap::new()),
            ports: RefCell::new(HashMap::new()),
        }
    }

    pub fn engine(&self) -> &'e Engine {
        self.engine
    }

    fn pod(&self, e: EndpointId) -> Party {
        Party::Pod {
            unit: self.unit_of[e],
            endpoint: e,
        }
    }

    /// The endpoint of namespace `ns` named `pod` by Hubble (cached).
    fn by_name(&self, ns: &str, pod: &str, ep: &HubbleEndpoint) -> Option<EndpointId> {
        if let Some(&r) = self.seen.borrow().get(ns).and_then(|m| m.get(pod)) {
            return r;
        }
        let r = self.match_name(ns, pod, ep);
        self.seen
            .borrow_mut()
            .entry(ns.to_string())
            .or_default()
            .insert(pod.to_string(), r);
        r
    }

    fn match_name(&self, ns: &str, pod: &str, ep: &HubbleEndpoint) -> Option<EndpointId> {
        if let Some(&e) = self.pods.get(ns).and_then(|m| m.get(pod)) {
            return Some(e);
        }
        let list = self.workloads.get(ns)?;
        for w in &ep.workloads {
            let Some(name) = w.name.as_deref() else {
                continue;
            };
            let kind = w.kind.as_deref();
            if let Some((_, _, e)) = list
                .iter()
                .find(|(n, k, _)| n == name && kind.is_none_or(|kind| kind == k))
            {
                return Some(*e);
            }
        }
        list.iter()
            .filter(|(name, kind, _)| generated_by(pod, name, kind))
            .max_by_key(|(name, _, _)| name.len())
            .map(|(_, _, e)| *e)
    }

    /// Resolve one end of a flow from its Hubble endpoint and its address.
    pub fn resolve(
        &self,
        ep: Option<&HubbleEndpoint>,
        ip: Option<&str>,
    ) -> Result<Party, Unresolved> {
        let ip: Option<IpAddr> = ip.and_then(|s| s.parse().ok());
        if let Some(ep) = ep {
            if let (Some(ns), Some(pod)) = (ep.namespace.as_deref(), ep.pod_name.as_deref()) {
                if !ns.is_empty() && !pod.is_empty() {
                    if let Some(e) = self.by_name(ns, pod, ep) {
                        return Ok(self.pod(e));
                    }
                    if let Some(Target::Endpoint(e)) = ip.map(|ip| self.engine.resolve_ip(ip)) {
                        return Ok(self.pod(e));
                    }
                    return Err(Unresolved::UnknownPod(format!("{ns}/{pod}")));
                }
            }
            if ep.is_reserved("host") {
                return Ok(Party::Host);
            }
        }
        match ip.map(|ip| self.engine.resolve_ip(ip)) {
            Some(Target::Endpoint(e)) => Ok(self.pod(e)),
            Some(Target::External(ip)) => Ok(Party::Ip(ip)),
            None => Err(Unresolved::NoAddress),
        }
    }

    /// The workload behind Service `name` of `ns`: for a flow to a Service address that
    /// Hubble did not translate to a pod. `None` when the manifests hold no such Service,
    /// it has no selector, or it selects the pods of several workloads (no single answer).
    pub fn service(&self, ns: &str, name: &str) -> Option<Party> {
        if let Some(r) = self.services.borrow().get(ns).and_then(|m| m.get(name)) {
            return *r;
        }
        let cluster = self.engine.cluster();
        let r = cluster
            .services
            .iter()
            .find(|s| s.namespace == ns && s.name == name)
            .and_then(|s| s.selector.as_ref())
            .filter(|sel| !sel.is_empty())
            .and_then(|sel| {
                let selected: Vec<EndpointId> = (0..cluster.endpoints.len())
                    .filter(|&e| {
                        let ep = &cluster.endpoints[e];
                        cluster.namespaces[ep.namespace].name == ns
                            && sel.iter().all(|(k, v)| ep.labels.get(k) == Some(v))
                    })
                    .collect();
                let first = *selected.first()?;
                let unit = self.unit_of[first];
                selected
                    .iter()
                    .all(|&e| self.unit_of[e] == unit)
                    .then_some(Party::Pod {
                        unit,
                        endpoint: first,
                    })
            });
        self.services
            .borrow_mut()
            .entry(ns.to_string())
            .or_default()
            .insert(name.to_string(), r);
        r
    }

    /// The pod port behind `port` on endpoint `e`: itself when the pod declares it (or
    /// declares no port at all); else the target port of a Service selecting the pod that
    /// listens on it (`service`, the one Hubble names, first). With the mapping, a note
    /// (`ns/service TCP/80 -> ns/pod/8080`) when the port changed.
    pub fn pod_port(
        &self,
        e: EndpointId,
        proto: Protocol,
        port: u16,
        service: Option<&str>,
    ) -> PodPort {
        if let Some(r) = self.ports.borrow().get(&(e, proto, port)) {
            return r.clone();
        }
        let cluster = self.engine.cluster();
        let ep = &cluster.endpoints[e];
        let ns = &cluster.namespaces[ep.namespace].name;
        let mut mapped = (port, None);
        let declared = ep
            .ports
            .iter()
            .any(|p| p.port == port && p.protocol == proto);
        if !ep.ports.is_empty() && !declared {
            let mut services: Vec<_> = cluster
                .services
                .iter()
                .filter(|s| &s.namespace == ns)
                .filter(|s| {
                    s.selector.as_ref().is_some_and(|sel| {
                        !sel.is_empty() && sel.iter().all(|(k, v)| ep.labels.get(k) == Some(v))
                    })
                })
                .collect();
            services.sort_by_key(|s| Some(s.name.as_str()) != service);
            let target = services.iter().find_map(|s| {
                s.ports
                    .iter()
                    .filter(|sp| sp.port == port && sp.protocol == proto)
                    .find_map(|sp| match &sp.target {
                        TargetPort::Number(n) => Some(*n),
                        TargetPort::Name(n) => ep.named_port(n, proto),
                    })
                    .map(|t| (s, t))
            });
            if let Some((s, t)) = target {
                let note = (t != port).then(|| {
                    format!(
                        "{ns}/{} {proto}/{port} -> {}/{t}",
                        s.name,
                        cluster.endpoint_name(e)
                    )
                });
                mapped = (t, note);
            }
        }
        self.ports
            .borrow_mut()
            .insert((e, proto, port), mapped.clone());
        mapped
    }

    /// `namespace/workload`, `host` or the address.
    pub fn name(&self, p: Party) -> String {
        match p {
            Party::Pod { unit, .. } => self.units[unit].id(),
            Party::Host => "host".to_string(),
            Party::Ip(ip) => ip.to_string(),
        }
    }

    /// The engine's view of a party (the host is outside the model: no policy applies
    /// to it, and none of its addresses is known).
    pub fn target(&self, p: Party) -> Option<Target> {
        match p {
            Party::Pod { endpoint, .. } => Some(Target::Endpoint(endpoint)),
            Party::Ip(ip) => Some(Target::External(ip)),
            Party::Host => None,
        }
    }
}

/// Whether `pod` is a name the controller `name` of `kind` generates.
fn generated_by(pod: &str, name: &str, kind: &str) -> bool {
    let Some(rest) = pod.strip_prefix(name).and_then(|r| r.strip_prefix('-')) else {
        return false;
    };
    let parts: Vec<&str> = rest.split('-').collect();
    let alnum = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric());
    match kind {
        // <deployment>-<pod-template-hash>-<random>
        "Deployment" => parts.len() == 2 && parts.iter().all(|p| alnum(p)),
        // <cronjob>-<scheduled time>-<random>
        "CronJob" => parts.len() == 2 && parts.iter().all(|p| alnum(p)),
        // <statefulset>-<ordinal>
        "StatefulSet" => parts.len() == 1 && parts[0].bytes().all(|c| c.is_ascii_digit()),
        // <daemonset|replicaset|job|rc>-<random>
        _ => parts.len() == 1 && alnum(parts[0]),
    }
}

/// Units: one per workload; Pods join their owner's workload when the manifests hold it,
/// else the Pods of one owner form a unit named after it; a Pod without owner is its own.
fn fold(
    cluster: &Cluster,
    workloads: &HashMap<String, Vec<(String, String, EndpointId)>>,
) -> (Vec<Unit>, Vec<UnitId>) {
    let mut units: Vec<Unit> = Vec::new();
    let mut index: HashMap<(String, String), UnitId> = HashMap::new();
    let mut unit_of = vec![0; cluster.endpoints.len()];
    // Workloads first, so that Pods find them.
    let mut order: Vec<EndpointId> = (0..cluster.endpoints.len()).collect();
    order.sort_by_key(|&i| matches!(cluster.endpoints[i].kind, EndpointKind::Pod));
    for i in order {
        let e = &cluster.endpoints[i];
        let ns = cluster.namespaces[e.namespace].name.clone();
        let (name, kind) = match (&e.kind, &e.owner) {
            (EndpointKind::Workload { kind, .. }, _) => (e.name.clone(), kind.clone()),
            (EndpointKind::Pod, Some(o)) => {
                let name = o.deployment.clone().unwrap_or_else(|| o.name.clone());
                let kind = workloads
                    .get(&ns)
                    .and_then(|l| l.iter().find(|(n, _, _)| *n == name))
                    .map(|(_, k, _)| k.clone())
                    .unwrap_or_else(|| {
                        if o.deployment.is_some() {
                            "Deployment".to_string()
                        } else {
                            o.kind.clone()
                        }
                    });
                (name, kind)
            }
            (EndpointKind::Pod, None) => (e.name.clone(), "Pod".to_string()),
        };
        let key = (ns.clone(), name.clone());
        let u = *index.entry(key).or_insert_with(|| {
            units.push(Unit {
                namespace: ns,
                name,
                kind,
                members: Vec::new(),
            });
            units.len() - 1
        });
        units[u].members.push(i);
        unit_of[i] = u;
    }
    (units, unit_of)
}

#[cfg(test)]
mod tests {
    use super::generated_by;

    #[test]
    fn controller_pod_names_are_recognised() {
        assert!(generated_by(
            "frontend-7d8f9b6c4d-x2k4l",
            "frontend",
            "Deployment"
        ));
        assert!(!generated_by(
            "frontend-api-7d8f9b6c4d-x2k4l",
            "frontend",
            "Deployment"
        ));
        assert!(generated_by("db-0", "db", "StatefulSet"));
        assert!(!generated_by("db-x", "db", "StatefulSet"));
        assert!(generated_by("fluentd-abcde", "fluentd", "DaemonSet"));
        assert!(!generated_by("frontend", "frontend", "Deployment"));
    }
}
