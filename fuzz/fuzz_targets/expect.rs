//! The expectations parser of `moat check`, then the checks against a fixed cluster.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use moat::engine::Engine;
use moat::load::{load_str, LoadOptions};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let text = concat!(
            include_str!("../../examples/three-tier/workloads.yaml"),
            "\n---\n",
            include_str!("../../examples/three-tier/policies.yaml")
        );
        let loaded = load_str("three-tier.yaml", text, &LoadOptions::default());
        assert!(loaded.is_clean());
        Engine::new(loaded.cluster)
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(expectations) = moat::check::parse_expectations("fuzz.yaml", &text) {
        let _ = moat::check::run_checks(engine(), &expectations);
    }
});
