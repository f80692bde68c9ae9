//! Node objects: their labels and addresses, which cluster policies' `nodes` peers match.

use super::decode::{index, join, Ctx};
use crate::model::Labels;
use crate::yaml::Node;

/// A Node: its labels and the IPs among `status.addresses`.
pub(crate) fn node(ctx: &mut Ctx, doc: &Node, name: String, labels: Labels) -> crate::model::Node {
    let mut addresses = Vec::new();
    if let Some(list) = doc.get("status").and_then(|s| s.get("addresses")) {
        for (i, a) in ctx.seq(list, "status.addresses").iter().enumerate() {
            let p = index("status.addresses", i);
            let Some(a) = ctx.map(a, &p) else { continue };
            let ty = a.get("type").and_then(Node::as_str).unwrap_or_default();
            if !matches!(ty, "InternalIP" | "ExternalIP") {
                continue;
            }
            let Some(n) = a.get("address") else { continue };
            let ap = join(&p, "address");
            let Some(s) = ctx.string(n, &ap) else {
                continue;
            };
            match s.parse() {
                Ok(ip) if !addresses.contains(&ip) => addresses.push(ip),
                Ok(_) => {}
                Err(_) => ctx.invalid(n, &ap, format!("`{s}` is not an IP address")),
            }
        }
    }
    crate::model::Node {
        name,
        labels,
        addresses,
        span: doc.span.clone(),
    }
}
