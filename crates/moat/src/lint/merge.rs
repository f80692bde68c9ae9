//! One finding per object and rule: identical findings at several places of one object
//! (`egress: [{}, {}]`) are reported once, with the other places as related positions.

use std::collections::HashMap;

use super::diagnostic::{Diagnostic, Related};

/// Merge findings that differ only in where they are: the first (in source order) keeps
/// its position, each later one becomes a related "the same here" position.
pub(crate) fn merge_identical(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diags.len());
    let mut first: HashMap<String, usize> = HashMap::new();
    for d in diags {
        // Only findings about one object merge: two objects are two things to fix.
        let Some(o) = &d.object else {
            out.push(d);
            continue;
        };
        let key = format!(
            "{}\0{}\0{:?}\0{}\0{}\0{}\0{}\0{:?}\0{:?}",
            d.rule, d.severity, o.namespace, o.kind, o.name, d.message, d.help, d.fix, d.related
        );
        match first.get(&key) {
            Some(&i) => out[i].related.push(Related {
                span: d.span,
                path: d.path,
                note: "the same here".into(),
            }),
            None => {
                first.insert(key, out.len());
                out.push(d);
            }
        }
    }
    out
}
