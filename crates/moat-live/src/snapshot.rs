//! `moat snapshot`: what was read, as one multi-document YAML stream that loads back into
//! the same model (every object typed: kind and apiVersion set, managedFields gone).

use std::fmt::Write as _;

use crate::read::ClusterRead;

/// The snapshot text: a comment saying where it came from, then one document per object.
pub fn snapshot_yaml(read: &ClusterRead) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# moat snapshot of {}: {}",
        read.server,
        moat::text::count(read.objects.len(), "object")
    );
    for note in &read.notes {
        let _ = writeln!(out, "# {note}");
    }
    for o in &read.objects {
        out.push_str("---\n");
        out.push_str(&o.text);
    }
    out
}
