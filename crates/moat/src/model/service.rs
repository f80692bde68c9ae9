//! Services: not part of NetworkPolicy semantics (policies see pod ports), kept for lint
//! rules and to name what users think of as the destination.

use std::collections::BTreeMap;

use super::port::Protocol;
use crate::source::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetPort {
    Number(u16),
    Name(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: u16,
    /// Defaults to `port` when omitted, as in Kubernetes.
    pub target: TargetPort,
    pub protocol: Protocol,
    pub node_port: Option<u16>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    pub namespace: String,
    pub type_: String,
    /// `None` for a Service without selector (manually managed endpoints).
    pub selector: Option<BTreeMap<String, String>>,
    pub ports: Vec<ServicePort>,
    pub span: Span,
}
