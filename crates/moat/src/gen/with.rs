//! `moat gen --with MANIFESTS`: the intent's selectors against real workloads.
//!
//! A service whose selector matches no workload would get policies that protect nothing
//! (and flows to it that reach nothing): that is an error, reported at the intent line.
//! Peers, the scraper and the DNS are checked when the manifests hold their namespace
//! at all (the manifests of one application rarely include kube-system).

use super::intent::{PeerKind, Plan};
use super::parse::{labels_text, near};
use crate::error::InputError;
use crate::model::{Cluster, Labels};

fn matching(cluster: &Cluster, ns: &str, sel: &Labels) -> Vec<usize> {
    (0..cluster.endpoints.len())
        .filter(|&e| {
            cluster.endpoint_ns(e).name == ns
                && sel
                    .iter()
                    .all(|(k, v)| cluster.endpoints[e].labels.get(k) == Some(v))
        })
        .collect()
}

fn in_namespace(cluster: &Cluster, ns: &str) -> Vec<usize> {
    (0..cluster.endpoints.len())
        .filter(|&e| cluster.endpoint_ns(e).name == ns)
        .collect()
}

fn no_match(cluster: &Cluster, what: &str, ns: &str, sel: &Labels) -> String {
    let here = in_namespace(cluster, ns);
    if here.is_empty() {
        return format!(
            "{what} {}: the manifests hold no workload in namespace `{ns}`",
            labels_text(sel)
        );
    }
    let described: Vec<String> = here
        .iter()
        .map(|&e| {
            format!(
                "{} {}",
                cluster.endpoints[e].name,
                labels_text(&cluster.endpoints[e].labels)
            )
        })
        .collect();
    let wanted = format!(
        "{} {}",
        what.rsplit(' ').next().unwrap_or(what).trim_matches('`'),
        labels_text(sel)
    );
    let n = near(&wanted, described.iter().map(String::as_str));
    let hint = if n.is_empty() {
        format!(
            "; workloads there: {}",
            described
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        format!("; nearest: {}", n.join(", "))
    };
    format!(
        "{what} {} matches no workload in namespace `{ns}`{hint}",
        labels_text(sel)
    )
}

/// Every selector of the plan that matches no workload of `cluster`.
pub fn check_workloads(plan: &Plan, cluster: &Cluster) -> Vec<InputError> {
    let mut errors = Vec::new();
    for s in &plan.services {
        let found = matching(cluster, &s.namespace, &s.selector);
        if found.is_empty() {
            let msg = no_match(
                cluster,
                &format!("service `{}`", s.name),
                &s.namespace,
                &s.selector,
            );
            errors.push(InputError::new(Some(s.origin.at.clone()), "", msg));
            continue;
        }
        // A port declared by name only is resolved by name on the pods: it must exist.
        for p in s.ports.iter().filter(|p| p.number.is_none()) {
            let name = p.name.as_deref().unwrap_or_default();
            let has = found
                .iter()
                .any(|&e| cluster.endpoints[e].named_port(name, p.protocol).is_some());
            if !has {
                let msg = format!("service `{}` declares port `{p}`, but no workload it selects has a {} container port named `{name}`", s.name, p.protocol);
                errors.push(InputError::new(Some(s.origin.at.clone()), "", msg));
            }
        }
    }
    let mut optional: Vec<(String, String, Labels, Option<crate::source::Span>)> = Vec::new();
    for p in &plan.peers {
        if let PeerKind::Pods {
            namespace,
            selector,
        } = &p.kind
        {
            optional.push((
                format!("peer `{}`", p.name),
                namespace.clone(),
                selector.clone(),
                Some(p.origin.at.clone()),
            ));
        }
    }
    if let Some(m) = &plan.monitoring {
        optional.push((
            "the monitoring scraper".into(),
            m.namespace.clone(),
            m.selector.clone(),
            Some(m.origin.at.clone()),
        ));
    }
    if let Some(d) = &plan.dns {
        let at = d.origin.as_ref().map(|o| o.at.clone());
        optional.push((
            "the cluster DNS".into(),
            d.namespace.clone(),
            d.selector.clone(),
            at,
        ));
    }
    for (what, ns, sel, at) in optional {
        if !in_namespace(cluster, &ns).is_empty() && matching(cluster, &ns, &sel).is_empty() {
            errors.push(InputError::new(at, "", no_match(cluster, &what, &ns, &sel)));
        }
    }
    errors
}
