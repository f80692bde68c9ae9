use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{rule_admits, rule_path};
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::{
    Direction, IpBlock, PeerKind, PolicyPort, PortMatch, Protocol, Rule as PolicyRule,
};

pub struct EgressToMetadata;

/// The link-local instance metadata endpoint of AWS, GCP, Azure, OpenStack...
pub const METADATA_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254));

/// AWS's IPv6 instance metadata endpoint (IMDS on Nitro instances).
pub const METADATA_IP6: IpAddr = IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254));

/// The `except` entry that shuts out each metadata address, with a comment for the
/// one that only exists on AWS.
fn except_entry(addr: IpAddr) -> &'static str {
    match addr {
        IpAddr::V4(_) => "169.254.169.254/32",
        IpAddr::V6(_) => "fd00:ec2::254/128  # AWS's IPv6 metadata endpoint",
    }
}

static META: RuleMeta = RuleMeta {
    id: "egress-to-metadata",
    default_severity: Severity::Warning,
    summary: "An egress rule allows TCP 80 to the cloud metadata endpoint, 169.254.169.254 (or AWS's fd00:ec2::254): for example `0.0.0.0/0` with no `except` for it, or an egress rule without `to`.",
    why: "The metadata endpoint hands out the node's cloud credentials; a compromised pod that can reach it can often act as the node in the cloud account (the Capital One breach path).",
    example: "egress:\n  - to:\n      - ipBlock:\n          cidr: 0.0.0.0/0",
    fix: "Except the metadata addresses from broad blocks, for both address families (`fd00:ec2::254` is AWS's IPv6 endpoint). An egress rule without `to` also reaches every pod: keep that with `namespaceSelector: {}`.\n\negress:\n  - to:\n      - ipBlock:\n          cidr: 0.0.0.0/0\n          except:\n            - 169.254.169.254/32\n      - ipBlock:\n          cidr: ::/0\n          except:\n            - fd00:ec2::254/128",
};

/// What the rule's ports let through, in words: the ports that reach the endpoint's TCP 80.
fn ports_text(r: &PolicyRule) -> String {
    match &r.ports {
        None => "every port and protocol".to_string(),
        Some(ports) => {
            let shown: Vec<String> = ports
                .iter()
                .filter(|p| super::port_admits(p, Protocol::Tcp, 80))
                .map(|p| match p.port {
                    PortMatch::All => "every TCP port".to_string(),
                    _ => p.to_string(),
                })
                .collect();
            shown.join(", ")
        }
    }
}

/// The rule's `ports`, as YAML lines under a rule item at `indent`.
fn ports_yaml(ports: &[PolicyPort], indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut s = format!("{pad}ports:\n");
    for p in ports {
        s.push_str(&format!("{pad}  - protocol: {}\n", p.protocol));
        match &p.port {
            PortMatch::All => {}
            PortMatch::Range(a, b) => {
                s.push_str(&format!("{pad}    port: {a}\n"));
                if a != b {
                    s.push_str(&format!("{pad}    endPort: {b}\n"));
                }
            }
            PortMatch::Named(n) => s.push_str(&format!("{pad}    port: {n}\n")),
        }
    }
    s
}

/// An ipBlock with `except` entries added for the metadata addresses it holds.
fn block_yaml(b: &IpBlock, hits: &[IpAddr]) -> String {
    let mut s = format!("ipBlock:\n  cidr: {}\n  except:\n", b.cidr);
    for e in &b.except {
        s.push_str(&format!("    - {e}\n"));
    }
    for &a in hits {
        s.push_str(&format!("    - {}\n", except_entry(a)));
    }
    s
}

/// The same rule with `to` written out: every pod as before, every address but the
/// metadata endpoints, in both families.
fn every_destination_yaml(r: &PolicyRule) -> String {
    let mut s = String::from(
        "- to:\n    - namespaceSelector: {}  # every pod, as before\n    - ipBlock:\n        cidr: 0.0.0.0/0\n        except:\n          - 169.254.169.254/32\n    - ipBlock:\n        cidr: ::/0\n        except:\n          - ",
    );
    s.push_str(except_entry(METADATA_IP6));
    s.push('\n');
    if let Some(ports) = &r.ports {
        s.push_str(&ports_yaml(ports, 2));
    }
    s
}

impl Rule for EgressToMetadata {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for (pid, p) in cx.policies() {
            if !p.policy_types.egress {
                continue;
            }
            for (ri, r) in p.egress.iter().enumerate() {
                if !rule_admits(r, Protocol::Tcp, 80) {
                    continue;
                }
                let base = rule_path(Direction::Egress, ri);
                let allowed = ports_text(r);
                let (path, message, label, help, fix) = match &r.peers {
                    None => (
                        base.clone(),
                        format!("egress rule allows {allowed} to the cloud metadata endpoints 169.254.169.254 and (on AWS) fd00:ec2::254: `to` is omitted, so every destination"),
                        "every destination, the metadata endpoint too".to_string(),
                        "write `to` out: every pod (`namespaceSelector: {}`) and every address except `169.254.169.254/32` and `fd00:ec2::254/128`, for IPv4 and IPv6 (`::/0`), so pods cannot fetch the node's cloud credentials".to_string(),
                        every_destination_yaml(r),
                    ),
                    Some(peers) => {
                        // The first peer holding a metadata address, and which ones it holds.
                        let hit = peers.iter().enumerate().find_map(|(i, x)| match &x.kind {
                            PeerKind::IpBlock(b) => {
                                let hits: Vec<IpAddr> = [METADATA_IP, METADATA_IP6]
                                    .into_iter()
                                    .filter(|&a| b.set.contains(a))
                                    .collect();
                                (!hits.is_empty()).then_some((i, b, hits))
                            }
                            _ => None,
                        });
                        let Some((i, b, hits)) = hit else { continue };
                        let addrs: Vec<String> = hits.iter().map(|a| a.to_string()).collect();
                        let entries: Vec<String> = hits
                            .iter()
                            .map(|&a| format!("`{}`", except_entry(a).split_whitespace().next().unwrap_or_default()))
                            .collect();
                        (
                            format!("{base}.to[{i}].ipBlock"),
                            format!(
                                "egress rule allows {allowed} to the cloud metadata endpoint {} (ipBlock {} contains it)",
                                addrs.join(" and "),
                                b.cidr
                            ),
                            format!("includes {}", addrs.join(" and ")),
                            format!("add {} to `except` (or narrow the destination) so pods cannot fetch the node's cloud credentials", entries.join(" and ")),
                            block_yaml(b, &hits),
                        )
                    }
                };
                out.push(
                    Diagnostic::new(META.id, META.default_severity, message)
                        .at(Some(cx.policy_ref(pid)), Some(p.span.clone()), path)
                        .label(label)
                        .help(help)
                        .fix(fix),
                );
            }
        }
    }
}
