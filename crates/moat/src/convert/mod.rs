//! `moat convert`: v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy to v1alpha2
//! ClusterNetworkPolicy, and the proof that the translation decides every flow alike.
//!
//! The mapping (upstream NPEP-285 merged the two kinds into one with a `tier`):
//! AdminNetworkPolicy -> tier Admin, same priority; BaselineAdminNetworkPolicy -> tier
//! Baseline, priority 1000 (after every other baseline); `Allow` -> `Accept`; `ports` ->
//! `protocols` (`portNumber` -> `<proto>.destinationPort.number`, `portRange` ->
//! `<proto>.destinationPort.range`, or `.number` when start == end, which v1alpha2's
//! `start < end` rule forbids as a range; `namedPort` -> `destinationNamedPort`). Subjects
//! and peers are the same fields.

mod proof;

pub use proof::{prove_equal, Difference, Proof};

use crate::load::{load_str, LoadOptions, Problem};
use crate::model::{
    Cluster, ClusterPeerKind, ClusterPolicy, ClusterPolicyKind, ClusterPort, ClusterRule,
    Direction, PortMatch, Subject,
};
use crate::yaml::write::{quote, selector_field};

/// What cannot be said in v1alpha2 (its limits are lower: 25 rules per direction, 25 peers
/// and 25 protocols per rule; v1alpha1 allows 100).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertError {
    pub policy: String,
    pub message: String,
}

impl std::fmt::Display for ConvertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.policy, self.message)
    }
}

/// The priority a converted BaselineAdminNetworkPolicy gets.
pub const BASELINE_PRIORITY: u16 = 1000;

/// The v1alpha2 name of a converted policy: its own, except that the BANP (always named
/// `default`) becomes `baseline-default` when an AdminNetworkPolicy is named `default` too
/// (one kind now holds both, and names are unique in it).
pub fn converted_name(p: &ClusterPolicy, all: &[ClusterPolicy]) -> String {
    let clash = p.kind == ClusterPolicyKind::BaselineAdminNetworkPolicy
        && all
            .iter()
            .any(|o| o.kind != ClusterPolicyKind::BaselineAdminNetworkPolicy && o.name == p.name);
    if clash {
        format!("baseline-{}", p.name)
    } else {
        p.name.clone()
    }
}

/// One policy as a v1alpha2 ClusterNetworkPolicy document (without the leading `---`).
/// A ClusterNetworkPolicy is returned as it is, re-emitted.
pub fn to_v1alpha2(p: &ClusterPolicy, name: &str) -> Result<String, ConvertError> {
    let err = |message: String| ConvertError {
        policy: p.id(),
        message,
    };
    let mut out = vec![
        "apiVersion: policy.networking.k8s.io/v1alpha2".to_string(),
        "kind: ClusterNetworkPolicy".to_string(),
        "metadata:".to_string(),
        format!("  name: {}", quote(name)),
    ];
    if !p.labels.is_empty() {
        out.push("  labels:".into());
        for (k, v) in &p.labels {
            out.push(format!("    {}: {}", quote(k), quote(v)));
        }
    }
    if p.kind.is_deprecated() {
        out.push("  annotations:".into());
        out.push(format!(
            "    moat.dev/converted-from: {}",
            quote(&format!("{}/{}", p.kind.as_str(), p.name))
        ));
    }
    out.push("spec:".into());
    out.push(format!("  tier: {}", p.tier.as_str()));
    let priority = p.priority.unwrap_or(BASELINE_PRIORITY);
    out.push(format!("  priority: {priority}"));
    out.push("  subject:".into());
    match &p.subject {
        Subject::Namespaces(sel) => out.extend(selector_field("namespaces", sel, 4)),
        Subject::Pods { namespace, pod } => {
            out.push("    pods:".into());
            out.extend(selector_field("namespaceSelector", namespace, 6));
            out.extend(selector_field("podSelector", pod, 6));
        }
    }
    for d in [Direction::Ingress, Direction::Egress] {
        let rules = p.rules(d);
        if rules.is_empty() {
            continue;
        }
        if rules.len() > 25 {
            return Err(err(format!(
                "{} has {} rules; v1alpha2 allows at most 25 per direction (split the policy, keeping the order)",
                d.field(),
                rules.len()
            )));
        }
        out.push(format!("  {}:", d.field()));
        for (i, r) in rules.iter().enumerate() {
            rule_lines(r, d, &mut out).map_err(|m| err(format!("{}[{i}]: {m}", d.field())))?;
        }
    }
    let mut s = out.join("\n");
    s.push('\n');
    Ok(s)
}

fn rule_lines(r: &ClusterRule, d: Direction, out: &mut Vec<String>) -> Result<(), String> {
    if r.peers.len() > 25 {
        return Err(format!(
            "{} peers; v1alpha2 allows at most 25 per rule",
            r.peers.len()
        ));
    }
    let first = match &r.name {
        Some(n) => format!("    - name: {}", quote(n)),
        None => String::new(),
    };
    let action = format!("action: {}", r.action.as_str());
    if first.is_empty() {
        out.push(format!("    - {action}"));
    } else {
        out.push(first);
        out.push(format!("      {action}"));
    }
    out.push(format!("      {}:", d.peers_field()));
    for peer in &r.peers {
        match &peer.kind {
            ClusterPeerKind::Namespaces(sel) => {
                out.extend(item(selector_field("namespaces", sel, 10), 8));
            }
            ClusterPeerKind::Pods { namespace, pod } => {
                let mut lines = vec!["          pods:".to_string()];
                lines.extend(selector_field("namespaceSelector", namespace, 12));
                lines.extend(selector_field("podSelector", pod, 12));
                out.extend(item(lines, 8));
            }
            ClusterPeerKind::Nodes(sel) => out.extend(item(selector_field("nodes", sel, 10), 8)),
            ClusterPeerKind::Networks { cidrs, .. } => {
                let list: Vec<String> = cidrs.iter().map(|c| quote(&c.to_string())).collect();
                out.push(format!("        - networks: [{}]", list.join(", ")));
            }
            ClusterPeerKind::DomainNames(names) => {
                let list: Vec<String> = names.iter().map(|n| quote(n)).collect();
                out.push(format!("        - domainNames: [{}]", list.join(", ")));
            }
        }
    }
    if let Some(ports) = &r.ports {
        if ports.len() > 25 {
            return Err(format!(
                "{} ports; v1alpha2 allows at most 25 protocols per rule",
                ports.len()
            ));
        }
        out.push("      protocols:".into());
        for p in ports {
            out.push(format!("        - {}", protocol_entry(p)));
        }
    }
    Ok(())
}

/// A v1alpha2 `protocols` entry in flow style.
pub fn protocol_entry(p: &ClusterPort) -> String {
    match p {
        ClusterPort::Named(n) => format!("{{destinationNamedPort: {}}}", quote(n)),
        ClusterPort::Port(pp) => {
            let proto = pp.protocol.as_str().to_lowercase();
            match pp.port {
                PortMatch::Range(a, b) if a == b => {
                    format!("{{{proto}: {{destinationPort: {{number: {a}}}}}}}")
                }
                PortMatch::Range(a, b) => {
                    format!("{{{proto}: {{destinationPort: {{range: {{start: {a}, end: {b}}}}}}}}}")
                }
                // Not produced by either loader (v1alpha2 has no "all ports of a protocol").
                PortMatch::All => {
                    format!("{{{proto}: {{destinationPort: {{range: {{start: 1, end: 65535}}}}}}}}")
                }
                PortMatch::Named(ref n) => format!("{{destinationNamedPort: {}}}", quote(n)),
            }
        }
    }
}

/// Make the first line of `lines` a list item with its dash at `indent`.
fn item(mut lines: Vec<String>, indent: usize) -> Vec<String> {
    if let Some(first) = lines.first_mut() {
        *first = format!("{}- {}", " ".repeat(indent), first.trim_start());
    }
    lines
}

/// Every v1alpha1 policy of the cluster, converted, as one YAML stream (in precedence
/// order). Policies already v1alpha2 are not repeated.
pub fn convert_all(policies: &[ClusterPolicy]) -> Result<String, Vec<ConvertError>> {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for p in policies.iter().filter(|p| p.kind.is_deprecated()) {
        match to_v1alpha2(p, &converted_name(p, policies)) {
            Ok(d) => docs.push(d),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(docs.join("---\n"))
    } else {
        Err(errors)
    }
}

/// The cluster with its v1alpha1 policies replaced by `converted` (the text
/// [`convert_all`] wrote), loaded back through the loader: what the proof compares with.
pub fn converted_cluster(cluster: &Cluster, converted: &str) -> Result<Cluster, Vec<Problem>> {
    let loaded = load_str("(converted)", converted, &LoadOptions::default());
    if !loaded.problems.is_empty() {
        return Err(loaded.problems);
    }
    let mut out = cluster.clone();
    out.cluster_policies.retain(|p| !p.kind.is_deprecated());
    out.cluster_policies.extend(loaded.cluster.cluster_policies);
    out.finish();
    Ok(out)
}
