//! `.moat.yaml`: per-project lint settings, found upward from the inputs.
//!
//! ```yaml
//! severity:               # override a rule's severity (error, warning, info)
//!   dns-udp-only: error
//! skip: [redundant-rule]  # rules never run
//! systemNamespaces: [kube-system, kube-public, kube-node-lease, calico-system]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::diagnostic::Severity;
use crate::error::InputError;
use crate::yaml::{parse_stream, Node, Value};

pub const CONFIG_FILE: &str = ".moat.yaml";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub severity: BTreeMap<String, Severity>,
    pub skip: Vec<String>,
    pub system_namespaces: Vec<String>,
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            severity: BTreeMap::new(),
            skip: Vec::new(),
            system_namespaces: ["kube-system", "kube-public", "kube-node-lease"]
                .map(String::from)
                .to_vec(),
            path: None,
        }
    }
}

fn err(node: &Node, path: &str, msg: impl Into<String>) -> InputError {
    InputError::new(Some(node.span.clone()), path, msg)
}

/// Rule ids are checked by a predicate the caller passes, so that the config (read by every
/// rule through the context) does not depend on the registry of rules.
fn known_rule(
    is_rule: &dyn Fn(&str) -> bool,
    node: &Node,
    path: &str,
    id: &str,
) -> Result<(), InputError> {
    match is_rule(id) {
        true => Ok(()),
        false => Err(err(
            node,
            path,
            format!("unknown rule `{id}` (moat lint --list-rules lists them)"),
        )),
    }
}

fn strings(node: &Node, path: &str) -> Result<Vec<(String, Node)>, InputError> {
    match &node.value {
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, n)| match n.as_str() {
                Some(s) => Ok((s.to_string(), n.clone())),
                None => Err(err(
                    n,
                    &format!("{path}[{i}]"),
                    format!("expected a string, found {}", n.type_name()),
                )),
            })
            .collect(),
        Value::Null => Ok(Vec::new()),
        _ => Err(err(
            node,
            path,
            format!("expected a list, found {}", node.type_name()),
        )),
    }
}

impl Config {
    /// Parse a config text; every problem is an error with its position. `is_rule` tells
    /// which rule ids exist (`Config::parse` passes the registry's).
    pub fn parse_with(
        name: &str,
        text: &str,
        is_rule: &dyn Fn(&str) -> bool,
    ) -> Result<Config, InputError> {
        let mut cfg = Config::default();
        let name: std::sync::Arc<str> = std::sync::Arc::from(name);
        let Some(doc) = parse_stream(&name, text).into_iter().next() else {
            return Ok(cfg);
        };
        let Some(doc) = doc? else { return Ok(cfg) };
        if doc.is_null() {
            return Ok(cfg);
        }
        if !matches!(doc.value, Value::Map(_)) {
            return Err(err(&doc, "", "expected a mapping"));
        }
        for (key, knode, v) in doc.entries() {
            match key {
                "severity" => {
                    for (id, idnode, level) in v.entries() {
                        let p = format!("severity.{id}");
                        known_rule(is_rule, idnode, &p, id)?;
                        let s = level
                            .as_str()
                            .and_then(Severity::parse)
                            .ok_or_else(|| err(level, &p, "expected error, warning or info"))?;
                        cfg.severity.insert(id.to_string(), s);
                    }
                }
                "skip" => {
                    for (id, n) in strings(v, "skip")? {
                        known_rule(is_rule, &n, "skip", &id)?;
                        cfg.skip.push(id);
                    }
                }
                "systemNamespaces" => {
                    cfg.system_namespaces = strings(v, "systemNamespaces")?
                        .into_iter()
                        .map(|(s, _)| s)
                        .collect();
                }
                other => {
                    return Err(err(
                        knode,
                        other,
                        "unknown setting: expected severity, skip or systemNamespaces",
                    ));
                }
            }
        }
        Ok(cfg)
    }

    /// Read and parse a config file.
    pub fn load_with(path: &Path, is_rule: &dyn Fn(&str) -> bool) -> Result<Config, InputError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError::new(None, "", format!("{name}: {e}")))?;
        let mut cfg = Config::parse_with(&name, &text, is_rule)?;
        cfg.path = Some(path.to_path_buf());
        Ok(cfg)
    }
}

/// The nearest `.moat.yaml` in the directory of the first input path or any parent.
pub fn find_config(inputs: &[PathBuf]) -> Option<PathBuf> {
    let first = inputs.iter().find(|p| p.as_os_str() != "-");
    let start = match first {
        Some(p) => std::fs::canonicalize(p).ok()?,
        None => std::env::current_dir().ok()?,
    };
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        let candidate = d.join(CONFIG_FILE);
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}
