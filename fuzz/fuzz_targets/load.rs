//! The manifest loader: any bytes, read as YAML and as JSON. No panic; every problem has a
//! position.
#![no_main]

use libfuzzer_sys::fuzz_target;
use moat::load::{load_str, LoadOptions};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for name in ["fuzz.yaml", "fuzz.json"] {
        let loaded = load_str(name, &text, &LoadOptions::default());
        for p in &loaded.problems {
            assert!(p.error.span.is_some(), "problem without a position: {}", p.error);
        }
    }
});
