//! Typed access to a YAML tree that records, instead of failing, every problem it meets,
//! each with its position and field path.

use super::problem::{ObjectRef, Problem, ProblemKind};
use super::warning::{Warning, WarningKind};
use crate::error::InputError;
use crate::model::Labels;
use crate::yaml::{Node, Value};

pub(crate) struct Ctx<'p> {
    pub problems: &'p mut Vec<Problem>,
    pub object: Option<ObjectRef>,
    /// Problems recorded for the current object (to refuse just that object).
    pub count: usize,
    /// What was noticed without being wrong; the loader collects these after each document.
    pub warnings: Vec<Warning>,
}

impl<'p> Ctx<'p> {
    pub fn new(problems: &'p mut Vec<Problem>) -> Self {
        Ctx {
            problems,
            object: None,
            count: 0,
            warnings: Vec::new(),
        }
    }

    pub fn warn(&mut self, kind: WarningKind, node: &Node, msg: impl Into<String>) {
        self.warnings.push(Warning {
            kind,
            span: Some(node.span.clone()),
            message: msg.into(),
        });
    }

    pub fn report(&mut self, kind: ProblemKind, node: &Node, path: &str, msg: impl Into<String>) {
        self.count += 1;
        self.problems.push(Problem {
            kind,
            error: InputError::new(Some(node.span.clone()), path, msg),
            object: self.object.clone(),
            suggestion: None,
        });
    }

    pub fn invalid(&mut self, node: &Node, path: &str, msg: impl Into<String>) {
        self.report(ProblemKind::Invalid, node, path, msg);
    }

    fn wrong_type(&mut self, node: &Node, path: &str, want: &str) {
        let msg = format!("expected {want}, found {}", node.type_name());
        self.report(ProblemKind::Syntax, node, path, msg);
    }

    /// Report every key of a mapping that is not in `known`, suggesting the nearest.
    pub fn known_fields(&mut self, node: &Node, path: &str, known: &[&str]) {
        for (key, knode, _) in node.entries() {
            if known.contains(&key) {
                continue;
            }
            let best = known
                .iter()
                .map(|k| {
                    (
                        strsim::jaro_winkler(&key.to_lowercase(), &k.to_lowercase()),
                        *k,
                    )
                })
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, k)| k.to_string());
            let full = join(path, key);
            let msg = match &best {
                Some(b) => format!("unknown field `{key}`; did you mean `{b}`?"),
                None => format!("unknown field `{key}` (known: {})", known.join(", ")),
            };
            self.count += 1;
            self.problems.push(Problem {
                kind: ProblemKind::UnknownField,
                error: InputError::new(Some(knode.span.clone()), full, msg),
                object: self.object.clone(),
                suggestion: best,
            });
        }
    }

    /// Exactly one of `fields` set (the schema's minProperties=1 / maxProperties=1).
    pub fn exactly_one<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        fields: &[&str],
    ) -> Option<(&'n str, &'n Node)> {
        let set: Vec<(&str, &Node)> = node
            .entries()
            .filter(|(k, v, _)| fields.contains(k) && !v.is_null())
            .map(|(k, _, v)| (k, v))
            .collect();
        match set.as_slice() {
            [one] => Some(*one),
            [] => {
                self.invalid(
                    node,
                    path,
                    format!("exactly one of {} must be set", fields.join(", ")),
                );
                None
            }
            [_, second, ..] => {
                let names: Vec<&str> = set.iter().map(|(k, _)| *k).collect();
                self.invalid(
                    second.1,
                    path,
                    format!(
                        "only one of {} may be set, found {}",
                        fields.join(", "),
                        names.join(" and ")
                    ),
                );
                None
            }
        }
    }

    /// A mapping field; `None` when absent or null.
    pub fn map<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n Node> {
        match node.value {
            Value::Map(_) => Some(node),
            Value::Null => None,
            _ => {
                self.wrong_type(node, path, "a mapping");
                None
            }
        }
    }

    /// A list field; empty when absent or null.
    pub fn seq<'n>(&mut self, node: &'n Node, path: &str) -> &'n [Node] {
        match &node.value {
            Value::Seq(items) => items,
            Value::Null => &[],
            _ => {
                self.wrong_type(node, path, "a list");
                &[]
            }
        }
    }

    pub fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Null => None,
            _ => {
                self.wrong_type(node, path, "a string");
                None
            }
        }
    }

    pub fn int(&mut self, node: &Node, path: &str) -> Option<i64> {
        match &node.value {
            Value::Int(i) => Some(*i),
            Value::Null => None,
            Value::Float(f) if f.fract() == 0.0 && f.abs() >= 9.2e18 => {
                // Digits too many for 64 bits: an integer to YAML, out of range to the API.
                self.invalid(node, path, format!("integer {f:e} is out of range"));
                None
            }
            _ => {
                self.wrong_type(node, path, "an integer");
                None
            }
        }
    }

    pub fn bool(&mut self, node: &Node, path: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            Value::Null => None,
            _ => {
                self.wrong_type(node, path, "a boolean");
                None
            }
        }
    }

    /// A map of strings to strings (labels, annotations, selectors).
    pub fn string_map(&mut self, node: &Node, path: &str) -> Labels {
        let mut out = Labels::new();
        if let Some(m) = self.map(node, path) {
            for (k, _, v) in m.entries() {
                match &v.value {
                    Value::Str(s) => {
                        out.insert(k.to_string(), s.clone());
                    }
                    // Kubernetes would reject these; say so rather than coerce silently.
                    _ => {
                        self.wrong_type(v, &join(path, k), "a string (quote numbers and booleans)")
                    }
                }
            }
        }
        out
    }
}

// Paths are made for every field decoded, though read only for a problem: built by hand,
// they cost a tenth of what `format!` does (which was 3% of a whole matrix run).

/// `a.b` path joining; `a` and `[i]` handled by callers.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        return key.to_string();
    }
    let mut s = String::with_capacity(path.len() + 1 + key.len());
    s.push_str(path);
    s.push('.');
    s.push_str(key);
    s
}

pub(crate) fn index(path: &str, i: usize) -> String {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(i);
    let mut s = String::with_capacity(path.len() + 2 + digits.len());
    s.push_str(path);
    s.push('[');
    s.push_str(digits);
    s.push(']');
    s
}
