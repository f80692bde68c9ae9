//! Every YAML example of the seed articles loads and evaluates; the one that the API server
//! would reject (a duplicate `ingress:` key) is rejected with its position.

use std::path::{Path, PathBuf};

use moat::engine::{Engine, Flow, Target};
use moat::load::{load, read_source, LoadOptions};
use moat::model::Protocol;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for seed in std::fs::read_dir(repo().join("tests/fixtures/seeds")).unwrap() {
        let seed = seed.unwrap().path();
        if seed.is_dir() {
            for f in std::fs::read_dir(&seed).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "yaml") {
                    out.push(f);
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_seed_example_loads_and_evaluates() {
    let workloads = read_source(&repo().join("examples/three-tier/workloads.yaml")).unwrap();
    let files = fixtures();
    assert!(files.len() >= 40, "found {} fixtures", files.len());
    let mut evaluated = 0;
    for f in &files {
        let src = read_source(f).unwrap();
        let loaded = load(&[workloads.clone(), src], &LoadOptions::default());
        let name = f.file_name().unwrap().to_string_lossy();
        if name.contains("duplicate") {
            assert_eq!(loaded.problems.len(), 1, "{name}");
            assert!(loaded.problems[0]
                .error
                .message
                .contains("duplicate key `ingress`"));
            continue;
        }
        assert!(loaded.problems.is_empty(), "{name}: {:#?}", loaded.problems);
        let e = Engine::new(loaded.cluster);
        let n = e.cluster().endpoints.len();
        let mut targets: Vec<Target> = (0..n).map(Target::Endpoint).collect();
        targets.push(Target::External("203.0.113.7".parse().unwrap()));
        targets.push(Target::External("169.254.169.254".parse().unwrap()));
        for &src in &targets {
            for &dst in &targets {
                for (port, protocol) in [
                    (53, Protocol::Udp),
                    (53, Protocol::Tcp),
                    (80, Protocol::Tcp),
                    (8080, Protocol::Tcp),
                    (5432, Protocol::Tcp),
                ] {
                    let flow = Flow {
                        src,
                        dst,
                        port,
                        protocol,
                    };
                    let x = e.explain(&flow);
                    assert_eq!(e.allowed(&flow), x.verdict.allowed, "{name}: {flow:?}");
                    evaluated += 1;
                }
            }
        }
    }
    assert!(evaluated > 10_000, "{evaluated}");
}
