//! The whole pipeline: load, compile, matrix. Whatever loads cleanly must compile and
//! give a matrix without panicking, and the fast path must agree with the verdict.
#![no_main]

use libfuzzer_sys::fuzz_target;
use moat::engine::{Engine, Flow, Target};
use moat::load::{load_str, LoadOptions};
use moat::matrix::{count_pairs, Matrix};
use moat::model::Protocol;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut loaded = load_str("fuzz.yaml", &text, &LoadOptions::default());
    if !loaded.is_clean() {
        return;
    }
    loaded.later_wins();
    let engine = Engine::new(loaded.cluster);
    let m = Matrix::new(&engine, &[]);
    let _ = count_pairs(&m);
    let n = engine.cluster().endpoints.len().min(4);
    for src in 0..n {
        for dst in 0..n {
            for port in [53u16, 80, 443, 8080] {
                let flow = Flow {
                    src: Target::Endpoint(src),
                    dst: Target::Endpoint(dst),
                    port,
                    protocol: Protocol::Tcp,
                };
                let fast = engine.allowed(&flow);
                let verdict = engine.verdict(&flow);
                assert_eq!(fast, verdict.allowed, "fast path and verdict disagree on {flow:?}");
            }
        }
    }
});
