//! The loader on hostile input: arbitrary bytes and mutated real manifests never panic, and
//! either load cleanly or fail with every problem at a file:line:column.

use moat::load::{load_str, LoadOptions, Loaded};
use proptest::prelude::*;

const SEEDS: &[&str] = &[
    include_str!("../../../examples/three-tier/workloads.yaml"),
    include_str!("../../../examples/three-tier/policies.yaml"),
    include_str!("../../../examples/seed-001/policies.yaml"),
    include_str!("fixtures/inputs/three-tier-nested.oneline.json"),
    include_str!("fixtures/inputs/chart-rendered.yaml"),
];

/// Fragments that have broken parsers before: structure, anchors, templates, controls,
/// numbers out of range, list kinds, odd Unicode.
const FRAGMENTS: &[&str] = &[
    "---\n",
    "{{ .Values.x }}",
    "&a ",
    "*a",
    "<<: *a\n",
    ": ",
    "- ",
    "\n  ",
    "\t",
    "\0",
    "\u{85}",
    "\u{feff}",
    "\"",
    "'",
    "[",
    "]",
    "{",
    "}",
    "#",
    "kind: List\nitems:\n",
    "kind: PodList\n",
    "apiVersion: networking.k8s.io/v2\n",
    "99999999999999999999999999999999999999999999999999",
    "-1",
    "0x",
    "1e400",
    "~",
    "null",
    "!!int ",
    "!!str ",
    "? ",
    "|\n",
    ">-\n",
    "items: [",
    ",",
    "metadata:\n  name: bad_name\n",
    "ownerReferences: [{name: x}]\n",
    "é",
    "\u{202e}",
];

/// Every problem has a position; nothing was both refused and used silently.
fn check(l: &Loaded) -> Result<(), TestCaseError> {
    for p in &l.problems {
        prop_assert!(
            p.error.span.is_some(),
            "problem without a position: {}",
            p.error
        );
    }
    for s in &l.cluster.skipped {
        prop_assert!(!s.kind.is_empty(), "skipped object without a kind label");
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, usize),
    Delete(usize, usize),
    Duplicate(usize, usize),
    Byte(usize, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..FRAGMENTS.len()).prop_map(|(at, f)| Mutation::Insert(at, f)),
        (any::<usize>(), 1usize..40).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (any::<usize>(), 1usize..200).prop_map(|(at, n)| Mutation::Duplicate(at, n)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Byte(at, b)),
    ]
}

fn apply(text: &str, muts: &[Mutation]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for m in muts {
        let len = bytes.len().max(1);
        match *m {
            Mutation::Insert(at, f) => {
                let at = at % len;
                bytes.splice(at..at, FRAGMENTS[f].bytes());
            }
            Mutation::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            Mutation::Duplicate(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                let copy = bytes[at.min(end)..end].to_vec();
                bytes.splice(end..end, copy);
            }
            Mutation::Byte(at, b) => {
                if !bytes.is_empty() {
                    let at = at % bytes.len();
                    bytes[at] = b;
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_load_or_fail_with_positions(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        for name in ["in.yaml", "in.json"] {
            check(&load_str(name, &text, &LoadOptions::default()))?;
        }
    }

    #[test]
    fn mutated_manifests_load_or_fail_with_positions(
        seed in 0..SEEDS.len(),
        muts in proptest::collection::vec(mutation(), 1..8),
    ) {
        let text = apply(SEEDS[seed], &muts);
        let mut l = load_str("in.yaml", &text, &LoadOptions::default());
        check(&l)?;
        // What check, explain and matrix do next must not panic either.
        l.later_wins();
        if l.is_clean() {
            let engine = moat::engine::Engine::new(l.cluster);
            let m = moat::matrix::Matrix::new(&engine, &[]);
            let _ = moat::matrix::count_pairs(&m);
        }
    }
}
