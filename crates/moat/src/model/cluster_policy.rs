//! Cluster-scoped policies of the network-policy-api (policy.networking.k8s.io): v1alpha2
//! ClusterNetworkPolicy and its v1alpha1 predecessors AdminNetworkPolicy and
//! BaselineAdminNetworkPolicy, in one validated form. Both generations load into it; the
//! kind each came from is kept for explain, lint and `convert`.

use std::fmt;

use super::ipset::{Cidr, IpSet};
use super::labels::Labels;
use super::port::PolicyPort;
use super::selector::LabelSelector;
use crate::source::Span;

/// The tier a cluster policy belongs to. Admin decides before NetworkPolicy, Baseline after.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClusterTier {
    Admin,
    Baseline,
}

impl ClusterTier {
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterTier::Admin => "Admin",
            ClusterTier::Baseline => "Baseline",
        }
    }
}

impl fmt::Display for ClusterTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's action. v1alpha1's `Allow` is v1alpha2's `Accept`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Accept,
    Deny,
    /// Skip the rest of this tier: the next tier decides.
    Pass,
}

impl Action {
    /// The v1alpha2 spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "Accept",
            Action::Deny => "Deny",
            Action::Pass => "Pass",
        }
    }

    /// The spelling of the generation `kind` belongs to (`Allow` in v1alpha1).
    pub fn spelled_for(self, kind: ClusterPolicyKind) -> &'static str {
        match (self, kind) {
            (Action::Accept, ClusterPolicyKind::ClusterNetworkPolicy) => "Accept",
            (Action::Accept, _) => "Allow",
            (a, _) => a.as_str(),
        }
    }
}

/// Which API object a cluster policy was loaded from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClusterPolicyKind {
    /// policy.networking.k8s.io/v1alpha2.
    ClusterNetworkPolicy,
    /// policy.networking.k8s.io/v1alpha1 (superseded by ClusterNetworkPolicy tier Admin).
    AdminNetworkPolicy,
    /// policy.networking.k8s.io/v1alpha1 (superseded by ClusterNetworkPolicy tier Baseline).
    BaselineAdminNetworkPolicy,
}

impl ClusterPolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterPolicyKind::ClusterNetworkPolicy => "ClusterNetworkPolicy",
            ClusterPolicyKind::AdminNetworkPolicy => "AdminNetworkPolicy",
            ClusterPolicyKind::BaselineAdminNetworkPolicy => "BaselineAdminNetworkPolicy",
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            ClusterPolicyKind::ClusterNetworkPolicy => "policy.networking.k8s.io/v1alpha2",
            _ => "policy.networking.k8s.io/v1alpha1",
        }
    }

    /// v1alpha1 objects: upstream removed them from its CRD channels for v1alpha2.
    pub fn is_deprecated(self) -> bool {
        self != ClusterPolicyKind::ClusterNetworkPolicy
    }

    pub fn parse(kind: &str) -> Option<Self> {
        match kind {
            "ClusterNetworkPolicy" => Some(ClusterPolicyKind::ClusterNetworkPolicy),
            "AdminNetworkPolicy" => Some(ClusterPolicyKind::AdminNetworkPolicy),
            "BaselineAdminNetworkPolicy" => Some(ClusterPolicyKind::BaselineAdminNetworkPolicy),
            _ => None,
        }
    }
}

/// The pods a cluster policy applies to (host-network pods never are).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// Every pod of the namespaces the selector matches.
    Namespaces(LabelSelector),
    /// The pods matching `pod` in the namespaces matching `namespace`.
    Pods {
        namespace: LabelSelector,
        pod: LabelSelector,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClusterPeerKind {
    /// Every pod (host-network ones excluded) of the matching namespaces.
    Namespaces(LabelSelector),
    /// Matching pods (host-network ones excluded) in matching namespaces.
    Pods {
        namespace: LabelSelector,
        pod: LabelSelector,
    },
    /// CIDRs (egress only); they match pod IPs too.
    Networks { cidrs: Vec<Cidr>, set: IpSet },
    /// The addresses of the matching Node objects (egress only).
    Nodes(LabelSelector),
    /// FQDNs (egress only, Accept only). Matched by DNS name, which an offline analysis
    /// cannot resolve: such a peer matches no address.
    DomainNames(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterPeer {
    pub kind: ClusterPeerKind,
    pub span: Span,
}

/// One entry of a rule's ports (v1alpha1 `ports`, v1alpha2 `protocols`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClusterPort {
    /// A protocol with a port or port range.
    Port(PolicyPort),
    /// A named container port of the destination, whatever its protocol.
    Named(String),
}

impl fmt::Display for ClusterPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClusterPort::Port(p) => write!(f, "{p}"),
            ClusterPort::Named(n) => write!(f, "named port `{n}`"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterRule {
    pub name: Option<String>,
    pub action: Action,
    /// `from` / `to`: never empty.
    pub peers: Vec<ClusterPeer>,
    /// `None`: every port of every protocol.
    pub ports: Option<Vec<ClusterPort>>,
    pub span: Span,
}

impl ClusterRule {
    /// `` `name` `` after a space, for messages; empty when the rule has no name.
    pub fn name_suffix(&self) -> String {
        match &self.name {
            Some(n) => format!(" `{n}`"),
            None => String::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterPolicy {
    pub name: String,
    pub kind: ClusterPolicyKind,
    pub tier: ClusterTier,
    /// 0-1000, lower first. `None` for a BaselineAdminNetworkPolicy (a singleton).
    pub priority: Option<u16>,
    pub subject: Subject,
    pub ingress: Vec<ClusterRule>,
    pub egress: Vec<ClusterRule>,
    pub span: Span,
    pub labels: Labels,
    pub annotations: Labels,
}

impl ClusterPolicy {
    pub fn rules(&self, d: super::Direction) -> &[ClusterRule] {
        match d {
            super::Direction::Ingress => &self.ingress,
            super::Direction::Egress => &self.egress,
        }
    }

    /// `Kind/name`, as kubectl names cluster-scoped objects.
    pub fn id(&self) -> String {
        format!("{}/{}", self.kind.as_str(), self.name)
    }

    /// Precedence within the tier: priority (a BANP after every priority), then name, then
    /// kind. The API leaves the order of equal priorities to the implementation; moat fixes
    /// one so that answers are reproducible, and `lint` warns where it matters.
    pub fn precedence(&self) -> (ClusterTier, u32, &str, ClusterPolicyKind) {
        (
            self.tier,
            self.priority.map_or(u32::MAX, u32::from),
            &self.name,
            self.kind,
        )
    }

    /// `priority 10`, or `singleton` for a BaselineAdminNetworkPolicy.
    pub fn priority_text(&self) -> String {
        match self.priority {
            Some(p) => format!("priority {p}"),
            None => "no priority (singleton)".to_string(),
        }
    }
}
