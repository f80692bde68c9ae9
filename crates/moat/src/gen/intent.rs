//! The intent, resolved: who exists, who may talk to whom, and where each rule came from.
//!
//! The parser ([`super::parse`]) turns intent files into a [`Plan`]; by then every name is
//! resolved, every port checked against its declaration and every default applied, so the
//! generators never meet an unknown name or an unvalidated value.

use crate::model::{Cidr, Labels, Protocol};
use crate::source::Span;

/// Where a rule came from: the intent file (base name, so that output does not depend
/// on the directory `moat gen` ran in), the line, and the line's text. `at` is the full
/// position, for error messages only.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    pub file: String,
    pub line: u32,
    pub text: String,
    pub at: Span,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.text)
    }
}

/// A port as declared on a service or written in a flow.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PortValue {
    /// `port`..=`end` (one port when equal).
    Range(u16, u16),
    /// A container port name, resolved by the CNI against the destination pod.
    Named(String),
}

/// One port of a grant or a declaration.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Port {
    pub protocol: Protocol,
    pub value: PortValue,
}

/// A listening port of a service: a number, a name, or both (`metrics:9090`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredPort {
    pub name: Option<String>,
    pub number: Option<u16>,
    pub protocol: Protocol,
}

impl DeclaredPort {
    /// What a policy says for this port: the number when known (exact, and mergeable
    /// into ranges), else the name.
    pub fn as_port(&self) -> Port {
        let value = match (self.number, &self.name) {
            (Some(n), _) => PortValue::Range(n, n),
            (None, Some(name)) => PortValue::Named(name.clone()),
            // The parser never builds a port with neither; a harmless fallback.
            (None, None) => PortValue::Range(0, 0),
        };
        Port {
            protocol: self.protocol,
            value,
        }
    }
}

impl std::fmt::Display for DeclaredPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.name, self.number) {
            (Some(n), Some(p)) => write!(f, "{n}:{p}")?,
            (Some(n), None) => write!(f, "{n}")?,
            (None, Some(p)) => write!(f, "{p}")?,
            (None, None) => {}
        }
        if self.protocol != Protocol::Tcp {
            write!(f, "/{}", self.protocol)?;
        }
        Ok(())
    }
}

/// Whether a namespace or service is isolated in each direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Isolation {
    pub ingress: bool,
    pub egress: bool,
}

impl Isolation {
    pub const BOTH: Isolation = Isolation {
        ingress: true,
        egress: true,
    };
}

/// A namespace the intent protects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Namespace {
    pub name: String,
    pub isolate: Isolation,
    pub dns: bool,
    pub origin: Origin,
}

/// A service of a protected namespace: the pods of `selector` in `namespace`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub namespace: String,
    pub name: String,
    pub selector: Labels,
    pub ports: Vec<DeclaredPort>,
    /// Effective isolation (the service's own setting, else its namespace's).
    pub isolate: Isolation,
    /// Keep the cloud metadata address reachable through broad CIDR grants.
    pub allow_metadata: bool,
    pub origin: Origin,
}

impl Service {
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Something outside the protected namespaces that flows may name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerKind {
    /// Every pod of a namespace.
    Namespace(String),
    /// The pods of `selector` in `namespace`.
    Pods { namespace: String, selector: Labels },
    /// Addresses outside the cluster.
    Cidr(Cidr),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    pub name: String,
    pub kind: PeerKind,
    /// Ports the peer listens on (used for negative probes towards it).
    pub ports: Vec<DeclaredPort>,
    pub origin: Origin,
}

/// One side of a grant.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Party {
    /// Index into [`Plan::services`].
    Service(usize),
    /// Index into [`Plan::peers`].
    Peer(usize),
    /// The monitoring scraper.
    Scraper,
}

/// One allowed flow, after resolution: `from` may open connections to `to` on `ports`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub from: Party,
    pub to: Party,
    pub ports: Vec<Port>,
    pub origin: Origin,
}

/// The cluster DNS: a namespace and the labels of its pods (one AND peer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dns {
    pub namespace: String,
    pub selector: Labels,
    pub origin: Option<Origin>,
}

impl Default for Dns {
    fn default() -> Self {
        let mut selector = Labels::new();
        selector.insert("k8s-app".into(), "kube-dns".into());
        Dns {
            namespace: "kube-system".into(),
            selector,
            origin: None,
        }
    }
}

/// The monitoring scraper, allowed into every service declaring a port named `port`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Monitoring {
    pub namespace: String,
    pub selector: Labels,
    /// The name of the metrics port services declare.
    pub port: String,
    pub origin: Origin,
}

/// Everything `moat gen` needs, validated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Base names of the intent files, for headers.
    pub files: Vec<String>,
    /// `None` when DNS is turned off for the whole intent.
    pub dns: Option<Dns>,
    pub monitoring: Option<Monitoring>,
    /// Sorted by name.
    pub namespaces: Vec<Namespace>,
    /// In intent order within each namespace; namespaces in name order.
    pub services: Vec<Service>,
    pub peers: Vec<Peer>,
    pub grants: Vec<Grant>,
}

impl Plan {
    pub fn namespace(&self, name: &str) -> Option<&Namespace> {
        self.namespaces.iter().find(|n| n.name == name)
    }

    pub fn services_in<'a>(
        &'a self,
        ns: &'a str,
    ) -> impl Iterator<Item = (usize, &'a Service)> + 'a {
        self.services
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.namespace == ns)
    }

    /// Human name of a party, as flows write it.
    pub fn party_name(&self, p: &Party) -> String {
        match p {
            Party::Service(i) => self.services[*i].id(),
            Party::Peer(i) => self.peers[*i].name.clone(),
            Party::Scraper => "monitoring".to_string(),
        }
    }

    /// Whether the DNS rule of `ns` lives in a namespace-wide `allow-dns` policy (the
    /// namespace isolates egress) rather than in each isolated service's egress policy.
    pub fn dns_policy_in(&self, ns: &Namespace) -> bool {
        self.dns.is_some() && ns.dns && ns.isolate.egress
    }
}
