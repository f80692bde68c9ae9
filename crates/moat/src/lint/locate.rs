//! Narrowing a diagnostic from its object to the offending field, and reading the object's
//! `moat.dev/ignore` annotation. The model keeps positions of objects, rules and peers only;
//! fields such as `spec.podSelector` are found again in the source text, parsed only around
//! the objects that have diagnostics.

use std::collections::HashMap;
use std::sync::Arc;

use super::diagnostic::Diagnostic;
use crate::load::Source;
use crate::source::Span;
use crate::yaml::{parse_stream, Node, Value};

/// The annotation that silences rules for one object: `moat.dev/ignore: "rule-a,rule-b"`.
pub const IGNORE_ANNOTATION: &str = "moat.dev/ignore";

/// The objects of one file, parsed lazily one `---` segment at a time (a large input with a
/// few findings is not parsed again whole): top-level documents and the items of `List`s.
struct FileIndex {
    name: Arc<str>,
    text: String,
    /// (first line, byte offset) of each segment: the file start and every `---` line.
    segments: Vec<(u32, usize)>,
    parsed: HashMap<usize, Vec<Node>>,
}

impl FileIndex {
    fn build(name: &str, text: &str) -> FileIndex {
        let text = if name.ends_with(".json") {
            text.replace('\t', " ")
        } else {
            text.to_string()
        };
        let mut segments = vec![(1, 0)];
        let mut offset = 0;
        for (i, line) in text.split_inclusive('\n').enumerate() {
            if i > 0 && line.starts_with("---") {
                segments.push((i as u32 + 1, offset));
            }
            offset += line.len();
        }
        FileIndex {
            name: Arc::from(name),
            text,
            segments,
            parsed: HashMap::new(),
        }
    }

    fn segment(&mut self, si: usize) -> &[Node] {
        let (first_line, from) = self.segments[si];
        let to = self.segments.get(si + 1).map_or(self.text.len(), |s| s.1);
        let (name, text) = (&self.name, &self.text);
        self.parsed.entry(si).or_insert_with(|| {
            let mut objects = Vec::new();
            for mut doc in parse_stream(name, &text[from..to])
                .into_iter()
                .flatten()
                .flatten()
            {
                shift(&mut doc, first_line - 1);
                collect(doc, &mut objects, 0);
            }
            objects.sort_by_key(|n| (n.span.line, n.span.col));
            objects
        })
    }

    /// The object whose document starts at `span`, or else the last one starting before it.
    fn object_at(&mut self, span: &Span) -> Option<&Node> {
        let si = self
            .segments
            .partition_point(|s| s.0 <= span.line)
            .checked_sub(1)?;
        let objects = self.segment(si);
        let key = (span.line, span.col);
        let i = objects.partition_point(|n| (n.span.line, n.span.col) <= key);
        i.checked_sub(1).map(|i| &objects[i])
    }
}

fn shift(node: &mut Node, lines: u32) {
    node.span.line += lines;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, lines)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            shift(k, lines);
            shift(v, lines);
        }),
        _ => {}
    }
}

fn collect(node: Node, out: &mut Vec<Node>, depth: usize) {
    let is_list = node
        .get("kind")
        .and_then(Node::as_str)
        .is_some_and(|k| k.ends_with("List"));
    if is_list && depth < 8 {
        if let Some(Value::Seq(items)) = node.get("items").map(|n| n.value.clone()) {
            for item in items {
                collect(item, out, depth + 1);
            }
            return;
        }
    }
    out.push(node);
}

/// One step of a field path.
enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(Step::Index(i));
            }
        }
    }
    out
}

/// The node at `path` in `object`: for a final key, its key node (where the field is
/// written); as deep as the path exists otherwise. Keys that contain dots (label keys) are
/// matched by joining steps.
fn find<'n>(object: &'n Node, path: &str) -> &'n Node {
    let steps = steps(path);
    let mut node = object;
    let mut at = object;
    let mut i = 0;
    while i < steps.len() {
        match steps[i] {
            Step::Index(n) => match &node.value {
                Value::Seq(items) if n < items.len() => {
                    node = &items[n];
                    at = node;
                    i += 1;
                }
                _ => return at,
            },
            Step::Key(_) => {
                // Try `a`, then `a.b`, ... for keys with dots.
                let mut found = None;
                let mut key = String::new();
                for (j, s) in steps.iter().enumerate().skip(i) {
                    let Step::Key(k) = s else { break };
                    if j > i {
                        key.push('.');
                    }
                    key.push_str(k);
                    if let Some((_, kn, vn)) = node.entries().find(|(name, _, _)| *name == key) {
                        found = Some((j, kn, vn));
                        break;
                    }
                }
                let Some((j, kn, vn)) = found else { return at };
                node = vn;
                at = kn;
                i = j + 1;
            }
        }
    }
    at
}

fn ignored_rules(object: &Node) -> Vec<String> {
    object
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(IGNORE_ANNOTATION))
        .and_then(Node::as_str)
        .map(|s| {
            s.split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Narrow every diagnostic (and its related places) to its field, and drop those that the
/// object's `moat.dev/ignore` annotation silences.
pub fn locate(diags: Vec<Diagnostic>, sources: &[Source]) -> Vec<Diagnostic> {
    let texts: HashMap<&str, &str> = sources
        .iter()
        .map(|s| (s.name.as_ref(), s.text.as_str()))
        .collect();
    let mut files: HashMap<Arc<str>, FileIndex> = HashMap::new();
    let mut out = Vec::with_capacity(diags.len());
    for mut d in diags {
        let Some(span) = d.span.clone() else {
            out.push(d);
            continue;
        };
        let Some(text) = texts.get(span.file.as_ref()) else {
            out.push(d);
            continue;
        };
        let index = files
            .entry(span.file.clone())
            .or_insert_with(|| FileIndex::build(&span.file, text));
        let Some(object) = index.object_at(&span) else {
            out.push(d);
            continue;
        };
        if ignored_rules(object).iter().any(|r| r == d.rule) {
            continue;
        }
        // A span at the object's start is an object position to narrow; any other span
        // (load problems, rules, peers) is already exact.
        if object.span == span && !d.path.is_empty() {
            d.span = Some(find(object, &d.path).span.clone());
        }
        for r in &mut d.related {
            let Some(rspan) = r.span.clone() else {
                continue;
            };
            if r.path.is_empty() {
                continue;
            }
            let Some(rtext) = texts.get(rspan.file.as_ref()) else {
                continue;
            };
            let rindex = files
                .entry(rspan.file.clone())
                .or_insert_with(|| FileIndex::build(&rspan.file, rtext));
            if let Some(robject) = rindex.object_at(&rspan).filter(|o| o.span == rspan) {
                r.span = Some(find(robject, &r.path).span.clone());
            }
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_fields_and_dotted_label_keys() {
        let text = "kind: NetworkPolicy\nspec:\n  egress:\n    - to:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: x\n";
        let mut idx = FileIndex::build("f.yaml", text);
        let obj = idx
            .object_at(&Span::new(Arc::from("f.yaml"), 1, 1))
            .cloned()
            .unwrap();
        let obj = &obj;
        assert_eq!(find(obj, "spec.egress[0].to[0]").span.line, 5);
        assert_eq!(
            find(
                obj,
                "spec.egress[0].to[0].namespaceSelector.matchLabels.kubernetes.io/metadata.name"
            )
            .span
            .line,
            7
        );
        assert_eq!(
            find(obj, "spec.policyTypes").span.line,
            2,
            "a missing field falls back to its parent"
        );
    }
}
