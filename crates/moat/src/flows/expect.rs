//! The proof of a recommendation: expectations for `moat check` holding every observed
//! connection as allowed and, as denied, every never-observed pair of the workloads seen
//! on the ports they were seen listening on, plus an outside address both ways.

use std::collections::HashSet;

use super::plan::Recommendation;
use crate::gen::{scalar, MANAGED_MARKER};
use crate::model::Protocol;

/// An address used by no flow (TEST-NET-1), standing for "somebody else".
pub const OUTSIDER_IP: &str = "192.0.2.1";

fn probe(out: &mut String, from: &str, to: &str, proto: Protocol, port: u16, allowed: bool) {
    out.push_str(&format!(
        "  - {{from: {}, to: {}, port: {port}, protocol: {proto}, allowed: {allowed}}}\n",
        scalar(from),
        scalar(to)
    ));
}

/// The expectations text.
pub fn expectations(rec: &Recommendation) -> String {
    let mut out = format!(
        "{MANAGED_MARKER} from {} (moat recommend): expectations proving the recommended policies\n# Observed connections must be allowed; pairs never observed must be denied.\nexpect:\n",
        rec.plan.files.join(", ")
    );
    let allowed: HashSet<(&str, &str, Protocol, u16)> = rec
        .allowed
        .iter()
        .map(|a| (a.from.as_str(), a.to.as_str(), a.protocol, a.port))
        .collect();
    out.push_str("  # observed (count of flows)\n");
    for a in &rec.allowed {
        out.push_str(&format!(
            "  # {} flows{}\n",
            a.count,
            if a.dns { ", allowed by allow-dns" } else { "" }
        ));
        probe(&mut out, &a.from, &a.to, a.protocol, a.port, true);
    }
    let dns_namespaces: HashSet<&str> = rec
        .plan
        .namespaces
        .iter()
        .filter(|n| n.dns && rec.plan.dns.is_some())
        .map(|n| n.name.as_str())
        .collect();
    out.push_str("  # never observed\n");
    for a in &rec.workloads {
        for b in &rec.workloads {
            if a.id == b.id || !(a.protected || b.protected) {
                continue;
            }
            for &(proto, port) in &b.listening {
                if allowed.contains(&(a.id.as_str(), b.id.as_str(), proto, port)) {
                    continue;
                }
                // allow-dns opens the cluster DNS to every pod of the namespace.
                let dns = b.dns
                    && port == 53
                    && matches!(proto, Protocol::Udp | Protocol::Tcp)
                    && dns_namespaces.contains(a.namespace.as_str());
                if !dns {
                    probe(&mut out, &a.id, &b.id, proto, port, false);
                }
            }
        }
    }
    for w in rec.workloads.iter().filter(|w| w.protected) {
        for &(proto, port) in &w.listening {
            probe(&mut out, OUTSIDER_IP, &w.id, proto, port, false);
        }
        probe(&mut out, &w.id, OUTSIDER_IP, Protocol::Tcp, 443, false);
    }
    out
}
