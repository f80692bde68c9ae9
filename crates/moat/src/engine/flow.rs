//! Flows: who talks to whom, on which port.

use std::net::IpAddr;

use crate::model::Protocol;

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
