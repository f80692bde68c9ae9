//! One object laid out as block YAML: the loader's tree, each node's span at the line and
//! column where the object's YAML text has it, and that text when it is wanted (snapshot,
//! lint's code frames). Every scalar takes one line (strings with line breaks are written
//! double-quoted with escapes), so positions are known while writing.

use std::sync::Arc;

use moat::gen::scalar;
use moat::source::Span;
use moat::yaml::{Node, Value};
use serde_json::{Map, Value as Json};

struct Writer {
    file: Arc<str>,
    text: String,
    line: u32,
    /// Byte length of `text` where the current line starts.
    line_start: usize,
}

/// The tree of one object, and its YAML text (one document, no `---`).
pub(crate) fn lay_out(file: Arc<str>, object: Map<String, Json>) -> (Node, String) {
    let mut w = Writer {
        file,
        text: String::new(),
        line: 1,
        line_start: 0,
    };
    let tree = if object.is_empty() {
        w.inline_empty(&Json::Object(object))
    } else {
        w.map(object, 0)
    };
    w.text.push('\n');
    (tree, w.text)
}

impl Writer {
    fn here(&self) -> Span {
        // Columns count characters, as the YAML parser's do.
        let col = self.text[self.line_start..].chars().count() as u32 + 1;
        Span::new(self.file.clone(), self.line, col)
    }

    fn newline(&mut self, indent: usize) {
        self.text.push('\n');
        self.line += 1;
        self.line_start = self.text.len();
        self.text.extend(std::iter::repeat_n(' ', indent));
    }

    fn scalar(&mut self, json: Json) -> Node {
        let span = self.here();
        let value = match json {
            Json::Null => {
                self.text.push_str("null");
                Value::Null
            }
            Json::Bool(b) => {
                self.text.push_str(if b { "true" } else { "false" });
                Value::Bool(b)
            }
            Json::Number(n) => match n.as_i64() {
                Some(i) => {
                    self.text.push_str(&i.to_string());
                    Value::Int(i)
                }
                None => {
                    let f = n.as_f64().unwrap_or(f64::NAN);
                    self.text.push_str(&format!("{f:?}"));
                    Value::Float(f)
                }
            },
            Json::String(s) => {
                self.text.push_str(&scalar(&s));
                Value::Str(s)
            }
            Json::Array(_) | Json::Object(_) => unreachable!("collections are laid out as blocks"),
        };
        Node { value, span }
    }

    fn inline_empty(&mut self, json: &Json) -> Node {
        let span = self.here();
        let value = if json.is_array() {
            self.text.push_str("[]");
            Value::Seq(Vec::new())
        } else {
            self.text.push_str("{}");
            Value::Map(Vec::new())
        };
        Node { value, span }
    }

    /// A value after `key:` or `- `: scalars and empty collections on the same line,
    /// mappings and lists as blocks below (lists at the key's indentation, kubectl style).
    fn value_after_key(&mut self, v: Json, indent: usize) -> Node {
        match v {
            Json::Object(m) if !m.is_empty() => {
                self.newline(indent + 2);
                self.map(m, indent + 2)
            }
            Json::Array(a) if !a.is_empty() => {
                self.newline(indent);
                self.seq(a, indent)
            }
            v => {
                self.text.push(' ');
                if v.is_object() || v.is_array() {
                    self.inline_empty(&v)
                } else {
                    self.scalar(v)
                }
            }
        }
    }

    /// A non-empty mapping whose first key goes where the cursor is.
    fn map(&mut self, m: Map<String, Json>, indent: usize) -> Node {
        let span = self.here();
        let mut entries = Vec::with_capacity(m.len());
        for (i, (k, v)) in m.into_iter().enumerate() {
            if i > 0 {
                self.newline(indent);
            }
            let key = self.scalar(Json::String(k));
            self.text.push(':');
            let value = self.value_after_key(v, indent);
            entries.push((key, value));
        }
        Node {
            value: Value::Map(entries),
            span,
        }
    }

    /// A non-empty list whose first `- ` goes where the cursor is.
    fn seq(&mut self, a: Vec<Json>, indent: usize) -> Node {
        let span = self.here();
        let mut items = Vec::with_capacity(a.len());
        for (i, v) in a.into_iter().enumerate() {
            if i > 0 {
                self.newline(indent);
            }
            self.text.push_str("- ");
            let item = match v {
                Json::Object(m) if !m.is_empty() => self.map(m, indent + 2),
                Json::Array(a) if !a.is_empty() => self.seq(a, indent + 2),
                v if v.is_object() || v.is_array() => self.inline_empty(&v),
                v => self.scalar(v),
            };
            items.push(item);
        }
        Node {
            value: Value::Seq(items),
            span,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalars<'a>(n: &'a Node, out: &mut Vec<&'a Node>) {
        match &n.value {
            Value::Seq(items) => items.iter().for_each(|i| scalars(i, out)),
            Value::Map(entries) => entries.iter().for_each(|(k, v)| {
                scalars(k, out);
                scalars(v, out)
            }),
            _ => out.push(n),
        }
    }

    fn strip(n: &Node) -> Node {
        let value = match &n.value {
            Value::Seq(items) => Value::Seq(items.iter().map(strip).collect()),
            Value::Map(e) => Value::Map(e.iter().map(|(k, v)| (strip(k), strip(v))).collect()),
            v => v.clone(),
        };
        Node {
            value,
            span: Span::new(Arc::from(""), 0, 0),
        }
    }

    /// The text parses back (with moat's own YAML reader) to the same tree, and every
    /// scalar sits exactly where the tree says.
    #[test]
    fn text_and_tree_agree() {
        let obj = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-1", "namespace": "prod",
                         "labels": {"app.kubernetes.io/name": "web", "tier": "true", "n": "0x1F"},
                         "annotations": {"note": "line one\nline two: \"quoted\"\ttab", "empty": ""}},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.25",
                                     "ports": [{"containerPort": 80}, {"containerPort": 443, "protocol": "TCP"}],
                                     "args": ["-v", "--x=1", "é ünï", "yes"]}],
                     "nested": [[1, 2], [], {}, [{"a": null}]],
                     "empty": {}, "none": [], "ratio": 0.5, "on": false},
            "status": {"podIP": "10.0.0.1"}
        });
        let Json::Object(map) = obj else {
            unreachable!()
        };
        let file: Arc<str> = Arc::from("cluster:prod/Pod/web-1");
        let (tree, text) = lay_out(file.clone(), map);
        let parsed = moat::yaml::documents(&file, &text)
            .next()
            .unwrap()
            .unwrap_or_else(|e| panic!("{e}\n{text}"))
            .unwrap();
        assert_eq!(strip(&parsed), strip(&tree), "{text}");
        let (mut a, mut b) = (Vec::new(), Vec::new());
        scalars(&tree, &mut a);
        scalars(&parsed, &mut b);
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.span, y.span, "{:?} in\n{text}", x.value);
        }
        assert!(text.contains("\n  containers:\n  - "), "{text}");
    }
}
