//! What moat reads from one flow: ports, protocol, direction, whether it starts a
//! connection, and when it was seen.

use std::time::SystemTime;

use super::parse::HubbleFlow;
use crate::model::{Direction, Protocol};

/// The transport of a flow: protocol, source port, destination port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transport {
    pub protocol: Protocol,
    pub source_port: u16,
    pub destination_port: u16,
}

/// TCP, UDP or SCTP with its ports; `None` for ICMP and flows without layer 4 (which
/// NetworkPolicy cannot express). A port above 65535 is no port: `None` too.
pub fn transport(flow: &HubbleFlow) -> Option<Transport> {
    let l4 = flow.l4.as_ref()?;
    let (protocol, s, d) = if let Some(t) = &l4.tcp {
        (Protocol::Tcp, t.source_port, t.destination_port)
    } else if let Some(u) = &l4.udp {
        (Protocol::Udp, u.source_port, u.destination_port)
    } else if let Some(s) = &l4.sctp {
        (Protocol::Sctp, s.source_port, s.destination_port)
    } else {
        return None;
    };
    Some(Transport {
        protocol,
        source_port: u16::try_from(s).ok()?,
        destination_port: u16::try_from(d).ok().filter(|&p| p > 0)?,
    })
}

/// Whether the flow is the reply direction of a connection: `is_reply` when Hubble
/// knows it; else the deprecated `reply` when true; else TCP flags (SYN+ACK answers, a
/// bare SYN opens); else unknown.
pub fn is_reply(flow: &HubbleFlow) -> Option<bool> {
    if let Some(r) = flow.is_reply {
        return Some(r);
    }
    if flow.reply == Some(true) {
        return Some(true);
    }
    let flags = flow.l4.as_ref()?.tcp.as_ref()?.flags.as_ref()?;
    match (flags.SYN, flags.ACK) {
        (true, true) => Some(true),
        (true, false) => Some(false),
        _ => None,
    }
}

/// `traffic_direction`, when Hubble says.
pub fn direction(flow: &HubbleFlow) -> Option<Direction> {
    match flow.traffic_direction.as_deref() {
        Some("INGRESS") => Some(Direction::Ingress),
        Some("EGRESS") => Some(Direction::Egress),
        _ => None,
    }
}

/// The flow's time (protojson prints `google.protobuf.Timestamp` as RFC 3339 in UTC).
pub fn time(s: Option<&str>) -> Option<SystemTime> {
    humantime::parse_rfc3339(s?).ok()
}

/// The first ephemeral port of Linux (`net.ipv4.ip_local_port_range` starts at 32768):
/// a destination port at or above it that no container declares is taken to be the
/// client side of a reply, never a port to allow.
pub const EPHEMERAL_START: u16 = 32768;

/// Whether a Hubble drop reason is a policy decision (rather than a datapath error).
pub fn is_policy_drop(reason: Option<&str>) -> bool {
    matches!(
        reason,
        None | Some("POLICY_DENIED") | Some("POLICY_DENY") | Some("DROP_REASON_UNKNOWN")
    )
}
