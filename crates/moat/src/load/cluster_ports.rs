//! The ports of cluster policies' rules: v1alpha1 `ports` (portNumber, portRange,
//! namedPort) and v1alpha2 `protocols` (tcp/udp/sctp destinationPort number or range,
//! destinationNamedPort), validated as their CRD schemas and CEL rules do.

use super::decode::{join, Ctx};
use crate::model::{port_name_error, ClusterPort, PolicyPort, PortMatch, Protocol};
use crate::yaml::Node;

fn port_number(ctx: &mut Ctx, node: &Node, path: &str) -> Option<u16> {
    let v = ctx.int(node, path)?;
    match u16::try_from(v) {
        Ok(p) if p >= 1 => Some(p),
        _ => {
            ctx.invalid(node, path, format!("port {v} is out of range 1-65535"));
            None
        }
    }
}

fn required<'n>(ctx: &mut Ctx, node: &'n Node, path: &str, key: &str) -> Option<&'n Node> {
    let n = node.get(key).filter(|n| !n.is_null());
    if n.is_none() {
        ctx.invalid(node, &join(path, key), "required field is missing");
    }
    n
}

fn protocol_field(ctx: &mut Ctx, node: &Node, path: &str) -> Option<Protocol> {
    match node.get("protocol").filter(|n| !n.is_null()) {
        None => Some(Protocol::Tcp),
        Some(n) => {
            let p = join(path, "protocol");
            let s = ctx.string(n, &p)?;
            let proto = Protocol::parse(&s);
            if proto.is_none() {
                ctx.invalid(
                    n,
                    &p,
                    format!("unsupported protocol `{s}`: must be TCP, UDP or SCTP (upper case)"),
                );
            }
            proto
        }
    }
}

/// A v1alpha1 `AdminNetworkPolicyPort`: exactly one of portNumber, namedPort, portRange.
pub(crate) fn port_v1(ctx: &mut Ctx, node: &Node, path: &str) -> Option<ClusterPort> {
    let node = ctx.map(node, path)?;
    let fields = ["portNumber", "namedPort", "portRange"];
    ctx.known_fields(node, path, &fields);
    let (field, value) = ctx.exactly_one(node, path, &fields)?;
    let p = join(path, field);
    match field {
        "namedPort" => named(ctx, value, &p),
        "portNumber" => {
            let value = ctx.map(value, &p)?;
            ctx.known_fields(value, &p, &["protocol", "port"]);
            let protocol = protocol_field(ctx, value, &p);
            let port = required(ctx, value, &p, "port")
                .and_then(|n| port_number(ctx, n, &join(&p, "port")));
            Some(ClusterPort::Port(PolicyPort {
                protocol: protocol?,
                port: PortMatch::Range(port?, port?),
            }))
        }
        _ => {
            let value = ctx.map(value, &p)?;
            ctx.known_fields(value, &p, &["protocol", "start", "end"]);
            let protocol = protocol_field(ctx, value, &p);
            range(ctx, value, &p, false).map(|(a, b)| {
                protocol.map(|protocol| {
                    ClusterPort::Port(PolicyPort {
                        protocol,
                        port: PortMatch::Range(a, b),
                    })
                })
            })?
        }
    }
}

fn named(ctx: &mut Ctx, node: &Node, path: &str) -> Option<ClusterPort> {
    let s = ctx.string(node, path)?;
    if let Some(e) = port_name_error(&s) {
        ctx.invalid(node, path, e);
        return None;
    }
    Some(ClusterPort::Named(s))
}

/// `start`..=`end`. v1alpha2's CEL requires start < end; v1alpha1 documents it without a
/// rule, and moat refuses only an empty range there.
fn range(ctx: &mut Ctx, node: &Node, path: &str, strict: bool) -> Option<(u16, u16)> {
    let start =
        required(ctx, node, path, "start").and_then(|n| port_number(ctx, n, &join(path, "start")));
    let end =
        required(ctx, node, path, "end").and_then(|n| port_number(ctx, n, &join(path, "end")));
    let (start, end) = (start?, end?);
    if start > end || (strict && start == end) {
        let at = node.get("end").unwrap_or(node);
        ctx.invalid(
            at,
            &join(path, "end"),
            format!("start port {start} must be less than end port {end}"),
        );
        return None;
    }
    Some((start, end))
}

/// A v1alpha2 `ClusterNetworkPolicyProtocol`: exactly one of tcp, udp, sctp,
/// destinationNamedPort; a protocol holds `destinationPort` with a number or a range.
pub(crate) fn protocol_v2(ctx: &mut Ctx, node: &Node, path: &str) -> Option<ClusterPort> {
    let node = ctx.map(node, path)?;
    let fields = ["tcp", "udp", "sctp", "destinationNamedPort"];
    ctx.known_fields(node, path, &fields);
    let (field, value) = ctx.exactly_one(node, path, &fields)?;
    let p = join(path, field);
    let protocol = match field {
        "destinationNamedPort" => return named(ctx, value, &p),
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        _ => Protocol::Sctp,
    };
    let value = ctx.map(value, &p)?;
    ctx.known_fields(value, &p, &["destinationPort"]);
    let Some(dp) = value.get("destinationPort").filter(|n| !n.is_null()) else {
        ctx.invalid(
            value,
            &join(&p, "destinationPort"),
            "required: a protocol entry must set destinationPort (number or range)",
        );
        return None;
    };
    let dpp = join(&p, "destinationPort");
    let dp = ctx.map(dp, &dpp)?;
    ctx.known_fields(dp, &dpp, &["number", "range"]);
    let (which, v) = ctx.exactly_one(dp, &dpp, &["number", "range"])?;
    let vp = join(&dpp, which);
    let (a, b) = if which == "number" {
        let n = port_number(ctx, v, &vp)?;
        (n, n)
    } else {
        let v = ctx.map(v, &vp)?;
        ctx.known_fields(v, &vp, &["start", "end"]);
        range(ctx, v, &vp, true)?
    };
    Some(ClusterPort::Port(PolicyPort {
        protocol,
        port: PortMatch::Range(a, b),
    }))
}
