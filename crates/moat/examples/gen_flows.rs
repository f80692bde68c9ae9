//! Synthetic Hubble flow logs for benchmarks: `cargo run --release -p moat --example
//! gen_flows -- LINES [three-tier|seed-001] > /tmp/flows.jsonl`. The lines are those of
//! the bundled examples (crates/moat/tests/hubble), repeated to LINES.

#[path = "../tests/hubble/mod.rs"]
mod hubble;

use std::io::Write as _;

fn main() {
    let mut args = std::env::args().skip(1);
    let lines: usize = args
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let scenario = args.next().unwrap_or_else(|| "three-tier".into());
    let one = match scenario.as_str() {
        "seed-001" => hubble::seed_001(),
        _ => hubble::three_tier(),
    };
    let pattern: Vec<&str> = one.lines().collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for i in 0..lines {
        if writeln!(out, "{}", pattern[i % pattern.len()]).is_err() {
            return;
        }
    }
}
