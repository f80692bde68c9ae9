//! The tests' stand-in API server, on its own: serves manifests as the Kubernetes list API
//! on 127.0.0.1 and writes a kubeconfig pointing at it, for trying `--cluster` by hand and
//! for the benchmarks in BENCHMARKS.md.
//!
//!     cargo run --release -p moat-cli --example fake_apiserver -- KUBECONFIG_OUT MANIFEST...
//!     moat matrix --cluster --kubeconfig KUBECONFIG_OUT
//!
//! MOAT_FAKE_LATENCY_MS=N delays every answer by N ms (a remote API server's round trip).
//! MOAT_FAKE_FAULT=PREFIX=CODE answers CODE to every path starting with PREFIX (CODE `stall`:
//! never answers); MOAT_FAKE_TOKEN=T refuses (401) requests without `Bearer T`.
//! Runs until killed; prints the number of requests served on each line of stdin.

#[path = "../tests/support/apiserver.rs"]
mod apiserver;

use std::io::BufRead;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((kubeconfig, manifests)) = args.split_first().filter(|(_, m)| !m.is_empty()) else {
        eprintln!("usage: fake_apiserver KUBECONFIG_OUT MANIFEST...");
        std::process::exit(2);
    };
    let paths: Vec<&Path> = manifests.iter().map(Path::new).collect();
    let objects = apiserver::objects_of(&paths);
    let count = objects.len();
    let server = apiserver::ApiServer::start(objects);
    if let Some((prefix, code)) = std::env::var("MOAT_FAKE_FAULT")
        .ok()
        .as_deref()
        .and_then(|f| f.split_once('='))
    {
        server.fault(apiserver::Fault {
            prefix: prefix.to_string(),
            status: code.parse().ok(),
            times: u32::MAX,
            retry_after: None,
            continued_only: false,
        });
    }
    if let Ok(token) = std::env::var("MOAT_FAKE_TOKEN") {
        server.require_token(&token);
    }
    if let Some(ms) = std::env::var("MOAT_FAKE_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        server.latency(std::time::Duration::from_millis(ms));
    }
    if let Err(e) = std::fs::write(kubeconfig, server.kubeconfig("bench")) {
        eprintln!("{kubeconfig}: {e}");
        std::process::exit(2);
    }
    eprintln!(
        "serving {} at {}; kubeconfig: {kubeconfig}",
        moat::text::count(count, "object"),
        server.url()
    );
    for _ in std::io::stdin().lock().lines() {
        println!("{} request(s)", server.requests().len());
    }
    // stdin closed: keep serving until killed.
    loop {
        std::thread::park();
    }
}
