//! NetworkPolicy (networking.k8s.io/v1), validated: a value of these types is one the API
//! server would accept.

use super::ipset::{Cidr, IpSet};
use super::port::PolicyPort;
use super::selector::LabelSelector;
use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }
    /// The field holding this direction's rules.
    pub fn field(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
    /// The field holding a rule's peers.
    pub fn peers_field(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }
}

/// The effective `policyTypes`, and whether they were written or inferred.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PolicyTypes {
    pub ingress: bool,
    pub egress: bool,
    /// `false` when `policyTypes` was omitted and these were inferred.
    pub explicit: bool,
}

impl PolicyTypes {
    pub fn has(&self, d: Direction) -> bool {
        match d {
            Direction::Ingress => self.ingress,
            Direction::Egress => self.egress,
        }
    }

    /// The API's rule for an omitted `policyTypes`: Ingress always, Egress iff there is
    /// at least one egress rule.
    pub fn inferred(egress_rules: usize) -> Self {
        PolicyTypes {
            ingress: true,
            egress: egress_rules > 0,
            explicit: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IpBlock {
    pub cidr: Cidr,
    pub except: Vec<Cidr>,
    /// `cidr` minus every `except`.
    pub set: IpSet,
}

/// One peer of a rule. A peer is either selectors or an ipBlock, never both.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PeerKind {
    /// `podSelector` and/or `namespaceSelector` (at least one). Both together mean AND.
    Selectors {
        namespace: Option<LabelSelector>,
        pod: Option<LabelSelector>,
    },
    IpBlock(IpBlock),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    pub kind: PeerKind,
    pub span: Span,
}

/// An ingress or egress rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// `None` when `from`/`to` is omitted or empty: the rule matches every peer.
    pub peers: Option<Vec<Peer>>,
    /// `None` when `ports` is omitted or empty: the rule matches every port.
    pub ports: Option<Vec<PolicyPort>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkPolicy {
    pub name: String,
    pub namespace: String,
    pub pod_selector: LabelSelector,
    pub policy_types: PolicyTypes,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
    /// Whether `spec.egress` / `spec.ingress` were written at all (even as `[]`).
    pub ingress_written: bool,
    pub egress_written: bool,
    pub span: Span,
    pub annotations: super::labels::Labels,
    pub labels: super::labels::Labels,
}

impl NetworkPolicy {
    pub fn rules(&self, d: Direction) -> &[Rule] {
        match d {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }

    /// `namespace/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}
