//! Nodes: the targets of cluster policies' `nodes` peers, matched by their addresses.

use std::net::IpAddr;

use super::labels::Labels;
use crate::source::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub labels: Labels,
    /// IPs of `status.addresses` (InternalIP and ExternalIP entries).
    pub addresses: Vec<IpAddr>,
    pub span: Span,
}
