//! Writing model values back as YAML (corrected snippets in diagnostics, `moat convert`):
//! deterministic text, every scalar quoted when a YAML reader would retype it.

use crate::model::{LabelSelector, Operator};

/// A plain scalar when that reads back as the same string, else a double-quoted one.
pub fn quote(s: &str) -> String {
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
    // `k In (v)` reads back from matchLabels, but a key may appear there only once: a
    // second requirement on the same key stays an expression.
    let mut labels = Vec::new();
    let mut exprs = Vec::new();
    for r in &sel.requirements {
        let single = r.op == Operator::In && r.values.len() == 1;
        if single
            && !labels
                .iter()
                .any(|l: &&crate::model::Requirement| l.key == r.key)
        {
            labels.push(r);
        } else {
            exprs.push(r);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Requirement;

    #[test]
    fn a_key_required_twice_is_written_once_in_match_labels() {
        let req = |v: &str| Requirement {
            key: "env".into(),
            op: Operator::In,
            values: vec![v.into()],
        };
        let sel = LabelSelector {
            requirements: vec![req("prod"), req("dev")],
        };
        let text = selector_lines(&sel, 0).join("\n");
        assert_eq!(text.matches("env").count(), 2, "{text}");
        assert!(text.contains("matchLabels:\n  env: prod"), "{text}");
        assert!(
            text.contains("matchExpressions:\n  - key: env\n    operator: In\n    values: [dev]"),
            "{text}"
        );
    }
}
