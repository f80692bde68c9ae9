use std::net::{IpAddr, Ipv4Addr};

use super::{rule_admits, rule_path};
use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::{Direction, PeerKind, Protocol};

pub struct EgressToMetadata;

/// The link-local instance metadata endpoint of AWS, GCP, Azure, OpenStack...
pub const METADATA_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254));

static META: RuleMeta = RuleMeta {
    id: "egress-to-metadata",
    default_severity: Severity::Warning,
    summary: "An egress rule allows TCP 80 to 169.254.169.254, the cloud metadata endpoint (for example `0.0.0.0/0` with no `except` for it).",
    why: "The metadata endpoint hands out the node's cloud credentials; a compromised pod that can reach it can often act as the node in the cloud account (the Capital One breach path).",
    example: "egress:\n  - to:\n      - ipBlock:\n          cidr: 0.0.0.0/0",
    fix: "Except the metadata address from broad blocks.\n\negress:\n  - to:\n      - ipBlock:\n          cidr: 0.0.0.0/0\n          except:\n            - 169.254.169.254/32",
};

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
                let (path, what, cidr) = match &r.peers {
                    None => (
                        base.clone(),
                        "`to` is omitted: every destination".to_string(),
                        None,
                    ),
                    Some(peers) => {
                        let hit = peers.iter().enumerate().find_map(|(i, x)| match &x.kind {
                            PeerKind::IpBlock(b) if b.set.contains(METADATA_IP) => Some((i, b)),
                            _ => None,
                        });
                        let Some((i, b)) = hit else { continue };
                        (
                            format!("{base}.to[{i}].ipBlock"),
                            format!("ipBlock {} contains it", b.cidr),
                            Some(b),
                        )
                    }
                };
                let fix = match cidr {
                    Some(b) => {
                        let mut s = format!("ipBlock:\n  cidr: {}\n  except:\n", b.cidr);
                        for e in &b.except {
                            s.push_str(&format!("    - {e}\n"));
                        }
                        s.push_str("    - 169.254.169.254/32\n");
                        s
                    }
                    None => "- to:\n    - ipBlock:\n        cidr: 0.0.0.0/0\n        except:\n          - 169.254.169.254/32\n".to_string(),
                };
                out.push(
                    Diagnostic::new(
                        META.id,
                        META.default_severity,
                        format!("egress rule allows TCP 80 to the cloud metadata endpoint 169.254.169.254 ({what})"),
                    )
                    .at(Some(cx.policy_ref(pid)), Some(p.span.clone()), path)
                    .label("includes 169.254.169.254")
                    .help("add `169.254.169.254/32` to `except` (or narrow the destination) so pods cannot fetch the node's cloud credentials")
                    .fix(fix),
                );
            }
        }
    }
}
