//! Writing model values back as YAML, for the corrected snippets in diagnostics.

use crate::model::PeerKind;
pub use crate::yaml::write::{selector_field, selector_lines};

/// One list item of peers (`- namespaceSelector: ...`), its dash at `indent`.
pub fn peer_item(kind: &PeerKind, indent: usize) -> Vec<String> {
    let mut lines = Vec::new();
    match kind {
        PeerKind::Selectors { namespace, pod } => {
            if let Some(ns) = namespace {
                lines.extend(selector_field("namespaceSelector", ns, indent + 2));
            }
            if let Some(p) = pod {
                lines.extend(selector_field("podSelector", p, indent + 2));
            }
        }
        PeerKind::IpBlock(b) => {
            lines.push(format!("{}ipBlock:", " ".repeat(indent + 2)));
            lines.push(format!("{}cidr: {}", " ".repeat(indent + 4), b.cidr));
            if !b.except.is_empty() {
                lines.push(format!("{}except:", " ".repeat(indent + 4)));
                for e in &b.except {
                    lines.push(format!("{}- {}", " ".repeat(indent + 6), e));
                }
            }
        }
    }
    if let Some(first) = lines.first_mut() {
        let body = first.trim_start().to_string();
        *first = format!("{}- {}", " ".repeat(indent), body);
    }
    lines
}
