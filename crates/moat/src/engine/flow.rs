//! Flows: who talks to whom, on which port.

use std::net::IpAddr;

use crate::model::{Direction, Protocol};

/// One side of a flow: an endpoint of the input, or an address outside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Endpoint(usize),
    /// An IP that is no known pod's IP: external, with no policy of its own.
    External(IpAddr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Flow {
    pub src: Target,
    pub dst: Target,
    pub port: u16,
    pub protocol: Protocol,
}

/// One direction of a flow, as a tier sees it.
#[derive(Clone, Copy, Debug)]
pub struct SideQuery {
    pub direction: Direction,
    /// The endpoint whose policies apply: the source for egress, the destination for ingress.
    pub subject: usize,
    /// The other side of the flow.
    pub peer: Target,
    /// The destination (named ports resolve against it).
    pub dst: Target,
    pub port: u16,
    pub protocol: Protocol,
}
