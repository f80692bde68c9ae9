//! `moat gen --from`: a draft intent from existing manifests.
//!
//! Services come from workloads (and bare Pods), their selectors from the Service objects
//! that select them (else their pod labels), their ports from container ports. Flows are
//! never guessed: the draft lists one commented TODO per listening port, for a human to
//! confirm. A draft therefore allows nothing until someone writes a flow.

use std::collections::BTreeMap;

use super::emit::scalar;
use super::kyverno::SYSTEM_NAMESPACES;
use crate::model::labels::{is_dns1123_label, PER_POD_LABELS};
use crate::model::{Cluster, EndpointKind, Labels, Protocol};

struct Drafted {
    name: String,
    selector: Labels,
    ports: Vec<String>,
    notes: Vec<String>,
}

/// Draft an intent for every non-system namespace with workloads.
pub fn draft(cluster: &Cluster, files: &[String]) -> String {
    let mut by_ns: BTreeMap<String, Vec<Drafted>> = BTreeMap::new();
    for (i, e) in cluster.endpoints.iter().enumerate() {
        let ns = &cluster.namespaces[e.namespace].name;
        if SYSTEM_NAMESPACES.contains(&ns.as_str()) {
            continue;
        }
        // Pods of a controller are drafted once, under the controller's name.
        let name = match (&e.kind, &e.owner) {
            (EndpointKind::Pod, Some(o)) => o.deployment.clone().unwrap_or_else(|| o.name.clone()),
            _ => e.name.clone(),
        };
        let list = by_ns.entry(ns.clone()).or_default();
        if list.iter().any(|d| d.name == service_name(&name)) {
            continue;
        }
        let mut notes = Vec::new();
        let pod_labels: Labels = e
            .labels
            .iter()
            .filter(|(k, _)| !PER_POD_LABELS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        // The smallest Service selector that selects these pods names them best.
        let from_service = cluster
            .services
            .iter()
            .filter(|s| &s.namespace == ns)
            .filter_map(|s| s.selector.as_ref().map(|sel| (s, sel)))
            .filter(|(_, sel)| {
                !sel.is_empty() && sel.iter().all(|(k, v)| e.labels.get(k) == Some(v))
            })
            .min_by(|a, b| a.1.len().cmp(&b.1.len()).then(a.0.name.cmp(&b.0.name)));
        let selector = match from_service {
            Some((svc, sel)) => {
                notes.push(format!("selector of Service {}", svc.name));
                sel.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
            }
            None => pod_labels.clone(),
        };
        if selector.is_empty() {
            notes.push(format!(
                "TODO: {} {} has no labels; label its pods, then add it here",
                e.kind_name(),
                cluster.endpoint_name(i)
            ));
            continue;
        }
        let mut ports: Vec<String> = Vec::new();
        for p in &e.ports {
            let mut s = match &p.name {
                Some(n) => format!("{n}:{}", p.port),
                None => p.port.to_string(),
            };
            if p.protocol != Protocol::Tcp {
                s.push_str(&format!("/{}", p.protocol));
            }
            if !ports.contains(&s) {
                ports.push(s);
            }
        }
        list.push(Drafted {
            name: service_name(&name),
            selector,
            ports,
            notes,
        });
    }

    // Not the managed marker: a draft is meant to be edited, so moat never overwrites it.
    let mut out = format!(
        "# Drafted by moat gen --from {}: review every service, then write the flows.\n",
        files.join(", ")
    );
    out.push_str(
        "# moat never invents an allow: until you write flows, these services may only use DNS.\n",
    );
    out.push_str("namespaces:\n");
    if by_ns.is_empty() {
        out.push_str("  {}\n");
    }
    for (ns, mut services) in by_ns {
        services.sort_by(|a, b| a.name.cmp(&b.name));
        out.push_str(&format!("  {}:\n", scalar(&ns)));
        out.push_str("    services:\n");
        for (i, s) in services.iter().enumerate() {
            for other in &services[..i] {
                let disjoint = s
                    .selector
                    .iter()
                    .any(|(k, v)| other.selector.get(k).is_some_and(|w| w != v));
                if !disjoint {
                    out.push_str(&format!("      # TODO: this selector can select the pods of `{}` too; make them disjoint\n", other.name));
                }
            }
            for n in &s.notes {
                out.push_str(&format!("      # {n}\n"));
            }
            let sel: Vec<String> = s
                .selector
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), scalar(v)))
                .collect();
            let ports = if s.ports.is_empty() {
                String::new()
            } else {
                format!(", ports: [{}]", s.ports.join(", "))
            };
            out.push_str(&format!(
                "      {}: {{selector: {{{}}}{ports}}}\n",
                s.name,
                sel.join(", ")
            ));
        }
        out.push_str("    flows:\n");
        out.push_str(
            "      # TODO: confirm who calls each port; uncomment with the real source, such as\n",
        );
        out.push_str("      #   - ingress-nginx/* -> web:80      (a whole namespace)\n");
        out.push_str("      #   - web -> api:8080                (a service of this namespace)\n");
        for s in &services {
            for p in &s.ports {
                let port = p.split_once(':').map(|(n, _)| n).unwrap_or(p);
                out.push_str(&format!("      # - ??? -> {}:{port}\n", s.name));
            }
        }
    }
    out
}

/// A workload name as a service name (a DNS label short enough to name policies).
fn service_name(name: &str) -> String {
    let mut s: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s.truncate(55);
    let s = s.trim_matches('-').to_string();
    if is_dns1123_label(&s) {
        s
    } else {
        "service".to_string()
    }
}
