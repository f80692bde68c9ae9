//! Endpoint references (`namespace/name`, IP, selector) to the targets they stand for.

use super::spec::EndpointSpec;
use crate::engine::{Engine, Target};
use crate::model::Cluster;

/// The targets an endpoint reference stands for, or why it names nothing.
pub fn resolve(engine: &Engine, spec: &EndpointSpec) -> Result<Vec<Target>, String> {
    let c = engine.cluster();
    match spec {
        EndpointSpec::Ip(ip) => Ok(vec![engine.resolve_ip(*ip)]),
        EndpointSpec::Named { namespace, name } => {
            let in_ns = |e: usize| c.endpoint_ns(e).name == *namespace;
            let ids = |pred: &dyn Fn(usize) -> bool| {
                (0..c.endpoints.len())
                    .filter(|&e| in_ns(e) && pred(e))
                    .collect::<Vec<_>>()
            };
            // A Pod of that name, else a workload of that name, else the controller named in
            // Pods' ownerReferences (or the Deployment behind their ReplicaSet).
            let pods =
                ids(&|e| c.endpoints[e].kind_name() == "Pod" && c.endpoints[e].name == *name);
            let found = if !pods.is_empty() {
                pods
            } else {
                let workloads =
                    ids(&|e| c.endpoints[e].kind_name() != "Pod" && c.endpoints[e].name == *name);
                if !workloads.is_empty() {
                    workloads
                } else {
                    ids(&|e| {
                        c.endpoints[e].owner.as_ref().is_some_and(|o| {
                            o.name == *name || o.deployment.as_deref() == Some(name)
                        })
                    })
                }
            };
            if found.is_empty() {
                Err(unknown(c, namespace, name))
            } else {
                Ok(found.into_iter().map(Target::Endpoint).collect())
            }
        }
        EndpointSpec::Selector { namespace, labels } => {
            let found: Vec<Target> = (0..c.endpoints.len())
                .filter(|&e| {
                    c.endpoint_ns(e).name == *namespace
                        && labels
                            .iter()
                            .all(|(k, v)| c.endpoints[e].labels.get(k) == Some(v))
                })
                .map(Target::Endpoint)
                .collect();
            if found.is_empty() {
                Err(format!(
                    "no endpoint in namespace `{namespace}` matches {spec}"
                ))
            } else {
                Ok(found)
            }
        }
    }
}

fn unknown(c: &Cluster, namespace: &str, name: &str) -> String {
    let wanted = format!("{namespace}/{name}");
    let mut candidates: Vec<(f64, String)> = c
        .endpoints
        .iter()
        .enumerate()
        .flat_map(|(i, e)| {
            let ns = &c.namespaces[e.namespace].name;
            let mut names = vec![c.endpoint_name(i)];
            if let Some(o) = &e.owner {
                names.push(format!("{ns}/{}", o.name));
                if let Some(d) = &o.deployment {
                    names.push(format!("{ns}/{d}"));
                }
            }
            names
        })
        .map(|n| (strsim::jaro_winkler(&wanted, &n), n))
        .filter(|(s, _)| *s > 0.75)
        .collect();
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    candidates.dedup_by(|a, b| a.1 == b.1);
    let near: Vec<String> = candidates.into_iter().take(3).map(|(_, n)| n).collect();
    if near.is_empty() {
        format!("no Pod, workload or controller named `{wanted}`")
    } else {
        format!(
            "no Pod, workload or controller named `{wanted}`; did you mean {}?",
            near.join(", ")
        )
    }
}
