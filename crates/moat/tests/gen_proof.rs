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
    // The fixture exercising every feature of the format is proven the same way.
    out.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gen/full.yaml"));
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

/// The seeds' traffic tables (examples/*/expect.yaml, written by hand from the articles)
/// hold for the policies generated from the intents, on the examples' real workloads.
#[test]
fn generated_policies_allow_exactly_the_seed_traffic_tables() {
    for app in ["three-tier", "task-api"] {
        let dir = root().join("examples").join(app);
        let plan = parse_intent("intent.yaml", &read(&dir.join("intent.yaml"))).unwrap();
        let e = engine(&[
            ("policies.yaml", policy_stream(&plan)),
            ("workloads.yaml", read(&dir.join("workloads.yaml"))),
        ]);
        assert_all_pass(
            &e,
            &format!("{app}/expect.yaml"),
            &read(&dir.join("expect.yaml")),
        );
        // ...and so do the generated expectations, on the real workloads plus the outsider.
        let outsider = "apiVersion: v1\nkind: Pod\nmetadata: {name: outsider, namespace: moat-outsider, labels: {app.kubernetes.io/name: moat-outsider}}\n";
        let e = engine(&[
            ("policies.yaml", policy_stream(&plan)),
            ("workloads.yaml", read(&dir.join("workloads.yaml"))),
            ("outsider.yaml", outsider.to_string()),
        ]);
        assert_all_pass(&e, "generated expect.yaml", &expectations(&plan));
    }
}

/// Stronger than the tables: on the examples' workloads, the generated policies decide
/// every flow (each pair of pods, every container port plus DNS and HTTPS, and an
/// external address both ways) exactly as the seed articles' hand-written policies do.
#[test]
fn generated_policies_decide_every_flow_like_the_seed_policies() {
    use moat::engine::{Flow, Target};
    use moat::model::Protocol;
    for app in ["three-tier", "task-api"] {
        let dir = root().join("examples").join(app);
        let plan = parse_intent("intent.yaml", &read(&dir.join("intent.yaml"))).unwrap();
        let wl = read(&dir.join("workloads.yaml"));
        let generated = engine(&[
            ("policies.yaml", policy_stream(&plan)),
            ("workloads.yaml", wl.clone()),
        ]);
        let seed = engine(&[
            ("policies.yaml", read(&dir.join("policies.yaml"))),
            ("workloads.yaml", wl),
        ]);
        let c = generated.cluster();
        let mut ports: Vec<(u16, Protocol)> = c
            .endpoints
            .iter()
            .flat_map(|e| e.ports.iter().map(|p| (p.port, p.protocol)))
            .collect();
        ports.extend([
            (53, Protocol::Udp),
            (53, Protocol::Tcp),
            (443, Protocol::Tcp),
            (80, Protocol::Tcp),
        ]);
        ports.sort();
        ports.dedup();
        let mut targets: Vec<Target> = (0..c.endpoints.len()).map(Target::Endpoint).collect();
        targets.push(Target::External("203.0.113.10".parse().unwrap()));
        let mut compared = 0;
        for &src in &targets {
            for &dst in &targets {
                if matches!((src, dst), (Target::External(_), Target::External(_))) {
                    continue;
                }
                for &(port, protocol) in &ports {
                    let f = Flow {
                        src,
                        dst,
                        port,
                        protocol,
                    };
                    assert_eq!(
                        generated.allowed(&f),
                        seed.allowed(&f),
                        "{app}: {} -> {} {protocol}/{port}",
                        generated.target_name(src),
                        generated.target_name(dst)
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 100);
    }
}
