//! The report's data, as embedded in the HTML page (schema `moat.report/v1`).
//!
//! Index spaces, so that the page can look things up without names:
//! - a *node* is a workload (`workloads[i]`, node `i`) or an external address range
//!   (`externals[x]`, node `workloads.len() + x`);
//! - an *area* (namespace matrix) is a namespace (`namespaces[i]`, area `i`) or, as area
//!   `namespaces.len()`, every external range together;
//! - `portSets[k]` and `peerSets[k]` are interned: edges, cells and rules name them by index.
//!
//! Verdicts are decided here, by the library: an edge's port set is the matrix's. The page
//! only looks values up (a port in a set, a node in a peer set).

use std::collections::BTreeMap;

use serde::Serialize;

pub const SCHEMA: &str = "moat.report/v1";

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub schema: &'static str,
    /// `moat <version>`.
    pub tool: String,
    /// The paths the report was made from, as given.
    pub inputs: Vec<String>,
    pub totals: Totals,
    pub namespaces: Vec<NamespaceInfo>,
    pub workloads: Vec<Workload>,
    pub externals: Vec<External>,
    pub policies: Vec<PolicyInfo>,
    /// Cluster-wide policies (Admin and Baseline tiers); absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cluster_policies: Vec<ClusterPolicyInfo>,
    pub port_sets: Vec<PortSet>,
    /// Sorted, disjoint, inclusive node ranges `[first, last]`.
    pub peer_sets: Vec<Vec<[u32; 2]>>,
    /// Every allowed area-to-area connection (never cut).
    pub namespace_matrix: Vec<Cell>,
    /// Allowed node-to-node connections, by source node, then destination (cut by the budget:
    /// see `Budget::detail_namespaces`).
    pub edges: Vec<Edge>,
    pub findings: Vec<Finding>,
    pub budget: Budget,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub namespaces: u32,
    pub workloads: u32,
    /// Pods the workloads stand for (replicas counted).
    pub pods: u64,
    pub policies: u32,
    pub external_ranges: u32,
    /// Workloads no policy selects in either direction.
    pub unselected: u32,
    pub findings: SeverityCounts,
    /// Objects of kinds moat does not model, by kind.
    pub skipped: BTreeMap<String, u32>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts {
    pub error: u32,
    pub warning: u32,
    pub info: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceInfo {
    pub name: String,
    /// Whether a Namespace object was in the input (else only referenced).
    pub declared: bool,
    pub labels: BTreeMap<String, String>,
    pub workloads: u32,
    pub pods: u64,
    /// Workloads isolated for ingress (every pod of them).
    pub ingress_isolated: u32,
    pub egress_isolated: u32,
    /// Workloads that no policy selects.
    pub unselected: u32,
    /// The same three counts in pods (a workload's replicas, or its Pod objects).
    pub pods_ingress_isolated: u64,
    pub pods_egress_isolated: u64,
    pub pods_unselected: u64,
    pub default_deny: DefaultDeny,
    pub dns: DnsStatus,
    pub findings: SeverityCounts,
}

/// The policy (index) selecting every pod of the namespace for each direction, if any.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DefaultDeny {
    pub ingress: Option<u32>,
    pub egress: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DnsState {
    /// No workload here is isolated for egress: DNS is open, as is everything.
    Open,
    /// Every egress-isolated workload reaches DNS on UDP and TCP 53.
    Ok,
    /// Some reach it on UDP only (truncated answers fail over TCP).
    UdpOnly,
    /// Some reach it on neither (or TCP only).
    Blocked,
    /// Egress is isolated, but no DNS server pods are in the input to decide against.
    Unknown,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsStatus {
    pub state: DnsState,
    /// Egress-isolated workloads.
    pub isolated: u32,
    /// Of them, reaching a DNS server on UDP 53, and on TCP 53.
    pub udp: u32,
    pub tcp: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Workload {
    pub name: String,
    pub namespace: u32,
    pub kind: String,
    /// Pods it stands for (replicas of a workload, or its Pod objects).
    pub pods: u64,
    pub labels: BTreeMap<String, String>,
    pub ports: Vec<ContainerPortInfo>,
    pub host_network: bool,
    pub file: String,
    pub line: u32,
    pub ingress: Isolation,
    pub egress: Isolation,
    /// Indexes into `findings` about the workload itself (a policy's are on the policy).
    pub findings: Vec<u32>,
}

impl Workload {
    /// No policy applies to it in either direction: neither a NetworkPolicy that selects it
    /// nor a cluster-wide (Admin or Baseline) policy whose subject it is.
    pub fn unselected(&self) -> bool {
        [&self.ingress, &self.egress]
            .iter()
            .all(|side| side.policies.is_empty() && side.cluster.is_empty())
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ContainerPortInfo {
    pub name: Option<String>,
    pub protocol: &'static str,
    pub port: u16,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Isolation {
    /// Every pod of the workload is isolated for this direction.
    pub isolated: bool,
    /// The policies (indexes) that select it with this direction in their types.
    pub policies: Vec<u32>,
    /// The cluster policies (indexes into `clusterPolicies`) applying for this direction,
    /// in evaluation order: Admin tier first, each tier by precedence. The first rule
    /// whose peer and port match decides its tier. Absent when none applies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cluster: Vec<u32>,
}

/// A ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterPolicyInfo {
    /// `Admin` or `Baseline`.
    pub tier: &'static str,
    /// `Kind/name`.
    pub id: String,
    /// `priority 10`, or the singleton's words.
    pub priority: String,
    pub file: String,
    pub line: u32,
    /// Workloads it applies to (either direction).
    pub selects: u32,
    pub ingress: Vec<ClusterRuleInfo>,
    pub egress: Vec<ClusterRuleInfo>,
}

/// One rule of a cluster policy: what it matches (as a NetworkPolicy rule's data) and what
/// it decides.
#[derive(Clone, Debug, Serialize)]
pub struct ClusterRuleInfo {
    #[serde(flatten)]
    pub rule: RuleInfo,
    /// `Accept`, `Deny` or `Pass`.
    pub action: &'static str,
    /// The rule as the engine names a decision: `Admin ClusterNetworkPolicy/x (priority
    /// 10), egress[0] `name` Deny`.
    pub text: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct External {
    /// `10.0.0.0/8`, `0.0.0.0/0`, or `first-last`.
    pub name: String,
    /// Holds public addresses (not only private, loopback, link-local or shared ranges).
    pub internet: bool,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyInfo {
    pub name: String,
    pub namespace: u32,
    pub file: String,
    pub line: u32,
    /// Effective `policyTypes`.
    pub types: Vec<&'static str>,
    /// `policyTypes` was omitted and these were inferred.
    pub types_inferred: bool,
    /// Workloads it selects.
    pub selects: u32,
    pub ingress: Vec<RuleInfo>,
    pub egress: Vec<RuleInfo>,
    /// Indexes into `findings` about this policy.
    pub findings: Vec<u32>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleInfo {
    pub line: u32,
    /// Peer set (index) the rule admits; `None`: every peer.
    pub peers: Option<u32>,
    /// `None`: every port.
    pub ports: Option<Vec<RulePort>>,
}

/// One `ports` entry: an inclusive range, or a named port (resolved on the destination).
#[derive(Clone, Debug, Serialize)]
pub struct RulePort {
    pub protocol: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A set of ports: its text (`TCP 80,443; UDP 53`, `All`) and its ranges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortSet {
    pub text: String,
    /// `[protocol, first, last]`.
    pub ranges: Vec<(&'static str, u16, u16)>,
}

/// `[from node, to node, port set, uniform]`; `uniform` is 0 when the pods of the
/// workloads are not all allowed the same ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Edge(pub u32, pub u32, pub u32, pub u8);

/// `[from area, to area, port set, allowed pairs, pairs]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Cell(pub u32, pub u32, pub u32, pub u64, pub u64);

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub help: String,
    pub fix: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
    /// `Kind namespace/name`, when the finding concerns one object.
    pub object: Option<String>,
    /// The area (namespace) it concerns, when there is one.
    pub namespace: Option<u32>,
    /// The finding as `moat lint` prints it, code frame included.
    pub frame: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Budget {
    /// Most edges embedded.
    pub max_edges: u64,
    /// Edges embedded.
    pub edges: u64,
    /// When cut: the namespaces (areas) whose workloads have every edge embedded, from and
    /// to them. Empty when nothing was cut.
    pub detail_namespaces: Vec<u32>,
    /// Allowed endpoint pairs in all (with external ranges; self traffic left out), for scale.
    pub allowed_pairs: u64,
    pub cut: bool,
    /// What was cut, in words, when something was.
    pub note: Option<String>,
}
