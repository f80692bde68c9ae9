//! Objects defined twice (same kind, namespace and name): on a cluster the one applied last
//! replaces the other, so the later one in input order is kept and both places are named.

use std::collections::HashMap;
use std::hash::Hash;

use super::warning::{Warning, WarningKind};
use super::Loaded;
use crate::source::Span;

impl Loaded {
    /// Keep only the last of each (kind, namespace, name), as `kubectl apply` of the inputs
    /// in order would, with a warning for each object replaced. `check`, `explain` and
    /// `matrix` evaluate this; `lint` keeps both to report them.
    pub fn later_wins(&mut self) {
        let c = &mut self.cluster;
        let names: Vec<String> = c.namespaces.iter().map(|n| n.name.clone()).collect();
        let warnings = &mut self.warnings;
        retain_last(
            &mut c.endpoints,
            |e| (e.namespace, e.kind_name().to_string(), e.name.clone()),
            |e| {
                let ns = &names[e.namespace];
                (format!("{} {ns}/{}", e.kind_name(), e.name), e.span.clone())
            },
            warnings,
        );
        retain_last(
            &mut c.policies,
            |p| (p.namespace.clone(), p.name.clone()),
            |p| {
                (
                    format!("NetworkPolicy {}/{}", p.namespace, p.name),
                    p.span.clone(),
                )
            },
            warnings,
        );
        retain_last(
            &mut c.services,
            |s| (s.namespace.clone(), s.name.clone()),
            |s| {
                (
                    format!("Service {}/{}", s.namespace, s.name),
                    s.span.clone(),
                )
            },
            warnings,
        );
    }
}

/// Keep the last item of each key. Items are in input order among equal keys (the model's
/// sort is stable), so the last is the one applied last.
fn retain_last<T, K: Hash + Eq>(
    items: &mut Vec<T>,
    key: impl Fn(&T) -> K,
    describe: impl Fn(&T) -> (String, Span),
    warnings: &mut Vec<Warning>,
) {
    let mut last: HashMap<K, usize> = HashMap::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        last.insert(key(it), i);
    }
    if last.len() == items.len() {
        return;
    }
    let mut keep = vec![false; items.len()];
    for &i in last.values() {
        keep[i] = true;
    }
    for (i, it) in items.iter().enumerate() {
        if keep[i] {
            continue;
        }
        let winner = &items[last[&key(it)]];
        let (what, first) = describe(it);
        let (_, later) = describe(winner);
        warnings.push(Warning {
            kind: WarningKind::Duplicate,
            span: Some(later.clone()),
            message: format!(
                "{what} is defined again (first at {first}): the later one is used, as kubectl apply would"
            ),
        });
    }
    let mut i = 0;
    items.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}
