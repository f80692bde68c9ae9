//! Writing model values back as YAML, for the corrected snippets in diagnostics.

use crate::model::{LabelSelector, Operator, PeerKind};

fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && !matches!(
            s,
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "~"
        )
        && s.parse::<f64>().is_err();
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// A selector as the lines of its YAML mapping body, indented by `indent` spaces.
pub fn selector_lines(sel: &LabelSelector, indent: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    let mut out = Vec::new();
    let (labels, exprs): (Vec<_>, Vec<_>) = sel
        .requirements
        .iter()
        .partition(|r| r.op == Operator::In && r.values.len() == 1);
    if !labels.is_empty() {
        out.push(format!("{pad}matchLabels:"));
        for r in labels {
            out.push(format!("{pad}  {}: {}", quote(&r.key), quote(&r.values[0])));
        }
    }
    if !exprs.is_empty() {
        out.push(format!("{pad}matchExpressions:"));
        for r in exprs {
            out.push(format!("{pad}  - key: {}", quote(&r.key)));
            out.push(format!("{pad}    operator: {}", r.op.as_str()));
            if !r.values.is_empty() {
                let vals: Vec<String> = r.values.iter().map(|v| quote(v)).collect();
                out.push(format!("{pad}    values: [{}]", vals.join(", ")));
            }
        }
    }
    out
}

/// `key:` followed by the selector, or `key: {}` for the empty one.
pub fn selector_field(key: &str, sel: &LabelSelector, indent: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    if sel.is_empty() {
        return vec![format!("{pad}{key}: {{}}")];
    }
    let mut out = vec![format!("{pad}{key}:")];
    out.extend(selector_lines(sel, indent + 2));
    out
}

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
