//! What tiers read: the model and its compiled form, with the matching primitives (peers,
//! ports, rules) that every tier and view shares.

use super::compile::{Compiled, CompiledRule, PeerSet, PolicyId};
use super::flow::{SideQuery, Target};
use crate::model::{Cluster, Direction, PolicyPort, PortMatch, Protocol};

/// What tiers read: the model and its compiled form.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub cluster: &'a Cluster,
    pub compiled: &'a Compiled,
}

impl<'a> View<'a> {
    /// The policies that isolate `subject` for `d`. hostNetwork pods are never isolated:
    /// their traffic is node traffic, which implementations do not police.
    pub fn isolating(&self, d: Direction, subject: usize) -> &'a [PolicyId] {
        if self.cluster.endpoints[subject].host_network {
            return &[];
        }
        self.compiled.policies_for(d, subject)
    }

    pub fn peer_matches(&self, set: &PeerSet, peer: Target) -> bool {
        match (set, peer) {
            (PeerSet::Endpoints(bits), Target::Endpoint(e)) => bits.contains(e),
            (PeerSet::Endpoints(_), Target::External(_)) => false,
            // ipBlock matches pods only through their known IPs.
            (PeerSet::Ips(ips), Target::Endpoint(e)) => self.cluster.endpoints[e]
                .ips
                .iter()
                .any(|ip| ips.contains(*ip)),
            (PeerSet::Ips(ips), Target::External(ip)) => ips.contains(ip),
        }
    }

    /// Whether one `ports` entry matches; named ports resolve against the destination.
    pub fn port_matches(&self, p: &PolicyPort, dst: Target, port: u16, protocol: Protocol) -> bool {
        if p.protocol != protocol {
            return false;
        }
        match &p.port {
            PortMatch::All => true,
            PortMatch::Range(a, b) => *a <= port && port <= *b,
            PortMatch::Named(name) => match dst {
                Target::Endpoint(e) => {
                    self.cluster.endpoints[e].named_port(name, protocol) == Some(port)
                }
                Target::External(_) => false,
            },
        }
    }

    pub fn rule_matches(&self, r: &CompiledRule, q: &SideQuery) -> bool {
        let peer_ok = match &r.peers {
            None => true,
            Some(peers) => peers.iter().any(|s| self.peer_matches(s, q.peer)),
        };
        peer_ok
            && match &r.ports {
                None => true,
                Some(ports) => ports
                    .iter()
                    .any(|p| self.port_matches(p, q.dst, q.port, q.protocol)),
            }
    }
}
