//! `moat snapshot`: what was read, as one multi-document YAML stream that loads back into
//! the same model (every object typed: kind and apiVersion set, managedFields gone).

use std::fmt::Write as _;

use moat::yaml::{Node, Value};
use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlEmitter};

use crate::read::ClusterRead;

/// The snapshot text: a comment saying where it came from, then one document per object.
pub fn snapshot_yaml(read: &ClusterRead) -> Result<String, String> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# moat snapshot of {}: {} object(s)",
        read.server,
        read.objects.len()
    );
    for note in &read.notes {
        let _ = writeln!(out, "# {note}");
    }
    for o in &read.objects {
        let mut doc = String::new();
        let mut emitter = YamlEmitter::new(&mut doc);
        emitter.multiline_strings(true);
        emitter
            .dump(&yaml(&o.tree))
            .map_err(|e| format!("{}: {e}", o.tree.span.file))?;
        out.push_str(&doc);
        out.push('\n');
    }
    Ok(out)
}

fn yaml(node: &Node) -> Yaml {
    match &node.value {
        Value::Null => Yaml::Null,
        Value::Bool(b) => Yaml::Boolean(*b),
        Value::Int(i) => Yaml::Integer(*i),
        Value::Float(f) => Yaml::Real(format!("{f:?}")),
        Value::Str(s) => Yaml::String(s.clone()),
        Value::Seq(items) => Yaml::Array(items.iter().map(yaml).collect()),
        Value::Map(entries) => {
            let mut h = Hash::new();
            for (k, v) in entries {
                h.insert(yaml(k), yaml(v));
            }
            Yaml::Hash(h)
        }
    }
}
