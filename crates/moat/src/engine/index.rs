//! Label selectors evaluated against every endpoint (or namespace) at once, through an
//! inverted index from labels to the ids that carry them.

// foldhash, not SipHash: built once per run from the inputs' labels, on the one thread that
// compiles, where hashing label strings was a fifth of the index's cost.
use foldhash::HashMap;

use super::bitset::BitSet;
use crate::model::{LabelSelector, Labels, Operator};

/// Inverted label index over a list of labelled things (endpoints or namespaces).
pub struct LabelIndex {
    len: usize,
    by_pair: HashMap<String, HashMap<String, Vec<u32>>>,
}

impl LabelIndex {
    pub fn build<'a>(items: impl Iterator<Item = &'a Labels>) -> Self {
        let mut by_pair: HashMap<String, HashMap<String, Vec<u32>>> = HashMap::default();
        let mut len = 0;
        for (i, labels) in items.enumerate() {
            len = i + 1;
            for (k, v) in labels {
                by_pair
                    .entry(k.clone())
                    .or_default()
                    .entry(v.clone())
                    .or_default()
                    .push(i as u32);
            }
        }
        LabelIndex { len, by_pair }
    }

    /// Number of indexed items.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn key_set(&self, key: &str) -> BitSet {
        let mut s = BitSet::new(self.len);
        if let Some(values) = self.by_pair.get(key) {
            for ids in values.values() {
                for &i in ids {
                    s.insert(i as usize);
                }
            }
        }
        s
    }

    fn values_set(&self, key: &str, values: &[String]) -> BitSet {
        let mut s = BitSet::new(self.len);
        if let Some(by_value) = self.by_pair.get(key) {
            for v in values {
                for &i in by_value.get(v).into_iter().flatten() {
                    s.insert(i as usize);
                }
            }
        }
        s
    }

    /// The ids within `universe` that the selector matches.
    pub fn select(&self, sel: &LabelSelector, universe: &BitSet) -> BitSet {
        let mut out = universe.clone();
        for r in &sel.requirements {
            if out.is_empty() {
                break;
            }
            match r.op {
                Operator::In => out.intersect_with(&self.values_set(&r.key, &r.values)),
                Operator::NotIn => out.difference_with(&self.values_set(&r.key, &r.values)),
                Operator::Exists => out.intersect_with(&self.key_set(&r.key)),
                Operator::DoesNotExist => out.difference_with(&self.key_set(&r.key)),
            }
        }
        out
    }
}
