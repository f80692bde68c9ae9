//! `moat gen --from`: a draft intent from existing manifests.
//!
//! Services come from workloads (and bare Pods), their selectors from the Service objects
//! that select them (else their pod labels), their ports from container ports. Flows are
//! never guessed. Without NetworkPolicies in the input, the draft lists one commented TODO
//! per listening port, for a human to confirm, and allows nothing until someone writes a
//! flow. With NetworkPolicies, isolation and flows are what those policies allow
//! ([`super::learn`]), each flow commented with the policy rules it comes from.

use std::collections::BTreeMap;

use super::emit::scalar;
use super::intent::Isolation;
use super::kyverno::SYSTEM_NAMESPACES;
use super::learn::{learn, Learned};
use crate::engine::Engine;
use crate::model::labels::{is_dns1123_label, without_per_pod};
use crate::model::{Cluster, EndpointId, EndpointKind, Labels, Protocol};

/// A listening port of a drafted service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct DraftPort {
    pub name: Option<String>,
    pub port: u16,
    pub protocol: Protocol,
}

impl DraftPort {
    /// As a service declares it: `8080`, `metrics:9090`, `53/UDP`.
    fn text(&self) -> String {
        let mut s = match &self.name {
            Some(n) => format!("{n}:{}", self.port),
            None => self.port.to_string(),
        };
        if self.protocol != Protocol::Tcp {
            s.push_str(&format!("/{}", self.protocol));
        }
        s
    }

    /// As a flow names it: the number, with the protocol unless TCP.
    pub fn flow_text(&self) -> String {
        if self.protocol == Protocol::Tcp {
            self.port.to_string()
        } else {
            format!("{}/{}", self.port, self.protocol)
        }
    }
}

/// One service of the draft.
pub(super) struct Drafted {
    pub namespace: String,
    pub name: String,
    pub selector: Labels,
    pub ports: Vec<DraftPort>,
    pub notes: Vec<String>,
    /// The endpoints it stands for (a workload, or the Pods of one controller).
    pub members: Vec<EndpointId>,
    /// Its own isolation, when learned from policies and unlike its namespace's.
    pub isolate: Option<Isolation>,
    pub allow_metadata: bool,
}

/// Draft an intent for every non-system namespace with workloads.
pub fn draft(engine: &Engine, files: &[String]) -> String {
    let cluster = engine.cluster();
    let (mut services, mut ns_notes) = services(cluster);
    let learned = (!cluster.policies.is_empty()).then(|| learn(engine, &mut services));
    if let Some(l) = &learned {
        for (ns, notes) in &l.notes {
            ns_notes
                .entry(ns.clone())
                .or_default()
                .extend(notes.clone());
        }
    }
    render(cluster, &services, &ns_notes, learned.as_ref(), files)
}

/// The services of every non-system namespace, sorted by namespace then name, and the
/// notes about endpoints that could not become one.
fn services(cluster: &Cluster) -> (Vec<Drafted>, BTreeMap<String, Vec<String>>) {
    let mut list: Vec<Drafted> = Vec::new();
    let mut ns_notes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, e) in cluster.endpoints.iter().enumerate() {
        let ns = &cluster.namespaces[e.namespace].name;
        if SYSTEM_NAMESPACES.contains(&ns.as_str()) {
            continue;
        }
        ns_notes.entry(ns.clone()).or_default();
        // Pods of a controller are drafted once, under the controller's name.
        let name = match (&e.kind, &e.owner) {
            (EndpointKind::Pod, Some(o)) => o.deployment.clone().unwrap_or_else(|| o.name.clone()),
            _ => e.name.clone(),
        };
        let name = service_name(&name);
        if let Some(d) = list
            .iter_mut()
            .find(|d| &d.namespace == ns && d.name == name)
        {
            d.members.push(i);
            continue;
        }
        let mut notes = Vec::new();
        let pod_labels = without_per_pod(&e.labels);
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
            ns_notes.entry(ns.clone()).or_default().push(format!(
                "TODO: {} {} has no labels; label its pods, then add it here",
                e.kind_name(),
                cluster.endpoint_name(i)
            ));
            continue;
        }
        let mut ports: Vec<DraftPort> = Vec::new();
        for p in &e.ports {
            let d = DraftPort {
                name: p.name.clone(),
                port: p.port,
                protocol: p.protocol,
            };
            if !ports.contains(&d) {
                ports.push(d);
            }
        }
        list.push(Drafted {
            namespace: ns.clone(),
            name,
            selector,
            ports,
            notes,
            members: vec![i],
            isolate: None,
            allow_metadata: false,
        });
    }
    list.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    (list, ns_notes)
}

fn isolation_word(i: Isolation) -> &'static str {
    match (i.ingress, i.egress) {
        (true, true) => "both",
        (true, false) => "ingress",
        (false, true) => "egress",
        (false, false) => "none",
    }
}

fn selector_text(l: &Labels) -> String {
    let sel: Vec<String> = l
        .iter()
        .map(|(k, v)| format!("{}: {}", scalar(k), scalar(v)))
        .collect();
    format!("{{{}}}", sel.join(", "))
}

fn render(
    cluster: &Cluster,
    services: &[Drafted],
    ns_notes: &BTreeMap<String, Vec<String>>,
    learned: Option<&Learned>,
    files: &[String],
) -> String {
    // Not the managed marker: a draft is meant to be edited, so moat never overwrites it.
    let mut out = format!(
        "# Drafted by moat gen --from {}: review every service, then {}.\n",
        files.join(", "),
        if learned.is_some() {
            "every flow"
        } else {
            "write the flows"
        }
    );
    match learned {
        None => out.push_str(
            "# moat never invents an allow: until you write flows, these services may only use DNS.\n",
        ),
        Some(_) => {
            let n = cluster.policies.len();
            out.push_str(&format!(
                "# Isolation and flows are what the {} of the input allow{} (each flow names the\n# rules it comes from); `moat gen` of this file allows the same connections.\n",
                crate::text::count(n, "NetworkPolicy"),
                if n == 1 { "s" } else { "" },
            ));
        }
    }
    if learned.is_some_and(|l| l.dns_in_input) {
        // The flows to the DNS pods are learned like any other: an automatic DNS rule
        // would add what the policies may not allow (TCP 53, say).
        out.push_str("dns: off   # the input holds the cluster DNS pods: the flows to them are written out\n");
    }
    if let Some(l) = learned.filter(|l| !l.peers.is_empty()) {
        out.push_str("peers:\n");
        for p in &l.peers {
            out.push_str(&format!(
                "  {}: {{namespace: {}, selector: {}}}   # {}\n",
                p.name,
                scalar(&p.namespace),
                selector_text(&p.selector),
                p.note
            ));
        }
    }
    out.push_str("namespaces:\n");
    if ns_notes.is_empty() {
        out.push_str("  {}\n");
    }
    for (ns, notes) in ns_notes {
        let ns_services: Vec<&Drafted> = services.iter().filter(|s| &s.namespace == ns).collect();
        out.push_str(&format!("  {}:\n", scalar(ns)));
        let ns_isolation = learned.and_then(|l| l.isolation.get(ns).copied());
        if let Some(i) = ns_isolation {
            out.push_str(&format!("    isolate: {}\n", isolation_word(i)));
        }
        for n in notes {
            out.push_str(&format!("    # {n}\n"));
        }
        out.push_str("    services:\n");
        if ns_services.is_empty() {
            out.push_str("      {}\n");
        }
        for (i, s) in ns_services.iter().enumerate() {
            for other in &ns_services[..i] {
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
            let ports = if s.ports.is_empty() {
                String::new()
            } else {
                let p: Vec<String> = s.ports.iter().map(DraftPort::text).collect();
                format!(", ports: [{}]", p.join(", "))
            };
            let isolate = match (s.isolate, ns_isolation) {
                (Some(own), Some(theirs)) if own != theirs => {
                    format!(", isolate: {}", isolation_word(own))
                }
                _ => String::new(),
            };
            let metadata = if s.allow_metadata {
                ", allow-metadata: true"
            } else {
                ""
            };
            out.push_str(&format!(
                "      {}: {{selector: {}{ports}{isolate}{metadata}}}\n",
                s.name,
                selector_text(&s.selector)
            ));
        }
        out.push_str("    flows:\n");
        match learned {
            Some(l) => {
                let flows = l.flows.get(ns).map(Vec::as_slice).unwrap_or_default();
                if flows.is_empty() {
                    out.push_str("      []   # the policies allow no connection that a policy of this namespace must carry\n");
                }
                for f in flows {
                    out.push_str(&format!("      - {f}\n"));
                }
            }
            None => {
                out.push_str("      # TODO: confirm who calls each port; uncomment with the real source, such as\n");
                out.push_str("      #   - ingress-nginx/* -> web:80      (a whole namespace)\n");
                out.push_str(
                    "      #   - web -> api:8080                (a service of this namespace)\n",
                );
                for s in &ns_services {
                    for p in &s.ports {
                        let port = p.name.clone().unwrap_or_else(|| p.flow_text());
                        out.push_str(&format!("      # - ??? -> {}:{port}\n", s.name));
                    }
                }
            }
        }
    }
    out
}

/// A workload name as a service name (a DNS label short enough to name policies).
pub(super) fn service_name(name: &str) -> String {
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
